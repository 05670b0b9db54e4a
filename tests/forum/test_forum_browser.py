"""axe-core in a real Chromium on the conference pages: the session list and a session
page with its forms (as a coordinator), the commitments board, a commitment, the actor
directory and an actor, the network drawing, the overlap matrix, and the public
decision log as an anonymous visitor. Any serious or critical violation fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from doconnect.forum.services import minutes_record
from tests.browser import log_in, serious_violations
from tests.conftest import City
from tests.forum.fixtures import Conference, conference

__all__ = ["conference"]

pytestmark = pytest.mark.browser


@pytest.fixture
def held(
    transactional_db: None, city: City, coordinator: User, conference: Conference, settings: Any
) -> Conference:
    """Made before Playwright starts its event loop (see tests/browser_fixtures.py)."""
    settings.DEMO_MODE = True
    minutes_record(
        session=conference.session,
        body="## Ergebnis\n\n- **Plätze**: zehn mehr\n- [Bericht](https://example.org)",
        approve=False,
        by=coordinator,
    )
    return conference


def test_the_conference_pages_have_no_serious_or_critical_axe_violations(
    live_server: Any, held: Conference, page: Any, axe_path: Path
) -> None:
    found: list[str] = []
    response = page.goto(f"{live_server.url}/public/conference/")
    assert response is not None and response.status == 200
    expect(page.get_by_text("Zehn Plätze schaffen")).to_be_visible()
    found += serious_violations(page, axe_path)

    log_in(page, live_server.url, "coordinator")
    for path in (
        "/conference/",
        f"/conference/sessions/{held.session.pk}/",
        "/conference/commitments/",
        f"/conference/commitments/{held.provider_commitment.pk}/",
        "/conference/actors/",
        "/conference/actors/p-a/",
        "/conference/network/",
        "/conference/overlap/",
    ):
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        # The forms in <details> are part of the page: open them for axe.
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        found += serious_violations(page, axe_path)

    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
