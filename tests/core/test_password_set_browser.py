"""An imported user's first password, in a real Chromium: the set-password mail's link
opens a form, the user types the password twice, and signs in with it; the link works
once only, and a link tampered with sets nothing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from doconnect.core.models import Organisation
from tests.browser import log_in, serious_violations

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"
NEW_PASSWORD = "Fenster-Gartenbank-42"


class _Out:
    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass


@pytest.fixture
def invitation(transactional_db: None, tmp_path: Path) -> str:
    """The path of the link mailed to a user just imported; made before the browser
    starts (no ORM inside Playwright's event loop)."""
    Organisation.objects.create(external_id="jobcenter", name="Jobcenter", kind="jobcenter")
    users = tmp_path / "users.csv"
    users.write_text(
        "username,given_name,family_name,email,organisation,role\n"
        "fallberatung,Felix,Fallberater,felix@jobcenter.example,jobcenter,case_worker\n",
        encoding="utf-8",
    )
    call_command("import", "users", str(users), "--send-password-mail", stdout=_Out())
    (message,) = mail.outbox
    assert message.to == ["felix@jobcenter.example"]
    assert message.subject == "do-connect: Ihr Passwort festlegen"
    assert "Ihr Benutzername ist „fallberatung“" in message.body
    link = re.search(r"https?://\S+/password/set/\S+/", message.body)
    assert link is not None, message.body
    return urlsplit(link.group(0)).path


def shoot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_an_imported_user_sets_a_password_from_the_mail_and_signs_in_with_it(
    live_server: Any, invitation: str, browser: Any, page: Any, axe_path: Path
) -> None:
    base = live_server.url
    for locale, heading in (("de-DE", "Passwort festlegen"), ("en-GB", "Set your password")):
        for width in (1280, 320):
            look = browser.new_page(locale=locale, viewport={"width": width, "height": 900})
            look.goto(base + invitation)
            assert look.get_by_role("heading", level=1).inner_text() == heading
            shoot(look, f"password-set-{locale[:2]}-{width}")
            look.close()

    page.goto(base + invitation)
    assert "Ihr Benutzername ist „fallberatung“" in page.content()
    assert serious_violations(page, axe_path) == []
    # Two different passwords: refused, nothing saved.
    page.get_by_label("Neues Passwort", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Neues Passwort bestätigen").fill(NEW_PASSWORD + "x")
    page.get_by_role("button", name="Passwort speichern").click()
    expect(page.locator(".kern-error").first).to_be_visible()
    page.get_by_label("Neues Passwort", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Neues Passwort bestätigen").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Passwort speichern").click()
    page.wait_for_url(f"{base}/password/set/done/")
    assert page.get_by_role("heading", level=1).inner_text() == "Passwort gespeichert"
    assert serious_violations(page, axe_path) == []
    shoot(page, "password-set-done-de-1280")

    # The link is spent.
    page.goto(base + invitation)
    assert "Dieser Link gilt nicht mehr" in page.content()
    assert page.get_by_label("Neues Passwort", exact=True).count() == 0

    log_in(page, base, "fallberatung", NEW_PASSWORD)


def test_a_link_tampered_with_opens_no_form(live_server: Any, invitation: str, page: Any) -> None:
    uid, token = invitation.strip("/").split("/")[-2:]
    forged = f"/password/set/{uid}/{token[:-3]}abc/"
    response = page.goto(live_server.url + forged)
    assert response is not None and response.status == 200
    assert "Dieser Link gilt nicht mehr" in page.content()
    assert page.get_by_label("Neues Passwort", exact=True).count() == 0
    shoot(page, "password-set-invalid-de-1280")
