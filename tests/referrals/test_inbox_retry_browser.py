"""Issue #17: a step refused on a later page of the inbox is offered again at the top.
A provider declines a referral on page 2 of "Warten auf Antwort" with "anderer Grund"
and no note; the inbox comes back at its first page with the refusal and the form,
the reason kept and the note asked for; typed there, the decline goes through and the
provider is back on page 2 with the confirmation. Screenshots at 1280 and 320 px,
German and English."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import expect

from doconnect.referrals.models import Referral, ReferralStatus
from tests.browser import log_in, serious_violations, shoot_both_widths
from tests.conftest import City, make_person

pytestmark = pytest.mark.browser

SHOTS = Path(django_settings.VAR_DIR) / "screenshots"


@pytest.fixture
def inbox(transactional_db: None, city: City, provider_staff: User, settings: Any) -> City:
    """30 referrals sent to Träger A yesterday wait for an answer (two pages). Made
    before Playwright starts its loop."""
    settings.DEMO_MODE = True
    now = timezone.now()
    for i in range(30):
        Referral.objects.create(
            person=make_person(city, given_name=f"P{i}", consent_orgs=[city.provider_a]),
            offer=city.offer_a,
            status=ReferralStatus.SENT,
            sent_at=now - dt.timedelta(days=1, minutes=i),
        )
    return city


def _alert(page: Any) -> Any:
    return page.get_by_role("alert").filter(has_text="nichts geändert")


def test_a_refused_decline_on_page_two_is_answered_again_at_the_top(
    live_server: Any, inbox: City, page: Any, axe_path: Path
) -> None:
    base = live_server.url
    log_in(page, base, "provider_staff")
    page.get_by_role("link", name="Zuweisungen", exact=True).click()
    page.get_by_role("link", name="weiter").click()
    page.wait_for_url(f"{base}/referrals/?section=waiting&page=2#section-waiting")
    row = page.locator("tbody tr").first
    person = row.locator("th a").inner_text()
    row.locator("summary", has_text="Ablehnen").click()
    row.get_by_label("Grund").select_option(label="anderer Grund")
    row.get_by_role("button", name="Ablehnen").click()

    # refused: the first page again, the form above the sections with the reason kept
    alert = _alert(page)
    alert.wait_for()
    assert "Ablehnen – Zuweisung zu Werkstatt A: nichts geändert." in alert.inner_text()
    assert "Bei „anderer Grund“ bitte den Grund nennen." in alert.inner_text()
    assert alert.get_by_label("Grund").evaluate("s => s.selectedOptions[0].text") == (
        "anderer Grund"
    )
    assert page.get_by_role("link", name=person).count() == 0  # its row is on page 2
    found = serious_violations(page, axe_path)
    shoot_both_widths(page, SHOTS / "referral-inbox-retry-de")

    alert.get_by_label("Notiz").fill("Der Kurs ist für die Person zu weit entfernt.")
    alert.get_by_role("button", name="Ablehnen").click()
    page.wait_for_url(f"{base}/referrals/?section=waiting&page=2**")
    expect(page.get_by_text("Die Zuweisung zu Werkstatt A ist abgelehnt.")).to_be_visible()
    assert _alert(page).count() == 0
    sections = page.get_by_role("navigation", name="Zuweisungen nach Stand")
    assert sections.get_by_role("link", name="Warten auf Antwort (29)").is_visible()
    sections.get_by_role("link", name=re.compile(r"^Kürzlich beendet .*\(1\)$")).click()
    declined = page.locator("tbody tr")
    assert declined.count() == 1
    assert "abgelehnt" in declined.inner_text() and "anderer Grund" in declined.inner_text()
    # declined, the referral no longer gives the provider a reason to see the person
    assert person not in declined.inner_text() and "nicht freigegeben" in declined.inner_text()
    found += serious_violations(page, axe_path)

    # the same refusal in English
    page.context.add_cookies(
        [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base}]
    )
    page.goto(f"{base}/referrals/?section=waiting&page=2")
    row = page.locator("tbody tr").first
    row.locator("summary", has_text="Decline").click()
    row.get_by_label("Reason").select_option(label="other reason")
    row.get_by_role("button", name="Decline").click()
    page.get_by_role("alert").filter(has_text="nothing changed").wait_for()
    shoot_both_widths(page, SHOTS / "referral-inbox-retry-en")
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
