"""A coordinator's decision page and the public decision page in a real Chromium: the
weights preview re-scores via htmx while typing, and axe-core finds no serious or
critical violation on either page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from doconnect.decisions.models import Decision
from doconnect.decisions.services import decision_publish, decision_record
from tests.browser import log_in, serious_violations
from tests.decisions.conftest import REASONS, worked_decision

pytestmark = pytest.mark.browser


@pytest.fixture
def decisions(
    transactional_db: None, coordinator: User, settings: Any
) -> tuple[Decision, Decision]:
    """Made before Playwright starts its event loop: a draft and a published one."""
    settings.DEMO_MODE = True
    draft = worked_decision(coordinator)
    published = worked_decision(coordinator)
    decision_record(
        decision=published,
        chosen=published.options.get(label="Option C"),
        reasons=REASONS,
        actor=coordinator,
    )
    decision_publish(decision=published, actor=coordinator)
    return draft, published


def test_the_decision_pages_preview_weights_and_pass_axe(
    live_server: Any, decisions: tuple[Decision, Decision], page: Any, axe_path: Path
) -> None:
    draft, published = decisions
    found: list[str] = []

    page.goto(f"{live_server.url}/public/decisions/{published.pk}/")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", name="Die Entscheidung")).to_be_visible()
    found += serious_violations(page, axe_path)

    log_in(page, live_server.url, "coordinator")
    page.goto(f"{live_server.url}/decisions/{draft.pk}/")
    page.wait_for_load_state("networkidle")
    found += serious_violations(page, axe_path)

    # equal weights put A first: the preview says so before anything is stored
    page.get_by_role("spinbutton", name="Abdeckung Jugendliche").fill("1")
    page.get_by_text("Vorschau mit den eingegebenen Gewichten").wait_for()
    first = page.locator("#scoring table").first.locator("tbody tr").first
    assert "Option A" in first.inner_text()
    page.screenshot(path="var/screenshots/decision.png", full_page=True)
    found += serious_violations(page, axe_path)

    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
