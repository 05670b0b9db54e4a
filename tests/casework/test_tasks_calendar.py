"""The calendar feed ``/calendar/<secret>.ics``: the user's appointments as valid
iCalendar for their own calendar app — pseudonym, time, place and subject, no names —
behind a secret address that answers 404 when wrong or revoked; every fetch audited per
person as a read under the purpose of case work (counselling)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from doconnect.casework.calendar_feed import VIEW as CALENDAR_VIEW
from doconnect.casework.services import appointment_cancel_as
from doconnect.core.audit import person_reads, persons_of
from doconnect.core.models import AuditEvent
from doconnect.core.preferences import calendar_token_create, calendar_token_revoke
from doconnect.core.viewers import viewer_for
from doconnect.people.models import Consent, Person
from doconnect.people.services import consent_withdraw
from tests.casework.task_helpers import appointment, days, today
from tests.conftest import City


def feed(token: str) -> Calendar:
    response = Client().get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    return Calendar.from_ical(response.content)


def test_the_feed_holds_the_users_appointments_without_names(
    city: City, case_worker: User, jobcenter_colleague: User, client_of_jobcenter: Person
) -> None:
    meeting = appointment(
        case_worker,
        client_of_jobcenter,
        on=days(2),
        at=dt.time(9, 30),
        subject="Bewerbungsmappe",
        place="Raum 2.14",
        with_whom="Mutter Jobcenter",
    )
    appointment(jobcenter_colleague, client_of_jobcenter, on=days(2), subject="Kollegin")
    token = calendar_token_create(user=case_worker)
    calendar = feed(token)
    [event] = calendar.walk("VEVENT")
    assert str(event["summary"]) == f"{client_of_jobcenter.public_id}: Bewerbungsmappe"
    assert str(event["location"]) == "Raum 2.14"
    assert event.decoded("dtstart") == meeting.starts_at
    assert event.decoded("dtend") == meeting.starts_at + dt.timedelta(minutes=30)
    assert str(event["uid"]) == f"appointment-{meeting.pk}@127.0.0.1"
    assert str(event["url"]).endswith(f"/persons/{client_of_jobcenter.public_id}/appointments/")
    text = calendar.to_ical().decode()
    for name in ("Jana", "Jobcenter", "Mutter", "Kollegin"):
        assert name not in text, name


def test_each_fetch_is_audited_per_person_under_the_purpose_of_case_work(
    city: City, case_worker: User, client_of_jobcenter: Person, shared_person: Person
) -> None:
    appointment(case_worker, client_of_jobcenter, on=days(1))
    appointment(case_worker, client_of_jobcenter, on=days(3))
    appointment(case_worker, shared_person, on=days(4))
    token = calendar_token_create(user=case_worker)
    feed(token)
    events = AuditEvent.objects.filter(view=CALENDAR_VIEW, purpose="counselling")
    assert sorted(p for e in events for p in persons_of(e)) == sorted(
        [client_of_jobcenter.public_id, shared_person.public_id]
    )
    assert {tuple(f) for e in events for _p, f in person_reads(e)} == {("appointments",)}
    assert {e.action for e in events} == {"read"} and {e.actor_username for e in events} == {
        "case_worker"
    }


def test_cancelled_appointments_and_persons_without_consent_drop_out(
    city: City, case_worker: User, client_of_jobcenter: Person, shared_person: Person
) -> None:
    cancelled = appointment(case_worker, client_of_jobcenter, on=days(1))
    appointment_cancel_as(viewer_for(case_worker), appointment_id=cancelled.pk, view="tests")
    appointment(case_worker, shared_person, on=days(2))
    consent_withdraw(consent=Consent.objects.get(person=shared_person))
    token = calendar_token_create(user=case_worker)
    assert feed(token).walk("VEVENT") == []
    assert not AuditEvent.objects.filter(view=CALENDAR_VIEW, purpose="counselling").exists()


def test_a_wrong_or_revoked_address_answers_404(
    city: City, case_worker: User, client_of_jobcenter: Person
) -> None:
    appointment(case_worker, client_of_jobcenter, on=today() + dt.timedelta(days=1))
    token = calendar_token_create(user=case_worker)
    assert Client().get(f"/calendar/{token}x.ics").status_code == 404
    assert Client().get("/calendar/dc_not-a-calendar.ics").status_code == 404
    newer = calendar_token_create(user=case_worker)
    assert Client().get(f"/calendar/{token}.ics").status_code == 404  # replaced
    assert Client().get(f"/calendar/{newer}.ics").status_code == 200
    calendar_token_revoke(user=case_worker)
    assert Client().get(f"/calendar/{newer}.ics").status_code == 404
    assert AuditEvent.objects.filter(view=CALENDAR_VIEW, actor_username="case_worker").count() == 1


def test_a_deactivated_users_address_answers_404(city: City, case_worker: User) -> None:
    token = calendar_token_create(user=case_worker)
    case_worker.is_active = False
    case_worker.save()
    assert Client().get(f"/calendar/{token}.ics").status_code == 404


def test_the_feed_reaches_back_a_month_and_a_year_ahead(
    city: City, case_worker: User, client_of_jobcenter: Person
) -> None:
    recent = appointment(case_worker, client_of_jobcenter, on=days(-20))
    appointment(case_worker, client_of_jobcenter, on=days(-40))
    next_year = appointment(case_worker, client_of_jobcenter, on=days(300))
    uids = {str(e["uid"]) for e in feed(calendar_token_create(user=case_worker)).walk("VEVENT")}
    assert uids == {f"appointment-{recent.pk}@127.0.0.1", f"appointment-{next_year.pk}@127.0.0.1"}
    assert timezone.localdate() == today()
