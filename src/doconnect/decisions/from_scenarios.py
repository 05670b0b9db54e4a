"""Criteria values from a scenario result (the contract in the scenario engine's
``result.to_dict()``), and the standard criteria catalogue. Pure: no Django.

Values per result:

- ``coverage:<group>`` per target group: the group's demand covered after the bridge
  (``summary.demand_covered_after_bridge[group]``) over its demand (the sum of
  ``coverage[].demand`` for the group), a share between 0 and 1. A group without demand
  counts as fully covered (1.0): nothing is missing. Higher is better.
- ``places_kept``: ``summary.places_after_bridge``. Higher is better.
- ``providers_kept``: ``summary.providers_total − summary.providers_not_viable``.
  Higher is better.
- ``new_dead_ends``: ``summary.new_dead_ends``. Lower is better.
- ``bridge_cost``: ``summary.bridge_spent_eur``. Lower is better.

The labels are German (the source language); the app translates them where it shows
them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from doconnect.decisions.engine.scoring import HIGHER, LOWER

COVERAGE_PREFIX = "coverage:"


class ScenarioResultError(ValueError):
    """A scenario result lacks a key or has a bad value; the message names it."""


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    label: str
    direction: str
    explanation: str


PLACES_KEPT = CriterionSpec(
    "places_kept",
    "Erhaltene Plätze",
    HIGHER,
    "Plätze in allen Angeboten nach dem Szenario, mit dem Brückenbudget.",
)
PROVIDERS_KEPT = CriterionSpec(
    "providers_kept",
    "Erhaltene Träger",
    HIGHER,
    "Träger, die nach dem Szenario wirtschaftlich tragfähig bleiben.",
)
NEW_DEAD_ENDS = CriterionSpec(
    "new_dead_ends",
    "Neue Sackgassen",
    LOWER,
    "Angebote, nach denen es durch das Szenario keinen nächsten Schritt mehr gibt.",
)
BRIDGE_COST = CriterionSpec(
    "bridge_cost",
    "Kosten der Brücke (€)",
    LOWER,
    "Ausgegebenes städtisches Brückenbudget in Euro.",
)
STANDARD_CRITERIA = (PLACES_KEPT, PROVIDERS_KEPT, NEW_DEAD_ENDS, BRIDGE_COST)


def coverage_criterion(group: str, label: str) -> CriterionSpec:
    """The coverage criterion of one target group (``label`` its name)."""
    return CriterionSpec(
        f"{COVERAGE_PREFIX}{group}",
        f"Abdeckung {label}",
        HIGHER,
        f"Anteil des Bedarfs der Zielgruppe „{label}“, der nach dem Szenario mit "
        "Brückenbudget durch Plätze gedeckt ist.",
    )


def coverage_group(code: str) -> str | None:
    """The target group of a coverage criterion's code, else None."""
    return code[len(COVERAGE_PREFIX) :] if code.startswith(COVERAGE_PREFIX) else None


def _number(node: Mapping[str, Any], key: str, where: str) -> float:
    if key not in node:
        raise ScenarioResultError(f"{where}.{key}: missing")
    value = node[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ScenarioResultError(f"{where}.{key}: expected a number, found {value!r}")
    return float(value)


def _mapping(node: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = node.get(key)
    if not isinstance(value, Mapping):
        raise ScenarioResultError(f"{where}.{key}: expected an object")
    return value


def demand_by_group(result: Mapping[str, Any]) -> dict[str, float]:
    """Each target group's demand: the sum over its coverage cells."""
    cells = result.get("coverage")
    if not isinstance(cells, list):
        raise ScenarioResultError("coverage: expected a list")
    demand: dict[str, float] = {}
    for i, cell in enumerate(cells):
        if not isinstance(cell, Mapping) or not isinstance(cell.get("target_group"), str):
            raise ScenarioResultError(f"coverage[{i}].target_group: expected a text")
        group = cell["target_group"]
        demand[group] = demand.get(group, 0.0) + _number(cell, "demand", f"coverage[{i}]")
    return demand


def criteria_values_from_scenario_result(result: Mapping[str, Any]) -> dict[str, float]:
    """The standard criteria's values of one scenario result (see the module text)."""
    if not isinstance(result, Mapping):
        raise ScenarioResultError("result: expected an object")
    summary = _mapping(result, "summary", "result")
    covered = _mapping(summary, "demand_covered_after_bridge", "summary")
    demand = demand_by_group(result)
    values: dict[str, float] = {}
    for group in sorted(set(demand) | set(covered)):
        need = demand.get(group, 0.0)
        got = (
            _number(covered, group, "summary.demand_covered_after_bridge")
            if group in covered
            else 0.0
        )
        values[f"{COVERAGE_PREFIX}{group}"] = min(1.0, got / need) if need > 0 else 1.0
    values[PLACES_KEPT.code] = _number(summary, "places_after_bridge", "summary")
    total = _number(summary, "providers_total", "summary")
    values[PROVIDERS_KEPT.code] = total - _number(summary, "providers_not_viable", "summary")
    values[NEW_DEAD_ENDS.code] = _number(summary, "new_dead_ends", "summary")
    values[BRIDGE_COST.code] = _number(summary, "bridge_spent_eur", "summary")
    return values
