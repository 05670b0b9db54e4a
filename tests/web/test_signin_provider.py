"""Signing in through the city's identity provider: a real OpenID provider (the certified
`oidc-provider` package from npm, tests/oidc/provider.mjs) on loopback, a real Chromium
clicking and typing. The claims (the directory's groups) map to organisation and role by
the settings' role map; a user whose groups map to nothing gets no access; signing out
ends the provider's session too. Screenshots: var/screenshots/signin-provider-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from doconnect.people.models import Person
from tests.browser import serious_violations
from tests.conftest import City, make_person
from tests.oidc.harness import Provider, running_provider

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(django_settings.VAR_DIR) / "screenshots"
ROLE_MAP = {
    "jc-fallberatung": {"organisation": "jc", "role": "case_worker"},
    "traeger-a-personal": [{"organisation": "p-a", "role": "provider_staff"}],
}
BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "doconnect.web.signin_backend.CityIdentityBackend",
]


@pytest.fixture(scope="module")
def provider_process(live_server: Any) -> Iterator[Provider]:
    """One provider for the module (each test has its own browser context, so no
    session at the provider carries over)."""
    with running_provider(live_server.url) as started:
        yield started


@pytest.fixture
def provider(provider_process: Provider, settings: Any) -> Provider:
    """do-connect pointed at the provider, as the DOCONNECT_OIDC_* variables would."""
    for name, value in provider_process.settings().items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = BACKENDS
    settings.OIDC_ROLE_MAP = ROLE_MAP
    settings.OIDC_PROVIDER_NAME = "Stadtportal"
    return provider_process


@pytest.fixture
def known(city: City) -> Person:
    return make_person(city, given_name="Mira", consent_orgs=[city.jobcenter])


def sign_in_at_provider(page: Any, base: str, provider: Provider, username: str, password: str):
    page.goto(f"{base}/login/")
    page.get_by_role("link", name="Anmelden mit Stadtportal").click()
    page.wait_for_url(f"{provider.issuer}/interaction/**")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_case_worker_signs_in_at_the_provider_and_lands_in_the_mapped_role(
    known: Person, provider: Provider, live_server: Any, page: Any
) -> None:
    base = live_server.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sign_in_at_provider(page, base, provider, "anna.fall", "idp-passwort-anna-1")
    page.wait_for_url(f"{base}/")
    who = page.locator(".site-user__who")
    assert "Anna Fall" in who.inner_text()
    assert "Fallberatung, Jobcenter" in who.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "signin-provider-case-worker.png"))

    # As a case worker she sees the person who consented to the Jobcenter, by name.
    response = page.goto(f"{base}/persons/{known.public_id}/")
    assert response.status == 200
    assert "Mira" in page.get_by_role("heading", level=1).inner_text()

    # Signing out ends the provider's session too: the next sign-in asks for the password.
    page.get_by_role("button", name="Abmelden").click()
    page.wait_for_url(f"{provider.issuer}/session/end**")
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{base}/login/")
    expect(page.get_by_role("link", name="Anmelden mit Stadtportal")).to_be_visible()
    page.get_by_role("link", name="Anmelden mit Stadtportal").click()
    page.wait_for_url(f"{provider.issuer}/interaction/**")
    expect(page.get_by_label("Password")).to_be_visible()
    assert page.get_by_label("Password").input_value() == ""


def test_provider_staff_lands_in_their_own_organisation(
    city: City, provider: Provider, live_server: Any, page: Any
) -> None:
    base = live_server.url
    sign_in_at_provider(page, base, provider, "tom.traeger", "idp-passwort-tom-1")
    page.wait_for_url(f"{base}/")
    who = page.locator(".site-user__who").inner_text()
    assert "Tom Träger" in who
    assert "Trägerpersonal, Träger A" in who
    assert "Jobcenter" not in who


def test_a_user_whose_claims_map_to_no_role_gets_no_access(
    known: Person, provider: Provider, live_server: Any, page: Any
) -> None:
    base = live_server.url
    sign_in_at_provider(page, base, provider, "uwe.ohne", "idp-passwort-uwe-1")
    page.wait_for_url(f"{base}/")
    expect(
        page.get_by_role("heading", name="Ihnen ist noch keine Rolle zugeordnet")
    ).to_be_visible()
    assert page.locator(".site-user__role").count() == 0
    assert page.goto(f"{base}/persons/{known.public_id}/").status == 404
    assert page.goto(f"{base}/persons/").status == 403


def test_a_wrong_password_at_the_provider_signs_nobody_in(
    city: City, provider: Provider, live_server: Any, page: Any
) -> None:
    base = live_server.url
    sign_in_at_provider(page, base, provider, "anna.fall", "falsch")
    assert page.get_by_role("alert").inner_text() == "Wrong username or password."
    page.goto(f"{base}/")
    assert page.locator(".site-user").count() == 0  # nobody signed in


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_login_page_offers_the_provider_and_the_password(
    city: City, provider: Provider, live_server: Any, browser: Any, axe_path: Path, language: str
) -> None:
    page = browser.new_page(locale=f"{language}-DE", viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/login/")
    button = "Anmelden mit Stadtportal" if language == "de" else "Log in with Stadtportal"
    expect(page.get_by_role("link", name=button)).to_be_visible()
    expect(page.get_by_label("Benutzername" if language == "de" else "Username")).to_be_visible()
    assert not serious_violations(page, axe_path)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"signin-provider-{language}-1280.png"))
    page.set_viewport_size({"width": 320, "height": 800})
    page.screenshot(path=str(SCREENSHOTS / f"signin-provider-{language}-320.png"), full_page=True)
