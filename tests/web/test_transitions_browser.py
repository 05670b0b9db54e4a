"""A coordinator in a real Chromium: chooses the school leavers of a year, watches the
report being computed in the background, and reads the drawn charts; axe-core finds no
serious violation on the form or the report."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from tests.conftest import City
from tests.web.test_accessibility import axe_path, serious_violations  # noqa: F401
from tests.web.test_browser import CHROMIUM_ARGS
from tests.web.test_transitions_pages import school_leavers  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture
def cohort(
    transactional_db: None,
    city: City,
    coordinator: User,
    school_leavers: None,  # noqa: F811
    settings: Any,
) -> None:
    """Made before Playwright starts its event loop; the real thread runner."""
    settings.JOBS_RUNNER = "thread"


@pytest.fixture
def page(chromium_path: str) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser.new_page(locale="de-DE", viewport={"width": 1280, "height": 900})
        finally:
            browser.close()


def test_a_coordinator_computes_and_reads_a_transitions_report_in_the_browser(
    live_server: Any,
    cohort: None,
    page: Any,
    axe_path: Path,  # noqa: F811
) -> None:
    found: list[str] = []
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Benutzername").fill("coordinator")
    page.get_by_label("Passwort").fill("correct horse battery 1")
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"{live_server.url}/")

    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Verläufe"
    ).click()
    page.wait_for_url(f"{live_server.url}/transitions/")
    found += serious_violations(page, axe_path)
    page.get_by_label("Kohorte").select_option("school_leavers")
    page.get_by_label("Jahr").fill("2025")
    page.get_by_label("Monate").fill("12")
    page.get_by_label("Anzahl der Verlaufstypen").fill("2")
    page.get_by_role("button", name=re.compile("berechnen|Bericht", re.IGNORECASE)).click()

    page.wait_for_url(re.compile(r".*/transitions/reports/\d+/$"), timeout=60_000)
    page.wait_for_load_state("networkidle")  # charts drawn
    assert page.locator(".chart__canvas svg").count() >= 2
    assert "Ausbildung" in page.content()
    found += serious_violations(page, axe_path)
    page.screenshot(path="var/screenshots/transitions-report.png", full_page=True)

    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
