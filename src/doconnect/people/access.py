"""Fetch persons *for a user* or refuse, and write the audit trail. Every web view, API
endpoint and command that shows person data starts here; nothing else reads
PersonalDetails."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from doconnect.core.models import AuditAction, AuditEvent, AuditEventPerson, Role
from doconnect.core.viewers import Viewer
from doconnect.people.access_rules import Level, Purpose, consent_purposes_opening, decide
from doconnect.people.analyst_view import StatisticalRecord, coarsened_records, coarsens
from doconnect.people.models import PERSONAL_FIELDS, Consent, Person, PersonalDetails, Spell
from doconnect.referrals.models import OPEN_OR_RUNNING, Referral, ReferralStatus

# A referral that ran its course (completed, or left early) still explains why the
# provider holds the file; one it declined, let expire or the city cancelled does not.
_LINKING_REFERRAL_STATES = (
    *OPEN_OR_RUNNING,
    ReferralStatus.COMPLETED,
    ReferralStatus.DROPPED_OUT,
)


class PersonNotFound(Exception):
    """Raised for unknown persons *and* for persons the user may not see, so a
    refusal does not reveal that the person exists."""


def _today() -> dt.date:
    return timezone.localdate()


def consents_opening(purpose: Purpose, day: dt.date) -> QuerySet[Consent]:
    """The consents valid on ``day`` that open a route declaring ``purpose``."""
    return Consent.objects.valid_on(day).given_for(consent_purposes_opening(purpose))


def levels_for(
    viewer: Viewer,
    person_ids: Sequence[int],
    *,
    purpose: Purpose,
    today: dt.date | None = None,
) -> dict[int, Level]:
    """Access level for each person for a route declaring ``purpose`` (only consents
    given for it count), in three queries whatever the number of persons."""
    day = today or _today()
    if not viewer.memberships or not person_ids:
        return {pid: Level.NONE for pid in person_ids}
    orgs = viewer.organisation_ids
    consenting: dict[int, set[int]] = defaultdict(set)
    for person_id, org_id in (
        consents_opening(purpose, day)
        .filter(person_id__in=person_ids, organisations__in=orgs)
        .values_list("person_id", "organisations")
    ):
        consenting[person_id].add(org_id)
    linked: dict[int, set[int]] = defaultdict(set)
    provider_orgs = viewer.orgs_with(Role.PROVIDER_STAFF)
    if provider_orgs:
        for person_id, org_id in Referral.objects.filter(
            person_id__in=person_ids,
            offer__provider_id__in=provider_orgs,
            status__in=_LINKING_REFERRAL_STATES,
        ).values_list("person_id", "offer__provider_id"):
            linked[person_id].add(org_id)
        for person_id, org_id in Spell.objects.filter(
            person_id__in=person_ids, offer__provider_id__in=provider_orgs
        ).values_list("person_id", "offer__provider_id"):
            linked[person_id].add(org_id)
    return {
        pid: decide(
            viewer.memberships,
            consenting_organisations=consenting.get(pid, set()),
            linked_provider_organisations=linked.get(pid, set()),
        )
        for pid in person_ids
    }


def visible_persons(
    viewer: Viewer, *, purpose: Purpose, today: dt.date | None = None
) -> QuerySet[Person]:
    """Every person this viewer may see at all (at least pseudonymously) for a route
    declaring ``purpose``."""
    day = today or _today()
    if viewer.has_role(Role.COORDINATOR, Role.ANALYST):
        return Person.objects.all()
    condition = Q(pk__in=[])
    case_orgs = viewer.orgs_with(Role.CASE_WORKER)
    if case_orgs:
        condition |= _consented_to(case_orgs, purpose, day)
    for org in viewer.orgs_with(Role.PROVIDER_STAFF):
        condition |= _linked_to(org) & _consented_to([org], purpose, day)
    return Person.objects.filter(condition)


def _linked_to(org: int) -> Q:
    """Persons with a linking referral to, or a spell in, an offer of this provider."""
    return Q(
        pk__in=Referral.objects.filter(
            offer__provider_id=org, status__in=_LINKING_REFERRAL_STATES
        ).values("person_id")
    ) | Q(pk__in=Spell.objects.filter(offer__provider_id=org).values("person_id"))


def _consented_to(orgs: Iterable[int], purpose: Purpose, day: dt.date) -> Q:
    """Persons with a consent valid on ``day``, given for ``purpose``, that covers one
    of these organisations."""
    return Q(
        pk__in=consents_opening(purpose, day)
        .filter(organisations__in=list(orgs))
        .values("person_id")
    )


def personal_persons(
    viewer: Viewer, *, purpose: Purpose, today: dt.date | None = None
) -> QuerySet[Person]:
    """The persons this viewer sees *with personal data* (``Level.PERSONAL``), as one
    query: the cases of ``access_rules.decide`` that give names — a valid consent for
    ``purpose`` covers
    an organisation where the viewer is coordinator or case worker, or one where they
    are provider staff and the person is linked to its offers. For what a list may order
    by names (the name order must never place a person the viewer sees only under a
    pseudonym); ``levels_for`` stays the rule for what is shown."""
    day = today or _today()
    condition = Q(pk__in=[])
    counselling = viewer.orgs_with(Role.COORDINATOR, Role.CASE_WORKER)
    if counselling:
        condition |= _consented_to(counselling, purpose, day)
    for org in viewer.orgs_with(Role.PROVIDER_STAFF):
        condition |= _linked_to(org) & _consented_to([org], purpose, day)
    return Person.objects.filter(condition)


@dataclass(frozen=True)
class PersonRecord:
    """A person as one viewer may see them: ``personal`` is None below PERSONAL;
    ``statistical`` is set where the viewer sees only the coarsened record
    (``analyst_view.coarsens``), and then nothing of ``person`` but its public id may
    be shown."""

    person: Person
    level: Level
    personal: PersonalDetails | None
    statistical: StatisticalRecord | None = None

    @property
    def shows_personal(self) -> bool:
        return self.level >= Level.PERSONAL

    @property
    def coarsened(self) -> bool:
        return self.statistical is not None


def audit_reads(
    viewer: Viewer,
    people: Iterable[tuple[str, Level]],
    *,
    view: str,
    purpose: str,
    action: str = AuditAction.READ,
    fields: Sequence[str] | None = None,
    fields_by_person: Mapping[str, Sequence[str]] | None = None,
) -> None:
    """One audit event for this request, however many persons it names. ``fields``
    names what was read or changed; by default the personal fields at PERSONAL level,
    else the pseudonymous record. ``fields_by_person`` (by public id) overrides it for
    single persons, where a list showed more of some persons than of others. An event
    about one person keeps it in ``person_public_id``; an event about several names
    them in ``AuditEventPerson`` rows (two inserts whatever their number)."""
    by_person = fields_by_person or {}

    def read_of(public_id: str, level: Level) -> list[str]:
        if public_id in by_person:
            return list(by_person[public_id])
        if fields is not None:
            return list(fields)
        return list(PERSONAL_FIELDS) if level >= Level.PERSONAL else ["pseudonymous"]

    reads = {public_id: read_of(public_id, level) for public_id, level in people}
    if not reads:
        return
    # The event's fields: everything read of anybody, in first-seen order; a person's
    # own row repeats them only where they differ.
    union = list(dict.fromkeys(f for person_fields in reads.values() for f in person_fields))
    single = next(iter(reads)) if len(reads) == 1 else ""
    # One transaction: a read outside one (a list page) commits the event and its
    # persons once, not twice (a commit waits for the disk; bench/audit_reads.py). No
    # savepoint inside a caller's transaction: the audit row stands or falls with it.
    with transaction.atomic(savepoint=False):
        event = AuditEvent.objects.create(
            actor_id=viewer.user_id,
            actor_username=viewer.username,
            actor_organisation=viewer.describe_organisations(),
            person_public_id=single,
            person_count=len(reads),
            action=action,
            fields=union,
            view=view,
            purpose=purpose,
        )
        if not single:
            AuditEventPerson.objects.bulk_create(
                AuditEventPerson(
                    event=event,
                    person_public_id=public_id,
                    fields=None if person_fields == union else person_fields,
                )
                for public_id, person_fields in reads.items()
            )


def access_person(
    viewer: Viewer,
    public_id: str,
    *,
    view: str,
    purpose: Purpose,
    reads: Sequence[str] | None = None,
    today: dt.date | None = None,
    audit: bool = True,
) -> PersonRecord:
    """The person with this public id as the viewer may see them for the route's
    declared ``purpose``, audited under it; or PersonNotFound. A view that shows only
    part of the file names it in ``reads`` (e.g. ``["spells"]``): the audit says so, and
    personal details are not loaded
    unless one of them is read. ``audit=False`` is for a page that gathers what it
    shows from several domains first and then writes the one read event itself
    (``audit_reads`` with every field it showed); it must."""
    person = Person.objects.select_related("district").filter(public_id=public_id).first()
    if person is None:
        raise PersonNotFound(public_id)
    level = levels_for(viewer, [person.pk], purpose=purpose, today=today)[person.pk]
    if level is Level.NONE:
        raise PersonNotFound(public_id)
    personal = None
    wants_personal = reads is None or bool(set(reads) & set(PERSONAL_FIELDS))
    if level >= Level.PERSONAL and wants_personal:
        personal = (
            PersonalDetails.objects.select_related("address_district").filter(person=person).first()
        )
    if audit:
        audit_reads(viewer, [(person.public_id, level)], view=view, purpose=purpose, fields=reads)
    statistical = (
        coarsened_records([person.pk], today=today)[person.pk] if coarsens(viewer, level) else None
    )
    return PersonRecord(person=person, level=level, personal=personal, statistical=statistical)


def records_for_page(
    viewer: Viewer,
    persons: Sequence[Person],
    *,
    view: str,
    purpose: Purpose,
    today: dt.date | None = None,
    also_read: Mapping[int, Sequence[str]] | None = None,
    audit: bool = True,
) -> list[PersonRecord]:
    """A page of a list: each person with what the viewer may see for the route's
    declared ``purpose``. Every person
    shown is audited, pseudonymous or not, in one event for the page; ``also_read``
    names, per person id, what else the list shows of those persons (e.g.
    ``["follow_ups"]``).
    ``audit=False``: the caller audits otherwise (an export audits every person it
    writes, as an ``export``)."""
    levels = levels_for(viewer, [p.pk for p in persons], purpose=purpose, today=today)
    personal_ids = [p.pk for p in persons if levels[p.pk] >= Level.PERSONAL]
    details = {
        d.person_id: d
        for d in PersonalDetails.objects.select_related("address_district").filter(
            person_id__in=personal_ids
        )
    }
    coarse = [p.pk for p in persons if coarsens(viewer, levels[p.pk])]
    statistical = coarsened_records(coarse, today=today) if coarse else {}
    records = [
        PersonRecord(
            person=p,
            level=levels[p.pk],
            personal=details.get(p.pk),
            statistical=statistical.get(p.pk),
        )
        for p in persons
        if levels[p.pk] > Level.NONE
    ]
    if not audit:
        return records
    extra = also_read or {}
    audit_reads(
        viewer,
        [(r.person.public_id, r.level) for r in records],
        view=view,
        purpose=purpose,
        fields_by_person={
            r.person.public_id: [
                *(PERSONAL_FIELDS if r.shows_personal else ["pseudonymous"]),
                *extra[r.person.pk],
            ]
            for r in records
            if extra.get(r.person.pk)
        },
    )
    return records


def audit_change(
    viewer: Viewer,
    public_id: str,
    level: Level,
    fields: Sequence[str],
    *,
    view: str,
    purpose: Purpose,
) -> None:
    """The audit event of a write on behalf of the viewer: which ``fields`` of one
    person they changed, under the route's declared purpose (``level``: what they see
    of the person)."""
    audit_reads(
        viewer,
        [(public_id, level)],
        view=view,
        purpose=purpose,
        action=AuditAction.CHANGE,
        fields=fields,
    )


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
