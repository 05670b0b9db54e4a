"""Issue #19: the task page is cut to its 50 in the database (each source's first rows
up to the page's end, ordered there, ``LIMIT``, then merged), not built whole in
Python. Page by page it shows exactly what ``tasks_for`` lists, in the same order, and
it reads the same number of rows from the database however many tasks there are."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from doconnect.casework.tasks import Reading, task_page
from doconnect.core.viewers import viewer_for
from doconnect.people.access_rules import Purpose
from tests.casework.task_helpers import (
    agreement,
    appointment,
    commitment,
    days,
    follow_up,
    sent_referral,
    tasks_of,
)
from tests.conftest import City, make_person

READING = Reading(view="tests.tasks", purpose=Purpose.COUNSELLING)


def _every_kind_on_few_days(city: City, case_worker: User, coordinator: User, n: int) -> None:
    """``n`` persons of the Jobcenter, each with a task of every kind a case worker can
    have, crowded on the same few days so that the order's tie-breaks (time, kind,
    pseudonym, key) decide."""
    for i in range(n):
        person = make_person(
            city, given_name=f"Name{i}", consent_orgs=[city.jobcenter], valid_until=days(i % 3)
        )
        follow_up(case_worker, person, due_on=days(i % 3 - 1))
        follow_up(case_worker, person, due_on=days(i % 3 - 1), reason="Noch einmal")
        appointment(case_worker, person, on=days(i % 3), at=dt.time(8 + i % 4, 15))
        appointment(case_worker, person, on=days(i % 3), at=dt.time(8, 15))
        agreement(
            case_worker,
            person,
            city.jobcenter,
            review_on=days(i % 3),
            person_item_due=days(i % 3 - 2),
            guarantee_due=days(-1),
        )
        sent_referral(case_worker, person, city.offer_a, sent_days_ago=14 + i % 3)
    commitment(city.jobcenter, city.city, due_on=days(0))


def _all_pages(user: User, per_page: int) -> tuple[list[str], int, int]:
    keys: list[str] = []
    number = 1
    while True:
        tasks, page, due = task_page(
            viewer_for(user), number=number, per_page=per_page, reading=READING
        )
        keys.extend(task.key for task in tasks)
        if not page.has_next():
            return keys, page.paginator.count, due
        number += 1


def test_page_by_page_the_tasks_are_those_of_the_list_in_its_order(
    city: City, case_worker: User, coordinator: User
) -> None:
    _every_kind_on_few_days(city, case_worker, coordinator, 5)
    listed = tasks_of(case_worker)
    assert {task.kind for task in listed} >= {
        "follow_up",
        "appointment",
        "agreement_review",
        "agreement_item",
        "referral_waiting",
        "consent_expiring",
        "commitment",
    }
    for per_page in (1, 7, 50):
        keys, count, due = _all_pages(case_worker, per_page)
        assert keys == [task.key for task in listed]
        assert count == len(listed)
        assert due == sum(1 for task in listed if task.due <= days(0))


def test_the_provider_pages_its_referrals_to_answer_also_without_consent(
    city: City, coordinator: User, provider_staff: User
) -> None:
    for i in range(3):
        person = make_person(city, given_name=f"Ohne{i}", consent_orgs=[city.jobcenter])
        sent_referral(coordinator, person, city.offer_a, sent_days_ago=i)
    listed = tasks_of(provider_staff)
    keys, count, _due = _all_pages(provider_staff, 2)
    assert keys == [task.key for task in listed] and count == 3
    assert all(task.person is None for task in listed)


def _queries_of_first_page(user: User) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        tasks, _page, _due = task_page(viewer_for(user), number=1, per_page=50, reading=READING)
    assert {task.kind for task in tasks} == {"follow_up", "appointment"}
    return [query["sql"] for query in captured.captured_queries]


def _follow_up_and_appointment(
    city: City, case_worker: User, n: int, *, appointments: bool = True
) -> None:
    for i in range(n):
        person = make_person(city, given_name=f"Name{i}", consent_orgs=[city.jobcenter])
        follow_up(case_worker, person, due_on=days(-1))
        if appointments:
            appointment(case_worker, person, on=days(2))


def test_the_page_asks_the_same_queries_for_many_tasks_as_for_few_and_cuts_in_the_database(
    city: City, case_worker: User
) -> None:
    # The rows of a page are loaded one query per kind on it, and the audit writes one
    # insert per set of fields shown (two for several persons): both pages hold the same
    # two kinds, and several persons with a follow-up alone and several with both.
    _follow_up_and_appointment(city, case_worker, 2)
    _follow_up_and_appointment(city, case_worker, 2, appointments=False)
    few = _queries_of_first_page(case_worker)
    _follow_up_and_appointment(city, case_worker, 40)  # 84 tasks: the page holds 50
    many = _queries_of_first_page(case_worker)
    assert len(many) == len(few)
    # Each source's first 50 in order, one query each (in a transaction nothing is kept).
    firsts = [sql for sql in many if "LIMIT 50" in sql]
    # A case worker has no referrals to answer (provider staff do): 7 of the 8 sources.
    assert len(firsts) == 7 and all("ORDER BY" in sql for sql in firsts)
