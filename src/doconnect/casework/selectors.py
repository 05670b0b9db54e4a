"""Reads of case work, always through ``casework.access``: a person's notes, follow-ups,
appointments and responsible workers as one viewer may see them (their own
organisations', under a valid consent, checked on every read), and the lists across
persons ("Meine Fälle", what is due) the task page and the person list build on.

Reading notes, follow-ups or appointments of a person is audited like any read of the
person's data: ``fields`` name what was read (``["notes"]``, ``["follow_ups",
"appointments"]``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from doconnect.casework.access import (
    CASEWORK_ROLES,
    CaseFile,
    casework_organisations,
    casework_scope,
)
from doconnect.casework.models import (
    Appointment,
    AppointmentStatus,
    CaseNote,
    FollowUp,
    Responsibility,
)
from doconnect.casework.services import may_correct
from doconnect.core.models import Membership, Organisation
from doconnect.core.viewers import Viewer
from doconnect.people.access import PersonRecord, audit_reads
from doconnect.people.access_rules import Purpose
from doconnect.people.models import Person

# Zweckbindung: case work (notes, follow-ups, appointments) serves counselling.
PURPOSE = Purpose.COUNSELLING

# How much of each list the person page shows; the section links to the full lists.
PAGE_NOTES = 5
# The kinds of case work the person page's sections show (audit field names).
PAGE_READ_FIELDS = ("notes", "follow_ups", "appointments", "responsible_worker")


@dataclass
class NoteEntry:
    """A note as shown: its current version, the versions it corrected (newest
    first, the original last) and whether the viewer may still correct it."""

    note: CaseNote
    earlier: list[CaseNote]
    may_correct: bool

    @property
    def original(self) -> CaseNote:
        return self.earlier[-1] if self.earlier else self.note


def _audit_read(viewer: Viewer, file: CaseFile, fields: list[str], *, view: str) -> None:
    audit_reads(
        viewer,
        [(file.person.public_id, file.level)],
        view=view,
        purpose=PURPOSE,
        fields=fields,
    )


def case_notes(
    viewer: Viewer,
    file: CaseFile,
    *,
    view: str,
    now: dt.datetime | None = None,
    audit: bool = True,
) -> list[NoteEntry]:
    """The person's notes of the viewer's organisations, newest conversation first,
    each with its earlier versions; audited (``["notes"]``) unless the caller audits
    the read itself (``audit=False``: a page's one event). One query."""
    moment = now or timezone.now()
    notes = list(
        CaseNote.objects.filter(
            person=file.person, organisation_id__in=file.organisations
        ).select_related("organisation")
    )
    by_id = {note.pk: note for note in notes}
    corrected = {note.corrects_id for note in notes if note.corrects_id is not None}
    entries = []
    for note in notes:
        if note.pk in corrected:
            continue  # an earlier version: shown with the note that corrects it
        earlier: list[CaseNote] = []
        step = note
        while step.corrects_id is not None and step.corrects_id in by_id:
            step = by_id[step.corrects_id]
            earlier.append(step)
        original = earlier[-1] if earlier else note
        entries.append(
            NoteEntry(
                note=note,
                earlier=earlier,
                may_correct=may_correct(viewer, note, original, now=moment),
            )
        )
    if audit:
        _audit_read(viewer, file, ["notes"], view=view)
    return entries


def follow_ups_of(file: CaseFile, *, include_done: bool = True) -> list[FollowUp]:
    """The person's follow-ups of the viewer's organisations: open ones first by due
    date, then those done, latest first."""
    follow_ups = FollowUp.objects.filter(
        person=file.person, organisation_id__in=file.organisations
    ).select_related("worker", "organisation")
    if not include_done:
        follow_ups = follow_ups.filter(done_at__isnull=True)
    found = list(follow_ups)
    return [f for f in found if f.done_at is None] + sorted(
        (f for f in found if f.done_at is not None), key=lambda f: f.due_on, reverse=True
    )


def appointments_of(file: CaseFile, *, only_planned: bool = False) -> list[Appointment]:
    """The person's appointments of the viewer's organisations by time."""
    appointments = Appointment.objects.filter(
        person=file.person, organisation_id__in=file.organisations
    ).select_related("worker", "organisation")
    if only_planned:
        appointments = appointments.filter(status=AppointmentStatus.PLANNED)
    return list(appointments)


def read_follow_ups_and_appointments(
    viewer: Viewer, file: CaseFile, *, view: str, complete: bool = True, audit: bool = True
) -> tuple[list[FollowUp], list[Appointment]]:
    """Both lists, audited as one read (``["follow_ups", "appointments"]``) unless the
    caller audits it (``audit=False``); without ``complete`` only open follow-ups and
    planned appointments."""
    follow_ups = follow_ups_of(file, include_done=complete)
    appointments = appointments_of(file, only_planned=not complete)
    if audit:
        _audit_read(viewer, file, ["follow_ups", "appointments"], view=view)
    return follow_ups, appointments


def read_follow_ups(viewer: Viewer, file: CaseFile, *, view: str) -> list[FollowUp]:
    """All the person's follow-ups the viewer may see, audited (``["follow_ups"]``)."""
    follow_ups = follow_ups_of(file)
    _audit_read(viewer, file, ["follow_ups"], view=view)
    return follow_ups


def read_appointments(viewer: Viewer, file: CaseFile, *, view: str) -> list[Appointment]:
    """All the person's appointments the viewer may see, audited (``["appointments"]``)."""
    appointments = appointments_of(file)
    _audit_read(viewer, file, ["appointments"], view=view)
    return appointments


def responsibilities_of(file: CaseFile) -> list[Responsibility]:
    return list(
        Responsibility.objects.filter(
            person=file.person, organisation_id__in=file.organisations
        ).select_related("worker", "organisation")
    )


@dataclass(frozen=True)
class Worker:
    """A user who may be responsible in an organisation (a choice in the forms)."""

    username: str
    name: str
    organisation_id: int


def worker_name(user: object) -> str:
    """How a worker is named on the pages: the full name, else the username."""
    full = getattr(user, "get_full_name", lambda: "")()
    return str(full or getattr(user, "username", ""))


def workers_of(organisation_ids: Sequence[int] | frozenset[int]) -> list[Worker]:
    """Active users working in these organisations in a case-work role, by name."""
    memberships = (
        Membership.objects.filter(
            organisation_id__in=list(organisation_ids),
            role__in=CASEWORK_ROLES,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    return [
        Worker(
            username=m.user.get_username(),
            name=worker_name(m.user),
            organisation_id=m.organisation_id,
        )
        for m in memberships
    ]


@dataclass
class PersonCasework:
    """The case-work sections of a person page, for a viewer who may see them."""

    file: CaseFile
    organisations: list[Organisation]
    today: dt.date
    notes: list[NoteEntry] = field(default_factory=list)
    note_count: int = 0
    follow_ups: list[FollowUp] = field(default_factory=list)
    appointments: list[Appointment] = field(default_factory=list)
    responsibilities: list[Responsibility] = field(default_factory=list)
    workers: list[Worker] = field(default_factory=list)
    viewer_is_responsible: bool = False
    # What the sections show, for the audit event of a page that writes one for all.
    read_fields: tuple[str, ...] = PAGE_READ_FIELDS

    @property
    def public_id(self) -> str:
        return self.file.person.public_id

    @property
    def several_organisations(self) -> bool:
        return len(self.organisations) > 1

    @property
    def responsible_organisations(self) -> set[int]:
        return {r.organisation_id for r in self.responsibilities}


def casework_for_page(
    viewer: Viewer,
    record: PersonRecord,
    *,
    view: str = "web.person_detail",
    part_of_page_read: bool = False,
) -> PersonCasework | None:
    """The person page's case work for this viewer, or None when the viewer does no
    case work on this person (then the page has no such sections at all). Notes and
    follow-ups/appointments shown are audited — by their own events, or, with
    ``part_of_page_read``, by the page's one read event, which then lists
    ``PersonCasework.read_fields``. A fixed number of queries."""
    person = record.person
    organisations = casework_organisations(viewer, [person.pk])[person.pk]
    if not organisations:
        return None
    file = CaseFile(person=person, level=record.level, organisations=frozenset(organisations))
    notes = case_notes(viewer, file, view=view, audit=not part_of_page_read)
    follow_ups, appointments = read_follow_ups_and_appointments(
        viewer, file, view=view, complete=False, audit=not part_of_page_read
    )
    responsibilities = responsibilities_of(file)
    return PersonCasework(
        file=file,
        organisations=list(Organisation.objects.filter(pk__in=organisations).order_by("name")),
        today=timezone.localdate(),
        notes=notes[:PAGE_NOTES],
        note_count=len(notes),
        follow_ups=follow_ups,
        appointments=appointments,
        responsibilities=responsibilities,
        workers=workers_of(file.organisations),
        viewer_is_responsible=any(r.worker_id == viewer.user_id for r in responsibilities),
    )


# -- across persons: "Meine Fälle" and what is due ---------------------------------------
def visible_follow_ups(viewer: Viewer, *, today: dt.date | None = None) -> QuerySet[FollowUp]:
    """Every follow-up the viewer may see (their organisations', under consent)."""
    return FollowUp.objects.filter(casework_scope(viewer, today=today))


def visible_appointments(viewer: Viewer, *, today: dt.date | None = None) -> QuerySet[Appointment]:
    """Every appointment the viewer may see (their organisations', under consent)."""
    return Appointment.objects.filter(casework_scope(viewer, today=today))


def my_cases(viewer: Viewer, *, today: dt.date | None = None) -> QuerySet[Person]:
    """ "Meine Fälle": the persons the viewer is the responsible worker for, where the
    viewer may still do case work on them (a consent still covers the organisation)."""
    responsibilities = Responsibility.objects.filter(
        casework_scope(viewer, today=today), worker_id=viewer.user_id
    )
    return Person.objects.filter(pk__in=responsibilities.values("person_id"))


def responsible_workers(
    viewer: Viewer, person_ids: Sequence[int], *, today: dt.date | None = None
) -> dict[int, list[str]]:
    """For a list of persons (e.g. the person list's column): the names of the
    responsible workers in the viewer's own organisations, where the viewer may see
    them. One query."""
    if not person_ids:
        return {}
    rows = (
        Responsibility.objects.filter(casework_scope(viewer, today=today))
        .filter(person_id__in=list(person_ids))
        .select_related("worker")
        .order_by("organisation__name")
    )
    found: dict[int, list[str]] = defaultdict(list)
    for responsibility in rows:
        found[responsibility.person_id].append(worker_name(responsibility.worker))
    return dict(found)
