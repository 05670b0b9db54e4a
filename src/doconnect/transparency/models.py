"""Published yearly reports: stored snapshots, so published figures never change
underneath the public. A report is never edited; it can be withdrawn (with a reason),
and the year published again as a new snapshot."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PublishedReportQuerySet(models.QuerySet["PublishedReport"]):
    def public(self) -> PublishedReportQuerySet:
        """What the public may see: published and not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)


class PublishedReport(models.Model):
    """One published yearly report: the already protected tables and texts as JSON
    (``transparency.report`` describes the layout)."""

    year = models.PositiveSmallIntegerField(_("Jahr"))
    title = models.CharField(_("Titel"), max_length=300)
    content = models.JSONField(_("Inhalt"))
    published_at = models.DateTimeField(_("Veröffentlicht am"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("Zurückgezogen am"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawal_reason = models.TextField(_("Grund der Rücknahme"), blank=True)

    objects = PublishedReportQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-published_at"]
        verbose_name = _("Veröffentlichter Jahresbericht")
        verbose_name_plural = _("Veröffentlichte Jahresberichte")
        constraints = [
            models.UniqueConstraint(
                fields=["year"],
                condition=Q(withdrawn_at__isnull=True),
                name="transparency_one_public_report_per_year",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | ~Q(withdrawal_reason=""),
                name="transparency_withdrawal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.title}"

    @property
    def is_public(self) -> bool:
        return self.withdrawn_at is None
