"""``GET /api/tasks`` through the real HTTP layer: the caller's tasks from the page's
selector, with its access, its names rule and its audit; ``from``, ``to`` and ``kind``."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from doconnect.core.models import AuditEvent
from doconnect.people.models import Person
from tests.apiclient import BearerClient
from tests.casework.task_helpers import (
    appointment,
    commitment,
    days,
    follow_up,
    sent_referral,
    today,
)
from tests.conftest import City, logged_in, make_person


def tasks(client: Client, query: str = "") -> dict[str, Any]:
    response = client.get(f"/api/tasks{query}")
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def test_the_caller_gets_their_tasks_with_names_where_allowed(
    city: City, case_worker: User, bearer: BearerClient, client_of_jobcenter: Person
) -> None:
    late = follow_up(case_worker, client_of_jobcenter, due_on=days(-1), reason="Lebenslauf")
    body = tasks(bearer(case_worker))
    assert body["today"] == today().isoformat() and body["count"] == 1
    [item] = body["items"]
    assert item == {
        "id": f"follow_up:{late.pk}",
        "kind": "follow_up",
        "kind_label": "Wiedervorlage",
        "due": days(-1).isoformat(),
        "at": None,
        "overdue": True,
        "title": "Wiedervorlage",
        "detail": "Lebenslauf",
        "person": client_of_jobcenter.public_id,
        "person_name": "Jana Jobcenter",
        "url": f"/persons/{client_of_jobcenter.public_id}/follow-ups/#follow-up-{late.pk}",
    }
    assert AuditEvent.objects.filter(
        view="api.tasks", person_public_id=client_of_jobcenter.public_id
    ).exists()


def test_without_personal_data_the_name_key_is_absent(
    city: City, coordinator: User, bearer: BearerClient
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    sent_referral(coordinator, person, city.offer_a)
    [item] = tasks(bearer(coordinator))["items"]
    assert item["kind"] == "referral_waiting" and item["person"] == person.public_id
    assert "person_name" not in item


def test_other_users_tasks_never_show(
    city: City,
    case_worker: User,
    provider_staff: User,
    other_provider_staff: User,
    bearer: BearerClient,
    shared_person: Person,
) -> None:
    follow_up(case_worker, shared_person, due_on=today())
    commitment(city.provider_b, city.city, due_on=days(2))
    assert tasks(bearer(provider_staff))["items"] == []
    [item] = tasks(bearer(other_provider_staff))["items"]
    assert item["kind"] == "commitment" and item["person"] is None


def test_from_to_and_kind_narrow_the_list(
    city: City, case_worker: User, bearer: BearerClient, client_of_jobcenter: Person
) -> None:
    follow_up(case_worker, client_of_jobcenter, due_on=days(-3))
    soon = follow_up(case_worker, client_of_jobcenter, due_on=days(2))
    far = follow_up(case_worker, client_of_jobcenter, due_on=days(40))
    meeting = appointment(case_worker, client_of_jobcenter, on=days(2))
    client = bearer(case_worker)
    ids = [i["id"] for i in tasks(client, f"?from={today()}")["items"]]
    assert ids == [f"follow_up:{soon.pk}", f"appointment:{meeting.pk}"]
    wide = [
        i["id"] for i in tasks(client, f"?from={days(1)}&to={days(60)}&kind=follow_up")["items"]
    ]
    assert wide == [f"follow_up:{soon.pk}", f"follow_up:{far.pk}"]
    both = tasks(client, f"?from={days(1)}&kind=follow_up&kind=appointment")
    assert both["count"] == 2 and both["from"] == days(1).isoformat()


def test_a_bad_window_or_kind_is_refused(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    client = bearer(case_worker)
    backwards = client.get(f"/api/tasks?from={days(3)}&to={days(1)}")
    assert backwards.status_code == 422 and "from" in backwards.json()["detail"]
    assert client.get(f"/api/tasks?to={days(400)}").status_code == 422
    assert client.get("/api/tasks?kind=holiday").status_code == 422
    assert client.get("/api/tasks?from=gestern").status_code == 422


@pytest.mark.parametrize("persona", ["platform_admin", "outsider"])
def test_admins_and_callers_without_membership_get_403(
    persona: str, request: pytest.FixtureRequest, bearer: BearerClient
) -> None:
    assert bearer(request.getfixturevalue(persona)).get("/api/tasks").status_code == 403


def test_an_analyst_gets_commitments_only(
    city: City, analyst: User, coordinator: User, bearer: BearerClient
) -> None:
    person = make_person(city, consent_orgs=[city.statistics], valid_until=days(5))
    sent_referral(coordinator, person, city.offer_a)
    commitment(city.statistics, city.city, due_on=days(1))
    assert [i["kind"] for i in tasks(bearer(analyst))["items"]] == ["commitment"]


def test_without_a_login_the_answer_is_401(city: City) -> None:
    assert Client().get("/api/tasks").status_code == 401


def test_the_browser_session_reads_the_same(
    city: City, case_worker: User, bearer: BearerClient, client_of_jobcenter: Person
) -> None:
    follow_up(case_worker, client_of_jobcenter, due_on=today())
    assert tasks(logged_in(case_worker))["items"] == tasks(bearer(case_worker))["items"]
