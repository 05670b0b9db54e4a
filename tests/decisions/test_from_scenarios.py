"""Criteria values from a scenario result as the contract describes it (a hand-made
result dict), and clear refusals of a result that lacks what the criteria need."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from doconnect.decisions.engine.scoring import HIGHER, LOWER
from doconnect.decisions.from_scenarios import (
    STANDARD_CRITERIA,
    ScenarioResultError,
    coverage_criterion,
    coverage_group,
    criteria_values_from_scenario_result,
)

RESULT: dict[str, Any] = {
    "name": "Kürzung Bildungsgutscheine 2027",
    "period": {"start": "2027-01-01", "end": "2027-12-31"},
    "offers": [],
    "providers_not_viable": ["p-7"],
    "new_dead_ends": [{"offer": "o-4", "reason": "…"}],
    "coverage": [
        {
            "target_group": "youth",
            "district": "Eving",
            "offer_kind": "further_training",
            "demand": 40,
            "places_before": 30,
            "places_after": 12,
        },
        {
            "target_group": "youth",
            "district": "Hörde",
            "offer_kind": "further_training",
            "demand": 10,
            "places_before": 10,
            "places_after": 10,
        },
        {
            "target_group": "long_term",
            "district": "Eving",
            "offer_kind": "low_threshold",
            "demand": 0,
            "places_before": 5,
            "places_after": 5,
        },
    ],
    "bridge": {"budget_eur": 200000.0, "spent_eur": 190000.0, "status": "optimal"},
    "summary": {
        "places_before": 45,
        "places_after": 27,
        "places_lost": 18,
        "places_after_bridge": 33,
        "providers_total": 12,
        "providers_not_viable": 1,
        "new_dead_ends": 1,
        "bridge_spent_eur": 190000.0,
        "demand_covered_before": {"youth": 40, "long_term": 0},
        "demand_covered_after": {"youth": 22, "long_term": 0},
        "demand_covered_after_bridge": {"youth": 28, "long_term": 0},
    },
}


def test_a_result_gives_coverage_per_group_and_the_standard_criteria() -> None:
    values = criteria_values_from_scenario_result(RESULT)

    assert values == {
        "coverage:youth": 28 / 50,  # demand 40 + 10 over both districts
        "coverage:long_term": 1.0,  # no demand: nothing is missing
        "places_kept": 33.0,
        "providers_kept": 11.0,
        "new_dead_ends": 1.0,
        "bridge_cost": 190000.0,
    }


def test_the_catalogue_says_which_way_is_better() -> None:
    directions = {c.code: c.direction for c in STANDARD_CRITERIA}
    assert directions == {
        "places_kept": HIGHER,
        "providers_kept": HIGHER,
        "new_dead_ends": LOWER,
        "bridge_cost": LOWER,
    }
    youth = coverage_criterion("youth", "Jugendliche")
    assert (youth.code, youth.label, youth.direction) == (
        "coverage:youth",
        "Abdeckung Jugendliche",
        HIGHER,
    )
    assert coverage_group(youth.code) == "youth" and coverage_group("bridge_cost") is None


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("summary",), None, "result.summary: expected an object"),
        (
            ("summary", "places_after_bridge"),
            "viele",
            "summary.places_after_bridge: expected a number",
        ),
        (("summary", "demand_covered_after_bridge", "youth"), True, "expected a number"),
        (("coverage",), {}, "coverage: expected a list"),
    ],
)
def test_a_bad_result_is_refused_naming_the_key(
    path: tuple[str, ...], value: object, message: str
) -> None:
    result = copy.deepcopy(RESULT)
    node = result
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value

    with pytest.raises(ScenarioResultError, match=message):
        criteria_values_from_scenario_result(result)


def test_a_missing_key_is_named() -> None:
    result = copy.deepcopy(RESULT)
    del result["summary"]["providers_total"]

    with pytest.raises(ScenarioResultError, match=r"summary\.providers_total: missing"):
        criteria_values_from_scenario_result(result)
