"""The case-work sections of the person page and the case-work pages: what each
persona sees, the forms (errors next to the fields, nothing saved), and every view's
denied case."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client

from doconnect.casework.models import Appointment, CaseNote, FollowUp, Responsibility
from doconnect.casework.services import appointment_create_as, follow_up_create_as
from doconnect.core.models import AuditEvent
from doconnect.core.viewers import viewer_for
from doconnect.people.models import Person
from tests.casework.conftest import today, write_note
from tests.conftest import City, count_queries, logged_in, make_person


def person_page(user: User, person: Person) -> str:
    response = logged_in(user).get(f"/persons/{person.public_id}/")
    assert response.status_code == 200
    return response.content.decode()


# -- the person page ---------------------------------------------------------------------
def test_a_case_worker_sees_the_notes_follow_ups_and_responsibility_of_the_jobcenter(
    case_worker: User, client_of_jobcenter: Person
) -> None:
    write_note(case_worker, client_of_jobcenter, "Lebenslauf gemeinsam überarbeitet.")

    body = person_page(case_worker, client_of_jobcenter)

    assert 'id="notes-heading"' in body and "Lebenslauf gemeinsam überarbeitet." in body
    assert 'id="follow-ups-heading"' in body and "Wiedervorlage setzen" in body
    assert "Jobcenter – noch niemand zuständig" in body and "Fall übernehmen" in body


def test_showing_the_notes_on_the_person_page_is_audited_as_a_read_of_notes(
    case_worker: User, client_of_jobcenter: Person
) -> None:
    person_page(case_worker, client_of_jobcenter)

    # The page's one read event names the case work its sections showed.
    (fields,) = AuditEvent.objects.filter(
        person_public_id=client_of_jobcenter.public_id, action="read"
    ).values_list("fields", flat=True)
    assert {"notes", "follow_ups", "appointments", "responsible_worker"} <= set(fields)


def test_a_providers_staff_does_not_see_the_jobcenters_notes_of_the_same_person(
    case_worker: User, provider_staff: User, shared_person: Person
) -> None:
    write_note(case_worker, shared_person, "Vertraulich: Schulden angesprochen.")
    follow_up_create_as(
        viewer_for(case_worker),
        public_id=shared_person.public_id,
        due_on=today(),
        reason="Schuldnerberatung nachfragen",
        view="tests",
    )

    body = person_page(provider_staff, shared_person)

    assert 'id="notes-heading"' in body  # the provider's own section, empty
    assert "Vertraulich" not in body and "Schuldnerberatung" not in body
    assert "Noch keine Gesprächsvermerke." in body


def test_an_analyst_and_a_coordinator_without_consent_see_no_case_work_at_all(
    case_worker: User, analyst: User, coordinator: User, client_of_jobcenter: Person
) -> None:
    write_note(case_worker, client_of_jobcenter, "Nur für das Jobcenter.")

    for user in (analyst, coordinator):
        body = person_page(user, client_of_jobcenter)
        assert 'id="notes-heading"' not in body and 'id="follow-ups-heading"' not in body
        assert "Nur für das Jobcenter." not in body and "Fall übernehmen" not in body


def test_the_notes_vanish_from_the_page_when_the_consent_is_withdrawn(
    city: City, case_worker: User, coordinator: User
) -> None:
    person = make_person(city, consent_orgs=[city.city])
    write_note(coordinator, person, "Gespräch mit der Schule geführt.")
    assert "Gespräch mit der Schule geführt." in person_page(coordinator, person)

    logged_in(coordinator).post(
        f"/persons/{person.public_id}/consents/{person.consents.get().pk}/withdraw/"
    )

    body = person_page(coordinator, person)  # still visible, pseudonymously
    assert "Gespräch mit der Schule geführt." not in body and 'id="notes-heading"' not in body


def test_the_person_page_needs_no_more_queries_for_more_case_work(
    case_worker: User, client_of_jobcenter: Person
) -> None:
    client = logged_in(case_worker)
    url = f"/persons/{client_of_jobcenter.public_id}/"
    write_note(case_worker, client_of_jobcenter)
    few = count_queries(client, url)

    for number in range(8):
        write_note(case_worker, client_of_jobcenter, f"Vermerk {number}")
        follow_up_create_as(
            viewer_for(case_worker),
            public_id=client_of_jobcenter.public_id,
            due_on=today() + dt.timedelta(days=number),
            reason=f"Wiedervorlage {number}",
            view="tests",
        )

    assert count_queries(client, url) == few


def test_the_forms_use_date_and_time_inputs_with_iso_values(
    case_worker: User, client_of_jobcenter: Person
) -> None:
    body = person_page(case_worker, client_of_jobcenter)

    assert f'type="date" name="conversation_on" value="{today().isoformat()}"' in body
    assert 'type="date" name="due_on"' in body
    assert 'type="date" name="on"' in body and 'type="time" name="at"' in body


# -- writing from the page ---------------------------------------------------------------
def test_a_note_written_on_the_page_shows_on_the_person_page(
    case_worker: User, client_of_jobcenter: Person
) -> None:
    client = logged_in(case_worker)
    response = client.post(
        f"/persons/{client_of_jobcenter.public_id}/notes/",
        {"conversation_on": today().isoformat(), "purpose": "phone", "text": "Rückruf erledigt."},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/persons/{client_of_jobcenter.public_id}/#notes"
    note = CaseNote.objects.get()
    assert (note.purpose, note.text, note.author) == ("phone", "Rückruf erledigt.", case_worker)
    assert "Rückruf erledigt." in client.get(response["Location"]).content.decode()


def test_a_note_about_tomorrow_comes_back_with_the_error_next_to_the_date(
    case_worker: User, client_of_jobcenter: Person
) -> None:
    response = logged_in(case_worker).post(
        f"/persons/{client_of_jobcenter.public_id}/notes/",
        {
            "conversation_on": (today() + dt.timedelta(days=1)).isoformat(),
            "purpose": "counselling",
            "text": "Noch nicht passiert.",
        },
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "kern-form-input--error" in body and "Das Gespräch liegt in der Zukunft." in body
    assert not CaseNote.objects.exists()


def test_the_author_corrects_a_note_from_the_notes_page(
    case_worker: User, client_of_jobcenter: Person
) -> None:
    note = write_note(case_worker, client_of_jobcenter, "Termin Dienstag.")
    client = logged_in(case_worker)
    assert (
        "Korrigieren"
        in client.get(f"/persons/{client_of_jobcenter.public_id}/notes/").content.decode()
    )

    response = client.post(
        f"/persons/{client_of_jobcenter.public_id}/notes/{note.pk}/correct/",
        {
            "conversation_on": today().isoformat(),
            "purpose": "counselling",
            "text": "Termin Mittwoch.",
        },
    )

    assert response.status_code == 302
    body = client.get(f"/persons/{client_of_jobcenter.public_id}/").content.decode()
    assert "Termin Mittwoch." in body and "Termin Dienstag." in body  # the first version stays
    assert "korrigiert am" in body


def test_a_colleague_is_offered_no_correction_and_refused_one(
    case_worker: User, jobcenter_colleague: User, client_of_jobcenter: Person
) -> None:
    note = write_note(case_worker, client_of_jobcenter)
    client = logged_in(jobcenter_colleague)
    assert (
        "Korrigieren"
        not in client.get(f"/persons/{client_of_jobcenter.public_id}/").content.decode()
    )

    response = client.post(
        f"/persons/{client_of_jobcenter.public_id}/notes/{note.pk}/correct/",
        {"conversation_on": today().isoformat(), "purpose": "counselling", "text": "Fremd."},
    )

    assert response.status_code == 403
    assert CaseNote.objects.count() == 1


def test_a_follow_up_for_a_colleague_is_set_and_marked_done_from_the_page(
    case_worker: User, jobcenter_colleague: User, client_of_jobcenter: Person
) -> None:
    client = logged_in(case_worker)
    response = client.post(
        f"/persons/{client_of_jobcenter.public_id}/follow-ups/",
        {"due_on": today().isoformat(), "reason": "Nachweise prüfen", "worker": "colleague"},
    )
    assert response.status_code == 302
    follow_up = FollowUp.objects.get()
    assert follow_up.worker == jobcenter_colleague
    body = client.get(f"/persons/{client_of_jobcenter.public_id}/").content.decode()
    assert "Nachweise prüfen" in body and "heute fällig" in body and "Kim Kollegin" in body

    client.post(
        f"/persons/{client_of_jobcenter.public_id}/follow-ups/{follow_up.pk}/done/", {"done": "on"}
    )

    assert FollowUp.objects.get().is_done
    assert (
        "Keine offene Wiedervorlage."
        in client.get(f"/persons/{client_of_jobcenter.public_id}/").content.decode()
    )


def test_a_follow_up_for_another_organisations_worker_is_refused_next_to_the_field(
    case_worker: User, provider_staff: User, shared_person: Person
) -> None:
    response = logged_in(case_worker).post(
        f"/persons/{shared_person.public_id}/follow-ups/",
        {"due_on": today().isoformat(), "reason": "x", "worker": "provider_staff"},
    )
    assert response.status_code == 400
    assert "kern-form-input--error" in response.content.decode()
    assert not FollowUp.objects.exists()


def test_an_appointment_is_made_and_cancelled_from_the_page(
    case_worker: User, client_of_jobcenter: Person
) -> None:
    client = logged_in(case_worker)
    day = today() + dt.timedelta(days=3)
    response = client.post(
        f"/persons/{client_of_jobcenter.public_id}/appointments/",
        {
            "on": day.isoformat(),
            "at": "09:15",
            "duration_minutes": "60",
            "subject": "Berufsberatung",
            "place": "Raum 3",
            "with_whom": "",
            "worker": "case_worker",
        },
    )
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.duration_minutes == 60 and appointment.subject == "Berufsberatung"
    assert (
        "Berufsberatung"
        in client.get(f"/persons/{client_of_jobcenter.public_id}/").content.decode()
    )

    client.post(
        f"/persons/{client_of_jobcenter.public_id}/appointments/{appointment.pk}/status/",
        {"status": "cancelled"},
    )

    assert Appointment.objects.get().status == "cancelled"


def test_an_appointment_yesterday_comes_back_with_the_error_next_to_the_date(
    case_worker: User, client_of_jobcenter: Person
) -> None:
    response = logged_in(case_worker).post(
        f"/persons/{client_of_jobcenter.public_id}/appointments/",
        {
            "on": (today() - dt.timedelta(days=1)).isoformat(),
            "at": "09:15",
            "duration_minutes": "30",
            "subject": "Nachgetragen",
            "worker": "case_worker",
        },
    )
    assert response.status_code == 400
    assert "Der Termin liegt in der Vergangenheit." in response.content.decode()
    assert not Appointment.objects.exists()


def test_a_case_worker_takes_the_case_over_with_one_click(
    case_worker: User, client_of_jobcenter: Person
) -> None:
    client = logged_in(case_worker)

    response = client.post(f"/persons/{client_of_jobcenter.public_id}/responsible/")

    assert response.status_code == 302
    assert Responsibility.objects.get().worker == case_worker
    body = client.get(f"/persons/{client_of_jobcenter.public_id}/").content.decode()
    assert "zuständig: <strong>case_worker</strong>" in body and "Fall übernehmen" not in body


def test_the_case_work_pages_list_everything_of_the_organisation(
    case_worker: User, client_of_jobcenter: Person
) -> None:
    write_note(case_worker, client_of_jobcenter, "Alter Vermerk")
    appointment_create_as(
        viewer_for(case_worker),
        public_id=client_of_jobcenter.public_id,
        starts_at=dt.datetime.combine(today(), dt.time(23, 0)),
        subject="Spättermin",
        view="tests",
    )
    client = logged_in(case_worker)

    assert (
        "Alter Vermerk"
        in client.get(f"/persons/{client_of_jobcenter.public_id}/notes/").content.decode()
    )
    for path in ("follow-ups", "appointments"):
        body = client.get(f"/persons/{client_of_jobcenter.public_id}/{path}/").content.decode()
        assert "Spättermin" in body and 'type="time" name="at"' in body
    assert (
        "Zuständigkeit für"
        in client.get(f"/persons/{client_of_jobcenter.public_id}/responsible/").content.decode()
    )


# -- every view's denied case ------------------------------------------------------------
def case_work_urls(
    person: Person, note: CaseNote, follow_up: FollowUp, appointment: Appointment
) -> list[tuple[str, str, dict[str, str]]]:
    pid = person.public_id
    return [
        ("get", f"/persons/{pid}/notes/", {}),
        (
            "post",
            f"/persons/{pid}/notes/",
            {"conversation_on": today().isoformat(), "purpose": "other", "text": "x"},
        ),
        (
            "post",
            f"/persons/{pid}/notes/{note.pk}/correct/",
            {"conversation_on": today().isoformat(), "purpose": "other", "text": "x"},
        ),
        ("get", f"/persons/{pid}/follow-ups/", {}),
        ("post", f"/persons/{pid}/follow-ups/", {"due_on": today().isoformat(), "reason": "x"}),
        ("post", f"/persons/{pid}/follow-ups/{follow_up.pk}/done/", {"done": "on"}),
        ("get", f"/persons/{pid}/appointments/", {}),
        (
            "post",
            f"/persons/{pid}/appointments/",
            {"on": today().isoformat(), "at": "23:00", "duration_minutes": "30", "subject": "x"},
        ),
        ("post", f"/persons/{pid}/appointments/{appointment.pk}/status/", {"status": "cancelled"}),
        ("get", f"/persons/{pid}/responsible/", {}),
        ("post", f"/persons/{pid}/responsible/", {}),
    ]


@pytest.fixture
def worked_case(
    case_worker: User, client_of_jobcenter: Person
) -> tuple[Person, CaseNote, FollowUp, Appointment]:
    viewer = viewer_for(case_worker)
    note = write_note(case_worker, client_of_jobcenter)
    follow_up = follow_up_create_as(
        viewer, public_id=client_of_jobcenter.public_id, due_on=today(), reason="r", view="t"
    )
    appointment = appointment_create_as(
        viewer,
        public_id=client_of_jobcenter.public_id,
        starts_at=dt.datetime.combine(today(), dt.time(23, 0)),
        subject="s",
        view="t",
    )
    return client_of_jobcenter, note, follow_up, appointment


def unchanged(follow_up: FollowUp, appointment: Appointment) -> bool:
    return (
        CaseNote.objects.count() == 1
        and not FollowUp.objects.get(pk=follow_up.pk).is_done
        and FollowUp.objects.count() == 1
        and Appointment.objects.get(pk=appointment.pk).status == "planned"
        and Appointment.objects.count() == 1
        and not Responsibility.objects.exists()
    )


def ask(client: Client, method: str, url: str, data: dict[str, str]) -> int:
    return (client.get(url) if method == "get" else client.post(url, data)).status_code


def test_every_case_work_view_refuses_an_analyst_and_a_coordinator_without_consent(
    worked_case: tuple[Person, CaseNote, FollowUp, Appointment], analyst: User, coordinator: User
) -> None:
    person, note, follow_up, appointment = worked_case
    for user in (analyst, coordinator):
        client = logged_in(user)
        for method, url, data in case_work_urls(person, note, follow_up, appointment):
            assert ask(client, method, url, data) == 403, (user.username, method, url)
    assert unchanged(follow_up, appointment)


def test_every_case_work_view_is_a_404_for_whoever_may_not_see_the_person(
    worked_case: tuple[Person, CaseNote, FollowUp, Appointment],
    provider_staff: User,
    platform_admin: User,
    outsider: User,
) -> None:
    person, note, follow_up, appointment = worked_case
    for user in (provider_staff, platform_admin, outsider):
        client = logged_in(user)
        for method, url, data in case_work_urls(person, note, follow_up, appointment):
            assert ask(client, method, url, data) == 404, (user.username, method, url)
    assert unchanged(follow_up, appointment)


def test_every_case_work_view_sends_an_anonymous_visitor_to_the_login(
    worked_case: tuple[Person, CaseNote, FollowUp, Appointment],
) -> None:
    person, note, follow_up, appointment = worked_case
    for method, url, data in case_work_urls(person, note, follow_up, appointment):
        response = Client().get(url) if method == "get" else Client().post(url, data)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    assert unchanged(follow_up, appointment)


def test_another_organisations_items_are_not_found_for_a_provider_who_sees_the_person(
    case_worker: User, provider_staff: User, shared_person: Person
) -> None:
    viewer = viewer_for(case_worker)
    note = write_note(case_worker, shared_person)
    follow_up = follow_up_create_as(
        viewer, public_id=shared_person.public_id, due_on=today(), reason="r", view="t"
    )
    appointment = appointment_create_as(
        viewer,
        public_id=shared_person.public_id,
        starts_at=dt.datetime.combine(today(), dt.time(23, 0)),
        subject="s",
        view="t",
    )
    client = logged_in(provider_staff)
    pid = shared_person.public_id

    assert (
        client.post(
            f"/persons/{pid}/notes/{note.pk}/correct/",
            {"conversation_on": today().isoformat(), "purpose": "other", "text": "x"},
        ).status_code
        == 404
    )
    assert (
        client.post(f"/persons/{pid}/follow-ups/{follow_up.pk}/done/", {"done": "on"}).status_code
        == 404
    )
    assert (
        client.post(
            f"/persons/{pid}/appointments/{appointment.pk}/status/", {"status": "cancelled"}
        ).status_code
        == 404
    )
    assert unchanged(follow_up, appointment)


def test_the_case_work_sections_speak_english_after_switching_the_language(
    case_worker: User, client_of_jobcenter: Person
) -> None:
    write_note(case_worker, client_of_jobcenter)

    body = (
        logged_in(case_worker, language="en")
        .get(f"/persons/{client_of_jobcenter.public_id}/")
        .content.decode()
    )

    assert "Case notes" in body and "Follow-ups and appointments" in body
    assert "Take the case over" in body and "Counselling session" in body
    assert "Gesprächsvermerke" not in body
