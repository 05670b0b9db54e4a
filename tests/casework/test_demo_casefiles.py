"""The demo city's case files: notes, follow-ups, appointments and responsibilities for
``fallberatung`` and ``traeger`` on persons they may see, drawn from a stream of their
own."""

from __future__ import annotations

import datetime as dt
from functools import cache

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from doconnect.casework.selectors import my_cases, visible_appointments, visible_follow_ups
from doconnect.core.viewers import viewer_for
from doconnect.demo.generator import CityGenerator
from doconnect.demo.organisation_tables import JOBCENTER_ID
from doconnect.demo.rows import Table
from doconnect.demo.services import load_demo_city

LOAD_DAY = dt.date(2027, 3, 15)


@cache
def tables(seed: int = 7) -> dict[str, Table]:
    generator = CityGenerator(seed, 0.05)
    generator.casefile_today = LOAD_DAY
    return {t.label: t for t in generator.tables()}


def rows(label: str) -> list[dict[str, object]]:
    table = tables()[label]
    return [dict(zip(table.fields, row, strict=True)) for row in table.rows]


def test_both_case_working_logins_get_notes_follow_ups_appointments_and_cases() -> None:
    users = CityGenerator(7, 0.05).demo_user_ids
    for label in ("casework.CaseNote", "casework.FollowUp", "casework.Appointment"):
        workers = {r.get("author", r.get("worker")) for r in rows(label)}
        assert workers == {users["fallberatung"], users["traeger"]}, label
    responsible = rows("casework.Responsibility")
    assert {r["worker"] for r in responsible} == {users["fallberatung"], users["traeger"]}
    assert len({(r["person"], r["organisation"]) for r in responsible}) == len(responsible)


def test_some_follow_ups_are_due_on_the_loading_day_and_some_are_overdue() -> None:
    due = [dt.date.fromisoformat(str(r["due_on"])) for r in rows("casework.FollowUp")]
    assert LOAD_DAY in due
    assert any(day < LOAD_DAY for day in due) and any(day > LOAD_DAY for day in due)
    statuses = {r["status"] for r in rows("casework.Appointment")}
    assert statuses == {"planned", "held", "cancelled"}


def test_the_jobcenters_files_are_on_persons_who_consented_to_the_jobcenter() -> None:
    consents = {r["id"]: r for r in rows("people.Consent")}
    covering = {
        consents[consent]["person"]
        for _id, consent, org in tables()["people.Consent.organisations"].rows
        if org == JOBCENTER_ID and consents[consent]["withdrawn_at"] is None
    }
    persons = {r["person"] for r in rows("casework.CaseNote") if r["organisation"] == JOBCENTER_ID}
    assert persons and persons <= covering


def test_the_case_files_change_no_other_row_of_the_city() -> None:
    """The phase comes last and draws from its own stream: leaving it out (or moving the
    loading day) leaves every other table as it was."""
    generator = CityGenerator(7, 0.05)
    without = [
        table for name, build in generator.phases() if name != "casefiles" for table in build()
    ]
    with_files = [t for t in CityGenerator(7, 0.05).tables() if not t.model.startswith("casework.")]
    assert [(t.label, t.rows) for t in without] == [(t.label, t.rows) for t in with_files]


@pytest.mark.django_db
def test_the_loaded_demo_shows_each_login_their_cases_and_what_is_due_today() -> None:
    load_demo_city(seed=2026, scale=0.05)
    today = timezone.localdate()
    for username in ("fallberatung", "traeger"):
        viewer = viewer_for(User.objects.get(username=username))
        assert my_cases(viewer).count() >= 3, username
        due = set(visible_follow_ups(viewer).values_list("due_on", flat=True))
        assert today in due and min(due) < today, username
        assert visible_appointments(viewer).filter(status="planned").exists(), username
