"""Case-work endpoints under ``/api/persons/{public_id}/…``: notes, follow-ups,
appointments and the responsible worker. They call the functions the pages call
(``casework.access``, ``casework.selectors``, ``casework.services``): 404 for a person
the caller may not see (and for another organisation's note, follow-up or
appointment), 403 for a caller who sees the person but may do no case work on them,
422 naming the field for bad input. Every read and write is audited."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from doconnect.casework.access import CaseFile, open_case_file
from doconnect.casework.models import Appointment, CaseNote, FollowUp, Responsibility
from doconnect.casework.schemas import (
    AppointmentIn,
    AppointmentOut,
    AppointmentPatch,
    FollowUpIn,
    FollowUpOut,
    FollowUpPatch,
    NoteCorrectionIn,
    NoteIn,
    NoteOut,
    ResponsibilityIn,
    ResponsibilityOut,
)
from doconnect.casework.selectors import (
    NoteEntry,
    case_notes,
    read_appointments,
    read_follow_ups,
    responsibilities_of,
    worker_name,
)
from doconnect.casework.services import (
    appointment_create_as,
    appointment_status_as,
    follow_up_create_as,
    follow_up_done_as,
    note_correct_as,
    note_create_as,
    responsibility_set_as,
)
from doconnect.core.api.auth import viewer
from doconnect.core.api.schemas import ErrorOut
from doconnect.core.viewers import Viewer

router = Router(tags=["casework"])

READ = {403: ErrorOut, 404: ErrorOut}
WRITE = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}

T = TypeVar("T")
Item = TypeVar("Item", covariant=True)


class CaseRead(Protocol[Item]):
    def __call__(self, viewer: Viewer, file: CaseFile, *, view: str) -> Iterable[Item]: ...


def _listed(
    request: HttpRequest,
    public_id: str,
    read: CaseRead[T],
    body: Callable[[T], dict[str, Any]],
    *,
    view: str,
) -> list[dict[str, Any]]:
    """A list endpoint: the caller's case file of the person (404/403 as for the
    pages), read through the selector (which audits), each item as its body."""
    who = viewer(request)
    return [body(item) for item in read(who, open_case_file(who, public_id), view=view)]


def _written(
    request: HttpRequest, service: Callable[..., T], given: Schema, *, view: str, **target: Any
) -> T:
    """A write endpoint: the service called as the caller on ``target`` (the ids from
    the path), with the body's fields as its keyword arguments (the ``…In`` and
    ``…Patch`` schemas name their fields as the services do)."""
    return service(viewer(request), view=view, **target, **given.model_dump())


def _version_body(note: CaseNote) -> dict[str, Any]:
    return {
        "id": note.pk,
        "conversation_on": note.conversation_on,
        "purpose": note.purpose,
        "text": note.text,
        "author": note.author_name,
        "written_at": note.written_at,
    }


def note_body(entry: NoteEntry) -> dict[str, Any]:
    note = entry.note
    return {
        **_version_body(note),
        "person": note.person.public_id,
        "organisation": note.organisation.external_id,
        "earlier_versions": [_version_body(earlier) for earlier in entry.earlier],
    }


def follow_up_body(follow_up: FollowUp) -> dict[str, Any]:
    return {
        "id": follow_up.pk,
        "person": follow_up.person.public_id,
        "organisation": follow_up.organisation.external_id,
        "due_on": follow_up.due_on,
        "reason": follow_up.reason,
        "worker": follow_up.worker.get_username() if follow_up.worker else None,
        "done": follow_up.done_at is not None,
        "done_at": follow_up.done_at,
    }


def appointment_body(appointment: Appointment) -> dict[str, Any]:
    return {
        "id": appointment.pk,
        "person": appointment.person.public_id,
        "organisation": appointment.organisation.external_id,
        "starts_at": appointment.starts_at,
        "duration_minutes": appointment.duration_minutes,
        "place": appointment.place,
        "with_whom": appointment.with_whom,
        "subject": appointment.subject,
        "worker": appointment.worker.get_username() if appointment.worker else None,
        "status": appointment.status,
    }


def responsibility_body(responsibility: Responsibility) -> dict[str, Any]:
    return {
        "person": responsibility.person.public_id,
        "organisation": responsibility.organisation.external_id,
        "worker": responsibility.worker.get_username(),
        "worker_name": worker_name(responsibility.worker),
        "since": responsibility.since,
    }


# -- notes -------------------------------------------------------------------------------
@router.get(
    "/persons/{public_id}/notes",
    response={200: list[NoteOut], **READ},
    summary="The case notes of the caller's organisations on a person",
)
def list_notes(request: HttpRequest, public_id: str) -> list[dict[str, Any]]:
    """Newest conversation first; each current version with the versions it corrected.
    Only notes of the caller's own organisations, while a valid consent covers them.
    Audited (fields ``["notes"]``)."""
    return _listed(request, public_id, case_notes, note_body, view="api.casework_notes")


@router.post(
    "/persons/{public_id}/notes",
    response={201: NoteOut, **WRITE},
    summary="Write a case note",
)
def create_note(request: HttpRequest, public_id: str, body: NoteIn) -> Status[Any]:
    """Coordinators, case workers and provider staff (on their own participants) who
    see the person with personal data; analysts and admins never. The note is seen
    only inside the author's organisation."""
    note = _written(
        request, note_create_as, body, view="api.casework_note_create", public_id=public_id
    )
    return Status(201, note_body(NoteEntry(note=note, earlier=[], may_correct=True)))


@router.post(
    "/persons/{public_id}/notes/{note_id}/corrections",
    response={201: NoteOut, **WRITE},
    summary="Correct one's own note on its first day",
)
def correct_note(
    request: HttpRequest, public_id: str, note_id: int, body: NoteCorrectionIn
) -> Status[Any]:
    """Only the author, within 24 hours of writing the note first; the correction is a
    new version and the earlier text stays (``earlier_versions``). 422 later or for a
    version already corrected."""
    correction = _written(
        request,
        note_correct_as,
        body,
        view="api.casework_note_correct",
        note_id=note_id,
        public_id=public_id,
    )
    earlier: list[CaseNote] = []
    step = correction.corrects
    while step is not None:
        earlier.append(step)
        step = step.corrects
    return Status(201, note_body(NoteEntry(note=correction, earlier=earlier, may_correct=True)))


# -- follow-ups --------------------------------------------------------------------------
@router.get(
    "/persons/{public_id}/follow-ups",
    response={200: list[FollowUpOut], **READ},
    summary="The follow-ups of the caller's organisations on a person",
)
def list_follow_ups(request: HttpRequest, public_id: str) -> list[dict[str, Any]]:
    """Open ones first by date, then those done. Audited (``["follow_ups"]``)."""
    return _listed(
        request, public_id, read_follow_ups, follow_up_body, view="api.casework_follow_ups"
    )


@router.post(
    "/persons/{public_id}/follow-ups",
    response={201: FollowUpOut, **WRITE},
    summary="Set a follow-up (Wiedervorlage)",
)
def create_follow_up(request: HttpRequest, public_id: str, body: FollowUpIn) -> Status[Any]:
    """For a worker of the caller's organisation (default: the caller), on a day not in
    the past."""
    follow_up = _written(
        request,
        follow_up_create_as,
        body,
        view="api.casework_follow_up_create",
        public_id=public_id,
    )
    return Status(201, follow_up_body(follow_up))


@router.patch(
    "/persons/{public_id}/follow-ups/{follow_up_id}",
    response={200: FollowUpOut, **WRITE},
    summary="Mark a follow-up done or open again",
)
def patch_follow_up(
    request: HttpRequest, public_id: str, follow_up_id: int, body: FollowUpPatch
) -> dict[str, Any]:
    follow_up = _written(
        request,
        follow_up_done_as,
        body,
        view="api.casework_follow_up_done",
        follow_up_id=follow_up_id,
        public_id=public_id,
    )
    return follow_up_body(follow_up)


# -- appointments ------------------------------------------------------------------------
@router.get(
    "/persons/{public_id}/appointments",
    response={200: list[AppointmentOut], **READ},
    summary="The appointments of the caller's organisations with a person",
)
def list_appointments(request: HttpRequest, public_id: str) -> list[dict[str, Any]]:
    """By time, cancelled and held ones too. Audited (``["appointments"]``)."""
    return _listed(
        request, public_id, read_appointments, appointment_body, view="api.casework_appointments"
    )


@router.post(
    "/persons/{public_id}/appointments",
    response={201: AppointmentOut, **WRITE},
    summary="Make an appointment (Termin)",
)
def create_appointment(request: HttpRequest, public_id: str, body: AppointmentIn) -> Status[Any]:
    """Held by a worker of the caller's organisation (default: the caller), on a day
    not in the past."""
    appointment = _written(
        request,
        appointment_create_as,
        body,
        view="api.casework_appointment_create",
        public_id=public_id,
    )
    return Status(201, appointment_body(appointment))


@router.patch(
    "/persons/{public_id}/appointments/{appointment_id}",
    response={200: AppointmentOut, **WRITE},
    summary="Record that an appointment was held or cancelled",
)
def patch_appointment(
    request: HttpRequest, public_id: str, appointment_id: int, body: AppointmentPatch
) -> dict[str, Any]:
    """``held`` only once the appointment has begun (else 422)."""
    appointment = _written(
        request,
        appointment_status_as,
        body,
        view="api.casework_appointment_status",
        appointment_id=appointment_id,
        public_id=public_id,
    )
    return appointment_body(appointment)


# -- the responsible worker --------------------------------------------------------------
@router.get(
    "/persons/{public_id}/responsible",
    response={200: list[ResponsibilityOut], **READ},
    summary="The responsible workers of the caller's organisations for a person",
)
def list_responsible(request: HttpRequest, public_id: str) -> list[dict[str, Any]]:
    file = open_case_file(viewer(request), public_id)
    return [responsibility_body(r) for r in responsibilities_of(file)]


@router.put(
    "/persons/{public_id}/responsible",
    response={200: ResponsibilityOut, **WRITE},
    summary="Set the responsible worker of the caller's organisation",
)
def put_responsible(request: HttpRequest, public_id: str, body: ResponsibilityIn) -> dict[str, Any]:
    """No worker: the caller takes the case over. The worker must work in the
    organisation in a case-work role (else 422)."""
    responsibility = _written(
        request, responsibility_set_as, body, view="api.casework_responsible", public_id=public_id
    )
    return responsibility_body(responsibility)
