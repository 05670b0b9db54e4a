"""The person's case work in their DSGVO rights (called from ``people.privacy``):
the Art. 15 export holds every organisation's notes (with every version),
follow-ups, appointments and responsible workers, because the copy is the person's
right, whoever wrote them; erasure removes them all. The audit trail is not touched
(it names the pseudonym, not the rows)."""

from __future__ import annotations

from typing import Any

from doconnect.casework.models import Appointment, CaseNote, FollowUp, Responsibility
from doconnect.people.models import Person


def export_for(person: Person) -> dict[str, Any]:
    """The person's case work as JSON-ready data, under the export's keys."""
    notes = CaseNote.objects.filter(person=person).select_related("organisation")
    follow_ups = FollowUp.objects.filter(person=person).select_related("organisation", "worker")
    appointments = Appointment.objects.filter(person=person).select_related(
        "organisation", "worker"
    )
    responsibilities = Responsibility.objects.filter(person=person).select_related(
        "organisation", "worker"
    )
    return {
        "case_notes": [
            {
                "id": n.pk,
                "organisation": n.organisation.external_id,
                "author": n.author_name,
                "conversation_on": n.conversation_on.isoformat(),
                "purpose": n.purpose,
                "text": n.text,
                "written_at": n.written_at.isoformat(),
                "corrects": n.corrects_id,
            }
            for n in notes.order_by("written_at", "id")
        ],
        "follow_ups": [
            {
                "organisation": f.organisation.external_id,
                "due_on": f.due_on.isoformat(),
                "reason": f.reason,
                "worker": f.worker.get_username() if f.worker else None,
                "done_at": f.done_at.isoformat() if f.done_at else None,
            }
            for f in follow_ups
        ],
        "appointments": [
            {
                "organisation": a.organisation.external_id,
                "starts_at": a.starts_at.isoformat(),
                "duration_minutes": a.duration_minutes,
                "place": a.place,
                "with_whom": a.with_whom,
                "subject": a.subject,
                "worker": a.worker.get_username() if a.worker else None,
                "status": a.status,
            }
            for a in appointments
        ],
        "responsible_workers": [
            {
                "organisation": r.organisation.external_id,
                "worker": r.worker.get_username(),
                "since": r.since.isoformat(),
            }
            for r in responsibilities
        ],
    }


def erase_for(person: Person) -> None:
    """Delete the person's case work (inside the caller's transaction); a note's
    corrections go with it."""
    CaseNote.objects.filter(person=person).delete()
    FollowUp.objects.filter(person=person).delete()
    Appointment.objects.filter(person=person).delete()
    Responsibility.objects.filter(person=person).delete()
