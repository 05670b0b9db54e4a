"""Signing in with a local account: the password, then a code from an authenticator app
(TOTP, RFC 6238) for every role that can see names; failed sign-ins throttled per
account and address; password sign-in that can be switched off for the identity
provider. The suite runs with TOTP_REQUIRED off (as `make run`); here it is turned on.

The codes are computed from the key the setup page shows by RFC 6238 itself
(tests/totp.py), not by the library that checks them."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser import PASSWORD
from tests.conftest import City, logged_in
from tests.totp import totp, wrong


def secret_on(page_html: str) -> str:
    match = re.search(r'data-secret="([A-Z2-7]+)"', page_html)
    assert match, "the setup page shows the key"
    return match.group(1)


def sign_in(client: Client, username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post("/login/", {"username": username, "password": password}, **extra)


def signed_in_as(client: Client) -> str | None:
    user = client.get("/").wsgi_request.user
    return user.get_username() if user.is_authenticated else None


@pytest.fixture
def totp_on(settings: Any) -> None:
    settings.TOTP_REQUIRED = True


def enrol(client: Client, username: str) -> str:
    """Password, then the setup page: the key shown there, confirmed by its code."""
    assert sign_in(client, username)["Location"] == "/login/code/setup/"
    secret = secret_on(client.get("/login/code/setup/").content.decode())
    response = client.post("/login/code/setup/", {"code": totp(secret)})
    assert response.status_code == 302
    return secret


# --- the second factor ---------------------------------------------------------------


def test_with_totp_off_a_case_worker_signs_in_with_the_password(case_worker: User) -> None:
    client = Client()
    response = sign_in(client, "case_worker")
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_as(client) == "case_worker"


@pytest.mark.parametrize("persona", ["coordinator", "case_worker", "provider_staff"])
def test_roles_that_see_names_are_asked_to_set_up_a_second_factor(
    totp_on: None, persona: str, request: pytest.FixtureRequest
) -> None:
    request.getfixturevalue(persona)
    client = Client()
    response = sign_in(client, persona)
    assert response["Location"] == "/login/code/setup/"
    assert signed_in_as(client) is None  # the password alone signs nobody in
    assert client.get("/persons/")["Location"].startswith("/login/")


def test_an_analyst_who_sees_no_names_signs_in_with_the_password(
    totp_on: None, analyst: User
) -> None:
    client = Client()
    assert sign_in(client, "analyst")["Location"] == "/"
    assert signed_in_as(client) == "analyst"


def test_setting_up_shows_a_qr_code_drawn_by_the_platform_and_a_right_code_lets_in(
    totp_on: None, case_worker: User, settings: Any
) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the throttling has a test of its own
    client = Client()
    sign_in(client, "case_worker")
    page = client.get("/login/code/setup/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="/login/code/setup/qr.svg"' in html
    qr = client.get("/login/code/setup/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml"
    assert b"<svg" in qr.content
    secret = secret_on(html)

    refused = client.post("/login/code/setup/", {"code": wrong(totp(secret))})
    assert refused.status_code == 200
    assert "Der Code ist nicht richtig" in refused.content.decode()
    assert signed_in_as(client) is None
    assert not TOTPDevice.objects.filter(user=case_worker, confirmed=True).exists()

    response = client.post("/login/code/setup/", {"code": totp(secret)})
    assert response["Location"] == "/"
    assert signed_in_as(client) == "case_worker"
    assert client.get("/persons/").status_code == 200
    assert TOTPDevice.objects.filter(user=case_worker, confirmed=True).count() == 1


def test_next_time_the_code_is_asked_for_a_wrong_one_refused_a_right_one_lets_in(
    totp_on: None, case_worker: User, settings: Any
) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the throttling has a test of its own
    secret = enrol(Client(), "case_worker")
    client = Client()
    response = client.post(
        "/login/", {"username": "case_worker", "password": PASSWORD, "next": "/persons/"}
    )
    assert response["Location"] == "/login/code/"
    # The password alone never sets up another app.
    assert client.get("/login/code/setup/")["Location"] == "/login/code/"
    assert client.get("/login/code/setup/qr.svg").status_code == 404

    # A code of another time window is wrong, and so is the code already used.
    for used in (totp(secret, at=time.time() - 3600), totp(secret)):
        refused = client.post("/login/code/", {"code": used})
        assert "Der Code ist nicht richtig" in refused.content.decode()
        assert signed_in_as(client) is None

    # The app's next code (a clock one step ahead is forgiven).
    response = client.post("/login/code/", {"code": totp(secret, at=time.time() + 30)})
    assert response["Location"] == "/persons/"
    assert signed_in_as(client) == "case_worker"


def test_wrong_codes_are_throttled_even_before_a_right_one(
    totp_on: None, case_worker: User, settings: Any
) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    secret = enrol(Client(), "case_worker")
    client = Client()
    sign_in(client, "case_worker")
    client.post("/login/code/", {"code": wrong(totp(secret))})
    response = client.post("/login/code/", {"code": totp(secret)})
    assert "Zu viele falsche Codes" in response.content.decode()
    assert signed_in_as(client) is None


def test_the_code_step_lasts_only_a_few_minutes(totp_on: None, case_worker: User) -> None:
    client = Client()
    sign_in(client, "case_worker")
    session = client.session
    session["signin_pending"]["at"] -= 301
    session.save()
    assert client.get("/login/code/setup/")["Location"] == "/login/"


def test_a_code_step_without_a_password_goes_back_to_the_login(totp_on: None, db: None) -> None:
    assert Client().get("/login/code/")["Location"] == "/login/"
    assert Client().post("/login/code/setup/", {"code": "123456"})["Location"] == "/login/"


def test_a_session_without_the_second_factor_is_signed_out_when_it_is_required(
    totp_on: None, case_worker: User, analyst: User
) -> None:
    # E.g. signed in before the role was given; the guard asks again.
    response = logged_in(case_worker).get("/persons/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=%2Fpersons%2F"
    assert logged_in(analyst).get("/").status_code == 200


def test_the_admin_signs_in_through_the_same_page(db: None) -> None:
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/admin/"


# --- throttling ----------------------------------------------------------------------


def test_failed_sign_ins_are_throttled_per_account_and_address(
    case_worker: User, coordinator: User, settings: Any
) -> None:
    settings.AXES_FAILURE_LIMIT = 5
    here, elsewhere = {"REMOTE_ADDR": "192.0.2.10"}, {"REMOTE_ADDR": "192.0.2.99"}
    client = Client()
    statuses = [sign_in(client, "case_worker", "falsch", **here).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    locked = sign_in(client, "case_worker", PASSWORD, **here)  # even the right password
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "Anmeldung vorübergehend gesperrt" in text
    assert "5 fehlgeschlagene Anmeldeversuche" in text
    assert "in 15 Minuten" in text
    assert signed_in_as(client) is None
    # The same account from another address, another account from this one: not locked.
    assert sign_in(Client(), "case_worker", PASSWORD, **elsewhere)["Location"] == "/"
    assert sign_in(Client(), "coordinator", PASSWORD, **here)["Location"] == "/"


def test_the_lockout_says_why_in_english_too(case_worker: User, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, "case_worker", "wrong", REMOTE_ADDR="192.0.2.11")
    response = sign_in(client, "case_worker", "wrong", REMOTE_ADDR="192.0.2.11")
    assert response.status_code == 429
    text = response.content.decode()
    assert "Sign-in temporarily blocked" in text
    assert "2 failed sign-in attempts" in text


def test_a_right_password_clears_earlier_failures(case_worker: User, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        sign_in(Client(), "case_worker", "falsch", REMOTE_ADDR="192.0.2.12")
    assert sign_in(Client(), "case_worker", PASSWORD, REMOTE_ADDR="192.0.2.12")["Location"] == "/"
    for _ in range(2):
        assert (
            sign_in(Client(), "case_worker", "falsch", REMOTE_ADDR="192.0.2.12").status_code == 200
        )


# --- switched off, signed out --------------------------------------------------------


def test_with_password_sign_in_off_the_page_offers_only_the_provider(
    case_worker: User, settings: Any
) -> None:
    settings.PASSWORD_LOGIN = False
    settings.OIDC_ENABLED = True
    settings.OIDC_PROVIDER_NAME = "Stadtportal"
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        "doconnect.web.signin_backend.CityIdentityBackend",
    ]
    client = Client()
    html = client.get("/login/").content.decode()
    assert "Anmelden mit Stadtportal" in html
    assert 'name="password"' not in html
    assert sign_in(client, "case_worker").status_code == 403
    assert signed_in_as(client) is None


def test_without_a_provider_its_pages_do_not_exist(db: None) -> None:
    client = Client()
    assert "/login/provider/" not in client.get("/login/").content.decode()
    assert client.get("/login/provider/").status_code == 404
    assert client.get("/login/provider/callback/?code=x&state=y").status_code == 404


def test_signing_out_of_a_password_session_returns_to_the_login(case_worker: User) -> None:
    client = logged_in(case_worker)
    assert client.get("/logout/").status_code == 405  # no link can sign anybody out
    assert signed_in_as(client) == "case_worker"
    response = client.post("/logout/")
    assert response["Location"] == "/login/"
    assert signed_in_as(client) is None


# --- the password policy ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("kurz-1", "password_too_short"),
        ("123456789012345", "password_entirely_numeric"),
        ("qwertyuiop123", "password_too_common"),
        ("case_worker_2026", "password_too_similar"),
    ],
)
def test_weak_passwords_are_refused(city: City, password: str, reason: str) -> None:
    username = "case_worker_2026"
    from django.core.exceptions import ValidationError

    from doconnect.core.services import user_create_with_membership

    with pytest.raises(ValidationError) as refused:
        user_create_with_membership(
            username=username, organisation_external_id="jc", role="case_worker", password=password
        )
    assert reason in {error.code for error in refused.value.error_list}
    assert not User.objects.filter(username=username).exists()
