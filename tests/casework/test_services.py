"""The case-work services and selectors: who may write, who sees what, corrections,
follow-ups, appointments, responsible workers; each write and read audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from doconnect.casework.access import case_file, open_case_file
from doconnect.casework.models import Appointment, CaseNote, FollowUp, Responsibility
from doconnect.casework.selectors import (
    case_notes,
    my_cases,
    responsible_workers,
    visible_appointments,
    visible_follow_ups,
)
from doconnect.casework.services import (
    appointment_cancel_as,
    appointment_create_as,
    appointment_status_as,
    follow_up_create_as,
    follow_up_done_as,
    note_correct_as,
    note_create_as,
    responsibility_set_as,
)
from doconnect.core.models import AuditEvent
from doconnect.core.viewers import viewer_for
from doconnect.people.access import PersonNotFound
from doconnect.people.models import Person
from doconnect.people.services import consent_withdraw
from tests.casework.conftest import today, write_note
from tests.conftest import City, make_person


def notes_seen_by(user: User, person: Person) -> list[str]:
    viewer = viewer_for(user)
    return [e.note.text for e in case_notes(viewer, case_file(viewer, person.public_id), view="t")]


# -- notes -------------------------------------------------------------------------------
def test_a_case_worker_writes_a_note_for_the_jobcenter_and_it_is_audited(
    city: City, case_worker: User, client_of_jobcenter: Person
) -> None:
    note = write_note(case_worker, client_of_jobcenter, "Bewerbungsunterlagen besprochen.")

    assert note.organisation == city.jobcenter
    assert note.author == case_worker
    assert note.author_name == "case_worker"
    event = AuditEvent.objects.get(person_public_id=client_of_jobcenter.public_id, action="change")
    assert event.fields == ["notes"] and event.actor_username == "case_worker"


def test_a_colleague_of_the_same_organisation_reads_the_note(
    case_worker: User, jobcenter_colleague: User, client_of_jobcenter: Person
) -> None:
    write_note(case_worker, client_of_jobcenter, "Termin beim Berufskolleg vereinbart.")

    assert notes_seen_by(jobcenter_colleague, client_of_jobcenter) == [
        "Termin beim Berufskolleg vereinbart."
    ]


def test_every_read_of_the_notes_writes_an_audit_event(
    case_worker: User, client_of_jobcenter: Person
) -> None:
    write_note(case_worker, client_of_jobcenter)

    notes_seen_by(case_worker, client_of_jobcenter)
    notes_seen_by(case_worker, client_of_jobcenter)

    reads = AuditEvent.objects.filter(
        person_public_id=client_of_jobcenter.public_id, action="read", fields=["notes"]
    )
    assert reads.count() == 2


def test_a_provider_and_the_jobcenter_never_see_each_others_notes_of_the_same_person(
    case_worker: User, provider_staff: User, shared_person: Person
) -> None:
    write_note(case_worker, shared_person, "Vermerk des Jobcenters")
    write_note(provider_staff, shared_person, "Vermerk des Trägers")

    assert notes_seen_by(case_worker, shared_person) == ["Vermerk des Jobcenters"]
    assert notes_seen_by(provider_staff, shared_person) == ["Vermerk des Trägers"]


def test_a_note_disappears_when_the_consent_covering_its_organisation_is_withdrawn(
    city: City, case_worker: User, coordinator: User
) -> None:
    person = make_person(city, consent_orgs=[city.city])
    note = write_note(coordinator, person, "Fallkonferenz vorbereitet.")
    assert notes_seen_by(coordinator, person) == ["Fallkonferenz vorbereitet."]

    consent_withdraw(consent=person.consents.get())

    # The coordinator still sees the pseudonymous record, but no case work on it.
    with pytest.raises(PermissionDenied):
        open_case_file(viewer_for(coordinator), person.public_id)
    assert not case_file(viewer_for(coordinator), person.public_id).open
    assert CaseNote.objects.filter(pk=note.pk).exists()  # kept, only no longer shown


def test_analysts_and_admins_never_write_notes(
    city: City, analyst: User, platform_admin: User, client_of_jobcenter: Person
) -> None:
    with pytest.raises(PermissionDenied):
        write_note(analyst, client_of_jobcenter)
    with pytest.raises(PersonNotFound):
        write_note(platform_admin, client_of_jobcenter)
    assert not CaseNote.objects.exists()


def test_a_coordinator_without_consent_for_the_city_may_not_write_a_note(
    coordinator: User, client_of_jobcenter: Person
) -> None:
    with pytest.raises(PermissionDenied):
        write_note(coordinator, client_of_jobcenter)


def test_provider_staff_write_only_on_their_own_participants(
    city: City, provider_staff: User, other_provider_staff: User, shared_person: Person
) -> None:
    assert write_note(provider_staff, shared_person).organisation == city.provider_a
    with pytest.raises(PersonNotFound):
        write_note(other_provider_staff, shared_person)


def test_a_note_about_a_conversation_tomorrow_or_without_text_is_refused_by_field(
    case_worker: User, client_of_jobcenter: Person
) -> None:
    with pytest.raises(ValidationError) as refused:
        note_create_as(
            viewer_for(case_worker),
            public_id=client_of_jobcenter.public_id,
            conversation_on=today() + dt.timedelta(days=1),
            purpose="gossip",
            text="   ",
            view="tests",
        )
    assert set(refused.value.message_dict) == {"conversation_on", "purpose", "text"}
    assert not CaseNote.objects.exists()
    assert not AuditEvent.objects.filter(action="change").exists()


# -- corrections -------------------------------------------------------------------------
def correct(user: User, note: CaseNote, text: str, **kwargs: object) -> CaseNote:
    return note_correct_as(
        viewer_for(user),
        note_id=note.pk,
        conversation_on=note.conversation_on,
        purpose=note.purpose,
        text=text,
        view="tests",
        **kwargs,  # type: ignore[arg-type]
    )


def test_the_author_corrects_a_note_on_its_first_day_and_the_original_stays(
    case_worker: User, client_of_jobcenter: Person
) -> None:
    original = write_note(case_worker, client_of_jobcenter, "Termin am Dienstag.")

    correct(case_worker, original, "Termin am Donnerstag.")

    viewer = viewer_for(case_worker)
    (entry,) = case_notes(viewer, case_file(viewer, client_of_jobcenter.public_id), view="t")
    assert entry.note.text == "Termin am Donnerstag."
    assert [earlier.text for earlier in entry.earlier] == ["Termin am Dienstag."]
    assert CaseNote.objects.get(pk=original.pk).text == "Termin am Dienstag."


def test_only_the_author_may_correct_a_note(
    case_worker: User, jobcenter_colleague: User, client_of_jobcenter: Person
) -> None:
    note = write_note(case_worker, client_of_jobcenter)
    with pytest.raises(PermissionDenied):
        correct(jobcenter_colleague, note, "Anders gemeint.")
    assert CaseNote.objects.count() == 1


def test_a_note_cannot_be_corrected_after_its_first_day(
    case_worker: User, client_of_jobcenter: Person
) -> None:
    note = write_note(case_worker, client_of_jobcenter)
    tomorrow = timezone.now() + dt.timedelta(hours=25)
    with pytest.raises(ValidationError, match="ersten Tag"):
        correct(case_worker, note, "Zu spät.", now=tomorrow)


def test_a_corrected_version_cannot_be_corrected_again_only_the_new_one(
    case_worker: User, client_of_jobcenter: Person
) -> None:
    note = write_note(case_worker, client_of_jobcenter)
    newer = correct(case_worker, note, "Zweite Fassung.")
    with pytest.raises(ValidationError, match="schon korrigiert"):
        correct(case_worker, note, "Dritte Fassung.")
    assert correct(case_worker, newer, "Dritte Fassung.").corrects == newer


def test_another_organisations_note_is_not_found_for_a_correction(
    case_worker: User, provider_staff: User, shared_person: Person
) -> None:
    note = write_note(case_worker, shared_person)
    with pytest.raises(PersonNotFound):
        correct(provider_staff, note, "Fremder Vermerk.")


# -- follow-ups --------------------------------------------------------------------------
def set_follow_up(user: User, person: Person, **kwargs: object) -> FollowUp:
    values: dict[str, object] = {
        "due_on": today() + dt.timedelta(days=7),
        "reason": "Nachfragen, ob die Bewerbung raus ist",
        "view": "tests",
    }
    values.update(kwargs)
    return follow_up_create_as(viewer_for(user), public_id=person.public_id, **values)  # type: ignore[arg-type]


def test_a_follow_up_is_for_the_case_worker_by_default_and_audited(
    case_worker: User, client_of_jobcenter: Person
) -> None:
    follow_up = set_follow_up(case_worker, client_of_jobcenter)

    assert follow_up.worker == case_worker and not follow_up.is_done
    assert AuditEvent.objects.filter(action="change", fields=["follow_ups"]).count() == 1


def test_a_follow_up_goes_to_a_colleague_but_never_to_another_organisations_worker(
    case_worker: User, jobcenter_colleague: User, provider_staff: User, shared_person: Person
) -> None:
    assert set_follow_up(case_worker, shared_person, worker="colleague").worker == (
        jobcenter_colleague
    )
    with pytest.raises(ValidationError) as refused:
        set_follow_up(case_worker, shared_person, worker="provider_staff")
    assert list(refused.value.message_dict) == ["worker"]


def test_a_follow_up_in_the_past_or_without_a_reason_is_refused(
    case_worker: User, client_of_jobcenter: Person
) -> None:
    with pytest.raises(ValidationError) as refused:
        set_follow_up(
            case_worker, client_of_jobcenter, due_on=today() - dt.timedelta(days=1), reason=" "
        )
    assert set(refused.value.message_dict) == {"due_on", "reason"}


def test_a_colleague_marks_a_follow_up_done_and_it_can_be_opened_again(
    case_worker: User, jobcenter_colleague: User, client_of_jobcenter: Person
) -> None:
    follow_up = set_follow_up(case_worker, client_of_jobcenter)

    done = follow_up_done_as(viewer_for(jobcenter_colleague), follow_up_id=follow_up.pk, view="t")
    assert done.is_done and done.done_by == jobcenter_colleague

    reopened = follow_up_done_as(
        viewer_for(case_worker), follow_up_id=follow_up.pk, done=False, view="t"
    )
    assert not reopened.is_done


def test_another_organisations_follow_up_is_not_found(
    case_worker: User, provider_staff: User, shared_person: Person
) -> None:
    follow_up = set_follow_up(case_worker, shared_person)
    with pytest.raises(PersonNotFound):
        follow_up_done_as(viewer_for(provider_staff), follow_up_id=follow_up.pk, view="t")
    assert not FollowUp.objects.get(pk=follow_up.pk).is_done


def test_follow_ups_across_persons_stop_showing_when_the_consent_ends(
    city: City, case_worker: User, client_of_jobcenter: Person
) -> None:
    follow_up = set_follow_up(case_worker, client_of_jobcenter)
    assert list(visible_follow_ups(viewer_for(case_worker))) == [follow_up]

    consent_withdraw(consent=client_of_jobcenter.consents.get())

    assert list(visible_follow_ups(viewer_for(case_worker))) == []


# -- appointments ------------------------------------------------------------------------
def make_appointment(user: User, person: Person, **kwargs: object) -> Appointment:
    values: dict[str, object] = {
        "starts_at": dt.datetime.combine(today() + dt.timedelta(days=2), dt.time(10, 30)),
        "subject": "Bewerbungstraining",
        "place": "Jobcenter, Raum 2.14",
        "with_whom": "Person und Mutter",
        "duration_minutes": 45,
        "view": "tests",
    }
    values.update(kwargs)
    return appointment_create_as(viewer_for(user), public_id=person.public_id, **values)  # type: ignore[arg-type]


def test_an_appointment_is_made_in_the_citys_time_and_audited(
    case_worker: User, client_of_jobcenter: Person
) -> None:
    appointment = make_appointment(case_worker, client_of_jobcenter)

    local = timezone.localtime(appointment.starts_at)
    assert (local.hour, local.minute) == (10, 30)
    assert appointment.ends_at - appointment.starts_at == dt.timedelta(minutes=45)
    assert appointment.status == "planned" and appointment.worker == case_worker
    assert AuditEvent.objects.filter(action="change", fields=["appointments"]).exists()
    assert list(visible_appointments(viewer_for(case_worker))) == [appointment]


def test_an_appointment_in_the_past_too_long_or_without_subject_is_refused(
    case_worker: User, client_of_jobcenter: Person
) -> None:
    with pytest.raises(ValidationError) as refused:
        make_appointment(
            case_worker,
            client_of_jobcenter,
            starts_at=dt.datetime.combine(today() - dt.timedelta(days=1), dt.time(9)),
            duration_minutes=900,
            subject="",
        )
    assert set(refused.value.message_dict) == {"starts_at", "duration_minutes", "subject"}


def test_an_appointment_is_cancelled_but_not_held_before_it_begins(
    case_worker: User, client_of_jobcenter: Person
) -> None:
    appointment = make_appointment(case_worker, client_of_jobcenter)
    viewer = viewer_for(case_worker)
    with pytest.raises(ValidationError, match="noch nicht begonnen"):
        appointment_status_as(viewer, appointment_id=appointment.pk, status="held", view="t")

    assert appointment_cancel_as(viewer, appointment_id=appointment.pk, view="t").status == (
        "cancelled"
    )
    later = appointment.starts_at + dt.timedelta(hours=1)
    held = appointment_status_as(
        viewer, appointment_id=appointment.pk, status="held", view="t", now=later
    )
    assert held.status == "held"


# -- responsible workers -----------------------------------------------------------------
def test_a_case_worker_takes_a_case_over_and_hands_it_to_a_colleague(
    case_worker: User, jobcenter_colleague: User, client_of_jobcenter: Person
) -> None:
    viewer = viewer_for(case_worker)
    taken = responsibility_set_as(viewer, public_id=client_of_jobcenter.public_id)
    assert taken.worker == case_worker
    assert list(my_cases(viewer)) == [client_of_jobcenter]

    responsibility_set_as(
        viewer, public_id=client_of_jobcenter.public_id, worker=jobcenter_colleague
    )

    assert Responsibility.objects.get().worker == jobcenter_colleague  # one per organisation
    assert list(my_cases(viewer)) == []
    assert list(my_cases(viewer_for(jobcenter_colleague))) == [client_of_jobcenter]
    assert AuditEvent.objects.filter(action="change", fields=["responsible_worker"]).count() == 2


def test_each_organisation_has_its_own_responsible_worker_and_sees_only_its_own(
    case_worker: User, provider_staff: User, shared_person: Person
) -> None:
    responsibility_set_as(viewer_for(case_worker), public_id=shared_person.public_id)
    responsibility_set_as(viewer_for(provider_staff), public_id=shared_person.public_id)

    assert Responsibility.objects.count() == 2
    assert responsible_workers(viewer_for(case_worker), [shared_person.pk]) == {
        shared_person.pk: ["case_worker"]
    }
    assert responsible_workers(viewer_for(provider_staff), [shared_person.pk]) == {
        shared_person.pk: ["provider_staff"]
    }


def test_a_worker_outside_the_organisation_cannot_be_made_responsible(
    case_worker: User, analyst: User, client_of_jobcenter: Person
) -> None:
    with pytest.raises(ValidationError) as refused:
        responsibility_set_as(
            viewer_for(case_worker), public_id=client_of_jobcenter.public_id, worker=analyst.pk
        )
    assert list(refused.value.message_dict) == ["worker"]
    assert not Responsibility.objects.exists()
