"""Writes of case work *on behalf of a viewer*: the pages, the API and other domains
(registration makes the registering worker responsible) call these, so each rule lives
once. Each function checks, in this order: the person is visible to the viewer
(``PersonNotFound``, as for a read; a note, follow-up or appointment the viewer may not
see is "not found" too), the viewer may do case work on this person
(``PermissionDenied``), the input (``ValidationError`` naming the field); then it writes
in one transaction and audits a ``change`` of the case work it touched.

Corrections of notes: only the author corrects a note, only within a day of writing it
first (``CORRECTION_WINDOW``), and the correction is a new version that points at the
one it corrects, so the original text stays in the file (and in the person's Art. 15
export). Anything later is a new note.
"""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from doconnect.casework.access import (
    CASEWORK_ROLES,
    PURPOSE,
    CaseFile,
    case_file_of,
    open_case_file,
)
from doconnect.casework.models import (
    Appointment,
    AppointmentStatus,
    CaseNote,
    FollowUp,
    NotePurpose,
    Responsibility,
)
from doconnect.core.models import Membership, Organisation
from doconnect.core.refusals import ConflictsWithState, RefusedForRole
from doconnect.core.viewers import Viewer
from doconnect.people.access import PersonNotFound, audit_change

CORRECTION_WINDOW = dt.timedelta(hours=24)
NOTE_MAX_LENGTH = 20_000
SHORT_TEXT_MAX_LENGTH = 200
APPOINTMENT_MINUTES = (5, 600)

# Who a follow-up, appointment or responsibility is for: a user, a user id, a
# username (the API's form), or None for the viewer themself.
WorkerRef = User | int | str | None
# What a viewer changes after it was written: a note, a follow-up, an appointment.
Item = TypeVar("Item", CaseNote, FollowUp, Appointment)


def _audit_change(viewer: Viewer, file: CaseFile, fields: list[str], *, view: str) -> None:
    audit_change(viewer, file.person.public_id, file.level, fields, view=view, purpose=PURPOSE)


def _organisation(file: CaseFile, organisation: str | None) -> Organisation:
    """The organisation the new case work belongs to: the one named (by external id)
    or, when the viewer works on this case for one organisation only, that one."""
    if organisation:
        found = Organisation.objects.filter(
            external_id=organisation, pk__in=file.organisations
        ).first()
        if found is None:
            # Another caller may work on the case for it: refused for who asks (403 in
            # the API), shown at the field on a page.
            raise RefusedForRole(
                {"organisation": _("Für diese Organisation arbeiten Sie nicht an diesem Fall.")}
            )
        return found
    if len(file.organisations) > 1:
        raise ValidationError({"organisation": _("Bitte die Organisation wählen.")})
    return Organisation.objects.get(pk=next(iter(file.organisations)))


def _case_for_new_work(
    viewer: Viewer, public_id: str, organisation: str | None, *, today: dt.date | None
) -> tuple[CaseFile, Organisation]:
    """The case new case work is written in and the organisation it belongs to:
    PersonNotFound, then PermissionDenied, then a ValidationError on ``organisation``."""
    file = open_case_file(viewer, public_id, today=today)
    return file, _organisation(file, organisation)


def _refuse(errors: dict[str, str]) -> None:
    """One ValidationError naming every field that is wrong, if any is."""
    if errors:
        raise ValidationError(errors)


def _worker(viewer: Viewer, organisation: Organisation, worker: WorkerRef) -> User:
    """The responsible worker: an active user working in the organisation in a
    case-work role, or a ValidationError on ``worker``."""
    users = User.objects.filter(is_active=True)
    if worker is None:
        user = users.filter(pk=viewer.user_id or 0).first()
    elif isinstance(worker, str):
        user = users.filter(username=worker).first()
    elif isinstance(worker, int):
        user = users.filter(pk=worker).first()
    else:
        user = users.filter(pk=worker.pk).first()
    if (
        user is None
        or not Membership.objects.filter(
            user_id=user.pk, organisation=organisation, role__in=CASEWORK_ROLES
        ).exists()
    ):
        # Who works where is not told to a caller (no list of usernames in the API
        # document): a name not of the caller's organisation is refused for who asks.
        raise RefusedForRole(
            {
                "worker": _("Keine Fachkraft der Organisation %(organisation)s mit diesem Namen.")
                % {"organisation": organisation.name}
            }
        )
    return user


def _short_text(errors: dict[str, str], field: str, value: str, *, required: bool) -> str:
    value = " ".join(value.split())
    if required and not value:
        errors[field] = _("Bitte ausfüllen.")
    elif len(value) > SHORT_TEXT_MAX_LENGTH:
        errors[field] = _("Höchstens %(count)s Zeichen.") % {"count": SHORT_TEXT_MAX_LENGTH}
    return value


def _note_fields(
    conversation_on: dt.date, purpose: str, text: str, *, today: dt.date
) -> tuple[str, str]:
    errors: dict[str, str] = {}
    if conversation_on > today:
        errors["conversation_on"] = _("Das Gespräch liegt in der Zukunft.")
    if purpose not in NotePurpose.values:
        errors["purpose"] = _("Unbekannter Anlass „%(purpose)s“.") % {"purpose": purpose}
    text = text.strip()
    if not text:
        errors["text"] = _("Bitte den Vermerk schreiben.")
    elif len(text) > NOTE_MAX_LENGTH:
        errors["text"] = _("Höchstens %(count)s Zeichen.") % {"count": NOTE_MAX_LENGTH}
    _refuse(errors)
    return purpose, text


def _author_name(viewer: Viewer) -> str:
    user = User.objects.filter(pk=viewer.user_id or 0).first()
    if user is None:
        return viewer.username
    return user.get_full_name() or viewer.username


@transaction.atomic
def note_create_as(
    viewer: Viewer,
    *,
    public_id: str,
    conversation_on: dt.date,
    purpose: str,
    text: str,
    view: str,
    organisation: str | None = None,
    today: dt.date | None = None,
) -> CaseNote:
    """Write a case note for the viewer's organisation (``organisation``: its external
    id, needed only by a viewer working on the case for several)."""
    day = today or timezone.localdate()
    file, org = _case_for_new_work(viewer, public_id, organisation, today=day)
    purpose, text = _note_fields(conversation_on, purpose, text, today=day)
    note = CaseNote.objects.create(
        person=file.person,
        organisation=org,
        author_id=viewer.user_id,
        author_name=_author_name(viewer),
        conversation_on=conversation_on,
        purpose=purpose,
        text=text,
    )
    _audit_change(viewer, file, ["notes"], view=view)
    return note


def _item_to_change(
    viewer: Viewer, items: QuerySet[Item], pk: int, public_id: str | None
) -> tuple[Item, CaseFile]:
    """The note, follow-up or appointment ``pk`` the viewer asks to change (locked as
    ``items`` says) and its case, or PersonNotFound when there is none the viewer may
    see (another organisation's is "not found" as well, so nothing about it leaks)."""
    item = items.select_related("person").filter(pk=pk).first()
    if item is None or public_id not in (None, item.person.public_id):
        raise PersonNotFound(public_id or "")
    file = case_file_of(viewer, item.person)
    if item.organisation_id not in file.organisations:
        raise PersonNotFound(item.person.public_id)
    return item, file


def first_version(note: CaseNote) -> CaseNote:
    """The note as it was first written (a correction points at what it corrects)."""
    while note.corrects is not None:
        note = note.corrects
    return note


def may_correct(viewer: Viewer, note: CaseNote, original: CaseNote, *, now: dt.datetime) -> bool:
    """The author may correct the current version of their note for a day after it
    was first written."""
    return note.author_id == viewer.user_id and now - original.written_at <= CORRECTION_WINDOW


@transaction.atomic
def note_correct_as(
    viewer: Viewer,
    *,
    note_id: int,
    conversation_on: dt.date,
    purpose: str,
    text: str,
    view: str,
    public_id: str | None = None,
    now: dt.datetime | None = None,
) -> CaseNote:
    """Correct a note: a new version pointing at the corrected one, which stays."""
    moment = now or timezone.now()
    note, file = _item_to_change(
        viewer, CaseNote.objects.select_for_update(of=("self",)), note_id, public_id
    )
    if note.author_id != viewer.user_id:
        raise PermissionDenied(_("Nur wer einen Vermerk geschrieben hat, kann ihn korrigieren."))
    if CaseNote.objects.filter(corrects=note).exists():
        raise ConflictsWithState(
            {NON_FIELD_ERRORS: _("Dieser Vermerk ist schon korrigiert; bitte die neue Fassung.")}
        )
    if not may_correct(viewer, note, first_version(note), now=moment):
        raise ConflictsWithState(
            {
                NON_FIELD_ERRORS: _(
                    "Ein Vermerk lässt sich nur am ersten Tag korrigieren; "
                    "schreiben Sie bitte einen neuen Vermerk."
                )
            }
        )
    purpose, text = _note_fields(conversation_on, purpose, text, today=timezone.localdate())
    correction = CaseNote.objects.create(
        person=note.person,
        organisation_id=note.organisation_id,
        author_id=viewer.user_id,
        author_name=_author_name(viewer),
        conversation_on=conversation_on,
        purpose=purpose,
        text=text,
        written_at=moment,
        corrects=note,
    )
    _audit_change(viewer, file, ["notes"], view=view)
    return correction


@transaction.atomic
def follow_up_create_as(
    viewer: Viewer,
    *,
    public_id: str,
    due_on: dt.date,
    reason: str,
    view: str,
    worker: WorkerRef = None,
    organisation: str | None = None,
    today: dt.date | None = None,
) -> FollowUp:
    """Set a follow-up (Wiedervorlage) for a worker of the viewer's organisation
    (default: the viewer), on a day not in the past."""
    day = today or timezone.localdate()
    file, org = _case_for_new_work(viewer, public_id, organisation, today=day)
    errors: dict[str, str] = {}
    if due_on < day:
        errors["due_on"] = _("Der Tag liegt in der Vergangenheit.")
    reason = _short_text(errors, "reason", reason, required=True)
    _refuse(errors)
    follow_up = FollowUp.objects.create(
        person=file.person,
        organisation=org,
        worker=_worker(viewer, org, worker),
        due_on=due_on,
        reason=reason,
        created_by_id=viewer.user_id,
    )
    _audit_change(viewer, file, ["follow_ups"], view=view)
    return follow_up


@transaction.atomic
def follow_up_done_as(
    viewer: Viewer,
    *,
    follow_up_id: int,
    view: str,
    done: bool = True,
    public_id: str | None = None,
) -> FollowUp:
    """Mark a follow-up done (or, with ``done=False``, open again). Any worker of its
    organisation may, so a colleague can stand in."""
    follow_up, file = _item_to_change(
        viewer, FollowUp.objects.select_for_update(), follow_up_id, public_id
    )
    if done and follow_up.done_at is None:
        follow_up.done_at = timezone.now()
        follow_up.done_by_id = viewer.user_id
    elif not done:
        follow_up.done_at = None
        follow_up.done_by_id = None
    follow_up.save(update_fields=["done_at", "done_by"])
    _audit_change(viewer, file, ["follow_ups"], view=view)
    return follow_up


@transaction.atomic
def appointment_create_as(
    viewer: Viewer,
    *,
    public_id: str,
    starts_at: dt.datetime,
    subject: str,
    view: str,
    duration_minutes: int = 30,
    place: str = "",
    with_whom: str = "",
    worker: WorkerRef = None,
    organisation: str | None = None,
    today: dt.date | None = None,
) -> Appointment:
    """Make an appointment (Termin) with the person, held by a worker of the viewer's
    organisation (default: the viewer), on a day not in the past. A time without a
    zone is the city's local time."""
    day = today or timezone.localdate()
    file, org = _case_for_new_work(viewer, public_id, organisation, today=day)
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    errors: dict[str, str] = {}
    if timezone.localtime(starts_at).date() < day:
        errors["starts_at"] = _("Der Termin liegt in der Vergangenheit.")
    shortest, longest = APPOINTMENT_MINUTES
    if not shortest <= duration_minutes <= longest:
        errors["duration_minutes"] = _("Zwischen %(shortest)s und %(longest)s Minuten.") % {
            "shortest": shortest,
            "longest": longest,
        }
    subject = _short_text(errors, "subject", subject, required=True)
    place = _short_text(errors, "place", place, required=False)
    with_whom = _short_text(errors, "with_whom", with_whom, required=False)
    _refuse(errors)
    appointment = Appointment.objects.create(
        person=file.person,
        organisation=org,
        worker=_worker(viewer, org, worker),
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        place=place,
        with_whom=with_whom,
        subject=subject,
        created_by_id=viewer.user_id,
    )
    _audit_change(viewer, file, ["appointments"], view=view)
    return appointment


@transaction.atomic
def appointment_status_as(
    viewer: Viewer,
    *,
    appointment_id: int,
    status: str,
    view: str,
    public_id: str | None = None,
    now: dt.datetime | None = None,
) -> Appointment:
    """Record that an appointment was held or cancelled (or is planned again). An
    appointment that has not begun cannot have been held."""
    moment = now or timezone.now()
    appointment, file = _item_to_change(
        viewer, Appointment.objects.select_for_update(), appointment_id, public_id
    )
    if status not in AppointmentStatus.values:
        raise ValidationError(
            {"status": _("Unbekannter Status „%(status)s“.") % {"status": status}}
        )
    if status == AppointmentStatus.HELD and appointment.starts_at > moment:
        raise ValidationError({"status": _("Der Termin hat noch nicht begonnen.")})
    if appointment.status != status:
        appointment.status = status
        appointment.status_changed_at = moment
        appointment.save(update_fields=["status", "status_changed_at"])
    _audit_change(viewer, file, ["appointments"], view=view)
    return appointment


def appointment_cancel_as(
    viewer: Viewer, *, appointment_id: int, view: str, public_id: str | None = None
) -> Appointment:
    return appointment_status_as(
        viewer,
        appointment_id=appointment_id,
        status=AppointmentStatus.CANCELLED,
        view=view,
        public_id=public_id,
    )


@transaction.atomic
def responsibility_set_as(
    viewer: Viewer,
    *,
    public_id: str,
    view: str = "casework.responsibility_set",
    worker: WorkerRef = None,
    organisation: str | None = None,
) -> Responsibility:
    """Make ``worker`` (default: the viewer — "Fall übernehmen") the responsible
    worker of the viewer's organisation for this person, replacing whoever was."""
    file, org = _case_for_new_work(viewer, public_id, organisation, today=None)
    user = _worker(viewer, org, worker)
    responsibility = (
        Responsibility.objects.select_for_update()
        .filter(person=file.person, organisation=org)
        .first()
    )
    if responsibility is None:
        responsibility = Responsibility.objects.create(
            person=file.person, organisation=org, worker=user, set_by_id=viewer.user_id
        )
    elif responsibility.worker_id != user.pk:
        responsibility.worker = user
        responsibility.since = timezone.now()
        responsibility.set_by_id = viewer.user_id
        responsibility.save(update_fields=["worker", "since", "set_by"])
    _audit_change(viewer, file, ["responsible_worker"], view=view)
    return responsibility
