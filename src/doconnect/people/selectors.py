"""Reads behind the person pages and the API's person list, on top of the access module.

``find_persons`` narrows the persons a viewer may see at all (``visible_persons``) by
``PersonCriteria``, the one person filter of the list page and ``GET /api/persons``: a
filter rule is written here once. Every filter only narrows that set, so no combination
of filters can reveal a person the viewer may not see. A name search is the one place a
list is filtered on PersonalDetails, so it is guarded twice over: the name only narrows
*candidates*; then ``levels_for`` (the access rule itself) keeps only persons this
viewer sees with personal data. A coordinator without consent can therefore never learn
which pseudonym belongs to a name."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from doconnect.casework.selectors import my_cases
from doconnect.core.audit import events_about
from doconnect.core.models import AuditEvent, Role
from doconnect.core.viewers import Viewer
from doconnect.offers.participation import in_active_support
from doconnect.people.access import (
    PersonRecord,
    levels_for,
    may_search_names,
    may_see_audit_trail,
    visible_persons,
)
from doconnect.people.access_rules import Level, Purpose
from doconnect.people.analyst_view import coarsened_filter, coarsened_lists
from doconnect.people.list_columns import order_persons
from doconnect.people.models import Consent, Person, Spell
from doconnect.referrals.models import Referral

# Zweckbindung: the person list (page, export, API) serves counselling.
PURPOSE = Purpose.COUNSELLING

PUBLIC_ID_SEARCH = re.compile(r"^P-[0-9A-Z]{1,8}$")
NAME_SEARCH_MIN_LENGTH = 2
AUDIT_TRAIL_LENGTH = 50

# Age bands of the person list: (youngest, oldest) age in whole years, None = open.
# Age is the calendar year minus the birth year (the record keeps only the year).
AGE_BANDS: dict[str, tuple[int | None, int | None]] = {
    "u25": (None, 24),
    "25-34": (25, 34),
    "35-49": (35, 49),
    "50-64": (50, 64),
    "65+": (65, None),
}


@dataclass(frozen=True)
class PersonCriteria:
    """What a person list is narrowed by; empty means no filter. The list page's form
    and the API's query parameters both become one of these. Districts and target groups
    go by the keys both interfaces take (official key, code): an unknown key keeps
    nobody rather than dropping the filter."""

    text: str = ""  # a public id (prefix) or a name
    district: str = ""  # official key
    legal_branch: str = ""
    target_group: str = ""  # code
    state: str = ""  # a spell state running today
    age_band: str = ""  # a key of AGE_BANDS
    gender: str = ""
    active_support: bool = False
    mine: bool = False  # "Meine Fälle": the viewer is the responsible worker
    sort: str = ""  # a key of list_columns.SORT_KEYS, "-" first for descending


def find_persons(
    viewer: Viewer, criteria: PersonCriteria, *, today: dt.date | None = None
) -> QuerySet[Person]:
    """Persons the viewer may see that meet ``criteria``, ordered by ``sort``
    (``list_columns.order_persons``; by default by public id). ``state`` keeps persons
    with a spell in that state running ``today``; ``active_support`` those taking part
    in an offer today (``offers.participation.in_active_support``, the one definition);
    ``mine`` those the viewer is the responsible worker for, where they may still do
    case work (``casework.selectors.my_cases``)."""
    day = today or timezone.localdate()
    persons = visible_persons(viewer, today=day, purpose=PURPOSE).select_related("district")
    if coarsened_lists(viewer):
        return _coarsened_persons(viewer, persons, criteria, day)
    if criteria.district:
        persons = persons.filter(district__official_key=criteria.district)
    if criteria.legal_branch:
        persons = persons.filter(legal_branch=criteria.legal_branch)
    if criteria.gender:
        persons = persons.filter(gender=criteria.gender)
    if criteria.target_group:
        # A subquery rather than a join: a join through the many-to-many table could
        # repeat a person and would make the page count wrong.
        persons = persons.filter(
            pk__in=Person.target_groups.through.objects.filter(
                targetgroup__code=criteria.target_group
            ).values("person_id")
        )
    if criteria.state:
        running = _running_spells(day).filter(state=criteria.state)
        persons = persons.filter(pk__in=running.values("person_id"))
    if criteria.age_band in AGE_BANDS:
        persons = persons.filter(_age_condition(criteria.age_band, day))
    if criteria.active_support:
        persons = in_active_support(persons, day)
    if criteria.mine:
        persons = persons.filter(pk__in=my_cases(viewer, today=day).values("pk"))
    text = " ".join(criteria.text.split())
    if text:
        if PUBLIC_ID_SEARCH.match(text.upper()):
            persons = persons.filter(public_id__startswith=text.upper())
        else:
            persons = _matching_names(viewer, persons, text)
    if criteria.sort:
        return order_persons(viewer, persons, criteria.sort, today=day)
    return persons.order_by("public_id")


def _coarsened_persons(
    viewer: Viewer, persons: QuerySet[Person], criteria: PersonCriteria, day: dt.date
) -> QuerySet[Person]:
    """An analyst's list: filtered on the coarsened records only
    (``analyst_view.coarsened_filter``), in pseudonym order (an order by district or
    state would tell what the coarsened record hides). What the record does not show —
    target groups, the current state, taking part in an offer, own cases — cannot be
    filtered by either: such a filter keeps nobody."""
    if criteria.target_group or criteria.state or criteria.active_support or criteria.mine:
        return persons.none()
    persons = coarsened_filter(
        persons,
        district=criteria.district,
        gender=criteria.gender,
        legal_branch=criteria.legal_branch,
        age_band=criteria.age_band if criteria.age_band in AGE_BANDS else "",
        today=day,
    )
    text = " ".join(criteria.text.split())
    if text:
        if not PUBLIC_ID_SEARCH.match(text.upper()):
            return _matching_names(viewer, persons, text)
        persons = persons.filter(public_id__startswith=text.upper())
    return persons.order_by("public_id")


def _running_spells(day: dt.date) -> QuerySet[Spell]:
    return Spell.objects.filter(Q(end__isnull=True) | Q(end__gte=day), start__lte=day)


def _age_condition(band: str, day: dt.date) -> Q:
    youngest, oldest = AGE_BANDS[band]
    condition = Q(birth_year__isnull=False)
    if youngest is not None:
        condition &= Q(birth_year__lte=day.year - youngest)
    if oldest is not None:
        condition &= Q(birth_year__gte=day.year - oldest)
    return condition


def _matching_names(viewer: Viewer, candidates: QuerySet[Person], text: str) -> QuerySet[Person]:
    if not may_search_names(viewer) or len(text) < NAME_SEARCH_MIN_LENGTH:
        return candidates.none()
    for term in text.split()[:4]:
        candidates = candidates.filter(
            Q(personal__given_name__icontains=term) | Q(personal__family_name__icontains=term)
        )
    ids = list(candidates.values_list("pk", flat=True))
    levels = levels_for(viewer, ids, purpose=PURPOSE)
    personal_ids = [pk for pk in ids if levels[pk] >= Level.PERSONAL]
    return Person.objects.filter(pk__in=personal_ids).select_related("district")


@dataclass
class PersonPage:
    """Everything the detail page shows besides the record itself. ``None`` means the
    viewer may not see that section at all (the page leaves it out). The agreements
    section is ``agreements.selectors.person_agreements``."""

    spells: list[Spell]
    consents: list[Consent]
    referrals: list[Referral] | None = None
    audit_trail: list[AuditEvent] | None = None


def biography(person: Person) -> list[Spell]:
    """The person's spells in time order, with what the table and chart name."""
    return list(
        person.spells.select_related("source_organisation", "offer").order_by("start", "id")
    )


def visible_referrals(viewer: Viewer, person: Person) -> QuerySet[Referral] | None:
    """The person's referrals this viewer may see, or None for no section at all.
    Coordinators and case workers (who run the case) see every referral; provider staff
    only the referrals to their own organisation's offers (another provider's offers
    are none of their business); analysts work with figures, not case files."""
    referrals = person.referrals.select_related("offer", "offer__provider").order_by(
        "-created_at", "-id"
    )
    if viewer.has_role(Role.COORDINATOR, Role.CASE_WORKER):
        return referrals
    provider_orgs = viewer.orgs_with(Role.PROVIDER_STAFF)
    if provider_orgs:
        return referrals.filter(offer__provider_id__in=provider_orgs)
    return None


def person_page(
    viewer: Viewer, record: PersonRecord, *, spells: list[Spell] | None = None
) -> PersonPage:
    """Spells and consents for everybody who may see the person; referrals as
    ``visible_referrals``; the audit trail only where ``may_see_audit_trail``. A fixed
    number of queries whatever the size of the file."""
    person = record.person
    page = PersonPage(
        spells=spells if spells is not None else biography(person),
        consents=list(person.consents.prefetch_related("organisations")),
    )
    referrals = visible_referrals(viewer, person)
    if referrals is not None:
        page.referrals = list(referrals)
    if may_see_audit_trail(viewer, record):
        page.audit_trail = list(
            events_about(person.public_id).order_by("-at", "-id")[:AUDIT_TRAIL_LENGTH]
        )
    return page
