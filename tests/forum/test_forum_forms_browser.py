"""The conference's forms filled as the city's coordinator does, in Chromium (issue #17:
every form clicked and typed, with the page it leads to): a new session with its
agenda, a document, a participant, the minutes, a decision shown in public, a
commitment and its new status; the filters of the board, the actors and the network."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User

from tests.browser import log_in
from tests.conftest import TODAY, City
from tests.forum.fixtures import Conference, conference

__all__ = ["conference"]

pytestmark = pytest.mark.browser


@pytest.fixture
def forum_city(
    transactional_db: None,
    city: City,
    coordinator: User,
    conference: Conference,
    fixed_today: None,
    settings: Any,
) -> City:
    """Made before Playwright starts its event loop: the forum tests' conference."""
    settings.DEMO_MODE = True
    return city


def test_a_coordinator_runs_a_session_by_typing_into_its_forms(
    live_server: Any, forum_city: City, page: Any
) -> None:
    base = live_server.url
    log_in(page, base, "coordinator")
    page.goto(f"{base}/conference/")
    page.get_by_label("Titel").fill("Arbeitsgruppe Übergang Schule–Beruf")
    page.get_by_label("Art").select_option(index=0)
    page.get_by_label("Datum").fill((TODAY + dt.timedelta(days=7)).isoformat())
    page.get_by_label("Ort").fill("Rathaus, Saal 2")
    page.get_by_role("button", name="Sitzung anlegen").click()
    heading = page.get_by_role("heading", level=1)
    assert "Arbeitsgruppe Übergang Schule–Beruf" in heading.inner_text()
    main = page.locator("main")

    page.get_by_text("Tagesordnungspunkt hinzufügen").click()
    page.get_by_label("Titel des Tagesordnungspunkts").fill("Praktikumsplätze 2027")
    page.get_by_role("button", name="Punkt hinzufügen").click()
    assert "Praktikumsplätze 2027" in main.inner_text()

    page.locator("summary", has_text="Unterlage hinzufügen").click()
    page.get_by_label("Titel der Unterlage").fill("Zahlen der Berufskollegs")
    page.get_by_label("Text", exact=True).fill("Anmeldungen nach Bezirk.")
    page.get_by_role("button", name="Unterlage hinzufügen").click()
    assert "Zahlen der Berufskollegs" in main.inner_text()

    page.locator("summary", has_text="Teilnahme erfassen").click()
    page.get_by_label("Organisation", exact=True).select_option(label="Jobcenter")
    page.get_by_label("Vertreten durch").fill("Leitung Markt und Integration")
    page.get_by_role("button", name="Teilnahme erfassen").click()
    assert "Leitung Markt und Integration" in main.inner_text()

    page.get_by_text("Protokoll erfassen").click()
    page.get_by_role("textbox", name="Protokoll", exact=True).fill(
        "Die Runde sammelt Plätze je Bezirk."
    )
    page.get_by_role("button", name="Protokoll speichern").click()
    assert "Die Runde sammelt Plätze je Bezirk." in main.inner_text()

    page.get_by_text("Beschluss erfassen").click()
    page.get_by_role("textbox", name="Beschluss", exact=True).fill(
        "Jeder Träger meldet seine Plätze."
    )
    page.get_by_role("button", name="Beschluss speichern").click()
    decision = page.locator("article", has_text="Jeder Träger meldet seine Plätze.")
    decision.get_by_role("button", name="Öffentlich zeigen").click()
    decision = page.locator("article", has_text="Jeder Träger meldet seine Plätze.")
    assert decision.get_by_role("button", name="Nicht mehr öffentlich zeigen").is_visible()

    page.get_by_text("Zusage erfassen").click()
    form = page.locator("form", has=page.get_by_role("button", name="Zusage speichern"))
    form.get_by_label("Beschluss", exact=True).select_option(index=1)
    form.get_by_label("Verantwortliche Organisation").select_option(label="Träger A")
    form.get_by_label("Zusage", exact=True).fill("Zehn Praktikumsplätze melden")
    form.get_by_label("Fällig am").fill((TODAY + dt.timedelta(days=30)).isoformat())
    form.get_by_role("button", name="Zusage speichern").click()
    page.get_by_role("link", name="Zehn Praktikumsplätze melden").first.click()
    page.get_by_label("Neuer Status").select_option(index=1)
    chosen = page.get_by_label("Neuer Status").input_value()
    page.get_by_label("Begründung").fill("Die Liste ist in Arbeit.")
    page.get_by_role("button", name="Status ändern").click()
    assert "Die Liste ist in Arbeit." in page.locator("main").inner_text()
    assert page.get_by_label("Neuer Status").input_value() == chosen  # starts at the current
    # its decision is public, so the commitment may be shown in public too
    page.get_by_role("button", name="Öffentlich zeigen").click()
    page.get_by_role("button", name="Nicht mehr öffentlich zeigen").wait_for()
    page.screenshot(path="var/screenshots/forum-commitment-de-1280.png", full_page=True)


def test_the_conference_lists_filter_by_what_is_chosen(
    live_server: Any, forum_city: City, page: Any
) -> None:
    base = live_server.url
    log_in(page, base, "coordinator")
    for path in ("/conference/commitments/", "/conference/actors/"):
        page.goto(base + path)
        form = page.locator("main form", has=page.get_by_role("button", name="Filtern")).first
        choice = form.locator("select").first
        choice.select_option(index=choice.locator("option").count() - 1)
        chosen = choice.input_value()
        form.get_by_role("button", name="Filtern").click()
        page.wait_for_load_state()
        assert f"={chosen}" in page.url, (path, page.url)
        assert page.locator("main form select").first.input_value() == chosen
    # the network: one kind of actor only, drawn again
    page.goto(f"{base}/conference/network/")
    page.get_by_label("Jobcenter", exact=True).check()
    page.get_by_role("button", name="Anzeigen").click()
    page.wait_for_url("**actor_kinds=jobcenter**")
    assert page.get_by_label("Jobcenter", exact=True).is_checked()
