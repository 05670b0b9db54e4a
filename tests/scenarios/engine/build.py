"""Small scenario inputs and files for the tests."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from doconnect.pathways.engine.inputs import FollowOn
from doconnect.scenarios.engine.baseline import (
    DemandCell,
    FundingLine,
    ScenarioInputs,
    ScenarioOffer,
)
from doconnect.scenarios.engine.scenario_file import Vocabulary, read_scenario
from doconnect.scenarios.engine.spec import ScenarioSpec

YEAR_START, YEAR_END = dt.date(2027, 1, 1), dt.date(2027, 12, 31)
VOCABULARY = Vocabulary(
    kinds=("low_threshold", "qualification", "further_training", "counselling"),
    funders=("federal_agency", "jobcenter", "city", "esf"),
)
NAMES = {"youth": "Jugendliche", "adults": "Erwachsene"}


def year(funder: str, amount: float) -> FundingLine:
    return FundingLine(funder, amount, YEAR_START, YEAR_END)


def offer(
    offer_id: str,
    provider: str,
    *funding: FundingLine,
    kind: str = "further_training",
    capacity: int | None = 10,
    district: str | None = "Eving",
    groups: tuple[str, ...] = (),
    status: str = "active",
    ages: tuple[int | None, int | None] = (None, None),
) -> ScenarioOffer:
    return ScenarioOffer(
        id=offer_id,
        provider=provider,
        kind=kind,
        status=status,
        district=district,
        target_groups=groups,
        capacity=capacity,
        min_age=ages[0],
        max_age=ages[1],
        funding=funding,
    )


def inputs(
    offers: list[ScenarioOffer],
    links: list[FollowOn] | None = None,
    demand: list[DemandCell] | None = None,
) -> ScenarioInputs:
    return ScenarioInputs(
        offers=tuple(offers),
        links=tuple(links or ()),
        demand=tuple(demand or ()),
        districts=("Eving", "Hörde"),
        target_groups=NAMES,
        offer_kinds={"further_training": "Weiterbildung"},
    )


def scenario_text(changes: list[dict[str, Any]], **top: Any) -> str:
    data: dict[str, Any] = {
        "name": "Test",
        "period": {"start": "2027-01-01", "end": "2027-12-31"},
        "changes": changes,
        **top,
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def scenario(changes: list[dict[str, Any]], **top: Any) -> ScenarioSpec:
    return read_scenario(
        scenario_text(changes, **top).encode(), file="scenario.json", vocabulary=VOCABULARY
    )


def cut(funder: str, percent: float, *kinds: str) -> dict[str, Any]:
    return {
        "type": "funding_change",
        "funder": funder,
        "percent": percent,
        "offer_kinds": list(kinds),
    }
