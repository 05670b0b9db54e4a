"""The landscape of providers' offers: what they are, for whom, funded by whom, and
where they lead (follow-ons)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from doconnect.core.models import District, Organisation, TargetGroup


class OfferKind(models.TextChoices):
    COUNSELLING = "counselling", _("Beratung")
    ORIENTATION = "orientation", _("Orientierung")
    LOW_THRESHOLD = "low_threshold", _("Niedrigschwelliger Einstieg")
    VOCATIONAL_PREPARATION = "vocational_preparation", _("Berufsvorbereitung")
    QUALIFICATION = "qualification", _("Qualifizierung")
    FURTHER_TRAINING = "further_training", _("Weiterbildung")
    APPRENTICESHIP = "apprenticeship", _("Ausbildung")
    SUBSIDISED_EMPLOYMENT = "subsidised_employment", _("Geförderte Beschäftigung")
    COUPLED_EMPLOYMENT = "coupled_employment", _("Koppel-Beschäftigung")
    JOB_PLACEMENT = "job_placement", _("Vermittlung in Arbeit")


class OfferStatus(models.TextChoices):
    ACTIVE = "active", _("aktiv")
    SUSPENDED = "suspended", _("ausgesetzt")
    ENDED = "ended", _("beendet")


class Destination(models.TextChoices):
    EMPLOYMENT = "employment", _("Beschäftigung")
    APPRENTICESHIP = "apprenticeship", _("Ausbildung")
    HIGHER_EDUCATION = "higher_education", _("Studium")
    SELF_EMPLOYMENT = "self_employment", _("Selbstständigkeit")
    SCHOOL = "school", _("Schule")


class Funder(models.TextChoices):
    FEDERAL_AGENCY = "federal_agency", _("Agentur für Arbeit")
    JOBCENTER = "jobcenter", _("Jobcenter")
    STATE = "state", _("Land")
    CITY = "city", _("Stadt")
    ESF = "esf", _("Europäischer Sozialfonds")
    FOUNDATION = "foundation", _("Stiftung")
    OTHER = "other", _("Sonstige")


class OfferSource(models.TextChoices):
    """Where an offer comes from. The city's own offers (catalogue, web, demo) have none;
    imported ones are updated by (source, source reference) on a re-import."""

    CITY = "", _("Stadt (eigener Katalog)")
    WEITERBILDUNGSSUCHE = "ba_wbsuche", _("BA Weiterbildungssuche")
    AUSBILDUNGSSUCHE = "ba_absuche", _("BA Ausbildungssuche")


class Offer(models.Model):
    external_id = models.SlugField(_("Kennung"), max_length=80, unique=True)
    provider = models.ForeignKey(
        Organisation, verbose_name=_("Träger"), on_delete=models.PROTECT, related_name="offers"
    )
    title = models.CharField(_("Titel"), max_length=300)
    description = models.TextField(_("Beschreibung"), blank=True)
    kind = models.CharField(_("Art"), max_length=30, choices=OfferKind.choices)
    district = models.ForeignKey(
        District,
        verbose_name=_("Stadtbezirk"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="offers",
    )
    target_groups = models.ManyToManyField(
        TargetGroup, verbose_name=_("Zielgruppen"), blank=True, related_name="offers"
    )
    min_age = models.PositiveSmallIntegerField(_("Mindestalter"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("Höchstalter"), null=True, blank=True)
    legal_branches = models.JSONField(_("Rechtskreise"), default=list, blank=True)
    # The occupations (KldB 2010, five digits) the offer qualifies for: what the
    # labour-market analyses match shortage occupations against.
    occupations = models.JSONField(
        _("Berufe (KldB 2010)"),
        default=list,
        db_default=[],
        blank=True,
        help_text=_(
            "Fünfstellige KldB-2010-Schlüssel der Berufe, für die das Angebot qualifiziert."
        ),
    )
    other_rules = models.TextField(_("Weitere Zugangsregeln"), blank=True)
    capacity = models.PositiveIntegerField(
        _("Plätze"), null=True, blank=True, help_text=_("Leer, wenn unbekannt.")
    )
    start = models.DateField(_("Beginn"), null=True, blank=True)
    end = models.DateField(_("Ende"), null=True, blank=True)
    status = models.CharField(
        _("Status"), max_length=12, choices=OfferStatus.choices, default=OfferStatus.ACTIVE
    )
    synthetic = models.BooleanField(_("Synthetisch"), default=False)
    # Offers from the BA's Weiterbildungs- and Ausbildungssuche. The database defaults
    # let bulk writers that name only the older columns (the demo loader's COPY) work.
    source = models.CharField(
        _("Quelle"),
        max_length=20,
        choices=OfferSource.choices,
        blank=True,
        default="",
        db_default="",
    )
    source_reference = models.CharField(
        _("Kennung in der Quelle"), max_length=60, blank=True, default="", db_default=""
    )
    locally_edited = models.JSONField(
        _("Von Hand geändert"),
        default=list,
        db_default=[],
        blank=True,
        help_text=_("Felder, die die Stadt geändert hat; ein erneuter Import ändert sie nicht."),
    )
    postcode = models.CharField(
        _("Postleitzahl"), max_length=5, blank=True, default="", db_default=""
    )
    place = models.CharField(_("Ort"), max_length=120, blank=True, default="", db_default="")
    voucher_eligible = models.BooleanField(
        _("Bildungsgutschein"),
        null=True,
        blank=True,
        help_text=_("Zugelassen zur Förderung mit Bildungsgutschein; leer, wenn unbekannt."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["external_id"]
        verbose_name = _("Angebot")
        verbose_name_plural = _("Angebote")
        indexes = [models.Index(fields=["kind", "status"]), models.Index(fields=["district"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True)
                | Q(start__isnull=True)
                | Q(end__gte=models.F("start")),
                name="offer_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(max_age__isnull=True)
                | Q(min_age__isnull=True)
                | Q(max_age__gte=models.F("min_age")),
                name="offer_max_age_not_below_min_age",
            ),
            models.UniqueConstraint(
                fields=["source", "source_reference"],
                condition=~Q(source=""),
                name="offer_unique_source_reference",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class FundingLine(models.Model):
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="funding")
    funder = models.CharField(_("Geldgeber"), max_length=20, choices=Funder.choices)
    amount_eur = models.DecimalField(_("Betrag (EUR)"), max_digits=14, decimal_places=2)
    start = models.DateField(_("Beginn"))
    end = models.DateField(_("Ende"))

    class Meta:
        ordering = ["offer_id", "start", "funder", "id"]
        verbose_name = _("Finanzierung")
        verbose_name_plural = _("Finanzierungen")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="funding_end_not_before_start"
            ),
            models.CheckConstraint(condition=Q(amount_eur__gte=0), name="funding_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_funder_display()} {self.amount_eur} €"


class FollowOn(models.Model):
    """Where an offer leads: another offer, or a goal destination (exactly one)."""

    from_offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="follow_ons")
    to_offer = models.ForeignKey(
        Offer, null=True, blank=True, on_delete=models.CASCADE, related_name="preceded_by"
    )
    destination = models.CharField(
        _("Ziel"), max_length=20, choices=Destination.choices, blank=True
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["from_offer_id", "position", "id"]
        verbose_name = _("Anschluss")
        verbose_name_plural = _("Anschlüsse")
        constraints = [
            models.CheckConstraint(
                condition=(Q(to_offer__isnull=False) & Q(destination=""))
                | (Q(to_offer__isnull=True) & ~Q(destination="")),
                name="follow_on_offer_xor_destination",
            ),
            models.UniqueConstraint(
                fields=["from_offer", "to_offer"],
                condition=Q(to_offer__isnull=False),
                name="follow_on_unique_offer",
            ),
            models.UniqueConstraint(
                fields=["from_offer", "destination"],
                condition=~Q(destination=""),
                name="follow_on_unique_destination",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_offer_id} → {self.to_offer_id or self.destination}"

    @property
    def reference(self) -> str:
        """The catalogue notation: an offer id or ``destination:<name>``."""
        if self.to_offer_id is not None and self.to_offer is not None:
            return self.to_offer.external_id
        return f"destination:{self.destination}"
