"""How callers get in: bearer tokens for systems, the session (with CSRF) for browsers,
and nothing for anybody else."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client

from doconnect.core.models import ApiToken
from doconnect.core.services import api_token_create, api_token_revoke
from tests.apiclient import BearerClient
from tests.conftest import City, make_person

CONSENT_BODY = {
    "purposes": ["counselling"],
    "organisations": ["jc"],
    "valid_from": "2026-01-01",
}


def test_an_anonymous_caller_gets_401_everywhere(city: City) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    client = Client()
    for path in (
        "/api/persons",
        f"/api/persons/{person.public_id}",
        f"/api/persons/{person.public_id}/spells",
        f"/api/persons/{person.public_id}/consents",
        "/api/offers",
        "/api/offers/o-a",
        "/api/providers",
        "/api/districts",
        "/api/vacancies",
    ):
        assert client.get(path).status_code == 401, path
    posted = client.post(
        f"/api/persons/{person.public_id}/consents", CONSENT_BODY, content_type="application/json"
    )
    assert posted.status_code == 401
    assert client.post("/api/consents/1/withdraw").status_code == 401


def test_a_valid_bearer_token_authenticates_and_records_its_last_use(
    city: City, case_worker: User
) -> None:
    token, raw = api_token_create(user=case_worker, name="Jobcenter-Fachverfahren")
    assert token.last_used_at is None
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/districts")
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_only_a_hash_and_a_short_prefix_of_a_token_are_stored(case_worker: User) -> None:
    token, raw = api_token_create(user=case_worker, name="system")
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert raw not in {str(v) for v in stored.values()}
    assert stored["key_hash"] == ApiToken.hash(raw)
    assert raw.startswith(stored["prefix"]) and len(stored["prefix"]) == 8


def test_a_revoked_token_is_refused(case_worker: User) -> None:
    token, raw = api_token_create(user=case_worker, name="system")
    api_token_revoke(token=token)
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/districts").status_code == 401


def test_revoking_twice_keeps_the_first_date(case_worker: User) -> None:
    token, _raw = api_token_create(user=case_worker, name="system")
    first = api_token_revoke(token=token).revoked_at
    assert first is not None
    token.revoked_at = first  # as loaded again later
    assert api_token_revoke(token=token).revoked_at == first


def test_an_unknown_or_malformed_token_is_refused(db: None) -> None:
    for header in ("Bearer dc_not-a-real-token", "Bearer ", "Token abc", "Bearer x"):
        assert Client(HTTP_AUTHORIZATION=header).get("/api/districts").status_code == 401


def test_a_token_of_a_deactivated_user_is_refused(case_worker: User) -> None:
    _token, raw = api_token_create(user=case_worker, name="system")
    case_worker.is_active = False
    case_worker.save()
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/districts").status_code == 401


def test_a_browser_session_reads_the_api_and_sees_what_the_token_sees(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    person = make_person(city, family_name="Sessionfrau", consent_orgs=[city.jobcenter])
    browser = Client()
    browser.force_login(case_worker)
    by_session = browser.get(f"/api/persons/{person.public_id}")
    by_token = bearer(case_worker).get(f"/api/persons/{person.public_id}")
    assert by_session.status_code == by_token.status_code == 200
    assert by_session.json() == by_token.json()
    assert by_session.json()["personal"]["family_name"] == "Sessionfrau"


def test_a_browser_session_write_needs_the_csrf_token(city: City, coordinator: User) -> None:
    person = make_person(city, consent_orgs=[city.city])
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(coordinator)
    url = f"/api/persons/{person.public_id}/consents"
    refused = browser.post(url, CONSENT_BODY, content_type="application/json")
    assert refused.status_code == 403
    browser.get("/")  # sets the CSRF cookie like a page would
    csrf = browser.cookies["csrftoken"].value
    accepted = browser.post(
        url, CONSENT_BODY, content_type="application/json", HTTP_X_CSRFTOKEN=csrf
    )
    assert accepted.status_code == 201


def test_a_token_write_needs_no_csrf_token(
    city: City, coordinator: User, bearer: BearerClient
) -> None:
    person = make_person(city, consent_orgs=[city.city])
    client = bearer(coordinator)
    client.handler.enforce_csrf_checks = True
    response = client.post(
        f"/api/persons/{person.public_id}/consents", CONSENT_BODY, content_type="application/json"
    )
    assert response.status_code == 201


def test_the_openapi_description_and_the_docs_are_served(db: None) -> None:
    schema = Client().get("/api/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/persons",
        "/api/persons/{public_id}",
        "/api/persons/{public_id}/spells",
        "/api/persons/{public_id}/consents",
        "/api/consents/{consent_id}/withdraw",
        "/api/offers",
        "/api/offers/{external_id}",
        "/api/providers",
        "/api/districts",
        "/api/vacancies",
    ):
        assert path in paths
    schemes = schema.json()["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    assert Client().get("/api/docs").status_code == 200
