"""A coordinator in a real Chromium: starts an allocation, watches the progress page
(htmx polling while a real worker process computes), lands on the review, reads a
person's explanation, sends the proposals; axe-core finds no serious violation on the
way."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from playwright.sync_api import expect

from doconnect.allocation.services import priority_weights_record
from doconnect.people.models import Person
from tests.browser import log_in, serious_violations, shoot_both_widths
from tests.conftest import City, waiting
from tests.workers import RunningWorker

pytestmark = pytest.mark.browser


@pytest.fixture
def queue(
    transactional_db: None, scarce: City, coordinator: User, worker: RunningWorker
) -> tuple[Person, Person]:
    """Made before Playwright starts its event loop; a real `doconnect worker` computes."""
    anna = waiting(scarce, "Anna", youth=False)
    ben = waiting(scarce, "Ben")
    priority_weights_record(
        target_groups={scarce.youth.code: 2},
        support_needs={},
        note="Junge Menschen zuerst",
        recorded_by=coordinator,
    )
    return anna, ben


def test_a_coordinator_runs_reviews_and_sends_an_allocation_in_the_browser(
    live_server: Any,
    queue: tuple[Person, Person],
    page: Any,
    axe_path: Path,
) -> None:
    anna, _ben = queue
    found: list[str] = []
    log_in(page, live_server.url, "coordinator")

    page.get_by_role("link", name="Zuteilung", exact=True).click()
    page.wait_for_url(f"{live_server.url}/allocation/")
    found += serious_violations(page, axe_path)
    page.get_by_role("button", name="Zuteilung berechnen").click()

    # The progress page polls until the worker has stored the run, then moves on.
    page.wait_for_url(re.compile(r".*/allocation/runs/\d+/$"), timeout=30_000)
    expect(page.get_by_role("heading", name=re.compile("Zuteilungslauf vom"))).to_be_visible()
    expect(page.get_by_role("cell", name="Werkstatt A").first).to_be_visible()
    found += serious_violations(page, axe_path)

    page.get_by_role("link", name=anna.public_id).click()
    page.wait_for_url(re.compile(rf".*/persons/{anna.public_id}/$"))
    assert "an Personen mit höherer Priorität" in page.content()
    found += serious_violations(page, axe_path)
    page.go_back()

    # The bulk step first shows what it will do, per provider, and asks.
    page.get_by_role("link", name="Alle Vorschläge senden").click()
    page.wait_for_url(re.compile(r".*/allocation/runs/\d+/send/$"))
    expect(page.get_by_role("heading", name="Alle Vorschläge senden?")).to_be_visible()
    per_provider = page.get_by_role("table", name="Je Träger")
    assert per_provider.locator("tbody tr").inner_text().split() == [
        "Träger",
        "A",
        "1",
        "1",
    ]
    found += serious_violations(page, axe_path)
    _shoot_both_widths(page, "allocation-confirm-de")
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    page.reload()
    expect(page.get_by_role("heading", name="Send all proposals?")).to_be_visible()
    _shoot_both_widths(page, "allocation-confirm-en")
    page.context.clear_cookies(name=settings.LANGUAGE_COOKIE_NAME)
    page.reload()
    page.get_by_role("button", name="Ja, alle senden").click()
    page.wait_for_url(re.compile(r".*/allocation/runs/\d+/$"))
    expect(page.get_by_text("1 Zuweisung an den Träger gesendet.")).to_be_visible()
    assert page.get_by_role("link", name="Alle Vorschläge senden").count() == 0
    page.screenshot(path="var/screenshots/allocation-run.png", full_page=True)

    page.goto(f"{live_server.url}/allocation/weights/")
    found += serious_violations(page, axe_path)

    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)


def _shoot_both_widths(page: Any, name: str) -> None:
    shoot_both_widths(page, Path("var/screenshots") / name)
