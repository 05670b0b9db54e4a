"""The case-work endpoints through the real HTTP layer with bearer tokens: notes,
follow-ups, appointments and the responsible worker; the same rules as the pages."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from doconnect.casework.models import Appointment, CaseNote, FollowUp
from doconnect.core.models import AuditEvent
from doconnect.people.models import Person
from doconnect.people.services import consent_withdraw
from tests.apiclient import BearerClient
from tests.casework.conftest import today, write_note


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body, default=str), content_type="application/json")


def patch(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.patch(url, json.dumps(body), content_type="application/json")


def put(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.put(url, json.dumps(body), content_type="application/json")


NOTE = {"conversation_on": None, "purpose": "counselling", "text": "Ziele besprochen."}


def a_note(**changes: Any) -> dict[str, Any]:
    return {**NOTE, "conversation_on": today().isoformat(), **changes}


def test_a_case_worker_writes_and_reads_notes_and_each_read_is_audited(
    bearer: BearerClient, case_worker: User, client_of_jobcenter: Person
) -> None:
    client = bearer(case_worker)
    url = f"/api/persons/{client_of_jobcenter.public_id}/notes"

    created = post(client, url, a_note())
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["organisation"], body["text"], body["author"]) == (
        "jc",
        "Ziele besprochen.",
        "case_worker",
    )

    listed = client.get(url)
    assert listed.status_code == 200
    assert [n["text"] for n in listed.json()] == ["Ziele besprochen."]
    assert AuditEvent.objects.filter(
        person_public_id=client_of_jobcenter.public_id,
        action="read",
        fields=["notes"],
        view="api.casework_notes",
    ).exists()


def test_a_providers_staff_gets_none_of_the_jobcenters_notes_of_the_same_person(
    bearer: BearerClient, case_worker: User, provider_staff: User, shared_person: Person
) -> None:
    write_note(case_worker, shared_person, "Jobcenter intern")
    post(
        bearer(provider_staff),
        f"/api/persons/{shared_person.public_id}/notes",
        a_note(text="Träger intern"),
    )

    provider_view = bearer(provider_staff).get(f"/api/persons/{shared_person.public_id}/notes")
    jobcenter_view = bearer(case_worker).get(f"/api/persons/{shared_person.public_id}/notes")

    assert [n["text"] for n in provider_view.json()] == ["Träger intern"]
    assert [n["text"] for n in jobcenter_view.json()] == ["Jobcenter intern"]
    assert (
        "Jobcenter intern"
        not in bearer(provider_staff)
        .get(f"/api/persons/{shared_person.public_id}")
        .content.decode()
    )


def test_notes_are_refused_once_the_consent_covering_the_organisation_is_withdrawn(
    bearer: BearerClient, case_worker: User, client_of_jobcenter: Person
) -> None:
    write_note(case_worker, client_of_jobcenter)
    consent_withdraw(consent=client_of_jobcenter.consents.get())

    response = bearer(case_worker).get(f"/api/persons/{client_of_jobcenter.public_id}/notes")

    assert response.status_code == 404  # the Jobcenter no longer sees the person at all


def test_an_analyst_gets_403_and_an_invisible_person_404_and_nobody_writes(
    bearer: BearerClient,
    analyst: User,
    other_provider_staff: User,
    client_of_jobcenter: Person,
) -> None:
    url = f"/api/persons/{client_of_jobcenter.public_id}/notes"
    assert bearer(analyst).get(url).status_code == 403
    assert post(bearer(analyst), url, a_note()).status_code == 403
    assert bearer(other_provider_staff).get(url).status_code == 404
    assert post(bearer(other_provider_staff), url, a_note()).status_code == 404
    assert bearer(analyst).get("/api/persons/P-UNKNOWN1/notes").status_code == 404
    assert not CaseNote.objects.exists()


def test_a_note_about_tomorrow_is_422_naming_the_field(
    bearer: BearerClient, case_worker: User, client_of_jobcenter: Person
) -> None:
    response = post(
        bearer(case_worker),
        f"/api/persons/{client_of_jobcenter.public_id}/notes",
        a_note(conversation_on=(today() + dt.timedelta(days=1)).isoformat()),
    )
    # The document states the days a note may be about (up to today): refused at the
    # edge, at the field.
    assert response.status_code == 422
    assert [error["loc"][-1] for error in response.json()["detail"]] == ["conversation_on"]


def test_the_author_corrects_a_note_and_gets_it_with_the_original(
    bearer: BearerClient, case_worker: User, jobcenter_colleague: User, client_of_jobcenter: Person
) -> None:
    note = write_note(case_worker, client_of_jobcenter, "Erste Fassung")
    url = f"/api/persons/{client_of_jobcenter.public_id}/notes/{note.pk}/corrections"

    refused = post(bearer(jobcenter_colleague), url, a_note(text="Fremde Fassung"))
    corrected = post(bearer(case_worker), url, a_note(text="Zweite Fassung"))

    assert refused.status_code == 403
    assert corrected.status_code == 201
    assert corrected.json()["text"] == "Zweite Fassung"
    assert [v["text"] for v in corrected.json()["earlier_versions"]] == ["Erste Fassung"]
    # Already corrected: a conflict with the stored note, not a malformed request.
    assert post(bearer(case_worker), url, a_note(text="Dritte")).status_code == 409


def test_follow_ups_are_set_listed_and_marked_done(
    bearer: BearerClient, case_worker: User, jobcenter_colleague: User, client_of_jobcenter: Person
) -> None:
    client = bearer(case_worker)
    url = f"/api/persons/{client_of_jobcenter.public_id}/follow-ups"

    created = post(
        client, url, {"due_on": today().isoformat(), "reason": "Unterlagen", "worker": "colleague"}
    )
    assert created.status_code == 201, created.content
    assert (created.json()["worker"], created.json()["done"]) == ("colleague", False)

    done = patch(bearer(jobcenter_colleague), f"{url}/{created.json()['id']}", {"done": True})
    assert done.status_code == 200 and done.json()["done"] is True
    assert [f["reason"] for f in client.get(url).json()] == ["Unterlagen"]
    assert AuditEvent.objects.filter(fields=["follow_ups"], action="read").exists()


def test_a_follow_up_for_a_stranger_is_403_and_in_the_past_422(
    bearer: BearerClient, case_worker: User, analyst: User, client_of_jobcenter: Person
) -> None:
    url = f"/api/persons/{client_of_jobcenter.public_id}/follow-ups"
    stranger = post(
        bearer(case_worker),
        url,
        {"due_on": today().isoformat(), "reason": "x", "worker": "analyst"},
    )
    past = post(
        bearer(case_worker),
        url,
        {"due_on": (today() - dt.timedelta(days=2)).isoformat(), "reason": "x"},
    )
    # Who works where is not for the caller to learn: refused for who asks, not 422.
    assert stranger.status_code == 403 and "worker" in stranger.json()["detail"]
    assert past.status_code == 422
    assert [error["loc"][-1] for error in past.json()["detail"]] == ["due_on"]
    assert not FollowUp.objects.exists()


def test_another_organisations_follow_up_is_404_for_a_provider(
    bearer: BearerClient, case_worker: User, provider_staff: User, shared_person: Person
) -> None:
    created = post(
        bearer(case_worker),
        f"/api/persons/{shared_person.public_id}/follow-ups",
        {"due_on": today().isoformat(), "reason": "intern"},
    ).json()

    response = patch(
        bearer(provider_staff),
        f"/api/persons/{shared_person.public_id}/follow-ups/{created['id']}",
        {"done": True},
    )

    assert response.status_code == 404
    assert not FollowUp.objects.get().is_done
    assert (
        bearer(provider_staff).get(f"/api/persons/{shared_person.public_id}/follow-ups").json()
        == []
    )


def test_appointments_are_made_and_cancelled(
    bearer: BearerClient, case_worker: User, client_of_jobcenter: Person
) -> None:
    client = bearer(case_worker)
    url = f"/api/persons/{client_of_jobcenter.public_id}/appointments"
    starts = f"{(today() + dt.timedelta(days=1)).isoformat()}T10:00:00"

    created = post(client, url, {"starts_at": starts, "subject": "Erstgespräch", "place": "Raum 1"})
    assert created.status_code == 201, created.content
    appointment = created.json()
    assert appointment["status"] == "planned" and appointment["duration_minutes"] == 30

    held_too_early = patch(client, f"{url}/{appointment['id']}", {"status": "held"})
    cancelled = patch(client, f"{url}/{appointment['id']}", {"status": "cancelled"})

    assert held_too_early.status_code == 422
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert Appointment.objects.get().status == "cancelled"
    assert [a["subject"] for a in client.get(url).json()] == ["Erstgespräch"]


def test_the_responsible_worker_is_set_and_read_for_the_own_organisation_only(
    bearer: BearerClient, case_worker: User, provider_staff: User, shared_person: Person
) -> None:
    url = f"/api/persons/{shared_person.public_id}/responsible"

    taken = put(bearer(case_worker), url, {})

    assert taken.status_code == 200
    assert (taken.json()["worker"], taken.json()["organisation"]) == ("case_worker", "jc")
    assert [r["worker"] for r in bearer(case_worker).get(url).json()] == ["case_worker"]
    assert bearer(provider_staff).get(url).json() == []
    assert put(bearer(case_worker), url, {"worker": "provider_staff"}).status_code == 403
