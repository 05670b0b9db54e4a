"""Headers and sessions (issue #20): answers with personal data are never stored by a
cache, an idle session is signed out after the inactivity timeout (the absolute limit
kept), and production refuses a guessable secret."""

from __future__ import annotations

import secrets
import time

import pytest
from django.contrib.auth.models import User
from django.core.management.utils import get_random_secret_key
from django.test import Client

from doconnect.core.security import LAST_SEEN, SIGNED_IN_AT
from doconnect.envconf import MIN_SECRET_BITS, secret_bits, secret_problem
from tests.apiclient import BearerClient
from tests.conftest import City, logged_in, make_person


def test_a_person_page_and_the_person_api_are_never_stored(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    page = logged_in(case_worker).get(f"/persons/{person.public_id}/")
    api = bearer(case_worker).get(f"/api/persons/{person.public_id}")
    assert page.status_code == api.status_code == 200
    assert page["Cache-Control"] == api["Cache-Control"] == "no-store"


def test_every_answer_to_a_signed_in_user_is_never_stored_even_a_refusal(
    city: City, provider_staff: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    refused = logged_in(provider_staff).get(f"/persons/{person.public_id}/")
    assert refused.status_code == 404
    assert refused["Cache-Control"] == "no-store"


def test_a_public_page_stays_cacheable(city: City) -> None:
    response = Client().get("/")
    assert "no-store" not in response.get("Cache-Control", "")


def _backdate(client: Client, **seconds_ago: int) -> None:
    session = client.session
    now = int(time.time())
    session[LAST_SEEN] = now - seconds_ago.get("last_seen", 0)
    session[SIGNED_IN_AT] = now - seconds_ago.get("signed_in", 0)
    session.save()


def test_a_session_idle_for_longer_than_the_timeout_is_signed_out(
    city: City, case_worker: User, settings: object
) -> None:
    client = logged_in(case_worker)
    assert client.get("/persons/").status_code == 200
    _backdate(client, last_seen=30 * 60 + 5)
    response = client.get("/persons/")
    assert response.status_code == 302 and "login" in response["Location"]
    assert client.get("/persons/").status_code == 302


def test_a_session_used_within_the_timeout_stays_signed_in(city: City, case_worker: User) -> None:
    client = logged_in(case_worker)
    _backdate(client, last_seen=29 * 60, signed_in=7 * 3600)
    assert client.get("/persons/").status_code == 200
    assert client.session[LAST_SEEN] >= int(time.time()) - 5


def test_an_active_session_still_ends_at_the_absolute_limit(city: City, case_worker: User) -> None:
    client = logged_in(case_worker)
    _backdate(client, last_seen=10, signed_in=8 * 3600 + 5)
    response = client.get("/persons/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_inactivity_timeout_is_a_setting(
    city: City, case_worker: User, settings: object
) -> None:
    settings.SESSION_IDLE_SECONDS = 60  # type: ignore[attr-defined]
    client = logged_in(case_worker)
    _backdate(client, last_seen=61)
    assert client.get("/persons/").status_code == 302


# --- the secret's entropy ----------------------------------------------------------------


@pytest.mark.parametrize(
    "secret",
    [
        "x" * 60,
        "test-only-" + "x" * 60,
        "password" * 7,
        "P@ssw0rd" * 7,
        "thisismyverysecretproductionkeyfordoconnectserver!",
        "CorrectHorseBatteryStapleCorrectHorseBatteryStaple",
        "Tr0ub4dor&3-Tr0ub4dor&3-Tr0ub4dor&3-Tr0ub4dor&3-xyz",
    ],
)
def test_a_long_but_guessable_secret_is_refused(secret: str) -> None:
    assert len(secret) >= 50
    problem = secret_problem("DOCONNECT_SECRET_KEY", secret)
    assert problem is not None and problem.startswith("DOCONNECT_SECRET_KEY ")


def test_random_keys_as_the_readme_suggests_pass_every_time() -> None:
    for _ in range(500):
        for key in (get_random_secret_key(), secrets.token_urlsafe(50), secrets.token_hex(32)):
            assert secret_bits(key) >= MIN_SECRET_BITS, key
            assert secret_problem("K", key) is None, key


def test_production_refuses_to_start_with_a_guessable_secret(tmp_path: object) -> None:
    from pathlib import Path

    from tests.core.test_settings import MATCH_KEY, run_doconnect

    result = run_doconnect(
        "check",
        env={"DOCONNECT_SECRET_KEY": "a1" * 30, "DOCONNECT_PERSON_MATCH_KEY": MATCH_KEY},
        tmp_path=Path(str(tmp_path)),
    )
    assert result.returncode != 0
    assert "DOCONNECT_SECRET_KEY uses only 2 different characters" in result.stderr
