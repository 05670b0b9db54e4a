"""Each role's working day in a real Chromium: log in, open the dashboard, find a person,
open their page (the biography chart is drawn), try a page the role may not see and be
refused, and edit an offer where the role may. Screenshots of the main pages land in
var/screenshots/ (for the README and for review)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from playwright.sync_api import expect

from doconnect.people.models import Person
from doconnect.people.services import spell_create
from doconnect.referrals.services import referral_create, referral_send
from tests.browser import log_in
from tests.conftest import City, make_person

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"


@dataclass
class Walk:
    city: City
    jobcenter_client: Person  # consented to the Jobcenter and to provider A
    participant: Person  # takes part in provider A's offer, consented to provider A
    stranger: Person  # consented to provider B only
    referred: Person  # sent to provider A's offer, consented to provider A


@pytest.fixture
def walk(
    transactional_db: None,
    city: City,
    coordinator: User,
    case_worker: User,
    provider_staff: User,
    analyst: User,
    settings: Any,
) -> Walk:
    """Made before Playwright starts its event loop (see tests/browser_fixtures.py)."""
    settings.DEMO_MODE = True
    client = make_person(
        city, given_name="Lina", family_name="Wegweiser", consent_orgs=[city.jobcenter]
    )
    spell_create(person=client, state="school", start=dt.date(2014, 8, 1), end=dt.date(2020, 7, 31))
    spell_create(person=client, state="unemployed", start=dt.date(2020, 8, 1), end=None)
    participant = make_person(
        city, given_name="Mira", family_name="Werkbank", consent_orgs=[city.provider_a]
    )
    spell_create(
        person=participant,
        state="offer",
        start=dt.date(2026, 9, 1),
        end=None,
        offer_id=city.offer_a.pk,
    )
    stranger = make_person(
        city, given_name="Otto", family_name="Fremdweg", consent_orgs=[city.provider_b]
    )
    referred = make_person(
        city, given_name="Nora", family_name="Anfrage", consent_orgs=[city.provider_a]
    )
    spell_create(person=referred, state="unemployed", start=dt.date(2025, 8, 1), end=None)
    referral = referral_create(person=referred, offer=city.offer_a, created_by_id=coordinator.pk)
    referral_send(referral=referral, actor=coordinator)
    return Walk(city, client, participant, stranger, referred)


def _page(browser: Any, locale: str = "de-DE") -> Any:
    page = browser.new_page(locale=locale, viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15_000)
    return page


def _shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _find_person(page: Any, base: str, search: str, public_id: str) -> None:
    """From the navigation to the person page, as a user would."""
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Personen"
    ).click()
    page.get_by_role("searchbox").or_(page.get_by_label(re.compile("^Pseudonym"))).first.fill(
        search
    )
    page.get_by_role("button", name="Suchen").click()
    # htmx swaps the results and pushes the search into the address: wait for both,
    # or the click may land on a link that is being replaced
    page.wait_for_url(re.compile(r"[?&]q="))
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name=public_id).click()
    page.wait_for_url(f"{base}/persons/{public_id}/")


def _chart_drawn(page: Any, slug: str) -> bool:
    page.wait_for_selector(f"#chart-{slug} .chart__canvas svg", state="attached")
    return bool(page.locator(f"#chart-{slug} .chart__canvas svg .mark-rect path").count() > 0)


def _edit_capacity(page: Any, base: str, offer_id: str, capacity: int) -> None:
    page.goto(f"{base}/offers/{offer_id}/")
    page.get_by_role("link", name="Bearbeiten").click()
    page.get_by_label("Plätze").fill(str(capacity))
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_url(f"{base}/offers/{offer_id}/")


@pytest.mark.parametrize(
    ("role", "search", "person_attr", "sees_name"),
    [
        ("coordinator", None, "jobcenter_client", False),
        ("case_worker", "Wegweiser", "jobcenter_client", True),
        ("provider_staff", "Werkbank", "participant", True),
        ("analyst", None, "jobcenter_client", False),
    ],
)
def test_each_role_does_its_daily_work_in_the_browser(
    live_server: Any,
    walk: Walk,
    browser: Any,
    role: str,
    search: str | None,
    person_attr: str,
    sees_name: bool,
) -> None:
    base = live_server.url
    person: Person = getattr(walk, person_attr)
    page = _page(browser)

    log_in(page, base, role)
    assert "Synthetische Demodaten" in page.content()
    expect(page.get_by_role("heading", level=1).first).to_be_visible()
    _shot(page, f"{role}-dashboard")

    _find_person(page, base, search or person.public_id, person.public_id)
    # The heading is the name where it may be shown, else "Person <pseudonym>"; the
    # pseudonym is in it either way.
    assert person.public_id in page.get_by_role("heading", level=1).inner_text()
    family_name = "Wegweiser" if person_attr == "jobcenter_client" else "Werkbank"
    assert (family_name in page.content()) is sees_name
    if role == "analyst":  # the coarsened record alone, no biography (issue #20)
        expect(page.get_by_role("heading", name="Statistischer Datensatz")).to_be_visible()
        assert page.locator("#chart-biographie").count() == 0
    elif person_attr == "jobcenter_client":
        assert _chart_drawn(page, "biographie")
    _shot(page, f"{role}-person")

    # refused: a person the role may not see, and editing another provider's offer
    response = page.goto(f"{base}/persons/{walk.stranger.public_id}/")
    if role in ("coordinator", "analyst"):  # they see everybody, pseudonymously
        assert response is not None and response.status == 200
        assert "Fremdweg" not in page.content()
    else:
        assert response is not None and response.status == 404
        assert "Fremdweg" not in page.content()
    response = page.goto(f"{base}/offers/{walk.city.offer_b.external_id}/edit/")
    assert response is not None
    assert response.status == (200 if role == "coordinator" else 403)

    page.goto(f"{base}/offers/")
    _shot(page, f"{role}-offers")
    if role in ("coordinator", "provider_staff"):
        _edit_capacity(page, base, walk.city.offer_a.external_id, 14)
        facts = page.locator(".kern-description-list").first.inner_text()
        assert "14" in facts
        _shot(page, f"{role}-offer")
    else:
        page.goto(f"{base}/offers/{walk.city.offer_a.external_id}/")
        assert page.get_by_role("link", name="Bearbeiten").count() == 0
    if role == "provider_staff":  # answers the referral waiting in the inbox
        page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
            "link", name="Zuweisungen"
        ).click()
        page.wait_for_url(f"{base}/referrals/")
        assert "Anfrage" in page.content()  # consented to provider A: the name is shown
        _shot(page, f"{role}-referrals")
        page.get_by_role("button", name="Annehmen").first.click()
        page.wait_for_url(f"{base}/referrals/")
        expect(page.get_by_text("ein Platz ist gebucht")).to_be_visible()


def test_the_pages_work_in_english_after_switching_the_language(
    live_server: Any, walk: Walk, browser: Any
) -> None:
    base = live_server.url
    page = _page(browser)
    log_in(page, base, "case_worker")

    page.get_by_label("Sprache").select_option("en")
    page.get_by_role("button", name="Wechseln").click()
    page.wait_for_load_state()

    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("link", name="Persons").first).to_be_visible()
    page.goto(f"{base}/persons/{walk.jobcenter_client.public_id}/")
    expect(page.get_by_role("heading", name="Learning and work biography")).to_be_visible()
    assert _chart_drawn(page, "biographie")
    _shot(page, "case_worker-person-en")
    page.goto(f"{base}/offers/")
    expect(page.get_by_role("heading", name="Offers", level=1)).to_be_visible()
