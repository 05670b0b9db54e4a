"""Printing a person's page, an agreement and the referrals: in print media the
navigation, the buttons and the forms are gone, the content is there in readable type.
Writes a PDF and a screenshot of each to var/screenshots/print/ to look at."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from playwright.sync_api import expect

from doconnect.people.agreements.models import Agreement
from doconnect.people.models import Person
from doconnect.people.services import spell_create
from doconnect.referrals.services import referral_create, referral_send
from tests.browser import log_in
from tests.conftest import City, make_person
from tests.people.agreements.helpers import conclude

pytestmark = pytest.mark.browser

OUT = Path(settings.VAR_DIR) / "screenshots" / "print"


@dataclass
class Printed:
    person: Person
    agreement: Agreement


@pytest.fixture
def printed(
    transactional_db: None, city: City, case_worker: User, coordinator: User, settings: Any
) -> Printed:
    """Made before Playwright starts its event loop (see tests/browser_fixtures.py)."""
    settings.DEMO_MODE = True
    person = make_person(
        city, given_name="Lina", family_name="Wegweiser", consent_orgs=[city.jobcenter]
    )
    spell_create(person=person, state="school", start=dt.date(2014, 8, 1), end=dt.date(2020, 7, 31))
    spell_create(person=person, state="unemployed", start=dt.date(2020, 8, 1), end=None)
    agreement = conclude(case_worker, person)
    referral = referral_create(person=person, offer=city.offer_a, created_by_id=coordinator.pk)
    referral_send(referral=referral, actor=coordinator)
    return Printed(person, agreement)


def _print_view(page: Any, name: str) -> dict[str, Any]:
    """What the printed page shows, after writing its PDF and a screenshot."""
    page.emulate_media(media="print")
    OUT.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(OUT / f"{name}.pdf"), format="A4")
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
    return {
        "nav": page.locator("nav.site-nav").is_visible(),
        "buttons": page.locator("main button:visible, main .kern-btn:visible").count(),
        "forms": page.locator("main form:visible").count(),
        "heading": page.get_by_role("heading", level=1).first.is_visible(),
        "font_pt": page.evaluate("parseFloat(getComputedStyle(document.body).fontSize) * 0.75"),
    }


def test_a_person_an_agreement_and_the_referrals_print_without_navigation_or_buttons(
    printed: Printed, live_server: Any, browser: Any
) -> None:
    base = live_server.url
    page = browser.new_page(locale="de-DE", viewport={"width": 1280, "height": 900})
    log_in(page, base, "case_worker")
    person_url = f"{base}/persons/{printed.person.public_id}/"
    pages = {
        "person": person_url,
        "agreement": f"{person_url}agreements/{printed.agreement.pk}/",
        "referrals": f"{base}/referrals/",
    }
    for name, url in pages.items():
        page.emulate_media(media="screen")
        page.goto(url)
        page.wait_for_load_state("networkidle")
        # on screen the frame is there: navigation and at least one button
        assert page.locator("nav.site-nav").is_visible(), name
        assert page.locator("main button:visible, main .kern-btn:visible").count() > 0, name
        shown = _print_view(page, name)
        assert shown["nav"] is False, name
        assert shown["buttons"] == 0 and shown["forms"] == 0, (name, shown)
        assert shown["heading"], name
        assert 10 <= shown["font_pt"] <= 12, (name, shown)
    page.goto(pages["agreement"])
    page.emulate_media(media="print")
    expect(page.get_by_text("Bewirbt sich auf vier Stellen im Monat.", exact=True)).to_be_visible()
