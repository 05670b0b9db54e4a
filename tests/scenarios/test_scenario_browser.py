"""The scenario pages in a real Chromium: the list with its form, a scenario, and a
run's result with its charts drawn; axe-core finds no serious or critical violation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from doconnect.offers.models import FundingLine
from doconnect.people.models import Person
from doconnect.scenarios.engine.scenario_file import read_scenario
from doconnect.scenarios.models import ScenarioRun
from doconnect.scenarios.services import scenario_create, scenario_run
from tests.browser import log_in, serious_violations
from tests.conftest import City, waiting

pytestmark = pytest.mark.browser

SPEC = b"""{"name": "Gutscheine minus 40 %",
 "period": {"start": "2027-01-01", "end": "2027-12-31"},
 "changes": [{"type": "funding_change", "funder": "federal_agency", "percent": -40}],
 "bridge_budget_eur": 30000}"""


@pytest.fixture
def run(transactional_db: None, city: City, coordinator: User, settings: Any) -> ScenarioRun:
    """Made before Playwright starts its event loop (see tests/browser_fixtures.py)."""
    settings.DEMO_MODE = True
    FundingLine.objects.create(
        offer=city.offer_a,
        funder="federal_agency",
        amount_eur=Decimal("100000"),
        start=dt.date(2027, 1, 1),
        end=dt.date(2027, 12, 31),
    )
    # Two young people wait for a workshop like Werkstatt A: demand to draw.
    for name in ("Ada", "Bea"):
        person = waiting(city, name)
        Person.objects.filter(pk=person.pk).update(preferred_offer_kinds=["low_threshold"])
    scenario = scenario_create(spec=read_scenario(SPEC, file="cut.json"), created_by=coordinator)
    return scenario_run(scenario=scenario, today=dt.date(2026, 11, 24), started_by=coordinator)


def test_the_scenario_pages_pass_axe(
    live_server: Any, run: ScenarioRun, page: Any, axe_path: Path
) -> None:
    log_in(page, live_server.url, "coordinator")
    found: list[str] = []
    for url in ("/scenarios/", f"/scenarios/{run.scenario.pk}/", f"/scenarios/runs/{run.pk}/"):
        page.goto(f"{live_server.url}{url}")
        page.wait_for_load_state("networkidle")
        found += serious_violations(page, axe_path)
    # the coverage chart is drawn, not only its table
    assert page.locator("#chart-versorgter-bedarf svg, #chart-versorgter-bedarf canvas").count()
    assert page.get_by_text("Träger A").count()  # Träger A falls below 70 %
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
