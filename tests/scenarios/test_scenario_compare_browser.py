"""Issue #17: the scenario forms after a run, filled in Chromium as a coordinator does —
two runs ticked on the scenario page and compared, a run compared with another chosen
from the run page, and a run taken into a draft decision as an option by typing its
name. Each time the page that follows is read. Screenshots at 1280 and 320 px, German
and English."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from playwright.sync_api import expect

from doconnect.decisions.models import Decision
from doconnect.decisions.services import criterion_add, decision_create
from doconnect.offers.models import FundingLine
from doconnect.people.models import Person
from doconnect.scenarios.engine.scenario_file import read_scenario
from doconnect.scenarios.models import ScenarioRun
from doconnect.scenarios.services import scenario_create, scenario_run
from tests.browser import log_in, serious_violations, shoot_both_widths
from tests.conftest import City, waiting

pytestmark = pytest.mark.browser

SHOTS = Path(django_settings.VAR_DIR) / "screenshots"
CUT = b"""{"name": "Gutscheine minus 40 %",
 "period": {"start": "2027-01-01", "end": "2027-12-31"},
 "changes": [{"type": "funding_change", "funder": "federal_agency", "percent": -40}],
 "bridge_budget_eur": 30000}"""
KEEP = b"""{"name": "Alles bleibt",
 "period": {"start": "2027-01-01", "end": "2027-12-31"},
 "changes": [], "bridge_budget_eur": 0}"""


@pytest.fixture
def runs(
    transactional_db: None, city: City, coordinator: User, settings: Any
) -> tuple[ScenarioRun, ScenarioRun, ScenarioRun, Decision]:
    """Two runs of the cut (a day apart), one of "Alles bleibt", and a draft decision
    with one criterion. Made before Playwright starts its loop."""
    settings.DEMO_MODE = True
    FundingLine.objects.create(
        offer=city.offer_a,
        funder="federal_agency",
        amount_eur=Decimal("100000"),
        start=dt.date(2027, 1, 1),
        end=dt.date(2027, 12, 31),
    )
    for name in ("Ada", "Bea"):
        person = waiting(city, name)
        Person.objects.filter(pk=person.pk).update(preferred_offer_kinds=["low_threshold"])
    cut = scenario_create(spec=read_scenario(CUT, file="cut.json"), created_by=coordinator)
    first = scenario_run(scenario=cut, today=dt.date(2026, 11, 23), started_by=coordinator)
    second = scenario_run(scenario=cut, today=dt.date(2026, 11, 24), started_by=coordinator)
    keep = scenario_create(spec=read_scenario(KEEP, file="keep.json"), created_by=coordinator)
    other = scenario_run(scenario=keep, today=dt.date(2026, 11, 24), started_by=coordinator)
    decision = decision_create(
        title="Brückenbudget 2027", question="Welches Szenario?", actor=coordinator
    )
    criterion_add(
        decision=decision,
        code="providers_kept",
        label="Träger erhalten",
        direction="higher",
        weight=Decimal(1),
        actor=coordinator,
    )
    return first, second, other, decision


def _shoot(page: Any, name: str) -> None:
    shoot_both_widths(page, SHOTS / name)


def _in_english(page: Any, base: str) -> None:
    page.context.add_cookies(
        [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base}]
    )
    page.reload()


def _columns(page: Any) -> list[str]:
    table = page.get_by_role("table", name=re.compile("Szenarien im Vergleich|Scenarios compared"))
    return [cell.strip() for cell in table.locator("thead th").all_inner_texts()]


def test_a_coordinator_ticks_two_runs_and_compares_them(
    live_server: Any, runs: tuple[ScenarioRun, ...], page: Any, axe_path: Path
) -> None:
    first, second, _other, _decision = runs
    base = live_server.url
    log_in(page, base, "coordinator")
    page.get_by_role("link", name="Szenarien", exact=True).click()
    page.get_by_role("link", name="Gutscheine minus 40 %").click()
    page.wait_for_url(f"{base}/scenarios/{first.scenario_id}/")
    runs_table = page.get_by_role("table", name="Berechnungen dieses Szenarios")
    boxes = runs_table.get_by_role("checkbox")
    assert boxes.count() == 2
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_role("button", name="Ausgewählte vergleichen").click()

    page.wait_for_url(re.compile(r".*/scenarios/compare/\?run=\d+&run=\d+$"))
    expect(page.get_by_role("heading", name="Szenarien im Vergleich", level=1)).to_be_visible()
    assert sorted(_columns(page)[1:]) == [
        f"Gutscheine minus 40 % (#{first.pk})",
        f"Gutscheine minus 40 % (#{second.pk})",
    ]
    assert "Bitte mindestens zwei Läufe" not in page.inner_text("main")
    found = serious_violations(page, axe_path)
    _shoot(page, "scenario-compare-de")
    _in_english(page, base)
    expect(page.get_by_role("heading", name="Scenarios compared", level=1)).to_be_visible()
    assert _columns(page)[0] == "Figure"
    _shoot(page, "scenario-compare-en")
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)


def test_one_run_is_compared_with_another_and_taken_into_a_decision(
    live_server: Any, runs: tuple[ScenarioRun, ...], page: Any, axe_path: Path
) -> None:
    _first, second, other, decision = runs
    base = live_server.url
    log_in(page, base, "coordinator")
    page.goto(f"{base}/scenarios/runs/{second.pk}/")

    # compare: another run chosen from the list
    runs_list = page.get_by_label("Lauf", exact=True)
    runs_list.select_option(label=runs_list.locator("option", has_text="Alles bleibt").inner_text())
    page.get_by_role("button", name="Vergleichen", exact=True).click()
    page.wait_for_url(f"{base}/scenarios/compare/?run={second.pk}&run={other.pk}")
    assert _columns(page)[1:] == [
        f"Gutscheine minus 40 % (#{second.pk})",
        f"Alles bleibt (#{other.pk})",
    ]
    found = serious_violations(page, axe_path)
    page.go_back()

    # into the draft decision as an option, under a name typed here
    page.wait_for_url(f"{base}/scenarios/runs/{second.pk}/")
    assert page.get_by_label("Entscheidung (Entwurf)").input_value() == str(decision.pk)
    name = page.get_by_label("Name der Option")
    assert name.input_value() == "Gutscheine minus 40 %"
    name.fill("Kürzung mit Brücke")
    found += serious_violations(page, axe_path)
    _shoot(page, "scenario-run-forms-de")
    page.get_by_role("button", name="Als Option übernehmen").click()

    page.wait_for_url(f"{base}/decisions/{decision.pk}/")
    expect(page.get_by_role("heading", name="Brückenbudget 2027")).to_be_visible()
    main = page.inner_text("main")
    assert "Kürzung mit Brücke" in main
    assert "aus Szenario „Gutscheine minus 40 %“" in main
    found += serious_violations(page, axe_path)
    _shoot(page, "scenario-into-decision-de")

    _in_english(page, base)
    page.goto(f"{base}/scenarios/runs/{second.pk}/")
    expect(page.get_by_role("button", name="Add as option")).to_be_visible()
    _shoot(page, "scenario-run-forms-en")
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
