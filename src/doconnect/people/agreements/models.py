"""Agreements: mutual commitments of a person and the institutions
("Eigenaktivitäten auslösen – Sicherheiten einlösen")."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Entwurf")
    ACTIVE = "active", _("gültig")
    CLOSED = "closed", _("abgeschlossen")


class ItemSide(models.TextChoices):
    PERSON = "person", _("Eigenaktivität der Person")
    INSTITUTION = "institution", _("Zusage der Institution")


class ItemStatus(models.TextChoices):
    OPEN = "open", _("offen")
    DONE = "done", _("erledigt")
    LATE = "late", _("überfällig")
    DROPPED = "dropped", _("entfallen")


class Agreement(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="agreements")
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("Institution"),
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    title = models.CharField(_("Titel"), max_length=200)
    concluded_on = models.DateField(_("Geschlossen am"))
    review_on = models.DateField(_("Überprüfung am"), null=True, blank=True)
    status = models.CharField(
        _("Status"), max_length=10, choices=AgreementStatus.choices, default=AgreementStatus.ACTIVE
    )

    class Meta:
        ordering = ["-concluded_on", "-id"]
        verbose_name = _("Vereinbarung")
        verbose_name_plural = _("Vereinbarungen")

    def __str__(self) -> str:
        return self.title


class AgreementItem(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="items")
    side = models.CharField(_("Seite"), max_length=12, choices=ItemSide.choices)
    text = models.TextField(_("Inhalt"))
    due_on = models.DateField(_("Fällig am"), null=True, blank=True)
    status = models.CharField(
        _("Status"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.OPEN
    )

    class Meta:
        ordering = ["agreement_id", "side", "due_on", "id"]
        verbose_name = _("Vereinbarungspunkt")
        verbose_name_plural = _("Vereinbarungspunkte")

    def __str__(self) -> str:
        return self.text[:60]
