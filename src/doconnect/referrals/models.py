"""Referrals of a person to an offer, their states and the trail of steps. Which step is
allowed when is in ``transitions`` (pure); the services in ``services`` take the steps.
The link also decides what provider staff may see (``people.access``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReferralStatus(models.TextChoices):
    PROPOSED = "proposed", _("vorgeschlagen")
    SENT = "sent", _("gesendet")
    ACCEPTED = "accepted", _("angenommen")
    DECLINED = "declined", _("abgelehnt")
    EXPIRED = "expired", _("abgelaufen")
    STARTED = "started", _("begonnen")
    COMPLETED = "completed", _("abgeschlossen")
    DROPPED_OUT = "dropped_out", _("abgebrochen")
    CANCELLED = "cancelled", _("storniert")


class DeclineReason(models.TextChoices):
    """Why a provider declined a referral (coded, so declines can be counted)."""

    FULL = "full", _("keine freien Plätze")
    NOT_ELIGIBLE = "not_eligible", _("Voraussetzungen nicht erfüllt")
    PERSON_UNREACHABLE = "person_unreachable", _("Person nicht erreichbar")
    PERSON_DECLINED = "person_declined", _("Person hat abgelehnt")
    OTHER = "other", _("anderer Grund")


# Referrals in these states give the offer's provider a reason to see the person.
OPEN_OR_RUNNING = (
    ReferralStatus.SENT,
    ReferralStatus.ACCEPTED,
    ReferralStatus.STARTED,
)


class Referral(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="referrals")
    offer = models.ForeignKey("offers.Offer", on_delete=models.PROTECT, related_name="referrals")
    status = models.CharField(
        _("Status"), max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.PROPOSED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Convenience copies of the trail (ReferralEvent is the record): when the referral
    # went to the provider, when the provider answered (accepted or declined), why it
    # declined, and when the provider was reminded of an unanswered referral.
    sent_at = models.DateTimeField(_("gesendet am"), null=True, blank=True)
    answered_at = models.DateTimeField(_("beantwortet am"), null=True, blank=True)
    decline_reason = models.CharField(
        _("Ablehnungsgrund"), max_length=24, choices=DeclineReason.choices, blank=True
    )
    reminded_at = models.DateTimeField(_("erinnert am"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("Zuweisung")
        verbose_name_plural = _("Zuweisungen")
        indexes = [
            models.Index(fields=["offer", "status"]),
            models.Index(fields=["status", "sent_at"]),
            # Persons taking part or booked per offer (offers.participation), from the
            # index alone.
            models.Index(fields=["offer", "status", "person"], name="referral_offer_status_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.offer} ({self.get_status_display()})"


class ReferralEvent(models.Model):
    """One step of a referral: from which state to which, when, by whom (None: the
    platform itself, e.g. expiry), with the coded reason and a note. Written by the
    services for every step, never changed."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(
        _("von"), max_length=12, choices=ReferralStatus.choices, blank=True
    )
    to_status = models.CharField(_("nach"), max_length=12, choices=ReferralStatus.choices)
    at = models.DateTimeField(_("Zeitpunkt"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("durch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("Grund"), max_length=24, choices=DeclineReason.choices, blank=True)
    note = models.TextField(_("Notiz"), blank=True)

    class Meta:
        ordering = ["referral_id", "at", "id"]
        verbose_name = _("Zuweisungsschritt")
        verbose_name_plural = _("Zuweisungsschritte")

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.from_status or '–'} → {self.to_status} ({self.at})"


# The steps of ``transitions.STEPS`` in words (buttons, messages).
STEP_LABELS = {
    "send": _("Senden"),
    "accept": _("Annehmen"),
    "decline": _("Ablehnen"),
    "start": _("Beginn erfassen"),
    "complete": _("Abschluss erfassen"),
    "drop_out": _("Abbruch erfassen"),
    "cancel": _("Zurückziehen"),
    "expire": _("Verfallen lassen"),
}
