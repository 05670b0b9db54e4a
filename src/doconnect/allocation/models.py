"""City-wide allocation runs and the priority weights they use, both kept on record so
a priority decision can be traced: who set which weights, which run used them, with
which inputs, and what it proposed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PriorityWeightSet(models.Model):
    """One recorded choice of priority weights (never edited: a change is a new set)."""

    target_groups = models.JSONField(_("Gewichte je Zielgruppe"), default=dict)
    support_needs = models.JSONField(_("Gewichte je Unterstützungsbedarf"), default=dict)
    note = models.TextField(_("Begründung"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("Festgelegt am"), default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("Prioritätsgewichte")
        verbose_name_plural = _("Prioritätsgewichte")

    def __str__(self) -> str:
        return f"{self.recorded_at:%Y-%m-%d %H:%M} {self.target_groups} {self.support_needs}"


class AllocationRun(models.Model):
    """One run: scope, parameters, weights, a digest of its inputs, and the figures of the
    optimum and of the first-come-first-served baseline."""

    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(_("Gestartet am"), default=timezone.now)
    day = models.DateField(_("Stichtag"))
    scope = models.JSONField(_("Auswahl"), default=dict)
    rules = models.JSONField(_("Kostenregeln"), default=dict)
    weights = models.ForeignKey(
        PriorityWeightSet, null=True, on_delete=models.PROTECT, related_name="runs"
    )
    inputs_digest = models.CharField(_("Prüfsumme der Eingaben"), max_length=64)
    summary = models.JSONField(_("Ergebnis"), default=dict)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("Zuteilungslauf")
        verbose_name_plural = _("Zuteilungsläufe")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} ({self.inputs_digest[:12]})"


class AllocationOutcome(models.Model):
    """What a run decided for one person: a place (with the referral it proposed and the
    cost's parts) or the reason there was none."""

    run = models.ForeignKey(AllocationRun, on_delete=models.CASCADE, related_name="outcomes")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    offer = models.ForeignKey("offers.Offer", null=True, on_delete=models.PROTECT, related_name="+")
    # The person's facts as the run saw them (a record: later changes to the person do
    # not rewrite why this run decided as it did).
    district = models.CharField(_("Stadtbezirk"), max_length=80, blank=True)
    target_groups = models.JSONField(_("Zielgruppen"), default=list)
    support_needs = models.JSONField(_("Unterstützungsbedarfe"), default=list)
    priority = models.PositiveIntegerField(_("Priorität"))
    cost = models.PositiveIntegerField(_("Kosten"), null=True)
    cost_parts = models.JSONField(_("Kostenanteile"), default=dict)
    reason = models.CharField(_("Grund"), max_length=20)
    # For a person without a place: their candidate places and who holds them
    # (``allocation.engine.Holders``), and how many candidates they had.
    explanation = models.JSONField(_("Begründung"), default=dict)
    greedy_offer = models.ForeignKey(
        "offers.Offer", null=True, on_delete=models.PROTECT, related_name="+"
    )
    referral = models.OneToOneField(
        "referrals.Referral", null=True, on_delete=models.SET_NULL, related_name="allocation"
    )

    class Meta:
        ordering = ["run_id", "person_id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "person"], name="allocation_person_once")
        ]

    def __str__(self) -> str:
        return f"{self.run_id}: {self.person_id} → {self.offer_id or self.reason}"
