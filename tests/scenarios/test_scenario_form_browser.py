"""Issue #17: a scenario stated through the form, by clicking and typing, on a city where
an allocation run has just proposed a place to everybody waiting — the demand must not
vanish: the page shows what is covered, spends the bridge budget, and says its rules in
the reader's language. Screenshots at 1280 and 320 px, German and English."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.utils import timezone

from doconnect.offers.models import FundingLine, Offer
from doconnect.people.models import Person
from doconnect.referrals.services import referral_create
from tests.browser import log_in, serious_violations, shoot_both_widths
from tests.conftest import City, waiting

pytestmark = pytest.mark.browser

SHOTS = Path(django_settings.VAR_DIR) / "screenshots"


@pytest.fixture
def voucher_city(transactional_db: None, city: City, coordinator: User, settings: Any) -> City:
    """A training course paid by the Agentur für Arbeit and the Jobcenter; eight young
    people in Eving want further training, and each already has a proposed referral —
    what an allocation run leaves behind. Made before Playwright starts its loop."""
    settings.JOBS_RUNNER = "inline"
    settings.DEMO_MODE = True
    year = timezone.localdate().year + 1
    course = Offer.objects.create(
        external_id="o-course",
        provider=city.provider_a,
        title="Weiterbildung Lager",
        kind="further_training",
        district=city.district,
        capacity=8,
    )
    for funder in ("federal_agency", "jobcenter"):
        FundingLine.objects.create(
            offer=course,
            funder=funder,
            amount_eur=Decimal("40000"),
            start=dt.date(year, 1, 1),
            end=dt.date(year, 12, 31),
        )
    for i in range(8):
        person = waiting(city, f"Person {i}")
        Person.objects.filter(pk=person.pk).update(preferred_offer_kinds=["further_training"])
        referral_create(person=person, offer=course, created_by_id=coordinator.pk)
    return city


def _shoot(page: Any, name: str) -> None:
    shoot_both_widths(page, SHOTS / name)


def test_a_scenario_typed_into_the_form_covers_the_demand_and_spends_the_bridge(
    live_server: Any, voucher_city: City, page: Any, axe_path: Path
) -> None:
    base = live_server.url
    log_in(page, base, "coordinator")
    page.goto(f"{base}/scenarios/")
    page.get_by_label("Name des Szenarios").fill("Kürzung Bildungsgutscheine")
    funders = page.get_by_role("group", name="Geldgeber, deren Förderung sich ändert")
    funders.get_by_label("Agentur für Arbeit", exact=True).check()
    funders.get_by_label("Jobcenter", exact=True).check()
    page.get_by_label("Änderung in Prozent").fill("-30")
    kinds = page.get_by_role("group", name="Nur für diese Angebotsarten")
    kinds.get_by_label("Weiterbildung", exact=True).check()
    page.get_by_label("Kommunales Brückenbudget (€)").fill("200000")
    page.get_by_role("button", name="Szenario speichern").click()
    page.get_by_role("button", name="Mit den heutigen Daten berechnen").click()
    page.wait_for_url(f"{base}/scenarios/runs/*/")

    # Eight persons need further training; before the cut all eight have a place.
    table = page.get_by_role("region", name="Tabelle: Abdeckung nach Stadtbezirk und Zielgruppe")
    row = table.get_by_role("row", name="Eving")
    assert row.get_by_role("cell").nth(1).inner_text() in ("8", "8,0")
    assert page.locator("#no-demand").count() == 0
    covered = page.get_by_role("region", name="Tabelle: Versorgter Bedarf nach Zielgruppe")
    assert "8" in covered.get_by_role("row", name="Jugendliche").inner_text()
    # The cut takes places away and the bridge budget buys some of them back.
    bridge = page.get_by_role("table", name="Empfohlene Brückenfinanzierung")
    assert bridge.get_by_role("row", name="Weiterbildung Lager").is_visible()
    rules = page.locator("section", has=page.locator("#rules-heading")).inner_text()
    assert "abgerundet auf ganze Plätze" in rules and "floor(" not in rules
    found = serious_violations(page, axe_path)
    _shoot(page, "scenario-run-de")

    page.context.add_cookies(
        [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base}]
    )
    page.reload()
    rules = page.locator("section", has=page.locator("#rules-heading")).inner_text()
    assert "rounded down to whole places" in rules
    assert "abgerundet" not in rules
    found += serious_violations(page, axe_path)
    _shoot(page, "scenario-run-en")
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
