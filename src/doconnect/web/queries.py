"""Reads behind the person pages, on top of the access module.

``find_persons`` narrows the persons a viewer may see at all (``visible_persons``) by
filters, a public id, or a name. A name search is the one place a list is filtered on
PersonalDetails, so it is guarded twice over: the name only narrows *candidates*; then
``levels_for`` (the access rule itself) keeps only persons this viewer sees with
personal data. A coordinator without consent can therefore never learn which pseudonym
belongs to a name."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from doconnect.agreements.models import Agreement
from doconnect.core.models import AuditEvent, District, Role
from doconnect.people.access import PersonRecord, Viewer, levels_for, visible_persons
from doconnect.people.access_rules import Level
from doconnect.people.models import Consent, Person, Spell

PUBLIC_ID_SEARCH = re.compile(r"^P-[0-9A-Z]{1,8}$")
NAME_SEARCH_MIN_LENGTH = 2
AUDIT_TRAIL_LENGTH = 50

PERSON_LIST_ROLES = (Role.COORDINATOR, Role.CASE_WORKER, Role.PROVIDER_STAFF, Role.ANALYST)


def may_list_persons(viewer: Viewer) -> bool:
    """Admins and users without membership have no person list at all."""
    return viewer.has_role(*PERSON_LIST_ROLES)


def may_search_names(viewer: Viewer) -> bool:
    """Analysts never see names, so they cannot search by them either."""
    return viewer.has_role(Role.COORDINATOR, Role.CASE_WORKER, Role.PROVIDER_STAFF)


def may_see_audit_trail(viewer: Viewer, record: PersonRecord) -> bool:
    """ "Who looked at this person": for coordinators and case workers who themselves
    see the person with personal data."""
    return record.shows_personal and viewer.has_role(Role.COORDINATOR, Role.CASE_WORKER)


def may_see_next_steps(viewer: Viewer) -> bool:
    """Ranked next steps and the "propose a referral" buttons: for coordinators and
    case workers who see the person (the caller has done ``access_person``)."""
    return viewer.has_role(Role.COORDINATOR, Role.CASE_WORKER)


def find_persons(
    viewer: Viewer,
    *,
    text: str = "",
    district: District | None = None,
    legal_branch: str = "",
) -> QuerySet[Person]:
    """Persons for the list page, ordered by public id."""
    persons = visible_persons(viewer).select_related("district")
    if district is not None:
        persons = persons.filter(district=district)
    if legal_branch:
        persons = persons.filter(legal_branch=legal_branch)
    text = " ".join(text.split())
    if text:
        if PUBLIC_ID_SEARCH.match(text.upper()):
            persons = persons.filter(public_id__startswith=text.upper())
        else:
            persons = _matching_names(viewer, persons, text)
    return persons.order_by("public_id")


def _matching_names(viewer: Viewer, candidates: QuerySet[Person], text: str) -> QuerySet[Person]:
    if not may_search_names(viewer) or len(text) < NAME_SEARCH_MIN_LENGTH:
        return candidates.none()
    for term in text.split()[:4]:
        candidates = candidates.filter(
            Q(personal__given_name__icontains=term) | Q(personal__family_name__icontains=term)
        )
    ids = list(candidates.values_list("pk", flat=True))
    levels = levels_for(viewer, ids)
    personal_ids = [pk for pk in ids if levels[pk] >= Level.PERSONAL]
    return Person.objects.filter(pk__in=personal_ids).select_related("district")


@dataclass
class PersonPage:
    """Everything the detail page shows besides the record itself."""

    spells: list[Spell]
    consents: list[Consent]
    agreements: list[Agreement] = field(default_factory=list)
    agreement_count: int = 0
    audit_trail: list[AuditEvent] | None = None


def person_page(viewer: Viewer, record: PersonRecord) -> PersonPage:
    """Spells and consents for everybody who may see the person; agreements (free
    text about the person's own commitments) only with personal access; the audit
    trail only where ``may_see_audit_trail``."""
    person = record.person
    page = PersonPage(
        spells=list(person.spells.select_related("source_organisation", "offer")),
        consents=list(person.consents.prefetch_related("organisations")),
    )
    if record.shows_personal:
        page.agreements = list(
            person.agreements.select_related("organisation").prefetch_related("items")
        )
        page.agreement_count = len(page.agreements)
    else:
        page.agreement_count = person.agreements.count()
    if may_see_audit_trail(viewer, record):
        page.audit_trail = list(
            AuditEvent.objects.filter(person_public_id=person.public_id)[:AUDIT_TRAIL_LENGTH]
        )
    return page
