"""Registering a person in a real Chromium, by clicking and typing as a case worker does:
the form, the duplicate warning for a near-identical name, registering anyway; and the
coordinator's queue, where the pair is merged. Screenshots at 1280 and 320 px wide go
to var/screenshots/; axe-core finds no serious or critical violation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from doconnect.people.models import DuplicateCandidate, Person
from tests.browser import log_in, serious_violations, shoot_both_widths
from tests.conftest import City
from tests.people.registering import existing

pytestmark = pytest.mark.browser

SCREENSHOTS = Path("var/screenshots")


def _shoot(page: Any, name: str) -> None:
    """The page as it is at 1280 px, and at 320 px (a small phone), full length."""
    shoot_both_widths(page, SCREENSHOTS / name)


@pytest.fixture
def alexandra(transactional_db: None, city: City, case_worker: User, coordinator: User) -> Person:
    """Made before Playwright starts: Alexandra Müller, known to the Jobcenter and the city."""
    return existing(city, consent_orgs=[city.jobcenter, city.city])


def test_a_case_worker_registers_a_person_meets_the_duplicate_warning_and_confirms(
    live_server: Any, alexandra: Person, page: Any, axe_path: Path
) -> None:
    found: list[str] = []
    log_in(page, live_server.url, "case_worker")

    page.get_by_role("link", name="Personen", exact=True).click()
    page.get_by_role("link", name="Person aufnehmen").click()
    page.get_by_role("heading", name="Person aufnehmen").wait_for()
    found += serious_violations(page, axe_path)

    page.get_by_label("Vorname", exact=True).fill("Alexandra")
    page.get_by_label("Nachname", exact=True).fill("Müler")  # one letter short
    page.get_by_label("Geburtsdatum").fill("2004-05-17")
    page.get_by_label("Geschlecht").select_option(label="weiblich")
    page.get_by_label("Straße und Hausnummer").fill("Evinger Straße 12")
    page.get_by_label("Postleitzahl").fill("44339")
    page.get_by_label("Stadtbezirk").select_option(label="Eving")
    page.get_by_label("Rechtskreis").select_option(label="SGB II (Grundsicherung)")
    page.get_by_label("Jugendliche").check()
    page.get_by_role("checkbox", name="Beratung und Begleitung").check()
    assert page.get_by_label("Berechtigte Organisationen").evaluate(
        "select => [...select.selectedOptions].map(o => o.text)"
    ) == ["Jobcenter"]
    _shoot(page, "person-register")
    page.get_by_role("button", name="Person aufnehmen").click()

    warning = page.get_by_role("alert").filter(has_text="Mögliche Dublette")
    warning.wait_for()
    assert alexandra.public_id in warning.inner_text()
    assert "Alexandra Müller" in warning.inner_text()
    assert page.get_by_role(
        "link", name=f"Vorhandene Akte {alexandra.public_id} öffnen"
    ).is_visible()
    assert page.get_by_label("Nachname", exact=True).input_value() == "Müler"  # kept
    found += serious_violations(page, axe_path)
    _shoot(page, "person-register-duplicate")

    page.get_by_role("button", name="Trotzdem als neue Person aufnehmen").click()
    page.get_by_text("ist aufgenommen").wait_for()
    assert "Alexandra Müler" in page.inner_text("main")
    page.screenshot(path=str(SCREENSHOTS / "person-registered-1280.png"), full_page=True)

    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)


@pytest.fixture
def queued(alexandra: Person, city: City, case_worker: User) -> DuplicateCandidate:
    """The same Alexandra registered again by the city, and the pair in the queue."""
    again = existing(city, "Alexandra", "Müler", consent_orgs=[city.city])
    return DuplicateCandidate.objects.create(
        first=alexandra,
        second=again,
        reason="similar_name",
        score=96,
        found_by=case_worker,
        found_in="web.person_register",
        shown_to_finder=True,
    )


def test_a_coordinator_merges_a_pair_from_the_queue(
    live_server: Any, queued: DuplicateCandidate, page: Any, axe_path: Path
) -> None:
    kept, gone = queued.first.public_id, queued.second.public_id
    log_in(page, live_server.url, "coordinator")

    page.get_by_role("link", name="Personen", exact=True).click()
    page.get_by_role("link", name="Mögliche Dubletten").click()
    pair = page.get_by_role("article", name=f"{kept} und {gone}")
    pair.wait_for()
    assert "Alexandra Müller" in pair.inner_text() and "Alexandra Müler" in pair.inner_text()
    found = serious_violations(page, axe_path)
    _shoot(page, "person-duplicates")

    pair.get_by_label(f"{kept} (Alexandra Müller)").check()
    pair.get_by_role("button", name="Zusammenführen").click()
    page.get_by_text(f"{gone} ist in {kept} zusammengeführt.").wait_for()
    expect(page.get_by_text("0 offene Paare")).to_be_visible()

    # The merged pseudonym leads to the record it went into.
    page.goto(f"{live_server.url}/persons/{gone}/")
    page.wait_for_url(f"{live_server.url}/persons/{kept}/")
    assert "Alexandra Müller" in page.inner_text("main")

    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
