"""Persons (pseudonymous record and, apart from it, personal details), consents and
biographies as dated spells."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Collection, Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from doconnect.core.models import District, Organisation, TargetGroup
from doconnect.offers.models import Destination
from doconnect.people.matching import match_key

# The destinations a person can aim at (the pathways engine's goals).
PERSON_GOALS = [
    (code, label)
    for code, label in Destination.choices
    if code in ("employment", "apprenticeship", "higher_education", "self_employment")
]

# Crockford-style alphabet: no I, L, O, U, so ids read aloud and typed by hand survive.
_PUBLIC_ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_public_id() -> str:
    return "P-" + "".join(secrets.choice(_PUBLIC_ID_ALPHABET) for _ in range(8))


class Gender(models.TextChoices):
    FEMALE = "female", _("weiblich")
    MALE = "male", _("männlich")
    DIVERSE = "diverse", _("divers")
    UNSPECIFIED = "unspecified", _("keine Angabe")


class SchoolQualification(models.TextChoices):
    NONE = "none", _("ohne Abschluss")
    HAUPTSCHULE = "hauptschule", _("Hauptschulabschluss")
    MITTLERER = "mittlerer", _("Mittlerer Schulabschluss")
    FACHHOCHSCHULREIFE = "fachhochschulreife", _("Fachhochschulreife")
    ABITUR = "abitur", _("Abitur")
    FOREIGN = "foreign", _("ausländischer Abschluss")
    UNKNOWN = "unknown", _("unbekannt")


class VocationalQualification(models.TextChoices):
    NONE = "none", _("ohne Berufsabschluss")
    APPRENTICESHIP = "apprenticeship", _("abgeschlossene Ausbildung")
    MASTER = "master", _("Meister/Techniker")
    UNIVERSITY = "university", _("Hochschulabschluss")
    FOREIGN = "foreign", _("ausländischer Abschluss")
    UNKNOWN = "unknown", _("unbekannt")


class LegalBranch(models.TextChoices):
    SGB_II = "SGB II", _("SGB II (Grundsicherung)")
    SGB_III = "SGB III", _("SGB III (Arbeitsförderung)")
    NONE = "none", _("keiner")


class Person(models.Model):
    """The pseudonymous record: what analysts may see. Names and contacts live in
    PersonalDetails, a separate table read only through the access rules."""

    public_id = models.CharField(
        _("Pseudonym"), max_length=20, unique=True, default=new_public_id, editable=False
    )
    gender = models.CharField(
        _("Geschlecht"), max_length=12, choices=Gender.choices, default=Gender.UNSPECIFIED
    )
    birth_year = models.PositiveSmallIntegerField(_("Geburtsjahr"), null=True, blank=True)
    district = models.ForeignKey(
        District,
        verbose_name=_("Stadtbezirk"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="persons",
    )
    school_qualification = models.CharField(
        _("Schulabschluss"),
        max_length=20,
        choices=SchoolQualification.choices,
        default=SchoolQualification.UNKNOWN,
    )
    vocational_qualification = models.CharField(
        _("Berufsabschluss"),
        max_length=20,
        choices=VocationalQualification.choices,
        default=VocationalQualification.UNKNOWN,
    )
    legal_branch = models.CharField(
        _("Rechtskreis"), max_length=8, choices=LegalBranch.choices, default=LegalBranch.NONE
    )
    target_groups = models.ManyToManyField(
        TargetGroup, verbose_name=_("Zielgruppen"), blank=True, related_name="persons"
    )
    # Free tags, on purpose: a person is described by strengths and needs, never by a
    # single "risk score".
    strengths = models.JSONField(_("Stärken"), default=list, blank=True)
    support_needs = models.JSONField(_("Unterstützungsbedarfe"), default=list, blank=True)
    # What the person said they want (recorded in counselling, never inferred): the next
    # steps and the allocation rank by it; empty means not stated.
    goal = models.CharField(_("Ziel"), max_length=20, choices=PERSON_GOALS, blank=True)
    preferred_offer_kinds = models.JSONField(
        _("Gewünschte Angebotsarten"), default=list, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    synthetic = models.BooleanField(_("Synthetisch"), default=False)
    # Where the record came from when another organisation's system delivered it (the
    # persons import): importing the same file again finds it by this pair.
    source_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("Liefernde Organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # db_default: the demo loader and other raw writers leave these columns out.
    source_id = models.CharField(
        _("Kennung im liefernden System"), max_length=64, blank=True, default="", db_default=""
    )

    class Meta:
        ordering = ["public_id"]
        verbose_name = _("Person")
        verbose_name_plural = _("Personen")
        indexes = [models.Index(fields=["district", "legal_branch"])]
        constraints = [
            models.UniqueConstraint(
                fields=["source_organisation", "source_id"],
                condition=~Q(source_id=""),
                name="person_unique_source_id",
            )
        ]

    def __str__(self) -> str:
        return self.public_id


class PersonalDetails(models.Model):
    """Identifying data. Kept apart from Person so no query for statistics can touch it."""

    person = models.OneToOneField(
        Person, primary_key=True, on_delete=models.CASCADE, related_name="personal"
    )
    given_name = models.CharField(_("Vorname"), max_length=100)
    family_name = models.CharField(_("Nachname"), max_length=100)
    birth_date = models.DateField(_("Geburtsdatum"), null=True, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    phone = models.CharField(_("Telefon"), max_length=40, blank=True)
    street = models.CharField(_("Straße und Hausnummer"), max_length=200, blank=True)
    postcode = models.CharField(_("Postleitzahl"), max_length=10, blank=True)
    address_district = models.ForeignKey(
        District,
        verbose_name=_("Wohnbezirk laut Adresse"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The duplicate check's keyed hash of the normalised name and birth date
    # (people/matching.py, key DOCONNECT_PERSON_MATCH_KEY): equal for the same person
    # however the name was typed, and meaningless without the key. Kept in step by
    # save(); rows written in bulk get it from their writer or `doconnect persons
    # match-keys`.
    match_key = models.CharField(
        _("Abgleichsschlüssel"),
        max_length=64,
        blank=True,
        default="",
        db_default="",
        db_index=True,
        editable=False,
    )

    class Meta:
        verbose_name = _("Personenbezogene Angaben")
        verbose_name_plural = _("Personenbezogene Angaben")
        # The fuzzy duplicate check reads one birth year at a time.
        indexes = [models.Index(fields=["birth_date"], name="people_details_birth_date")]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.match_key = match_key_of(self.given_name, self.family_name, self.birth_date)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(MATCHED_FIELDS):
            kwargs["update_fields"] = {*update_fields, "match_key"}
        super().save(*args, **kwargs)


# What the match key is made of.
MATCHED_FIELDS = ("given_name", "family_name", "birth_date")


def match_key_of(given_name: str, family_name: str, birth_date: dt.date | None) -> str:
    """The match key with this installation's secret."""
    return match_key(given_name, family_name, birth_date, secret=settings.PERSON_MATCH_KEY)


PERSONAL_FIELDS: tuple[str, ...] = (
    "given_name",
    "family_name",
    "birth_date",
    "email",
    "phone",
    "street",
    "postcode",
    "address_district",
)


class ConsentPurpose(models.TextChoices):
    """What a consent may be given for. The codes are also the purposes routes declare
    (``access_rules.Purpose``) and the names of ``Consent``'s purpose columns."""

    COUNSELLING = "counselling", _("Beratung und Begleitung")
    PLACEMENT = "placement", _("Vermittlung in Angebote und Arbeit")
    CASE_CONFERENCE = "case_conference", _("Fallkonferenz mehrerer Stellen")
    MONITORING = "monitoring", _("Verlaufsbeobachtung (Übergangsmonitoring)")


class ConsentQuerySet(models.QuerySet["Consent"]):
    def valid_on(self, day: dt.date) -> ConsentQuerySet:
        return self.filter(
            Q(valid_from__lte=day),
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
            Q(withdrawn_at__isnull=True) | Q(withdrawn_at__date__gt=day),
        )

    def given_for(self, purposes: Iterable[str]) -> ConsentQuerySet:
        """Consents given for at least one of these purposes (codes of ConsentPurpose)."""
        condition = Q(pk__in=[])
        for code in purposes:
            if code not in ConsentPurpose.values:
                raise ValueError(f"unknown consent purpose {code!r}")
            condition |= Q(**{code: True})
        return self.filter(condition)


class Consent(models.Model):
    """One consent the person gave: for one or more purposes (Zweckbindung — a consent
    opens the person's data only to routes that declare one of them,
    ``access_rules.Purpose``), to these organisations, for a time.

    The purposes are one column each: the vocabulary is fixed in code, and "consents
    for this purpose" is then a plain indexed filter on SQLite and PostgreSQL alike
    (no join, no JSON lookups SQLite lacks)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    counselling = models.BooleanField(ConsentPurpose.COUNSELLING.label, default=False)
    placement = models.BooleanField(ConsentPurpose.PLACEMENT.label, default=False)
    case_conference = models.BooleanField(ConsentPurpose.CASE_CONFERENCE.label, default=False)
    monitoring = models.BooleanField(ConsentPurpose.MONITORING.label, default=False)
    organisations = models.ManyToManyField(
        Organisation, verbose_name=_("Berechtigte Organisationen"), related_name="consents"
    )
    valid_from = models.DateField(_("Gültig ab"))
    valid_until = models.DateField(_("Gültig bis"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("Widerrufen am"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from", "-id"]
        verbose_name = _("Einwilligung")
        verbose_name_plural = _("Einwilligungen")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="consent_until_not_before_from",
            ),
            models.CheckConstraint(
                condition=Q(counselling=True)
                | Q(placement=True)
                | Q(case_conference=True)
                | Q(monitoring=True),
                name="consent_has_a_purpose",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {', '.join(str(label) for label in self.purpose_labels)}"

    @property
    def purposes(self) -> list[str]:
        """The codes of the purposes it was given for, in the vocabulary's order."""
        return [code for code in ConsentPurpose.values if getattr(self, code)]

    @purposes.setter
    def purposes(self, codes: Collection[str]) -> None:
        unknown = set(codes) - set(ConsentPurpose.values)
        if unknown:
            raise ValueError(f"unknown consent purposes: {sorted(unknown)}")
        for code in ConsentPurpose.values:
            setattr(self, code, code in codes)

    @property
    def purpose_labels(self) -> list[str]:
        return [str(ConsentPurpose(code).label) for code in self.purposes]

    def is_valid_on(self, day: dt.date) -> bool:
        if self.valid_from > day:
            return False
        if self.valid_until is not None and self.valid_until < day:
            return False
        return self.withdrawn_at is None or self.withdrawn_at.date() > day


class SpellState(models.TextChoices):
    SCHOOL = "school", _("Schule")
    VOCATIONAL_COLLEGE = "vocational_college", _("Berufskolleg")
    APPRENTICESHIP = "apprenticeship", _("Ausbildung")
    HIGHER_EDUCATION = "higher_education", _("Studium")
    FURTHER_TRAINING = "further_training", _("Weiterbildung")
    OFFER = "offer", _("Maßnahme/Angebot")
    EMPLOYMENT = "employment", _("Beschäftigung")
    SUBSIDISED_EMPLOYMENT = "subsidised_employment", _("geförderte Beschäftigung")
    MARGINAL_EMPLOYMENT = "marginal_employment", _("geringfügige Beschäftigung")
    SELF_EMPLOYMENT = "self_employment", _("Selbstständigkeit")
    UNEMPLOYED = "unemployed", _("arbeitslos")
    INACTIVE = "inactive", _("nicht erwerbstätig")
    CARE = "care", _("Pflege von Angehörigen")
    PARENTAL_LEAVE = "parental_leave", _("Elternzeit")
    UNKNOWN = "unknown", _("unbekannt")


class Spell(models.Model):
    """One dated state in a person's biography. ``end`` is inclusive; None is open."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="spells")
    state = models.CharField(_("Status"), max_length=24, choices=SpellState.choices)
    start = models.DateField(_("Beginn"))
    end = models.DateField(_("Ende"), null=True, blank=True)
    source_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("Quelle"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    offer = models.ForeignKey(
        "offers.Offer",
        verbose_name=_("Angebot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="spells",
    )
    # The five-digit KldB 2010 occupation (Berufsgattung) of an employment,
    # apprenticeship, marginal or subsidised employment spell; for an unemployment
    # spell the occupation sought. Empty when unknown or not meaningful.
    kldb = models.CharField(_("Beruf (KldB 2010)"), max_length=5, blank=True)

    class Meta:
        ordering = ["person_id", "start", "id"]
        verbose_name = _("Episode")
        verbose_name_plural = _("Episoden")
        indexes = [
            models.Index(fields=["person", "start"]),
            # Who takes part in an offer (offers.participation): the running spells of
            # an offer, and "does this person have one", from the index alone.
            models.Index(
                fields=["offer", "person", "start", "end"],
                condition=Q(offer__isnull=False),
                name="spell_offer_person_running",
            ),
            # The spells that ended in a window (the dashboard's recent transitions,
            # leavers of a period): without it every look read all 1.1 million spells
            # of a city of 100,000 (180 ms), again after every referral step.
            models.Index(fields=["end"], name="spell_end"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="spell_end_not_before_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.state} {self.start}–{self.end or '…'}"


class DuplicateReason(models.TextChoices):
    SAME_KEY = "same_key", _("gleicher Name und gleiches Geburtsdatum")
    SIMILAR_NAME = "similar_name", _("ähnlicher Name, gleiches oder ähnliches Geburtsdatum")


class DuplicateStatus(models.TextChoices):
    OPEN = "open", _("offen")
    MERGED = "merged", _("zusammengeführt")
    DISMISSED = "dismissed", _("keine Dublette")


class DuplicateCandidate(models.Model):
    """Two records that may be the same person, found when ``second`` was registered or
    imported: the coordinators' queue ("Mögliche Dubletten") until they merge or dismiss
    the pair. Pseudonyms only; the names are read through the access rules."""

    first = models.ForeignKey(
        Person,
        verbose_name=_("Vorhandene Person"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    second = models.ForeignKey(
        Person,
        verbose_name=_("Neu erfasste Person"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    reason = models.CharField(_("Grund"), max_length=20, choices=DuplicateReason.choices)
    score = models.PositiveSmallIntegerField(_("Ähnlichkeit (0–100)"))
    found_at = models.DateTimeField(_("Gefunden am"), auto_now_add=True)
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Gefunden bei der Erfassung durch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The view or import that registered ``second`` ("web.person_register", …).
    found_in = models.CharField(_("Gefunden in"), max_length=60)
    # Whether the person registering saw ``first`` (with personal data) and confirmed
    # a new record anyway; a pair the registering user could not see is never shown.
    shown_to_finder = models.BooleanField(_("Bei der Erfassung angezeigt"), default=False)
    status = models.CharField(
        _("Status"), max_length=10, choices=DuplicateStatus.choices, default=DuplicateStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Entschieden von"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("Entschieden am"), null=True, blank=True)
    # After a merge: the pseudonym that went into the other record.
    merged_public_id = models.CharField(_("Zusammengeführtes Pseudonym"), max_length=20, blank=True)

    class Meta:
        ordering = ["-found_at", "-id"]
        verbose_name = _("Mögliche Dublette")
        verbose_name_plural = _("Mögliche Dubletten")
        indexes = [models.Index(fields=["status", "found_at"])]

    def __str__(self) -> str:
        return f"{self.first_id} ~ {self.second_id} ({self.status})"


class MergedPerson(models.Model):
    """A pseudonym that was merged into another record: it stays findable (links and
    files that name it lead to the record it went into). With the record it went into
    it is erased too (DSGVO Art. 17)."""

    public_id = models.CharField(_("Pseudonym"), max_length=20, unique=True)
    merged_into = models.ForeignKey(
        Person,
        verbose_name=_("Zusammengeführt in"),
        on_delete=models.CASCADE,
        related_name="merged_records",
    )
    # The merged record's origin in a delivering system, so importing that system's
    # file again finds the person instead of registering them anew.
    source_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source_id = models.CharField(max_length=64, blank=True)
    merged_at = models.DateTimeField(_("Zusammengeführt am"), auto_now_add=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-merged_at"]
        verbose_name = _("Zusammengeführtes Pseudonym")
        verbose_name_plural = _("Zusammengeführte Pseudonyme")
        indexes = [models.Index(fields=["source_organisation", "source_id"])]

    def __str__(self) -> str:
        return f"{self.public_id} → {self.merged_into_id}"
