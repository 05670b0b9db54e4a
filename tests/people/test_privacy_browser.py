"""The data-subject requests page and the data-protection officer's log in a real
Chromium, by clicking and typing: a coordinator finds a person, downloads the Art. 15
copy and erases the person after typing the pseudonym again; the officer then finds
both acts in the log. Screenshots at 1280 and 320 px, German and English, go to
var/screenshots/; axe-core finds no serious or critical violation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from doconnect.core.models import Role
from doconnect.people.models import Person
from tests.browser import log_in, serious_violations, shoot_both_widths
from tests.conftest import City, _user, make_person

pytestmark = pytest.mark.browser

SCREENSHOTS = Path("var/screenshots")


def _shoot(page: Any, name: str) -> None:
    shoot_both_widths(page, SCREENSHOTS / name)


@pytest.fixture
def requester(transactional_db: None, city: City, coordinator: User) -> Person:
    """Made before Playwright starts: a person with consent for the city, and the
    data-protection officer."""
    _user("datenschutz", city.city, Role.DPO)
    return make_person(city, given_name="Selin", family_name="Aksoy", consent_orgs=[city.city])


def test_a_coordinator_exports_and_erases_and_the_officer_finds_both_in_the_log(
    live_server: Any, requester: Person, browser: Any, axe_path: Path
) -> None:
    found: list[str] = []
    public_id = requester.public_id
    page = browser.new_page(locale="de-DE", viewport={"width": 1280, "height": 900})
    log_in(page, live_server.url, "coordinator")
    page.get_by_role("link", name="Betroffenenrechte").click()
    page.get_by_label("Pseudonym").fill(public_id.lower())
    page.get_by_role("button", name="Person suchen").click()
    page.get_by_role("heading", name=f"Selin Aksoy ({public_id})").wait_for()
    found += serious_violations(page, axe_path)
    _shoot(page, "privacy-requests-de")

    with page.expect_download() as download:
        page.get_by_role("button", name="Auskunft herunterladen (JSON)").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["personal"]["family_name"] == "Aksoy"

    page.get_by_label("Grund der Löschung").fill("Antrag vom 3.12.")
    page.get_by_label("Zur Bestätigung das Pseudonym eingeben").fill("P-VERTIPPT")
    page.get_by_role("button", name="Endgültig löschen").click()
    page.get_by_text("stimmt nicht mit").wait_for()
    page.get_by_label("Zur Bestätigung das Pseudonym eingeben").fill(public_id)
    page.get_by_role("button", name="Endgültig löschen").click()
    page.get_by_text(f"{public_id} ist gelöscht").wait_for()

    officer = browser.new_page(locale="de-DE", viewport={"width": 1280, "height": 900})
    log_in(officer, live_server.url, "datenschutz")
    # The officer reads in English: the cookie the language switch sets.
    officer.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    officer.reload()
    officer.get_by_role("link", name="Access log").click()
    officer.get_by_label("Pseudonym").fill(public_id)
    officer.get_by_role("button", name="Filter").click()
    table = officer.locator("#audit-events")
    table.wait_for()
    text = table.inner_text()
    assert "coordinator" in text and "Aksoy" not in text
    assert "Antrag vom 3.12." in text  # the erasure's reason
    assert "Art. 15" in text
    found += serious_violations(officer, axe_path)
    _shoot(officer, "audit-log-en")
    assert not found, found
