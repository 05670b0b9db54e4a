"""Issue #19: a coordinator opens the yearly report's preview after offers changed; the
page shows the stored build with its date and says a newer one is being built, in
German and in English. Screenshots at 1280 and 320 px; axe-core finds nothing serious."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import expect

from doconnect.offers.models import Offer
from doconnect.transparency.builds import kept_build
from doconnect.transparency.models import ReportBuild
from tests.browser import log_in, serious_violations, shoot_both_widths
from tests.conftest import City
from tests.transparency.conftest import year_city  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

SHOTS = Path(django_settings.VAR_DIR) / "screenshots"


@pytest.fixture
def stale_build(
    transactional_db: None,
    year_city: City,  # noqa: F811
    coordinator: User,
    settings: Any,
    fixed_today: None,
) -> ReportBuild:
    """The 2026 report built and stored, then ten more places in offer A (made before
    Playwright starts its event loop, see tests/browser_fixtures.py)."""
    settings.DEMO_MODE = True
    kept_build(2026)
    Offer.objects.filter(pk=year_city.offer_a.pk).update(capacity=year_city.offer_a.capacity + 10)
    return ReportBuild.objects.get()


def test_a_stale_preview_says_from_when_it_is_in_both_languages(
    live_server: Any, stale_build: ReportBuild, page: Any, axe_path: Path
) -> None:
    base = live_server.url
    when = f"{timezone.localtime(stale_build.computed_at):%d.%m.%Y %H:%M}"
    log_in(page, base, "coordinator")
    page.get_by_role("link", name="Transparenz", exact=True).first.click()
    page.get_by_role("link", name="Vorschau 2026 und veröffentlichen").click()
    notice = page.get_by_text(f"Stand vom {when}; eine neuere Auswertung wird im Hintergrund")
    expect(notice).to_be_visible()
    expect(page.get_by_text("mit 20 Plätzen", exact=False)).to_be_visible()
    found = serious_violations(page, axe_path)
    shoot_both_widths(page, SHOTS / "report-preview-stale-de")

    page.context.add_cookies(
        [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base}]
    )
    page.reload()
    expect(page.get_by_text("a newer analysis is being computed in the background")).to_be_visible()
    found += serious_violations(page, axe_path)
    shoot_both_widths(page, SHOTS / "report-preview-stale-en")
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
