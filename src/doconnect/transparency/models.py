"""Published yearly reports: stored snapshots, so published figures never change
underneath the public. A report is never edited; it can be withdrawn (with a reason),
and the year published again as a new snapshot. Apart from them, the coordinator's
preview of a year is built in the background and kept (``ReportBuild``, ``builds.py``)."""

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


class ReportBuild(models.Model):
    """The report of ``year`` as built on ``day`` (the protected content, German, as
    ``services.yearly_report_build`` returns it) from the tables of
    ``selectors.REPORT_TABLES`` at their change counters ``versions`` (``core.changes``,
    with the build's format and settings). Current while the counters and the day are
    the same; the preview shows an older row, with its date, until the worker has built
    the next. Never published: publishing builds afresh."""

    year = models.PositiveSmallIntegerField(_("Jahr"))
    day = models.DateField(_("Stichtag"))
    versions = models.JSONField(default=dict)
    computed_at = models.DateTimeField(_("Berechnet am"), default=timezone.now)
    seconds = models.FloatField(default=0.0)
    content = models.JSONField(_("Inhalt"))

    class Meta:
        ordering = ["-computed_at", "-id"]
        indexes = [models.Index(fields=["year", "-computed_at"], name="transparency_build_year")]
        verbose_name = _("Berechnete Berichtsvorschau")
        verbose_name_plural = _("Berechnete Berichtsvorschauen")

    def __str__(self) -> str:
        return f"report build {self.year} of {self.day} ({self.computed_at:%Y-%m-%d %H:%M})"
