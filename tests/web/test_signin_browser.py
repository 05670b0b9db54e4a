"""Signing in with a local account in Chromium, with the second factor on: the setup
page's QR code drawn by the platform, the key read off the page into the authenticator
(here RFC 6238 computed by the test), the code typed; and the lockout after too many
wrong passwords. Screenshots: var/screenshots/signin-*.png at 1280 and 320 px."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from playwright.sync_api import expect

from tests.browser import PASSWORD, serious_violations
from tests.totp import totp, wrong

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(django_settings.VAR_DIR) / "screenshots"


def type_password(page: Any, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()


def test_a_case_worker_sets_up_the_app_and_signs_in_with_its_code(
    case_worker: User, settings: Any, live_server: Any, page: Any, axe_path: Path
) -> None:
    settings.TOTP_REQUIRED = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # tests/web/test_signin.py tests the throttling
    base = live_server.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    type_password(page, base, "case_worker", PASSWORD)
    page.wait_for_url(f"{base}/login/code/setup/")
    expect(page.get_by_role("heading", name="Zweiten Faktor einrichten")).to_be_visible()
    qr = page.get_by_role("img", name="QR-Code für die Authenticator-App")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 100")
    assert not serious_violations(page, axe_path)
    page.screenshot(path=str(SCREENSHOTS / "signin-code-setup-de-1280.png"), full_page=True)
    page.set_viewport_size({"width": 320, "height": 800})
    page.screenshot(path=str(SCREENSHOTS / "signin-code-setup-de-320.png"), full_page=True)

    # The key as the page shows it, typed into the authenticator (RFC 6238 here).
    secret = page.locator(".totp-secret").inner_text()
    label = "Code aus der Authenticator-App"
    page.get_by_label(label).fill(wrong(totp(secret)))
    page.get_by_role("button", name="Bestätigen").click()
    expect(page.get_by_text("Der Code ist nicht richtig")).to_be_visible()
    page.get_by_label(label).fill(totp(secret))
    page.get_by_role("button", name="Bestätigen").click()
    page.wait_for_url(f"{base}/")
    assert "Fallberatung, Jobcenter" in page.locator(".site-user__who").inner_text()


def test_the_setup_page_in_english(
    case_worker: User, settings: Any, live_server: Any, browser: Any
) -> None:
    settings.TOTP_REQUIRED = True
    page = browser.new_page(locale="en-GB", viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("case_worker")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/login/code/setup/")
    expect(page.get_by_role("heading", name="Set up a second factor")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "signin-code-setup-en-1280.png"), full_page=True)
    page.set_viewport_size({"width": 320, "height": 800})
    page.screenshot(path=str(SCREENSHOTS / "signin-code-setup-en-320.png"), full_page=True)


def test_too_many_wrong_passwords_lock_the_sign_in_with_a_clear_message(
    case_worker: User, live_server: Any, page: Any, axe_path: Path
) -> None:
    base = live_server.url
    for _ in range(4):
        type_password(page, base, "case_worker", "falsch-falsch")
        expect(page.get_by_text("Benutzername oder Passwort sind nicht richtig.")).to_be_visible()
    type_password(page, base, "case_worker", "falsch-falsch")
    expect(page.get_by_role("heading", name="Anmeldung vorübergehend gesperrt")).to_be_visible()
    assert "in 15 Minuten" in page.get_by_role("alert").inner_text()
    type_password(page, base, "case_worker", PASSWORD)  # the right one, too late
    expect(page.get_by_role("heading", name="Anmeldung vorübergehend gesperrt")).to_be_visible()
    assert not serious_violations(page, axe_path)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "signin-locked-de-1280.png"), full_page=True)
    page.set_viewport_size({"width": 320, "height": 800})
    page.screenshot(path=str(SCREENSHOTS / "signin-locked-de-320.png"), full_page=True)
