"""Reminders with a frozen clock: the owner's active members get one mail before the
due date and one once it is overdue, never twice for the same occasion; finished
commitments and far-off ones get none."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from doconnect.core.models import Membership, Role
from doconnect.forum.models import CommitmentReminder
from doconnect.forum.reminders import commitment_reminders_send
from doconnect.forum.services import commitment_update_status
from tests.conftest import TODAY, City
from tests.forum.fixtures import Conference


@pytest.fixture
def addresses(city: City, case_worker: User, provider_staff: User) -> None:
    case_worker.email = "team@jobcenter.example"
    case_worker.save()
    provider_staff.email = "team@traeger-a.example"
    provider_staff.save()
    gone = User.objects.create_user("former", email="former@jobcenter.example", is_active=False)
    Membership.objects.create(user=gone, organisation=city.jobcenter, role=Role.CASE_WORKER)


def test_owners_are_reminded_before_the_due_date_and_when_overdue(
    conference: Conference, addresses: None, mailoutbox: list[Any], settings: Any
) -> None:
    settings.FORUM_REMINDER_DAYS = 14
    report = commitment_reminders_send(today=TODAY)
    assert report.due_soon == [conference.jobcenter_commitment]
    assert report.overdue == [conference.provider_commitment]
    assert sorted(m.to[0] for m in mailoutbox) == [
        "team@jobcenter.example",
        "team@traeger-a.example",
    ]
    jobcenter_mail = next(m for m in mailoutbox if m.to == ["team@jobcenter.example"])
    assert "Zehn Plätze schaffen" in jobcenter_mail.body
    assert "Konzept vorlegen" not in jobcenter_mail.body
    conference.jobcenter_commitment.refresh_from_db()
    assert conference.jobcenter_commitment.reminder_sent_on == TODAY


def test_nobody_is_reminded_twice_for_the_same_occasion(
    conference: Conference, addresses: None, mailoutbox: list[Any]
) -> None:
    commitment_reminders_send(today=TODAY)
    sent = len(mailoutbox)
    again = commitment_reminders_send(today=TODAY + dt.timedelta(days=1))
    assert again.reminded == 0 and len(mailoutbox) == sent
    # Past its due date the Jobcenter's commitment is a new occasion: overdue.
    later = commitment_reminders_send(
        today=conference.jobcenter_commitment.due_on + dt.timedelta(days=1)
    )
    assert later.overdue == [conference.jobcenter_commitment] and later.due_soon == []
    assert CommitmentReminder.objects.count() == 3


def test_the_reminder_days_come_from_the_setting(
    conference: Conference, addresses: None, mailoutbox: list[Any], settings: Any
) -> None:
    settings.FORUM_REMINDER_DAYS = 5
    report = commitment_reminders_send(today=TODAY)
    assert report.days == 5 and report.due_soon == []
    assert report.without_address == []


def test_finished_commitments_are_not_reminded(
    conference: Conference, addresses: None, mailoutbox: list[Any]
) -> None:
    commitment_update_status(commitment=conference.provider_commitment, status="done", by=None)
    report = commitment_reminders_send(today=TODAY)
    assert report.overdue == []


def test_the_command_reminds_for_a_given_day(
    conference: Conference, addresses: None, mailoutbox: list[Any]
) -> None:
    out = StringIO()
    call_command("forum", "remind", "--today", TODAY.isoformat(), stdout=out)
    assert "2 commitments reminded" in out.getvalue()
    assert "2 mails sent" in out.getvalue()
    assert len(mailoutbox) == 2


def test_owners_without_an_address_are_named_and_still_not_reminded_twice(
    conference: Conference, mailoutbox: list[Any]
) -> None:
    out = StringIO()
    call_command("forum", "remind", "--today", TODAY.isoformat(), stdout=out)
    assert "nobody mailed): jc, p-a" in out.getvalue()
    assert mailoutbox == []
    assert commitment_reminders_send(today=TODAY).reminded == 0
