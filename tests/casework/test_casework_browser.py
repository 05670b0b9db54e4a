"""A case worker's case work in a real Chromium, by clicking and typing: a note and a
follow-up on the person page, seen there at once; the provider's staff of the same
person sees neither. Screenshots at 1280 and 320 px; axe-core finds no serious or
critical violation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone

from doconnect.people.models import Person
from doconnect.people.services import spell_create
from tests.browser import log_in, serious_violations
from tests.conftest import City, participant

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"


@pytest.fixture
def sam(
    transactional_db: None,
    city: City,
    case_worker: User,
    provider_staff: User,
    settings: Any,
) -> Person:
    """Made before Playwright starts its event loop: a participant of provider A who
    consented to the Jobcenter and provider A."""
    settings.DEMO_MODE = True
    person = participant(city, city.offer_a, [city.jobcenter, city.provider_a], given_name="Sam")
    spell_create(person=person, state="school", start=dt.date(2014, 8, 1), end=dt.date(2020, 7, 31))
    return person


def _shots(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    page.set_viewport_size({"width": 320, "height": 720})
    page.screenshot(path=str(SCREENSHOTS / f"{name}-320.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_case_worker_writes_a_note_and_sets_a_follow_up_by_clicking(
    live_server: Any, sam: Person, browser: Any, axe_path: Path
) -> None:
    base, pid = live_server.url, sam.public_id
    today = timezone.localdate()
    page = browser.new_page(locale="de-DE", viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15_000)
    log_in(page, base, "case_worker")
    page.goto(f"{base}/persons/{pid}/")

    notes = page.locator("#notes")
    notes.get_by_text("Gesprächsvermerk schreiben").click()
    form = page.locator("#note-form")
    form.get_by_label("Gesprächsdatum").fill(today.isoformat())
    form.get_by_label("Anlass").select_option(label="Telefonat")
    form.get_by_label("Vermerk").fill("Rückruf: Die Zusage des Berufskollegs ist da.")
    form.get_by_role("button", name="Vermerk speichern").click()
    page.wait_for_url(f"{base}/persons/{pid}/#notes")

    text = notes.locator(".case-note__text").get_by_text("Die Zusage des Berufskollegs ist da.")
    assert text.is_visible()
    assert notes.get_by_role("heading", name=f"{today:%d.%m.%Y} · Telefonat").is_visible()

    follow_ups = page.locator("#follow-ups")
    follow_ups.get_by_text("Wiedervorlage setzen").click()
    form = page.locator("#follow-up-form")
    form.get_by_label("Wiedervorlage am").fill(today.isoformat())
    form.get_by_label("Anlass").fill("Anmeldung am Berufskolleg prüfen")
    form.get_by_role("button", name="Wiedervorlage speichern").click()
    page.wait_for_url(f"{base}/persons/{pid}/#follow-ups")

    item = follow_ups.get_by_role("listitem").filter(has_text="Anmeldung am Berufskolleg prüfen")
    assert item.is_visible() and "heute fällig" in item.inner_text()

    page.get_by_role("button", name="Fall übernehmen").click()
    page.wait_for_url(f"{base}/persons/{pid}/#responsible")
    assert "zuständig: case_worker" in page.locator("#responsible").inner_text()

    _shots(page, "case_worker-casework")
    found = serious_violations(page, axe_path)
    page.goto(f"{base}/persons/{pid}/notes/")
    found += serious_violations(page, axe_path)
    page.goto(f"{base}/persons/{pid}/follow-ups/")
    _shots(page, "case_worker-follow-ups")
    found += serious_violations(page, axe_path)
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)

    # The provider's staff works on the same person, and sees none of it.
    other = browser.new_page(locale="de-DE", viewport={"width": 1280, "height": 900})
    other.set_default_timeout(15_000)
    log_in(other, base, "provider_staff")
    other.goto(f"{base}/persons/{pid}/")
    body = other.locator("main").inner_text()
    assert "Gesprächsvermerke" in body and "Noch keine Gesprächsvermerke." in body
    assert "Berufskolleg ist da" not in body and "Anmeldung am Berufskolleg" not in body
    assert "case_worker" not in body
