"""What a scenario run gives: per offer and per provider the funding and places before and
after (and why an offer closes), the coverage of every demand cell before, after and
after the bridge, and the whole :class:`ScenarioResult` with the rules it applied, its
summary and its JSON form. Pure, no Django."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from doconnect.pathways.engine import inputs as pathways
from doconnect.scenarios.engine import bridge as bridging
from doconnect.scenarios.engine.spec import ScenarioSpec

CAPACITY_RULE = "floor(capacity × funding after ÷ funding before)"
COVERAGE_RULE = (
    "an offer's places are shared among the target group × district cells it serves "
    "(open to all: every target group; city-wide: every district) in proportion to their "
    "demand (evenly without demand); covered = min(demand, places)"
)
FUNDING_RULE = "each funding line counts pro rata by its days overlapping the period"

CLOSED_BY_SCENARIO = "closed_by_scenario"
PROVIDER_NOT_VIABLE = "provider_not_viable"
NO_FUNDING_LEFT = "no_funding_left"
LESS_THAN_ONE_PLACE = "less_than_one_place"


@dataclass(frozen=True, slots=True)
class OfferOutcome:
    offer: str
    provider: str
    kind: str
    district: str | None
    target_groups: tuple[str, ...]
    status: str
    new: bool
    capacity_before: int | None
    capacity_after: int | None
    funding_before_eur: float
    funding_after_eur: float
    closed: bool
    closed_code: str | None = None
    closed_because: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "offer": self.offer,
            "provider": self.provider,
            "kind": self.kind,
            "district": self.district,
            "target_groups": list(self.target_groups),
            "status": self.status,
            "new": self.new,
            "capacity_before": self.capacity_before,
            "capacity_after": self.capacity_after,
            "funding_before_eur": _eur(self.funding_before_eur),
            "funding_after_eur": _eur(self.funding_after_eur),
            "closed": self.closed,
            "closed_code": self.closed_code,
            "closed_because": self.closed_because,
        }


@dataclass(frozen=True, slots=True)
class ProviderOutcome:
    provider: str
    funding_before_eur: float
    funding_after_eur: float
    share: float
    viable: bool
    offers: int
    offers_closed: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "funding_before_eur": _eur(self.funding_before_eur),
            "funding_after_eur": _eur(self.funding_after_eur),
            "share": round(self.share, 4),
            "viable": self.viable,
            "offers": self.offers,
            "offers_closed": self.offers_closed,
        }


@dataclass(frozen=True, slots=True)
class CoverageCell:
    target_group: str
    district: str
    offer_kind: str
    demand: int
    places_before: float
    places_after: float
    places_after_bridge: float

    def covered(self, places: float) -> float:
        return min(float(self.demand), places)

    def to_dict(self) -> dict[str, Any]:
        return {
            "target_group": self.target_group,
            "district": self.district,
            "offer_kind": self.offer_kind,
            "demand": self.demand,
            "places_before": _places(self.places_before),
            "places_after": _places(self.places_after),
            "places_after_bridge": _places(self.places_after_bridge),
            "covered_before": _places(self.covered(self.places_before)),
            "covered_after": _places(self.covered(self.places_after)),
            "covered_after_bridge": _places(self.covered(self.places_after_bridge)),
        }


@dataclass(frozen=True)
class ScenarioResult:
    spec: ScenarioSpec
    inputs_digest: str
    offers: tuple[OfferOutcome, ...]
    providers: tuple[ProviderOutcome, ...]
    new_dead_ends: tuple[dict[str, Any], ...]
    broken_bridges: tuple[dict[str, Any], ...]
    new_single_bridges: tuple[dict[str, Any], ...]
    coverage: tuple[CoverageCell, ...]
    bridge: bridging.BridgeResult
    warnings: tuple[str, ...] = ()
    # per warning its code and params (funding.ScenarioWarning), same order
    warning_details: tuple[dict[str, Any], ...] = ()

    @property
    def providers_not_viable(self) -> list[str]:
        return [p.provider for p in self.providers if not p.viable]

    def rules(self) -> dict[str, Any]:
        return {
            "capacity_rule": CAPACITY_RULE,
            "viability_threshold": self.spec.rules.viability_threshold,
            "viability_rule": "a provider whose funding after falls below the threshold × "
            "its funding before is not viable; all its offers close",
            "funding_rule": FUNDING_RULE,
            "coverage_rule": COVERAGE_RULE,
            "bridge_weights": dict(sorted(self.spec.rules.bridge_weights.items())),
            "bridge_weight_default": 1.0,
        }

    def covered_by_group(self, which: str) -> dict[str, float]:
        totals: dict[str, float] = defaultdict(float)
        for cell in self.coverage:
            places = {
                "before": cell.places_before,
                "after": cell.places_after,
                "after_bridge": cell.places_after_bridge,
            }[which]
            totals[cell.target_group] += cell.covered(places)
        return {g: _places(v) for g, v in sorted(totals.items())}

    def summary(self) -> dict[str, Any]:
        before = sum(
            _places_of(o.capacity_before) for o in self.offers if o.status == pathways.ACTIVE
        )
        after = sum(
            _places_of(o.capacity_after)
            for o in self.offers
            if o.status == pathways.ACTIVE and not o.closed
        )
        kept = sum(a.places_kept for a in self.bridge.allocations)
        return {
            "places_before": before,
            "places_after": after,
            "places_lost": before - after,
            "places_after_bridge": after + kept,
            "providers_total": len(self.providers),
            "providers_not_viable": len(self.providers_not_viable),
            "offers_closed": sum(1 for o in self.offers if o.closed),
            "new_dead_ends": len(self.new_dead_ends),
            "broken_bridges": len(self.broken_bridges),
            "bridge_spent_eur": _eur(self.bridge.spent_eur),
            "demand_covered_before": self.covered_by_group("before"),
            "demand_covered_after": self.covered_by_group("after"),
            "demand_covered_after_bridge": self.covered_by_group("after_bridge"),
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON form every consumer relies on (see README.md); extra keys allowed."""
        return {
            "name": self.spec.name,
            "description": self.spec.description,
            "period": {"start": self.spec.start.isoformat(), "end": self.spec.end.isoformat()},
            "inputs_digest": self.inputs_digest,
            "scenario": self.spec.to_dict(),
            "rules": self.rules(),
            "offers": [o.to_dict() for o in self.offers],
            "providers": [p.to_dict() for p in self.providers],
            "providers_not_viable": self.providers_not_viable,
            "new_dead_ends": list(self.new_dead_ends),
            "broken_bridges": list(self.broken_bridges),
            "new_single_bridges": list(self.new_single_bridges),
            "coverage": [c.to_dict() for c in self.coverage],
            "bridge": self.bridge.to_dict(),
            "summary": self.summary(),
            "warnings": list(self.warnings),
            "warning_details": list(self.warning_details),
        }


def _eur(amount: float) -> float:
    return round(amount + 0.0, 2)


def _places(places: float) -> float:
    return round(places + 0.0, 2)


def _places_of(capacity: int | None) -> int:
    return capacity or 0
