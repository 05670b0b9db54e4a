"""The policy forms filled as a coordinator does, in Chromium (issue #17: every form of
the platform clicked and typed, with the page it leads to): a priority decision from
the empty draft to its criteria, options, values, weights, the decision on record, its
publication and its withdrawal; the yearly report published after the preview and
withdrawn again."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from tests.browser import log_in
from tests.conftest import City
from tests.transparency.conftest import year_city  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

REASONS = "Die Jugendlichen verlieren sonst die meisten Plätze in der Stadt."
WITHDRAWN = "Die Zahlen des Jahres wurden nach der Veröffentlichung berichtigt."


@pytest.fixture
def policy_city(
    transactional_db: None,
    year_city: City,  # noqa: F811
    coordinator: User,
    fixed_today: None,
) -> City:
    """Made before Playwright starts its event loop: the transparency tests' year."""
    return year_city


def _values(page: Any, *values: str) -> None:
    """Type a value into each criterion's field of an option form, in order."""
    fields = page.locator("main form input[type=number]")
    assert fields.count() == len(values)
    for i, value in enumerate(values):
        fields.nth(i).fill(value)


def test_a_coordinator_takes_a_decision_from_draft_to_withdrawal_by_typing(
    live_server: Any, policy_city: City, page: Any
) -> None:
    base = live_server.url
    log_in(page, base, "coordinator")
    page.goto(f"{base}/decisions/")
    page.get_by_role("link", name="Neue Entscheidung").click()
    page.get_by_label("Titel").fill("Sprachkurse 2027")
    page.get_by_label("Frage").fill("Wie viele Plätze in Sprachkursen sichert die Stadt?")
    page.get_by_label("Hintergrund").fill("Der Bund kürzt die Förderung.")
    page.get_by_role("button", name="Entwurf anlegen").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Sprachkurse 2027"

    page.get_by_role("link", name="Kriterium hinzufügen").click()
    page.get_by_label("Kennung").fill("plaetze")
    page.get_by_label("Bezeichnung").fill("Gesicherte Plätze")
    page.get_by_label("Richtung").select_option(index=0)
    page.get_by_label("Gewicht").fill("2")
    page.get_by_role("button", name="Speichern").click()
    matrix = page.locator("table", has_text="Gesicherte Plätze")
    assert matrix.count() == 1

    for label, value in (("Wenige Kurse", "10"), ("Viele Kurse", "40")):
        page.get_by_role("link", name="Option hinzufügen").click()
        page.get_by_label("Bezeichnung").fill(label)
        _values(page, value)
        page.get_by_role("button", name="Speichern").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Sprachkurse 2027"
        assert label in page.locator("main").inner_text()

    page.get_by_role("link", name="Werte von Wenige Kurse ändern").click()
    _values(page, "20")
    page.get_by_role("button", name="Speichern").click()
    assert "20" in page.locator("tr", has_text="Wenige Kurse").first.inner_text()

    page.get_by_role("spinbutton", name="Gesicherte Plätze").fill("3")
    page.get_by_text("Vorschau mit den eingegebenen Gewichten").wait_for()  # htmx has answered
    page.get_by_role("button", name="Gewichte speichern").click()
    page.get_by_text("Die Gewichte sind gespeichert.").wait_for()

    page.get_by_role("link", name="Entscheidung festhalten").click()
    page.get_by_label("Viele Kurse").check()
    page.get_by_label("Begründung").fill(REASONS)
    page.get_by_role("button", name="Entscheidung festhalten").click()
    record = page.locator("section", has=page.get_by_role("heading", name="Die Entscheidung"))
    assert "Viele Kurse" in record.inner_text() and REASONS in record.inner_text()

    page.get_by_role("button", name="Veröffentlichen").click()
    page.get_by_role("link", name="öffentliche Seite").click()
    assert REASONS in page.locator("main").inner_text()
    page.go_back()
    page.get_by_label("Grund des Rückzugs").fill(WITHDRAWN)
    page.get_by_role("button", name="Zurückziehen").click()
    assert "Stand: Zurückgezogen" in page.locator("main").inner_text()
    # the public page is gone with it (the ORM is not asked here: Playwright's loop runs)
    assert page.goto(f"{base}/public/decisions/").ok
    assert "Sprachkurse 2027" not in page.locator("main").inner_text()
    page.screenshot(path="var/screenshots/decision-withdrawn-de-1280.png", full_page=True)


def test_a_coordinator_publishes_the_yearly_report_after_the_preview_and_withdraws_it(
    live_server: Any, policy_city: City, page: Any
) -> None:
    base = live_server.url
    log_in(page, base, "coordinator")
    page.goto(f"{base}/transparency/")
    page.get_by_role("link", name="Vorschau 2026 und veröffentlichen").click()
    confirm = page.get_by_label("Ich habe die Vorschau geprüft.", exact=False)
    page.get_by_role("button", name="Jahresbericht 2026 veröffentlichen").click()
    # without the confirmation the browser keeps the form, and nothing is published
    assert confirm.evaluate("box => box.validity.valueMissing")
    assert page.url == f"{base}/transparency/2026/preview/"
    assert page.request.get(f"{base}/public/reports/2026/").status == 404
    confirm.check()
    page.get_by_role("button", name="Jahresbericht 2026 veröffentlichen").click()
    page.wait_for_url(f"{base}/public/reports/2026/")
    expect(page.get_by_text("Der Jahresbericht 2026 ist veröffentlicht.")).to_be_visible()

    page.goto(f"{base}/transparency/")
    page.get_by_role("link", name="Bericht 2026 zurückziehen").click()
    page.get_by_label("Grund der Rücknahme").fill(WITHDRAWN)
    page.get_by_label("Der Bericht soll von den öffentlichen Seiten genommen werden.").check()
    page.get_by_role("button", name="Zurückziehen").click()
    page.wait_for_url(f"{base}/transparency/")
    expect(page.get_by_text("Der Jahresbericht 2026 ist zurückgezogen.")).to_be_visible()
    assert page.request.get(f"{base}/public/reports/2026/").status == 404
    page.screenshot(path="var/screenshots/transparency-withdrawn-de-1280.png", full_page=True)
