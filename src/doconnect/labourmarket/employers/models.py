"""Vacancies at employers (employers are organisations of kind ``employer``)."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from doconnect.core.models import District, Organisation


class VacancySource(models.TextChoices):
    MANUAL = "manual", _("manuell erfasst")
    DEMO = "demo", _("Demo (synthetisch)")
    JOBSUCHE = "jobsuche", _("BA Jobsuche")


class Vacancy(models.Model):
    source = models.CharField(_("Quelle"), max_length=20, choices=VacancySource.choices)
    reference = models.CharField(_("Referenznummer"), max_length=60)
    title = models.CharField(_("Titel"), max_length=300)
    employer = models.ForeignKey(
        Organisation,
        verbose_name=_("Arbeitgeber"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="vacancies",
        limit_choices_to={"kind": "employer"},
    )
    employer_name = models.CharField(
        _("Arbeitgeber (Name laut Quelle)"), max_length=300, blank=True
    )
    kldb = models.CharField(
        _("Beruf (KldB 2010)"),
        max_length=5,
        blank=True,
        help_text=_("Fünfstelliger Schlüssel der Klassifikation der Berufe 2010."),
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("Stadtbezirk"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vacancies",
    )
    postcode = models.CharField(_("Postleitzahl"), max_length=10, blank=True)
    place = models.CharField(_("Ort"), max_length=120, blank=True)
    published_on = models.DateField(_("Veröffentlicht am"), null=True, blank=True)
    entry_on = models.DateField(_("Eintritt ab"), null=True, blank=True)
    # The day the vacancy was filled or withdrawn; None while it is still open.
    closed_on = models.DateField(_("Geschlossen am"), null=True, blank=True)
    positions = models.PositiveIntegerField(_("Anzahl Stellen"), default=1)
    synthetic = models.BooleanField(_("Synthetisch"), default=False)

    class Meta:
        ordering = ["-published_on", "reference"]
        verbose_name = _("Stellenangebot")
        verbose_name_plural = _("Stellenangebote")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "reference"], name="vacancy_unique_source_ref"
            ),
        ]
        indexes = [models.Index(fields=["kldb"]), models.Index(fields=["district"])]

    def __str__(self) -> str:
        return self.title


class PostcodeDistrict(models.Model):
    """Which district a postcode lies in, as the city decides it; imports of vacancies
    and BA offers place them by this table. A postcode shared by several districts is
    left out on purpose: what comes from there gets no district rather than a guessed
    one."""

    postcode = models.CharField(
        _("Postleitzahl"),
        max_length=5,
        unique=True,
        validators=[RegexValidator(r"^\d{5}$", _("Eine Postleitzahl hat fünf Ziffern."))],
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("Stadtbezirk"),
        on_delete=models.CASCADE,
        related_name="postcodes",
    )

    class Meta:
        ordering = ["postcode"]
        verbose_name = _("Postleitzahl im Stadtbezirk")
        verbose_name_plural = _("Postleitzahlen der Stadtbezirke")

    def __str__(self) -> str:
        return f"{self.postcode} → {self.district}"
