"""Reading the audit trail: which events name a person, and the filtered log the
data-protection officer's page and ``doconnect audit`` show. One home for both, so the
page and the command can never disagree about who read whom.

An event names one person in ``AuditEvent.person_public_id``, or several (a list, an
export, a feed) in ``AuditEventPerson`` rows; every query here looks in both."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery

from doconnect.core.models import AuditEvent, AuditEventPerson


def naming(public_id: str) -> Q:
    """The events that name this person, alone or among others."""
    return Q(person_public_id=public_id) | Q(
        pk__in=AuditEventPerson.objects.filter(person_public_id=public_id).values("event_id")
    )


def events_about(public_id: str) -> QuerySet[AuditEvent]:
    """The person's events, newest first, each with ``person_fields``: what was read of
    *this* person where a list read more of some persons than of others (else None,
    and the event's ``fields`` hold)."""
    own = AuditEventPerson.objects.filter(event=OuterRef("pk"), person_public_id=public_id)
    return AuditEvent.objects.filter(naming(public_id)).annotate(
        person_fields=Subquery(own.values("fields")[:1])
    )


def fields_of(event: AuditEvent) -> list[str]:
    """What an event read of the person it was fetched for (``events_about``)."""
    own = getattr(event, "person_fields", None)
    fields = own if own is not None else event.fields
    return list(fields) if isinstance(fields, list) else []


@dataclass(frozen=True)
class AuditFilter:
    """What the officer narrows the log to; every part optional."""

    user: str = ""  # a username, exact, any case
    person: str = ""  # a public id, exact, any case
    since: dt.date | None = None
    until: dt.date | None = None


def audit_events(criteria: AuditFilter) -> QuerySet[AuditEvent]:
    """The log, newest first, narrowed by ``criteria``; the persons of each event in
    ``persons`` (prefetch them with ``prefetch_related("persons")`` for a page)."""
    events = AuditEvent.objects.all()
    if criteria.user:
        events = events.filter(actor_username__iexact=criteria.user.strip())
    if criteria.person:
        events = events_about(criteria.person.strip().upper())
        if criteria.user:
            events = events.filter(actor_username__iexact=criteria.user.strip())
    if criteria.since:
        events = events.filter(at__date__gte=criteria.since)
    if criteria.until:
        events = events.filter(at__date__lte=criteria.until)
    return events.order_by("-at", "-id")


def persons_of(event: AuditEvent) -> list[str]:
    """The public ids an event names (uses a prefetched ``persons`` if there is one)."""
    return [public_id for public_id, _fields in person_reads(event)]


def person_reads(event: AuditEvent) -> list[tuple[str, list[str]]]:
    """Each person an event names with what it read of them."""
    if event.person_public_id:
        return [(event.person_public_id, fields_of(event))]
    return [
        (row.person_public_id, list(row.fields) if row.fields is not None else fields_of(event))
        for row in event.persons.all()
    ]
