"""Labour-market statistics in one long table: one figure per region, period,
indicator and combination of dimensions (an empty dimension means "all")."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from doconnect.core.models import District


class Indicator(models.TextChoices):
    UNEMPLOYED = "unemployed", _("Arbeitslose")
    JOB_SEEKERS = "job_seekers", _("Arbeitsuchende")
    EMPLOYED = "employed", _("Sozialversicherungspflichtig Beschäftigte")
    UNEMPLOYMENT_RATE = "unemployment_rate", _("Arbeitslosenquote (%)")
    # The stock of vacancies employers registered with the BA (Bestand an gemeldeten
    # Arbeitsstellen), counted by the statistics like the job seekers.
    VACANCIES = "vacancies", _("Gemeldete Arbeitsstellen")


class Marker(models.TextChoices):
    """The BA's signs for a cell without a number; such a cell has no value."""

    NONE = "", _("Zahl oder leer")
    SUPPRESSED = "*", _("geheim gehalten (*)")
    NOTHING = "-", _("nichts vorhanden (-)")
    UNKNOWN = ".", _("unbekannt (.)")
    NOT_MEANINGFUL = "x", _("nicht sinnvoll (x)")


class Statistic(models.Model):
    region = models.CharField(_("Gebiet"), max_length=100)
    district = models.ForeignKey(
        District,
        verbose_name=_("Stadtbezirk"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="statistics",
        help_text=_("Gesetzt, wenn das Gebiet ein Stadtbezirk ist (Name oder Schlüssel)."),
    )
    period = models.CharField(_("Zeitraum"), max_length=10, help_text="YYYY, YYYY-MM, YYYY-MM-DD")
    indicator = models.CharField(_("Kennzahl"), max_length=30, choices=Indicator.choices)
    age_band = models.CharField(_("Altersgruppe"), max_length=10, blank=True)
    gender = models.CharField(_("Geschlecht"), max_length=10, blank=True)
    duration = models.CharField(_("Dauer"), max_length=12, blank=True)
    legal_branch = models.CharField(_("Rechtskreis"), max_length=10, blank=True)
    kldb = models.CharField(_("Beruf (KldB 2010)"), max_length=5, blank=True)
    wz = models.CharField(_("Wirtschaftszweig (WZ 2008)"), max_length=10, blank=True)
    value = models.DecimalField(_("Wert"), max_digits=15, decimal_places=3, null=True, blank=True)
    marker = models.CharField(
        _("Zeichen"), max_length=1, choices=Marker.choices, blank=True, default=""
    )
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["region", "period", "indicator", "id"]
        verbose_name = _("Statistikwert")
        verbose_name_plural = _("Statistikwerte")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "region",
                    "period",
                    "indicator",
                    "age_band",
                    "gender",
                    "duration",
                    "legal_branch",
                    "kldb",
                    "wz",
                ],
                name="statistic_unique_cell",
            ),
            models.CheckConstraint(
                condition=models.Q(value__isnull=True) | models.Q(marker=""),
                name="statistic_marker_has_no_value",
            ),
        ]
        indexes = [models.Index(fields=["indicator", "period"])]

    def __str__(self) -> str:
        return f"{self.region} {self.period} {self.indicator}"
