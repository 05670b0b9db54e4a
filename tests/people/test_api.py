"""Person endpoints: shape, filters, paging, query counts, audit, and the consent writes.
(Who may see whom is walked exhaustively in tests/people/test_access_matrix.py.)"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from doconnect.core.audit import persons_of
from doconnect.core.models import AuditEvent, TargetGroup
from doconnect.people.models import Consent
from doconnect.people.services import consent_withdraw, spell_create
from tests.apiclient import BearerClient
from tests.conftest import City, logged_in, make_person


def test_personal_fields_are_absent_not_null_where_the_viewer_may_not_see_them(
    city: City, coordinator: User, bearer: BearerClient
) -> None:
    make_person(city, family_name="Mitname", consent_orgs=[city.city])
    make_person(city, family_name="Ohnename", consent_orgs=[city.jobcenter])
    items = bearer(coordinator).get("/api/persons").json()["items"]
    by_level = {item["access_level"]: item for item in items}
    assert by_level["personal"]["personal"]["family_name"] == "Mitname"
    assert "personal" not in by_level["pseudonymous"]
    # Pseudonymous fields are always there, null where unknown.
    assert set(by_level["pseudonymous"]) >= {"public_id", "gender", "birth_year", "district"}


def test_a_person_shows_the_pseudonymous_record_with_district_and_target_groups(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    person = make_person(city, family_name="Beispiel", consent_orgs=[city.jobcenter])
    body = bearer(case_worker).get(f"/api/persons/{person.public_id}").json()
    assert body["public_id"] == person.public_id
    assert body["district"] == {"official_key": "05913004", "name": "Eving"}
    assert body["legal_branch"] == "SGB II"
    assert body["target_groups"] == ["youth_difficult_start"]
    assert body["personal"]["given_name"] == "Alex"
    assert body["personal"]["birth_date"] == "2004-05-17"


def test_the_person_list_filters_by_district_legal_branch_gender_and_target_group(
    city: City, coordinator: User, bearer: BearerClient
) -> None:
    # A coordinator filters on the stored values; an analyst only on the coarsened
    # records (tests/people/test_analyst_view.py), where two persons show nothing.
    eving = make_person(city)
    hoerde = make_person(city)
    hoerde.district = city.other_district
    hoerde.legal_branch = "SGB III"
    hoerde.gender = "male"
    hoerde.save()
    hoerde.target_groups.set([TargetGroup.objects.create(code="ltu", label="Langzeitarbeitslose")])
    client = bearer(coordinator)

    def ids(query: str) -> set[str]:
        return {i["public_id"] for i in client.get(f"/api/persons?{query}").json()["items"]}

    assert ids("") == {eving.public_id, hoerde.public_id}
    assert ids("district=05913008") == {hoerde.public_id}
    assert ids("legal_branch=SGB%20II") == {eving.public_id}
    assert ids("gender=male") == {hoerde.public_id}
    assert ids("target_group=youth_difficult_start") == {eving.public_id}
    assert client.get("/api/persons?legal_branch=SGB%20IX").status_code == 422


@pytest.mark.parametrize(
    "query",
    [
        "",
        "district=05913008",
        "district=05913004&gender=female",
        "legal_branch=SGB%20III",
        "gender=male",
        "target_group=youth_difficult_start",
        # unknown keys keep nobody on both, rather than dropping the filter
        "district=99999999",
        "target_group=nope",
    ],
)
def test_the_person_list_keeps_the_persons_the_list_page_keeps_for_the_same_filter(
    city: City, analyst: User, bearer: BearerClient, query: str
) -> None:
    make_person(city)
    other = make_person(city)
    other.district, other.legal_branch, other.gender = city.other_district, "SGB III", "male"
    other.save()
    other.target_groups.clear()
    page = logged_in(analyst).get(f"/persons/?{query}")
    on_the_page = [record.person.public_id for record in page.context["records"]]
    api = bearer(analyst).get(f"/api/persons?{query}").json()
    assert [item["public_id"] for item in api["items"]] == on_the_page
    assert query == "" or len(on_the_page) < 2  # every filter here narrows


def test_the_person_list_pages_by_public_id(
    city: City, analyst: User, bearer: BearerClient
) -> None:
    persons = sorted(make_person(city).public_id for _ in range(5))
    client = bearer(analyst)
    first = client.get("/api/persons?page_size=2").json()
    assert first["count"] == 5 and first["page"] == 1 and first["page_size"] == 2
    assert [i["public_id"] for i in first["items"]] == persons[:2]
    third = client.get("/api/persons?page_size=2&page=3").json()
    assert [i["public_id"] for i in third["items"]] == persons[4:]
    assert client.get("/api/persons?page=9").json()["items"] == []
    assert client.get("/api/persons?page_size=1000").status_code == 422


def _list_queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
        assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", ["coordinator", "provider_staff"])
def test_the_person_list_needs_as_many_queries_for_fifty_persons_as_for_two(
    city: City, persona: str, bearer: BearerClient, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    client = bearer(user)

    def add_persons(n: int) -> None:
        for _ in range(n):
            person = make_person(city, consent_orgs=[city.city, city.provider_a])
            spell_create(
                person=person,
                state="offer",
                start=dt.date(2026, 2, 1),
                end=None,
                offer_id=city.offer_a.pk,
            )

    add_persons(2)
    few = _list_queries(client, "/api/persons?page_size=100")
    add_persons(48)
    many = _list_queries(client, "/api/persons?page_size=100")
    assert few == many
    assert len(client.get("/api/persons?page_size=100").json()["items"]) == 50


def test_the_person_list_stays_within_a_fixed_query_budget(
    city: City, coordinator: User, bearer: BearerClient, django_assert_max_num_queries: Any
) -> None:
    for _ in range(30):
        make_person(city, consent_orgs=[city.city])
    client = bearer(coordinator)
    # token lookup and last use, memberships, count, page, target groups, valid consents,
    # personal details, one audit event and one insert naming all 30
    with django_assert_max_num_queries(10):
        assert len(client.get("/api/persons?page_size=30").json()["items"]) == 30


def test_the_list_audits_every_person_shown_in_one_event(
    city: City, coordinator: User, bearer: BearerClient
) -> None:
    shown = make_person(city, consent_orgs=[city.city])
    pseudonymous = make_person(city, consent_orgs=[city.jobcenter])
    bearer(coordinator).get("/api/persons")
    (event,) = AuditEvent.objects.filter(view="api.person_list")
    assert sorted(persons_of(event)) == sorted([shown.public_id, pseudonymous.public_id])
    assert event.actor_username == "coordinator"
    assert event.purpose == "counselling"  # the purpose the endpoint declares


def test_the_spells_endpoint_returns_the_biography_in_order(
    city: City, provider_staff: User, bearer: BearerClient
) -> None:
    person = make_person(city, consent_orgs=[city.provider_a])
    school = spell_create(
        person=person, state="school", start=dt.date(2010, 8, 1), end=dt.date(2020, 7, 31)
    )
    course = spell_create(
        person=person,
        state="offer",
        start=dt.date(2026, 3, 1),
        end=None,
        source_organisation=city.provider_a,
        offer_id=city.offer_a.pk,
    )
    body = bearer(provider_staff).get(f"/api/persons/{person.public_id}/spells").json()
    assert body == [
        {
            "id": school.pk,
            "state": "school",
            "start": "2010-08-01",
            "end": "2020-07-31",
            "source_organisation": None,
            "offer": None,
            "kldb": "",
        },
        {
            "id": course.pk,
            "state": "offer",
            "start": "2026-03-01",
            "end": None,
            "source_organisation": "p-a",
            "offer": "o-a",
            "kldb": "",
        },
    ]


def test_the_consents_endpoint_lists_withdrawn_consents_as_no_longer_valid(
    city: City, coordinator: User, bearer: BearerClient
) -> None:
    person = make_person(city, consent_orgs=[city.city, city.jobcenter])
    old = make_person(city, consent_orgs=[city.jobcenter]).consents.get()
    old.person = person
    old.save()
    consent_withdraw(consent=old)
    body = bearer(coordinator).get(f"/api/persons/{person.public_id}/consents").json()
    assert sorted((c["organisations"], c["valid_today"]) for c in body) == [
        (["city", "jc"], True),
        (["jc"], False),
    ]


# --- consent writes -----------------------------------------------------------------


def _give(client: Client, public_id: str, organisations: list[str], **extra: object) -> Any:
    body = {"purposes": ["placement"], "organisations": organisations, "valid_from": "2026-11-01"}
    body.update(extra)
    return client.post(f"/api/persons/{public_id}/consents", body, content_type="application/json")


def test_a_coordinator_records_a_consent_for_any_organisations_and_it_is_audited(
    city: City, coordinator: User, bearer: BearerClient
) -> None:
    person = make_person(city)
    response = _give(bearer(coordinator), person.public_id, ["jc", "p-a"])
    assert response.status_code == 201
    body = response.json()
    assert body["organisations"] == ["jc", "p-a"] and body["valid_today"] is True
    assert body["purposes"] == ["placement"]
    consent = Consent.objects.get(pk=body["id"])
    assert consent.purposes == ["placement"]
    assert consent.recorded_by == coordinator
    change = AuditEvent.objects.get(person_public_id=person.public_id, action="change")
    assert change.view == "api.consent_give"


def test_a_case_worker_records_a_consent_that_includes_their_organisation(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    response = _give(bearer(case_worker), person.public_id, ["jc", "p-b"])
    assert response.status_code == 201


def test_a_case_worker_cannot_record_a_consent_only_for_other_organisations(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    response = _give(bearer(case_worker), person.public_id, ["p-b"])
    assert response.status_code == 403
    assert person.consents.count() == 1


@pytest.mark.parametrize("persona", ["provider_staff", "analyst"])
def test_provider_staff_and_analysts_cannot_record_consents(
    city: City, persona: str, bearer: BearerClient, request: pytest.FixtureRequest
) -> None:
    person = make_person(city, consent_orgs=[city.provider_a])
    spell_create(
        person=person, state="offer", start=dt.date(2026, 2, 1), end=None, offer_id=city.offer_a.pk
    )
    response = _give(bearer(request.getfixturevalue(persona)), person.public_id, ["p-a"])
    assert response.status_code == 403


def test_recording_consent_for_a_person_one_cannot_see_is_not_found(
    city: City, case_worker: User, outsider: User, bearer: BearerClient
) -> None:
    person = make_person(city, consent_orgs=[city.city])
    assert _give(bearer(case_worker), person.public_id, ["jc"]).status_code == 404
    assert _give(bearer(outsider), person.public_id, ["jc"]).status_code == 404
    assert _give(bearer(case_worker), "P-00000000", ["jc"]).status_code == 404


def test_a_consent_with_unknown_organisations_or_reversed_dates_is_refused_with_422(
    city: City, coordinator: User, bearer: BearerClient
) -> None:
    person = make_person(city)
    client = bearer(coordinator)
    unknown = _give(client, person.public_id, ["nope"])
    assert unknown.status_code == 422
    assert "nope" in str(unknown.json())
    reversed_dates = _give(client, person.public_id, ["jc"], valid_until="2026-01-01")
    assert reversed_dates.status_code == 422
    bad_purpose = _give(client, person.public_id, ["jc"], purposes=["advertising"])
    assert bad_purpose.status_code == 422
    assert _give(client, person.public_id, ["jc"], purposes=[]).status_code == 422
    assert _give(client, person.public_id, []).status_code == 422
    assert not person.consents.exists()


def test_a_case_worker_records_a_withdrawal_and_then_no_longer_sees_the_person(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    consent = person.consents.get()
    client = bearer(case_worker)
    response = client.post(f"/api/consents/{consent.pk}/withdraw")
    assert response.status_code == 200
    assert response.json()["valid_today"] is False
    assert client.get(f"/api/persons/{person.public_id}").status_code == 404
    assert AuditEvent.objects.filter(action="change", view="api.consent_withdraw").count() == 1


def test_withdrawing_twice_keeps_the_first_date(
    city: City, coordinator: User, bearer: BearerClient
) -> None:
    person = make_person(city, consent_orgs=[city.city])
    consent = person.consents.get()
    consent_withdraw(consent=consent, at=timezone.now() - dt.timedelta(days=3))
    first = Consent.objects.get(pk=consent.pk).withdrawn_at
    assert bearer(coordinator).post(f"/api/consents/{consent.pk}/withdraw").status_code == 200
    assert Consent.objects.get(pk=consent.pk).withdrawn_at == first


def test_provider_staff_cannot_record_a_withdrawal(
    city: City, provider_staff: User, bearer: BearerClient
) -> None:
    person = make_person(city, consent_orgs=[city.provider_a])
    spell_create(
        person=person, state="offer", start=dt.date(2026, 2, 1), end=None, offer_id=city.offer_a.pk
    )
    consent = person.consents.get()
    assert bearer(provider_staff).post(f"/api/consents/{consent.pk}/withdraw").status_code == 403
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None


def test_a_withdrawal_of_an_invisible_or_unknown_consent_is_not_found(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    person = make_person(city, consent_orgs=[city.city])
    client = bearer(case_worker)
    assert client.post(f"/api/consents/{person.consents.get().pk}/withdraw").status_code == 404
    assert client.post("/api/consents/999999/withdraw").status_code == 404


def test_a_case_worker_extends_a_consent_through_the_api_and_it_is_audited(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter], valid_until=dt.date(2026, 12, 31))
    consent = person.consents.get()

    response = bearer(case_worker).post(
        f"/api/consents/{consent.pk}/extend",
        {"valid_until": "2028-06-30"},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["valid_until"] == "2028-06-30"
    assert AuditEvent.objects.filter(action="change", view="api.consent_extend").count() == 1


def test_extending_a_withdrawn_consent_through_the_api_is_409(
    city: City, coordinator: User, bearer: BearerClient
) -> None:
    person = make_person(city, consent_orgs=[city.city])
    consent = person.consents.get()
    consent_withdraw(consent=consent)

    response = bearer(coordinator).post(
        f"/api/consents/{consent.pk}/extend",
        {"valid_until": "2030-01-01"},
        content_type="application/json",
    )

    assert response.status_code == 409
    assert Consent.objects.get(pk=consent.pk).valid_until is None


def test_provider_staff_cannot_extend_a_consent(
    city: City, provider_staff: User, bearer: BearerClient
) -> None:
    person = make_person(city, consent_orgs=[city.provider_a])
    spell_create(
        person=person, state="offer", start=dt.date(2026, 2, 1), end=None, offer_id=city.offer_a.pk
    )
    consent = person.consents.get()

    response = bearer(provider_staff).post(
        f"/api/consents/{consent.pk}/extend",
        {"valid_until": "2030-01-01"},
        content_type="application/json",
    )

    assert response.status_code == 403
