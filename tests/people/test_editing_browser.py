"""A case worker in a real Chromium changes a person's address and records a spell of
the biography by clicking and typing, then finds both on the person page; the editing
pages pass axe-core and are photographed at 1280 and 320 pixels wide."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from doconnect.people.models import Person
from tests.browser import log_in, serious_violations, settled
from tests.conftest import City, make_person

pytestmark = pytest.mark.browser

SHOTS = Path("var/screenshots")
NARROW = {"width": 320, "height": 800}
WIDE = {"width": 1280, "height": 900}


@pytest.fixture
def client_of_the_jobcenter(transactional_db: None, city: City, case_worker: User) -> Person:
    """Made before Playwright starts its event loop: a person who consented to the
    Jobcenter, with no address yet and no spell."""
    return make_person(city, given_name="Mira", family_name="Sommer", consent_orgs=[city.jobcenter])


def shoot(page: Any, name: str, part: Any = None) -> None:
    """The page (or only ``part`` of it) at desktop and at phone width, then back."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    # A focused field keeps its place while the width changes and leaves the layout
    # half-drawn in the picture; the user would see it settled.
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for size, width in ((WIDE, 1280), (NARROW, 320)):
        page.set_viewport_size(size)
        page.wait_for_timeout(200)
        path = str(SHOTS / f"{name}-{width}.png")
        if part is None:
            page.screenshot(path=path, full_page=True)
        else:
            part.screenshot(path=path)
    page.set_viewport_size(WIDE)
    settled(page)


def test_a_case_worker_changes_the_address_and_records_a_spell_by_clicking(
    live_server: Any, client_of_the_jobcenter: Person, page: Any, axe_path: Path
) -> None:
    person = client_of_the_jobcenter
    found: list[str] = []
    log_in(page, live_server.url, "case_worker")
    page.goto(f"{live_server.url}/persons/{person.public_id}/")

    # The address
    page.get_by_role("link", name="Angaben ändern").click()
    page.wait_for_url(f"{live_server.url}/persons/{person.public_id}/edit/")
    assert page.get_by_label("Geburtsdatum").input_value() == "2004-05-17"
    found += serious_violations(page, axe_path)
    page.get_by_label("Straße und Hausnummer").fill("Bahnhofstraße 12")
    page.get_by_label("Postleitzahl").fill("44263")
    page.get_by_label("Wohnbezirk laut Adresse").select_option(label="Hörde")
    page.get_by_label("Telefon").fill("0231 987654")
    shoot(page, "person-edit")
    page.get_by_role("button", name="Angaben speichern").click()
    page.wait_for_url(f"{live_server.url}/persons/{person.public_id}/#personal-heading")
    expect(page.get_by_text("Die Angaben sind gespeichert.")).to_be_visible()
    personal = page.locator("section", has=page.locator("#personal-heading"))
    assert "Bahnhofstraße 12 44263" in personal.inner_text()
    assert "0231 987654" in personal.inner_text()
    record = page.locator("section", has=page.locator("#record-heading"))
    assert "Hörde" in record.inner_text()  # the district moved with the address

    # A spell
    page.get_by_role("link", name="Abschnitt erfassen").click()
    page.wait_for_url(f"{live_server.url}/persons/{person.public_id}/spells/new/")
    found += serious_violations(page, axe_path)
    page.get_by_label("Status").select_option(label="arbeitslos")
    page.get_by_label("Beginn").fill("2026-03-01")
    page.get_by_label("Beruf (KldB 2010)").fill("51312")
    shoot(page, "spell-new")
    page.get_by_role("button", name="Abschnitt speichern").click()
    page.wait_for_url(f"{live_server.url}/persons/{person.public_id}/#spells-heading")
    expect(page.get_by_text("Der Abschnitt ist erfasst.")).to_be_visible()
    spells = page.locator("section", has=page.locator("#spells-heading"))
    row = spells.locator("tbody tr", has_text="arbeitslos")
    assert "01.03.2026" in row.inner_text() and "laufend" in row.inner_text()
    assert row.get_by_role("link", name="beenden").is_visible()
    found += serious_violations(page, axe_path)
    shoot(page, "person-after-editing")
    shoot(page, "person-spells", spells)

    # An overlap is refused next to the field, in the browser too
    page.get_by_role("link", name="Abschnitt erfassen").click()
    page.get_by_label("Status").select_option(label="Beschäftigung")
    page.get_by_label("Beginn").fill("2026-06-01")
    page.get_by_role("button", name="Abschnitt speichern").click()
    start_field = page.locator(".kern-form-input", has=page.get_by_label("Beginn"))
    assert "Überschneidet sich" in start_field.inner_text()
    found += serious_violations(page, axe_path)
    shoot(page, "spell-overlap")

    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
