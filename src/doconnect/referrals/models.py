"""Referrals of a person to an offer. The state machine grows with allocation (issue 5);
the foundation needs the link because it decides what provider staff may see."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReferralStatus(models.TextChoices):
    PROPOSED = "proposed", _("vorgeschlagen")
    SENT = "sent", _("gesendet")
    ACCEPTED = "accepted", _("angenommen")
    DECLINED = "declined", _("abgelehnt")
    STARTED = "started", _("begonnen")
    COMPLETED = "completed", _("abgeschlossen")
    CANCELLED = "cancelled", _("storniert")


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

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("Zuweisung")
        verbose_name_plural = _("Zuweisungen")
        indexes = [models.Index(fields=["offer", "status"])]

    def __str__(self) -> str:
        return f"{self.person} → {self.offer} ({self.get_status_display()})"
