"""Case work in the person's DSGVO rights: the Art. 15 export holds every
organisation's notes, follow-ups and appointments; erasure removes them and keeps the
audit trail."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User

from doconnect.casework.models import Appointment, CaseNote, FollowUp, Responsibility
from doconnect.casework.services import (
    appointment_create_as,
    follow_up_create_as,
    note_correct_as,
    responsibility_set_as,
)
from doconnect.core.models import AuditEvent
from doconnect.core.viewers import viewer_for
from doconnect.people.models import Consent, Person
from doconnect.people.privacy import person_data_export, person_erase
from tests.casework.conftest import today, write_note
from tests.conftest import City


def worked_on_by_two_organisations(
    city: City, case_worker: User, provider_staff: User, shared_person: Person
) -> None:
    """The Jobcenter and provider A each note, plan and take over; the city consents too
    so its coordinator may hand out and erase the file."""
    Consent.objects.get(person=shared_person).organisations.add(city.city)
    first = write_note(case_worker, shared_person, "Jobcenter: erste Fassung")
    note_correct_as(
        viewer_for(case_worker),
        note_id=first.pk,
        conversation_on=first.conversation_on,
        purpose="phone",
        text="Jobcenter: korrigiert",
        view="tests",
    )
    write_note(provider_staff, shared_person, "Träger: Anwesenheit gut")
    follow_up_create_as(
        viewer_for(case_worker),
        public_id=shared_person.public_id,
        due_on=today() + dt.timedelta(days=3),
        reason="Nachweis anfordern",
        view="tests",
    )
    appointment_create_as(
        viewer_for(provider_staff),
        public_id=shared_person.public_id,
        starts_at=dt.datetime.combine(today() + dt.timedelta(days=1), dt.time(14)),
        subject="Praktikumsauswertung",
        view="tests",
    )
    responsibility_set_as(viewer_for(case_worker), public_id=shared_person.public_id)


def test_the_export_holds_every_organisations_case_work_with_every_version(
    city: City, case_worker: User, provider_staff: User, coordinator: User, shared_person: Person
) -> None:
    worked_on_by_two_organisations(city, case_worker, provider_staff, shared_person)

    data = person_data_export(viewer=viewer_for(coordinator), public_id=shared_person.public_id)

    notes = {(n["organisation"], n["text"]) for n in data["case_notes"]}
    assert notes == {
        ("jc", "Jobcenter: erste Fassung"),
        ("jc", "Jobcenter: korrigiert"),
        ("p-a", "Träger: Anwesenheit gut"),
    }
    corrected = next(n for n in data["case_notes"] if n["text"] == "Jobcenter: korrigiert")
    assert corrected["corrects"] is not None
    assert [f["reason"] for f in data["follow_ups"]] == ["Nachweis anfordern"]
    assert [a["subject"] for a in data["appointments"]] == ["Praktikumsauswertung"]
    assert data["responsible_workers"][0]["worker"] == "case_worker"


def test_erasure_removes_the_case_work_and_keeps_the_audit_trail(
    city: City, case_worker: User, provider_staff: User, coordinator: User, shared_person: Person
) -> None:
    worked_on_by_two_organisations(city, case_worker, provider_staff, shared_person)
    public_id = shared_person.public_id

    person_erase(viewer=viewer_for(coordinator), public_id=public_id, reason="Antrag")

    for model in (CaseNote, FollowUp, Appointment, Responsibility):
        assert not model.objects.exists(), model.__name__
    actions = set(
        AuditEvent.objects.filter(person_public_id=public_id).values_list("action", flat=True)
    )
    assert {"change", "erase"} <= actions
