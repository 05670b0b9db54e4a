"""Every read of person data is audited, lists and exports included, as one event per
request naming the persons; the data-protection officer reads the log on /audit/ and
with ``doconnect audit``."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from doconnect.core.audit import events_about, persons_of
from doconnect.core.models import AuditEvent, AuditEventPerson, Role
from tests.apiclient import BearerClient
from tests.conftest import City, _user, count_queries, logged_in, make_person


@pytest.fixture
def dpo(city: City) -> User:
    return _user("datenschutz", city.city, Role.DPO)


def test_an_analysts_token_reading_every_record_writes_one_event_per_page_naming_them_all(
    city: City, analyst: User, bearer: BearerClient
) -> None:
    persons = [make_person(city, consent_orgs=[city.city]) for _ in range(12)]
    client = bearer(analyst)
    first = client.get("/api/persons?page_size=10").json()
    second = client.get("/api/persons?page_size=10&page=2").json()
    assert len(first["items"]) + len(second["items"]) == 12
    events = list(AuditEvent.objects.filter(view="api.person_list").order_by("id"))
    assert [e.person_count for e in events] == [10, 2]
    assert all(e.actor_username == "analyst" and e.fields == ["pseudonymous"] for e in events)
    named = set(AuditEventPerson.objects.values_list("person_public_id", flat=True))
    assert named == {p.public_id for p in persons}


def test_the_persons_page_writes_one_event_for_the_page_not_one_per_person(
    city: City, coordinator: User
) -> None:
    with_names = make_person(city, consent_orgs=[city.city])
    without = make_person(city, consent_orgs=[city.jobcenter])
    logged_in(coordinator).get("/persons/")
    (event,) = AuditEvent.objects.filter(view="web.person_list")
    assert event.person_count == 2 and event.person_public_id == ""
    assert set(persons_of(event)) == {with_names.public_id, without.public_id}
    # What was read differs by person: names of one, the pseudonymous record of the other.
    fields = {
        p: next(iter(events_about(p))).person_fields or event.fields
        for p in (with_names.public_id, without.public_id)
    }
    assert "family_name" in fields[with_names.public_id]
    assert fields[without.public_id] == ["pseudonymous"]


def test_a_person_read_in_a_list_appears_in_who_looked_at_them(
    city: City, coordinator: User
) -> None:
    person = make_person(city, consent_orgs=[city.city])
    make_person(city, consent_orgs=[city.city])
    client = logged_in(coordinator)
    client.get("/persons/")
    page = client.get(f"/persons/{person.public_id}/").content.decode()
    assert "in der Personenliste angezeigt" in page


def test_the_officer_sees_who_read_whom_filtered_by_user_and_person(
    city: City, coordinator: User, case_worker: User, dpo: User
) -> None:
    mine = make_person(city, family_name="Geheimname", consent_orgs=[city.city, city.jobcenter])
    other = make_person(city, consent_orgs=[city.jobcenter])
    logged_in(coordinator).get(f"/persons/{mine.public_id}/")
    logged_in(case_worker).get("/persons/")
    client = logged_in(dpo)
    everything = client.get("/audit/").content.decode()
    assert "coordinator" in everything and "case_worker" in everything
    assert "Geheimname" not in everything  # pseudonyms only
    by_user = client.get("/audit/?user=coordinator").content.decode()
    assert "case_worker" not in by_user and mine.public_id in by_user
    by_person = client.get(f"/audit/?person={other.public_id}").content.decode()
    assert "case_worker" in by_person and "coordinator" not in by_person.split("<main")[-1]


def test_the_audit_page_reads_a_fixed_number_of_queries(
    city: City, coordinator: User, dpo: User
) -> None:
    client = logged_in(coordinator)
    make_person(city, consent_orgs=[city.city])
    client.get("/persons/")
    few = count_queries(logged_in(dpo), "/audit/")
    for _ in range(5):
        make_person(city, consent_orgs=[city.city])
        client.get("/persons/")
    assert count_queries(logged_in(dpo), "/audit/") == few


@pytest.mark.parametrize("who", ["coordinator", "case_worker", "analyst", "platform_admin"])
def test_nobody_but_the_officer_reads_the_audit_log(
    who: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(who)
    assert logged_in(user).get("/audit/").status_code == 403


def test_an_invalid_date_filter_shows_the_error_and_no_events(city: City, dpo: User) -> None:
    response = logged_in(dpo).get("/audit/?since=gestern")
    assert response.status_code == 200
    assert 'id="audit-events"' not in response.content.decode()


def test_the_audit_command_writes_one_csv_line_per_event_and_person(
    city: City, coordinator: User, case_worker: User
) -> None:
    a = make_person(city, consent_orgs=[city.city])
    b = make_person(city, consent_orgs=[city.city])
    logged_in(coordinator).get("/persons/")
    logged_in(case_worker).get(f"/persons/{a.public_id}/")  # refused: no event
    out = io.StringIO()
    call_command("audit", "--format", "csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert sorted(r["person"] for r in rows) == sorted([a.public_id, b.public_id])
    assert {r["user"] for r in rows} == {"coordinator"}
    out = io.StringIO()
    call_command("audit", "--person", b.public_id.lower(), stdout=out)
    (row,) = csv.DictReader(io.StringIO(out.getvalue()))
    assert row["person"] == b.public_id and row["view"] == "web.person_list"
    out = io.StringIO()
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    call_command("audit", "--since", tomorrow, stdout=out)
    assert out.getvalue().strip().splitlines() == [
        "at,user,organisation,action,view,purpose,person,fields"
    ]


def test_the_audit_command_names_a_bad_date(db: None) -> None:
    with pytest.raises(CommandError, match="--since 'gestern'"):
        call_command("audit", "--since", "gestern")
