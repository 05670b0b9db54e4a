"""The daily digest (``doconnect tasks digest``): one plain-text mail per user who asked
for it, with what is due today and overdue — pseudonyms, dates and links only, never a
name, a reason or a subject — once per user and day however often it runs."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from doconnect.casework.digest import digests_send
from doconnect.core.models import UserPreference
from doconnect.core.preferences import preference_update
from doconnect.people.models import Person
from tests.casework.task_helpers import (
    appointment,
    commitment,
    days,
    follow_up,
    sent_referral,
    today,
)
from tests.conftest import City
from tests.core.test_settings import run_doconnect


def opt_in(user: User, *, language: str = "de", email: str | None = None) -> None:
    user.email = email if email is not None else f"{user.username}@example.org"
    user.save(update_fields=["email"])
    preference_update(user=user, digest=True, language=language)


def run(*args: str) -> str:
    out = StringIO()
    call_command("tasks", "digest", *args, stdout=out)
    return out.getvalue()


def test_an_opted_in_user_gets_what_is_due_today_and_overdue_without_names(
    city: City, case_worker: User, client_of_jobcenter: Person
) -> None:
    opt_in(case_worker)
    late = follow_up(case_worker, client_of_jobcenter, due_on=days(-2), reason="Zeugnis holen")
    appointment(
        case_worker, client_of_jobcenter, on=today(), at=dt.time(23, 45), subject="Suchtberatung"
    )
    follow_up(case_worker, client_of_jobcenter, due_on=days(3), reason="Nicht heute")
    output = run()
    assert "digest: case_worker: 2 tasks" in output and "1 digest mailed" in output
    [message] = mail.outbox
    assert message.to == ["case_worker@example.org"]
    assert message.subject == f"do-connect: 2 Aufgaben fällig ({today():%d.%m.%Y})"
    body = message.body
    assert client_of_jobcenter.public_id in body
    assert f"{days(-2):%d.%m.%Y}  Wiedervorlage {client_of_jobcenter.public_id}" in body
    assert f"{today():%d.%m.%Y} 23:45  Termin {client_of_jobcenter.public_id}" in body
    assert body.index("Überfällig") < body.index("Heute")
    assert (
        f"http://127.0.0.1:8000/persons/{client_of_jobcenter.public_id}/follow-ups/"
        f"#follow-up-{late.pk}" in body
    )
    assert "http://127.0.0.1:8000/tasks/settings/" in body
    # Pseudonyms and dates only: no name, no reason, no subject, no place.
    for secret in ("Jana", "Jobcenter", "Zeugnis", "Suchtberatung", "Raum 2.14", "Nicht heute"):
        assert secret not in body and secret not in message.subject, secret


def test_running_twice_the_same_day_mails_nobody_twice(
    city: City, case_worker: User, client_of_jobcenter: Person
) -> None:
    opt_in(case_worker)
    follow_up(case_worker, client_of_jobcenter, due_on=today())
    run()
    second = run()
    assert len(mail.outbox) == 1
    assert "already sent today: case_worker" in second and "0 digests mailed" in second
    assert UserPreference.objects.get(user=case_worker).digest_sent_on == today()
    # The next day is a new day.
    follow_up(case_worker, client_of_jobcenter, due_on=days(1))
    run("--today", days(1).isoformat())
    assert len(mail.outbox) == 2


def test_only_users_who_asked_and_have_something_due_get_a_mail(
    city: City,
    case_worker: User,
    jobcenter_colleague: User,
    provider_staff: User,
    coordinator: User,
    client_of_jobcenter: Person,
) -> None:
    opt_in(case_worker)  # nothing due
    follow_up(case_worker, client_of_jobcenter, due_on=today(), worker="colleague")
    jobcenter_colleague.email = "kim@example.org"  # due, but did not ask
    jobcenter_colleague.save()
    opt_in(coordinator, email="")  # asked, but no address
    sent_referral(coordinator, client_of_jobcenter, city.offer_a, sent_days_ago=14)
    output = run()
    assert mail.outbox == []
    assert "0 digests mailed" in output and "1 with nothing due" in output


def test_a_provider_is_told_of_referrals_to_answer_and_commitments_without_persons_it_may_not_see(
    city: City, coordinator: User, provider_staff: User
) -> None:
    from tests.conftest import make_person

    opt_in(provider_staff)
    hidden = make_person(city, given_name="Vera", consent_orgs=[city.jobcenter])
    sent_referral(coordinator, hidden, city.offer_a, sent_days_ago=15)
    commitment(city.provider_a, city.city, due_on=today())
    run()
    [message] = mail.outbox
    assert "Zuweisung beantworten" in message.body and "Zusage der Konferenz" in message.body
    assert hidden.public_id not in message.body and "Vera" not in message.body
    assert "Werkstatt" not in message.body  # what kind of work, not which offer


def test_the_digest_is_written_in_the_language_the_user_chose(
    city: City, case_worker: User, client_of_jobcenter: Person
) -> None:
    opt_in(case_worker, language="en")
    follow_up(case_worker, client_of_jobcenter, due_on=today())
    run()
    [message] = mail.outbox
    assert message.subject.startswith("do-connect: 1 task due")
    assert "Follow-up" in message.body and "Wiedervorlage" not in message.body


def test_a_failed_send_leaves_the_day_for_the_next_run(
    city: City, case_worker: User, client_of_jobcenter: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    opt_in(case_worker)
    follow_up(case_worker, client_of_jobcenter, due_on=today())

    def refuse(self: object, messages: object) -> int:
        raise OSError("mail server down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    with pytest.raises(OSError):
        digests_send()
    assert UserPreference.objects.get(user=case_worker).digest_sent_on is None
    monkeypatch.undo()
    assert digests_send().sent == [("case_worker", 1)]


def test_a_bad_day_is_refused(city: City) -> None:
    with pytest.raises(CommandError, match="--today"):
        run("--today", "morgen")


def test_a_site_address_without_scheme_refuses_to_start(tmp_path: Path) -> None:
    """The digest's links must lead somewhere: ``arbeit.example.org`` alone is refused."""
    result = run_doconnect(
        "check",
        env={"DOCONNECT_DEBUG": "1", "DOCONNECT_SITE_URL": "arbeit.example.org"},
        tmp_path=tmp_path,
    )
    assert result.returncode != 0 and "DOCONNECT_SITE_URL must start with https://" in result.stderr
