"""A coordinator in a real Chromium: chooses the school leavers of a year, watches the
report being computed by the worker process, and reads the drawn charts; axe-core finds no
serious violation on the form or the report."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from tests.browser import log_in, serious_violations
from tests.conftest import City
from tests.transitions.test_transitions_pages import school_leavers  # noqa: F401
from tests.workers import RunningWorker

pytestmark = pytest.mark.browser


@pytest.fixture
def cohort(
    transactional_db: None,
    city: City,
    coordinator: User,
    school_leavers: None,  # noqa: F811
    worker: RunningWorker,
) -> None:
    """Made before Playwright starts its event loop; a real `doconnect worker` computes."""


def test_a_coordinator_computes_and_reads_a_transitions_report_in_the_browser(
    live_server: Any,
    cohort: None,
    page: Any,
    axe_path: Path,
) -> None:
    found: list[str] = []
    log_in(page, live_server.url, "coordinator")

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
    # Seven persons: the transition matrix is drawn; a chart whose every value is hidden
    # by the small-number rule ("unter 5") keeps only its table, not an empty drawing.
    drawn = page.locator(".chart__canvas svg").count()
    assert drawn >= 1 and page.locator("figure.chart").count() > drawn
    assert "unter 5" in page.locator("#chart-zustandsverteilung").inner_text()
    assert "Ausbildung" in page.content()
    found += serious_violations(page, axe_path)
    page.screenshot(path="var/screenshots/transitions-report.png", full_page=True)

    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
