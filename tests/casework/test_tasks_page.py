"""The task page ``/tasks/`` ("Aufgaben"), its count in the navigation and the settings
page ``/tasks/settings/``: who gets them, what they show, and that they stay cheap — the
navigation is on every page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from doconnect.core.models import AuditEvent, UserPreference
from doconnect.people.models import Person
from tests.casework.task_helpers import (
    appointment,
    commitment,
    days,
    follow_up,
    sent_referral,
    today,
)
from tests.conftest import City, count_queries, logged_in, make_person


def page(client: Client, query: str = "") -> str:
    response = client.get(f"/tasks/{query}")
    assert response.status_code == 200
    return response.content.decode()


def section(body: str, key: str) -> str:
    return body.split(f'id="tasks-{key}"')[1].split("</section>")[0]


# -- who ---------------------------------------------------------------------------------


def test_the_task_page_needs_a_login(city: City) -> None:
    response = Client().get("/tasks/")
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("persona", ["platform_admin", "outsider"])
@pytest.mark.parametrize("path", ["/tasks/", "/tasks/settings/"])
def test_admins_and_users_without_membership_are_refused(
    persona: str, path: str, request: pytest.FixtureRequest
) -> None:
    client = logged_in(request.getfixturevalue(persona))
    assert client.get(path).status_code == 403
    assert 'href="/tasks/"' not in client.get("/offers/").content.decode()


def test_an_analyst_sees_the_conference_commitments_and_no_person(
    city: City, analyst: User, coordinator: User
) -> None:
    person = make_person(city, consent_orgs=[city.statistics], valid_until=days(10))
    sent_referral(coordinator, person, city.offer_a)
    promise = commitment(city.statistics, city.city, due_on=days(3))
    body = page(logged_in(analyst))
    assert f'id="task-commitment-{promise.pk}"' in body
    assert person.public_id not in body


def test_a_user_with_nothing_due_is_told_so(city: City, case_worker: User) -> None:
    assert 'id="no-tasks"' in page(logged_in(case_worker))


# -- what ----------------------------------------------------------------------------------


def test_tasks_are_grouped_by_day_and_link_to_where_the_work_is_done(
    city: City, case_worker: User, client_of_jobcenter: Person
) -> None:
    late = follow_up(case_worker, client_of_jobcenter, due_on=days(-2), reason="Zeugnis holen")
    now = follow_up(case_worker, client_of_jobcenter, due_on=today(), reason="Anrufen")
    body = page(logged_in(case_worker))
    overdue = section(body, "overdue")
    assert f'id="task-follow_up-{late.pk}"' in overdue and "überfällig" in overdue
    assert "Zeugnis holen" in overdue
    assert f'id="task-follow_up-{now.pk}"' in section(body, "today")
    assert f'href="/persons/{client_of_jobcenter.public_id}/follow-ups/#follow-up-{now.pk}"' in body
    # The case worker sees the person with personal data: the name, beside the pseudonym.
    assert f"Jana Jobcenter ({client_of_jobcenter.public_id})" in body
    assert "2 Aufgaben sind heute fällig oder überfällig." in body


def test_names_shown_on_the_page_are_audited(
    city: City, case_worker: User, client_of_jobcenter: Person
) -> None:
    follow_up(case_worker, client_of_jobcenter, due_on=today())
    page(logged_in(case_worker))
    events = AuditEvent.objects.filter(
        view="web.tasks", person_public_id=client_of_jobcenter.public_id
    )
    fields = {field for event in events for field in event.fields}
    assert {"given_name", "family_name", "follow_ups"} <= fields
    assert {event.purpose for event in events} == {"counselling"}


def test_a_provider_sees_its_referral_to_answer_without_the_person_where_no_consent(
    city: City, coordinator: User, provider_staff: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    referral = sent_referral(coordinator, person, city.offer_a)
    body = page(logged_in(provider_staff))
    assert f'id="task-referral_answer-{referral.pk}"' in body
    assert "Person nicht freigegeben" in body and person.public_id not in body


def test_the_page_filters_by_kind(
    city: City, case_worker: User, client_of_jobcenter: Person
) -> None:
    reminder = follow_up(case_worker, client_of_jobcenter, due_on=today())
    meeting = appointment(case_worker, client_of_jobcenter, on=days(1))
    body = page(logged_in(case_worker), "?kind=appointment")
    assert f'id="task-appointment-{meeting.pk}"' in body
    assert f'id="task-follow_up-{reminder.pk}"' not in body
    assert 'value="appointment" class="kern-form-check__checkbox" id="id_kind_1" checked' in body
    assert "Alle Arten zeigen" in body


def test_the_page_speaks_english_when_asked(
    city: City, case_worker: User, client_of_jobcenter: Person
) -> None:
    follow_up(case_worker, client_of_jobcenter, due_on=days(-1))
    body = page(logged_in(case_worker, language="en"))
    assert '<h1 class="kern-heading-large">Tasks</h1>' in body
    assert "Overdue" in body and "Follow-up" in body


# -- the navigation --------------------------------------------------------------------


def test_the_navigation_counts_what_is_due_today_or_overdue(
    city: City, case_worker: User, client_of_jobcenter: Person
) -> None:
    client = logged_in(case_worker)
    assert 'id="nav-task-count"' not in client.get("/offers/").content.decode()
    follow_up(case_worker, client_of_jobcenter, due_on=today())
    follow_up(case_worker, client_of_jobcenter, due_on=days(-1))
    follow_up(case_worker, client_of_jobcenter, due_on=days(2))  # not due yet
    body = client.get("/offers/").content.decode()
    count = body.split('id="nav-task-count"')[1].split("</span></span>")[0]
    assert ">2<" in count and "fällig" in count
    assert 'aria-current="page">Aufgaben' in page(client)


def _nav_queries(client: Client) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/offers/").status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def test_the_navigation_count_is_one_query_on_every_page_however_many_tasks(
    city: City, case_worker: User, provider_staff: User, coordinator: User
) -> None:
    client = logged_in(case_worker)
    empty = _nav_queries(client)
    for n in range(6):
        person = make_person(city, given_name=f"P{n}", consent_orgs=[city.jobcenter])
        follow_up(case_worker, person, due_on=today())
        sent_referral(case_worker, person, city.offer_a, sent_days_ago=14)
    full = _nav_queries(client)
    assert len(full) == len(empty)
    assert sum("UNION ALL" in sql for sql in full) == 1


def _fill(city: City, case_worker: User, n: int) -> None:
    for i in range(n):
        person = make_person(
            city, given_name=f"Name{i}", consent_orgs=[city.jobcenter], valid_until=days(20)
        )
        follow_up(case_worker, person, due_on=days(-1))
        appointment(case_worker, person, on=days(2))
        sent_referral(case_worker, person, city.offer_a)


def test_the_task_page_needs_as_many_queries_for_twenty_four_tasks_as_for_eight(
    city: City, case_worker: User
) -> None:
    # Two persons at least: the audit names several persons in two inserts, one in one.
    _fill(city, case_worker, 2)
    client = logged_in(case_worker)
    few = count_queries(client, "/tasks/")
    _fill(city, case_worker, 4)
    assert count_queries(client, "/tasks/") == few
    assert few <= 25


# -- the settings page -----------------------------------------------------------------


def test_the_digest_is_switched_on_with_the_language_of_the_mails(
    city: City, case_worker: User
) -> None:
    client = logged_in(case_worker)
    body = client.get("/tasks/settings/").content.decode()
    assert "Tägliche Übersicht per E-Mail" in body
    response = client.post(
        "/tasks/settings/", {"action": "preferences", "digest": "on", "language": "en"}
    )
    assert response.status_code == 302
    preference = UserPreference.objects.get(user=case_worker)
    assert preference.digest and preference.language == "en"
    client.post("/tasks/settings/", {"action": "preferences", "language": "de"})
    assert not UserPreference.objects.get(user=case_worker).digest


def test_a_bad_language_is_refused_next_to_the_field(city: City, case_worker: User) -> None:
    response = logged_in(case_worker).post(
        "/tasks/settings/", {"action": "preferences", "digest": "on", "language": "xx"}
    )
    assert response.status_code == 400 and "kern-error" in response.content.decode()
    assert not UserPreference.objects.filter(user=case_worker).exists()


def test_the_calendar_address_is_shown_once_and_can_be_revoked(
    city: City, case_worker: User
) -> None:
    client = logged_in(case_worker)
    shown = client.post("/tasks/settings/", {"action": "calendar_create"}).content.decode()
    found = re.search(r'id="calendar-url"[^>]* value="([^"]+)"', shown)
    assert found is not None
    url = found.group(1)
    assert url.startswith("http://127.0.0.1:8000/calendar/cal_") and url.endswith(".ics")
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    preference = UserPreference.objects.get(user=case_worker)
    assert preference.calendar_token_hash == UserPreference.hash(token)
    again = client.get("/tasks/settings/").content.decode()
    assert token not in again and preference.calendar_token_prefix in again
    client.post("/tasks/settings/", {"action": "calendar_revoke"})
    assert not UserPreference.objects.get(user=case_worker).has_calendar
    assert "Es besteht keine Kalenderadresse." in client.get("/tasks/settings/").content.decode()


def test_an_analyst_has_no_calendar(city: City, analyst: User) -> None:
    client = logged_in(analyst)
    assert "calendar-heading" not in client.get("/tasks/settings/").content.decode()
    assert client.post("/tasks/settings/", {"action": "calendar_create"}).status_code == 403
    assert not UserPreference.objects.filter(user=analyst, calendar_token_hash__isnull=False)


def test_an_appointment_at_a_time_shows_day_and_time(
    city: City, case_worker: User, client_of_jobcenter: Person
) -> None:
    meeting = appointment(case_worker, client_of_jobcenter, on=days(3), at=dt.time(9, 15))
    body = page(logged_in(case_worker))
    row = body.split(f'id="task-appointment-{meeting.pk}"')[1].split("</li>")[0]
    assert "09:15" in row and "Termin um 09:15" in row and "Raum 2.14" in row


def test_the_admin_sees_a_users_digest_setting_but_never_the_calendar_secret(
    city: City, case_worker: User
) -> None:
    from doconnect.core.preferences import calendar_token_create, preference_update

    preference_update(user=case_worker, digest=True, language="de")
    token = calendar_token_create(user=case_worker)
    staff = User.objects.create_superuser("root", password="correct horse battery 1")
    body = logged_in(staff).get(f"/admin/auth/user/{case_worker.pk}/change/").content.decode()
    assert 'name="preference-0-digest"' in body and "checked" in body
    assert token[:10] in body  # the prefix, to recognise it
    assert token not in body and UserPreference.hash(token) not in body
