"""Issue #17: a long task list comes in pages of 50, soonest first; a page reads (and
audits) only the persons on it, and every page needs the same queries."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.auth.models import User

from doconnect.casework.task_views import TASKS_PER_PAGE
from doconnect.core.models import AuditEvent, AuditEventPerson
from tests.casework.task_helpers import days, follow_up
from tests.conftest import City, count_queries, logged_in, make_person


@pytest.fixture
def crowded(city: City, case_worker: User) -> City:
    """52 follow-ups of the case worker: 2 overdue, 50 due over the next days."""
    for i in range(TASKS_PER_PAGE + 2):
        person = make_person(city, given_name=f"Name{i}", consent_orgs=[city.jobcenter])
        follow_up(case_worker, person, due_on=days(-1 if i < 2 else 1 + i % 10))
    return city


def tasks_on(body: str) -> int:
    return len(re.findall(r'<li id="task-', body))


def test_the_tasks_come_in_pages_of_fifty_soonest_first(crowded: City, case_worker: User) -> None:
    client = logged_in(case_worker)
    first = client.get("/tasks/").content.decode()
    assert tasks_on(first) == TASKS_PER_PAGE
    assert 'id="tasks-overdue"' in first
    assert "2 Aufgaben sind heute fällig oder überfällig." in first  # counted over all pages
    (next_url,) = re.findall(r'href="([^"]+)" rel="next"', first)
    second = client.get("/tasks/" + html.unescape(next_url)).content.decode()
    assert tasks_on(second) == 2 and 'id="tasks-overdue"' not in second
    assert "Seite 2 von 2 (52 Aufgaben)" in second


def test_the_filter_stays_in_the_page_links(crowded: City, case_worker: User) -> None:
    body = logged_in(case_worker).get("/tasks/?kind=follow_up").content.decode()
    (next_url,) = re.findall(r'href="([^"]+)" rel="next"', body)
    assert "kind=follow_up" in html.unescape(next_url) and "page=2" in next_url


def persons_audited(view: str) -> set[str]:
    """Every person an audit event of ``view`` names (alone, or among several)."""
    events = AuditEvent.objects.filter(view=view)
    alone = set(events.exclude(person_public_id="").values_list("person_public_id", flat=True))
    among = AuditEventPerson.objects.filter(event__in=events)
    return alone | set(among.values_list("person_public_id", flat=True))


def test_a_page_audits_only_the_persons_on_it(crowded: City, case_worker: User) -> None:
    body = logged_in(case_worker).get("/tasks/?page=2").content.decode()
    shown = set(re.findall(r"\((P-[A-Z0-9]+)\)", body))
    assert len(shown) == 2
    assert persons_audited("web.tasks") == shown


def test_every_page_needs_the_same_queries(crowded: City, case_worker: User) -> None:
    client = logged_in(case_worker)
    client.get("/tasks/")  # a session's first page may do once what later ones need not
    assert count_queries(client, "/tasks/") == count_queries(client, "/tasks/?page=2")
