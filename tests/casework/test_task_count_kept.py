"""The task count in the navigation is asked on every page: each source's count is kept
while its tables are unchanged (core.changes.kept_total), outside a transaction as in
production — and it is right again at once after any change."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from doconnect.casework import tasks
from doconnect.casework.tasks import due_count
from doconnect.core.models import Membership, Role
from doconnect.core.viewers import viewer_for
from tests.casework.task_helpers import days, follow_up, sent_referral
from tests.conftest import City, count_queries, logged_in, make_person

BASELINE = "/tasks/settings/"


def nav_count(body: str) -> int:
    found = re.search(r'id="nav-task-count"><span class="kern-label">(\d+)', body)
    return int(found.group(1)) if found else 0


@pytest.fixture
def due(transactional_db: None, city: City, case_worker: User) -> City:
    person = make_person(city, given_name="Fällig", consent_orgs=[city.jobcenter])
    follow_up(case_worker, person, due_on=days(-1))
    return city


def test_the_kept_count_follows_a_new_and_a_removed_follow_up_at_once(
    due: City, case_worker: User
) -> None:
    client = logged_in(case_worker)
    assert nav_count(client.get(BASELINE).content.decode()) == 1
    assert nav_count(client.get(BASELINE).content.decode()) == 1  # kept
    person = make_person(due, given_name="Neu", consent_orgs=[due.jobcenter])
    added = follow_up(case_worker, person, due_on=days(0))
    assert nav_count(client.get(BASELINE).content.decode()) == 2
    added.delete()
    assert nav_count(client.get(BASELINE).content.decode()) == 1


def test_a_page_needs_as_many_queries_for_six_due_tasks_as_for_one(
    due: City, case_worker: User
) -> None:
    client = logged_in(case_worker)
    client.get(BASELINE)  # counts what is kept
    one = count_queries(client, BASELINE)
    for i in range(5):
        person = make_person(due, given_name=f"Mehr{i}", consent_orgs=[due.jobcenter])
        follow_up(case_worker, person, due_on=days(-2))
    recounted = count_queries(client, BASELINE)  # the changed sources, in one query
    assert nav_count(client.get(BASELINE).content.decode()) == 6
    assert count_queries(client, BASELINE) == one
    assert recounted == one + 1


def test_the_kept_sql_of_the_count_is_the_viewers_own_and_the_days_own(
    due: City, case_worker: User
) -> None:
    # The count's SQL is compiled once per viewer, memberships and day and then kept:
    # another case worker, the same one with another role, or tomorrow each get their own.
    person = make_person(due, given_name="Morgen", consent_orgs=[due.jobcenter])
    follow_up(case_worker, person, due_on=days(1))
    viewer = viewer_for(case_worker)
    assert due_count(viewer) == 1
    assert due_count(viewer, today=days(1)) == 2  # tomorrow's follow-up is due then
    assert due_count(viewer) == 1
    elsewhere = User.objects.create_user("fallberatung_b")
    Membership.objects.create(user=elsewhere, organisation=due.provider_b, role=Role.CASE_WORKER)
    assert due_count(viewer_for(elsewhere)) == 0
    Membership.objects.filter(user=case_worker).update(role=Role.PROVIDER_STAFF)
    assert due_count(viewer_for(case_worker)) == 0  # the persons are no participants here


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The task sources whose querysets the task page built (one entry per source)."""
    built: list[str] = []
    sort_columns = tasks._sort_columns

    def counted(kind: str, source: object) -> object:
        built.append(kind)
        return sort_columns(kind, source)  # type: ignore[arg-type]

    monkeypatch.setattr(tasks, "_sort_columns", counted)
    return built


def test_the_task_page_builds_its_queries_once_per_viewer_and_day_and_stays_right(
    due: City, case_worker: User, builds: list[str]
) -> None:
    viewer = viewer_for(case_worker)
    reading = tasks.Reading(view="test", purpose=tasks.PURPOSE)

    def page(day: object = None) -> list[str]:
        found, _page, _due = tasks.task_page(
            viewer, number=1, per_page=50, reading=reading, today=day
        )
        return [t.person_name for t in found]

    assert page() == ["Fällig Beispiel"] and builds
    builds.clear()
    assert page() == ["Fällig Beispiel"] and builds == []  # compiled and rows kept
    person = make_person(due, given_name="Neu", consent_orgs=[due.jobcenter])
    follow_up(case_worker, person, due_on=days(0))
    # The counters changed: counted and read again from the kept SQL, both tasks shown.
    assert sorted(page()) == ["Fällig Beispiel", "Neu Beispiel"]
    builds.clear()
    page(days(1))  # another day: its own SQL
    assert builds


def test_after_a_referral_step_the_task_page_reads_only_the_sources_on_referrals_again(
    due: City, case_worker: User, coordinator: User
) -> None:
    viewer = viewer_for(case_worker)
    reading = tasks.Reading(view="test", purpose=tasks.PURPOSE)

    def page_queries() -> tuple[list[str], list[str]]:
        with CaptureQueriesContext(connection) as captured:
            found, _page, _due = tasks.task_page(viewer, number=1, per_page=50, reading=reading)
        rows = [q["sql"] for q in captured.captured_queries if 'AS "t_due"' in q["sql"]]
        return [t.key for t in found], rows

    other = make_person(due, given_name="Anderswo", consent_orgs=[due.jobcenter])
    before, _rows = page_queries()
    _same, rows = page_queries()
    assert _same == before and rows == []  # every source's rows kept
    sent_referral(coordinator, other, due.offer_a)  # the referral tables change
    after, rows = page_queries()
    assert rows, "the sources on referrals are read again"
    assert all("referrals_referral" in sql for sql in rows)
    assert not any('FROM "casework_followup"' in sql for sql in rows)
    assert after == before  # the follow-up still there; the sent referral is not yet due
