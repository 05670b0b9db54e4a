"""What analysts see of a person, one by one: the quasi-identifiers of the pseudonymous
record coarsened so that every combination of them is shared by at least
``settings.ANALYST_K`` persons (k-anonymity, ``DOCONNECT_ANALYST_K``).

A pseudonym shows no name, but birth year, gender, district, legal branch and two
qualifications together single out three persons in four of the demo city; whoever
knows a neighbour's year, district and schooling would find their file. So the one
reading of the analysts' person pages, their API and their exports goes through here:

- the quasi-identifiers (``QUASI_IDENTIFIERS``) of **every** person are coarsened
  together by the disclosure engine (``transparency.engine.k_anonymity``): age in
  five-year bands, then the person list's age bands; gender with "diverse" and "not
  stated" grouped; districts below half, then below the whole of an average district's
  size merged into "other districts"; SGB III and none grouped; school and vocational
  qualifications in groups; then not shown at all — the least coarsening that
  qualifies. A few outliers (up to 5 %) are suppressed whole instead of coarsening
  everybody. Kept while the persons table is unchanged
  (``core.changes``), one result per calendar year (ages move on New Year).
- a record is coarsened where the viewer sees the person only through an analyst
  membership (``coarsens``: level pseudonymous and no coordinator role; a coordinator
  plans with the city's whole list and sees the record as it is);
- what is not in the coarsened record is not shown to them one by one at all: no
  biography, consents, target groups, strengths, needs or wishes (the aggregates of
  the transition reports, the dashboard and the labour-market pages serve them, under
  the small-number rule);
- their list filters and counts work on the coarsened values
  (``coarsened_filter``), so a filter cannot tell what the record hides.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from doconnect.core.changes import cached
from doconnect.core.models import District, Role
from doconnect.core.viewers import Viewer
from doconnect.people.access_rules import Level
from doconnect.people.models import (
    Gender,
    LegalBranch,
    Person,
    SchoolQualification,
    VocationalQualification,
)
from doconnect.transparency.engine.k_anonymity import (
    SUPPRESSED,
    Attribute,
    anonymise,
    group_rare,
    identity_level,
    share_unique,
    smallest_combination,
)

if TYPE_CHECKING:  # access imports this module
    from doconnect.people.access import PersonRecord

C = TypeVar("C")

# Why an analyst gets no biography or consents of a person (the API's 403).
ANALYSTS_SEE_RECORD_ONLY = (
    "Analysts see persons one by one only as the coarsened record; "
    "biographies and consents only as figures."
)
QUASI_IDENTIFIERS = (
    "age_band",
    "gender",
    "district",
    "legal_branch",
    "school_qualification",
    "vocational_qualification",
)
UNKNOWN = "unknown"
OTHER = "other"
OTHER_DISTRICTS = "other_districts"

# Five-year bands, each inside one of the person list's bands (selectors.AGE_BANDS).
_FIVE_YEARS = ["u20", *(f"{low}-{low + 4}" for low in range(20, 65, 5)), "65+"]
_LIST_BAND = {
    "u20": "u25",
    "20-24": "u25",
    "25-29": "25-34",
    "30-34": "25-34",
    "35-39": "35-49",
    "40-44": "35-49",
    "45-49": "35-49",
    "50-54": "50-64",
    "55-59": "50-64",
    "60-64": "50-64",
    "65+": "65+",
    UNKNOWN: UNKNOWN,
}
_SCHOOL_GROUPS = {
    "none": "school_low",
    "hauptschule": "school_low",
    "mittlerer": "school_middle",
    "fachhochschulreife": "school_high",
    "abitur": "school_high",
    "foreign": OTHER,
    "unknown": OTHER,
}
_VOCATIONAL_GROUPS = {
    "none": "none",
    "apprenticeship": "vocational",
    "master": "vocational",
    "university": "university",
    "foreign": OTHER,
    "unknown": OTHER,
}
_BRANCH_GROUPS = {"SGB II": "SGB II", "SGB III": OTHER, "none": OTHER}
_GENDER_GROUPS = {"female": "female", "male": "male", "diverse": OTHER, "unspecified": OTHER}


def five_year_band(birth_year: int | None, year: int) -> str:
    if birth_year is None:
        return UNKNOWN
    age = year - birth_year
    if age < 20:
        return "u20"
    if age >= 65:
        return "65+"
    low = age // 5 * 5
    return f"{low}-{low + 4}"


@dataclass(frozen=True)
class StatisticalRecord:
    """A person as an analyst sees them: codes of the coarsened values (``SUPPRESSED``
    where not shown). ``labels()`` gives them in the user's language."""

    age_band: str
    gender: str
    district: str
    legal_branch: str
    school_qualification: str
    vocational_qualification: str

    def values(self) -> tuple[str, ...]:
        return tuple(getattr(self, name) for name in QUASI_IDENTIFIERS)

    def labels(self, districts: dict[str, str] | None = None) -> dict[str, str]:
        """The values as words, by quasi-identifier (``districts``: id → name)."""
        names = districts if districts is not None else district_names()
        return {name: _label(name, getattr(self, name), names) for name in QUASI_IDENTIFIERS}


@dataclass(frozen=True)
class AnalystView:
    """The coarsened records of every person (by person id) and how they were made."""

    records: dict[int, StatisticalRecord]
    levels: dict[str, int]
    suppressed: int
    k: int


def coarsens(viewer: Viewer, level: Level) -> bool:
    """Whether this viewer sees a person at ``level`` only coarsened: pseudonymously
    and without a coordinator role (that is, through an analyst membership)."""
    return level == Level.PSEUDONYMOUS and not viewer.has_role(Role.COORDINATOR)


def coarsened_lists(viewer: Viewer) -> bool:
    """Whether this viewer's person lists are filtered and counted on coarsened
    values: analysts who are not also coordinators."""
    return viewer.has_role(Role.ANALYST) and not viewer.has_role(Role.COORDINATOR)


def _attributes(rows: Sequence[tuple[str, ...]]) -> list[Attribute]:
    """The quasi-identifiers and how each coarsens. The weights say what a city's
    analysts need most when not everything can be kept: age and district (the city
    plans by both) twice as much as gender and legal branch, the qualifications half."""
    districts = Counter(row[2] for row in rows)
    average = len(rows) / max(len(districts), 1)
    return [
        Attribute("age_band", [identity_level([*_FIVE_YEARS, UNKNOWN]), _LIST_BAND], weight=2),
        Attribute("gender", [identity_level(Gender.values), _GENDER_GROUPS]),
        Attribute(
            "district",
            [
                identity_level(list(districts)),
                group_rare(districts, int(average / 2), OTHER_DISTRICTS),
                group_rare(districts, int(average), OTHER_DISTRICTS),
            ],
            weight=2,
        ),
        Attribute("legal_branch", [identity_level(LegalBranch.values), _BRANCH_GROUPS]),
        Attribute(
            "school_qualification",
            [identity_level(SchoolQualification.values), _SCHOOL_GROUPS],
            weight=0.5,
        ),
        Attribute(
            "vocational_qualification",
            [identity_level(VocationalQualification.values), _VOCATIONAL_GROUPS],
            weight=0.5,
        ),
    ]


def raw_rows(year: int) -> tuple[list[int], list[tuple[str, ...]]]:
    """Every person's id and raw quasi-identifiers (age as a five-year band), one query."""
    ids: list[int] = []
    rows: list[tuple[str, ...]] = []
    for pk, birth_year, gender, district_id, branch, school, vocational in Person.objects.order_by(
        "pk"
    ).values_list(
        "pk",
        "birth_year",
        "gender",
        "district_id",
        "legal_branch",
        "school_qualification",
        "vocational_qualification",
    ):
        ids.append(pk)
        rows.append(
            (
                five_year_band(birth_year, year),
                gender,
                str(district_id) if district_id is not None else UNKNOWN,
                branch,
                school,
                vocational,
            )
        )
    return ids, rows


def _compute(year: int, k: int) -> AnalystView:
    ids, rows = raw_rows(year)
    result = anonymise(rows, _attributes(rows), k)
    return AnalystView(
        records={pk: StatisticalRecord(*row) for pk, row in zip(ids, result.rows, strict=True)},
        levels=result.levels,
        suppressed=result.suppressed,
        k=k,
    )


def analyst_view(*, today: dt.date | None = None, k: int | None = None) -> AnalystView:
    """The coarsened records of all persons for the year of ``today`` (kept while the
    persons table is unchanged)."""
    year = (today or timezone.localdate()).year
    threshold = int(settings.ANALYST_K) if k is None else k
    return cached("analyst_view", [Person], (year, threshold), lambda: _compute(year, threshold))


def coarsened_records(
    person_ids: Sequence[int], *, today: dt.date | None = None
) -> dict[int, StatisticalRecord]:
    """The coarsened records of these persons."""
    view = analyst_view(today=today)
    suppressed = StatisticalRecord(*([SUPPRESSED] * len(QUASI_IDENTIFIERS)))
    return {pk: view.records.get(pk, suppressed) for pk in person_ids}


def coarsened_filter(
    persons: QuerySet[Person],
    *,
    district: str = "",
    gender: str = "",
    legal_branch: str = "",
    age_band: str = "",
    today: dt.date | None = None,
) -> QuerySet[Person]:
    """``persons`` narrowed by what their coarsened records show: a district (official
    key) keeps the persons shown in that district — not those merged into "other
    districts" —, an age band (a key of ``selectors.AGE_BANDS``) those shown in it or in
    a five-year band inside it; a hidden value matches no filter."""
    wanted: dict[str, str] = {}
    if district:
        found = District.objects.filter(official_key=district).values_list("pk", flat=True)
        wanted["district"] = str(found[0]) if found else "-"
    if gender:
        wanted["gender"] = gender
    if legal_branch:
        wanted["legal_branch"] = legal_branch
    if not wanted and not age_band:
        return persons
    view = analyst_view(today=today)
    keep = [
        pk
        for pk, record in view.records.items()
        if all(getattr(record, name) == value for name, value in wanted.items())
        and (not age_band or _LIST_BAND.get(record.age_band, record.age_band) == age_band)
    ]
    if len(keep) <= len(view.records) // 2:
        return persons.filter(pk__in=keep)
    drop = set(view.records) - set(keep)
    return persons.exclude(pk__in=drop)


def district_names() -> dict[str, str]:
    return {str(pk): name for pk, name in District.objects.values_list("pk", "name")}


def _label(name: str, value: str, districts: dict[str, str]) -> str:
    if value == SUPPRESSED:
        return _("nicht ausgewiesen")
    if value == UNKNOWN:
        return _("unbekannt")
    if name == "age_band":
        return _age_label(value)
    if name == "district":
        return _("übrige Stadtbezirke") if value == OTHER_DISTRICTS else districts.get(value, value)
    if name == "gender":
        return _("divers oder keine Angabe") if value == OTHER else str(Gender(value).label)
    if name == "legal_branch":
        return _("SGB III oder keiner") if value == OTHER else str(LegalBranch(value).label)
    groups = {
        "school_low": _("ohne Abschluss oder Hauptschulabschluss"),
        "school_middle": _("Mittlerer Schulabschluss"),
        "school_high": _("Fachhochschulreife oder Abitur"),
        "vocational": _("Ausbildung, Meister oder Techniker"),
        OTHER: _("ausländischer Abschluss oder unbekannt"),
    }
    if value in groups:
        return str(groups[value])
    choices = SchoolQualification if name == "school_qualification" else VocationalQualification
    return str(choices(value).label)


def _age_label(band: str) -> str:
    if band.startswith("u"):
        return _("unter %(age)s Jahre") % {"age": band[1:]}
    if band.endswith("+"):
        return _("%(age)s Jahre und älter") % {"age": band[:-1]}
    low, high = band.split("-")
    return _("%(low)s bis %(high)s Jahre") % {"low": low, "high": high}


def statistical_rows(
    records: Sequence[PersonRecord], columns: Mapping[int, C]
) -> list[tuple[PersonRecord, C | None, dict[str, str] | None]]:
    """A list's rows: each record with its list columns and, where it is coarsened,
    the coarsened values in words (the districts' names read once)."""
    names = district_names() if any(r.statistical for r in records) else {}
    return [
        (
            r,
            columns.get(r.person.pk),
            r.statistical.labels(names) if r.statistical is not None else None,
        )
        for r in records
    ]


def district_keys() -> dict[str, str]:
    """District id (as the coarsened record holds it) → official key, for the API."""
    return {str(pk): key for pk, key in District.objects.values_list("pk", "official_key")}


def disclosure_figures(*, k: int | None = None, today: dt.date | None = None) -> dict[str, Any]:
    """How identifying the analysts' records are, before and after the coarsening: the
    share of persons unique on what analysts used to see (birth year, gender, district,
    legal branch, the two qualifications) and on what they see now, the smallest
    combination, the persons suppressed and the level chosen per quasi-identifier.
    For ``doconnect persons analyst-view`` (a data-protection officer's check)."""
    before = list(
        Person.objects.values_list(
            "birth_year",
            "gender",
            "district_id",
            "legal_branch",
            "school_qualification",
            "vocational_qualification",
        )
    )
    view = analyst_view(today=today, k=k)
    after = [record.values() for record in view.records.values()]
    return {
        "persons": len(before),
        "k": view.k,
        "unique_before": share_unique(before),
        "unique_after": share_unique(after),
        "smallest_after": smallest_combination(after),
        "suppressed": view.suppressed,
        "levels": view.levels,
    }
