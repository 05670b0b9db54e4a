"""axe-core in a real Chromium on the public pages, as an anonymous visitor: the index
and a published yearly report with its charts drawn. No serious or critical
violation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from doconnect.transparency.models import PublishedReport
from doconnect.transparency.services import yearly_report_publish
from tests.browser import serious_violations
from tests.conftest import City
from tests.transparency.conftest import year_city  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def published(
    transactional_db: None,
    year_city: City,  # noqa: F811
    coordinator: User,
    settings: Any,
    fixed_today: None,
) -> PublishedReport:
    """Made before Playwright starts its event loop (see tests/browser_fixtures.py)."""
    settings.DEMO_MODE = True
    return yearly_report_publish(year=2026, by=coordinator)


def test_the_public_pages_have_no_serious_or_critical_axe_violations(
    live_server: Any, published: PublishedReport, page: Any, axe_path: Path
) -> None:
    found: list[str] = []
    for path in ("/public/", "/public/reports/2026/"):
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")  # charts drawn before axe looks
        found += serious_violations(page, axe_path)
    assert page.locator("#chart-plaetze-nach-angebotsart svg").count() == 1
    assert found == []
