"""Issue #17 in a real Chromium: the provider's inbox shows one group at a time with
pages; a referral past its answer date has no accept button (decline stays), one on
time has it. Screenshots at 1280 and 320 px, German and English."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.utils import timezone

from doconnect.referrals.models import Referral, ReferralStatus
from tests.browser import log_in, serious_violations, shoot_both_widths
from tests.conftest import City, make_person

pytestmark = pytest.mark.browser

SHOTS = Path(django_settings.VAR_DIR) / "screenshots"


@pytest.fixture
def inbox(transactional_db: None, city: City, provider_staff: User, settings: Any) -> City:
    """30 referrals wait for Träger A's answer; the oldest was sent 20 days ago (past
    its 14-day answer period). Made before Playwright starts its loop."""
    settings.DEMO_MODE = True
    now = timezone.now()
    for i in range(30):
        Referral.objects.create(
            person=make_person(city, given_name=f"P{i}", consent_orgs=[city.provider_a]),
            offer=city.offer_a,
            status=ReferralStatus.SENT,
            sent_at=now - dt.timedelta(days=20 if i == 0 else 1, minutes=i),
        )
    return city


def _shoot(page: Any, name: str) -> None:
    shoot_both_widths(page, SHOTS / name)


def test_a_provider_cannot_accept_a_referral_past_its_answer_date(
    live_server: Any, inbox: City, page: Any, axe_path: Path
) -> None:
    base = live_server.url
    log_in(page, base, "provider_staff")
    page.goto(f"{base}/referrals/")
    sections = page.get_by_role("navigation", name="Zuweisungen nach Stand")
    assert (
        sections.get_by_role("link", name="Warten auf Antwort (30)").get_attribute("aria-current")
        == "page"
    )
    rows = page.locator("tbody tr")
    assert rows.count() == 25  # one page
    late = rows.first  # the oldest first
    assert "überfällig" in late.inner_text()
    assert "annehmen geht nicht mehr" in late.inner_text()
    assert late.get_by_role("button", name="Annehmen").count() == 0
    assert late.locator("summary", has_text="Ablehnen").is_visible()
    assert rows.nth(1).get_by_role("button", name="Annehmen").count() == 1
    found = serious_violations(page, axe_path)
    _shoot(page, "referral-inbox-de")

    page.get_by_role("link", name="weiter").click()
    page.wait_for_url(f"{base}/referrals/?section=waiting&page=2#section-waiting")
    assert page.locator("tbody tr").count() == 5
    assert "Seite 2 von 2" in page.content()

    page.context.add_cookies(
        [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base}]
    )
    page.goto(f"{base}/referrals/")
    late = page.locator("tbody tr").first
    assert "can no longer be accepted" in late.inner_text()
    assert late.get_by_role("button", name="Accept").count() == 0
    found += serious_violations(page, axe_path)
    _shoot(page, "referral-inbox-en")
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
