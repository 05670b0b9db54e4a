"""A scenario: a named set of changes to the offer landscape's funding over a period —
funding changes, funders no longer paying for some persons, offers closed and opened —
with the rules the city sets (viability threshold, bridge weights) and the bridge
budget; and its canonical form. Read from a file by ``scenario_file``. Pure, no Django.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

FUNDING_CHANGE = "funding_change"
ELIGIBILITY_CHANGE = "eligibility_change"
CLOSE_OFFER = "close_offer"
OPEN_OFFER = "open_offer"
CHANGE_TYPES: tuple[str, ...] = (FUNDING_CHANGE, ELIGIBILITY_CHANGE, CLOSE_OFFER, OPEN_OFFER)

DEFAULT_VIABILITY_THRESHOLD = 0.7
# The ages an offer without its own limits is assumed to span (working age).
AGE_FLOOR, AGE_CEILING = 15, 67


class ScenarioError(ValueError):
    """A scenario cannot be run on these inputs (besides a bad file: ImportFailed)."""


@dataclass(frozen=True)
class NewFunding:
    funder: str
    amount_eur: float
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class FundingChange:
    """A funder's funding, in the period, of the offers matched (``offer_kinds`` and
    ``offers``; empty: all) changes by ``percent`` (signed) or by ``amount_eur``
    (signed, spread over the matched lines in proportion to their amounts)."""

    funder: str
    percent: float | None = None
    amount_eur: float | None = None
    offer_kinds: tuple[str, ...] = ()
    offers: tuple[str, ...] = ()
    line: int = field(default=0, compare=False)
    path: str = field(default="", compare=False)
    type: str = FUNDING_CHANGE


@dataclass(frozen=True)
class EligibilityChange:
    """A funder stops paying for some persons in offers of ``offer_kinds`` (empty: all):
    for the target groups listed and/or the ages from ``min_age`` to ``max_age``.

    An offer loses the share of that funder's funding that pays for the excluded:
    the fraction of its own target groups that are excluded (an offer open to everybody
    loses nothing by target group), and the fraction of its age span (its own limits,
    else 15–67) inside the excluded ages; both together: 1 − (1 − a)(1 − b)."""

    funder: str
    offer_kinds: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    min_age: int | None = None
    max_age: int | None = None
    line: int = field(default=0, compare=False)
    path: str = field(default="", compare=False)
    type: str = ELIGIBILITY_CHANGE


@dataclass(frozen=True)
class CloseOffer:
    offer: str
    line: int = field(default=0, compare=False)
    path: str = field(default="", compare=False)
    type: str = CLOSE_OFFER


@dataclass(frozen=True)
class OpenOffer:
    """A new offer (its places count from the start of the period)."""

    id: str
    provider: str
    kind: str
    capacity: int
    district: str | None = None
    target_groups: tuple[str, ...] = ()
    min_age: int | None = None
    max_age: int | None = None
    funding: tuple[NewFunding, ...] = ()
    follow_ons: tuple[str, ...] = ()
    line: int = field(default=0, compare=False)
    path: str = field(default="", compare=False)
    type: str = OPEN_OFFER


Change = FundingChange | EligibilityChange | CloseOffer | OpenOffer


@dataclass(frozen=True)
class ScenarioRules:
    """The rules the city sets; every result states them. ``bridge_weights``: how much one
    covered person of a target group counts for the bridge budget (missing: 1)."""

    viability_threshold: float = DEFAULT_VIABILITY_THRESHOLD
    bridge_weights: Mapping[str, float] = field(default_factory=dict)
    # Where each weight stands in the file, for problems found against the inputs.
    weight_lines: Mapping[str, int] = field(default_factory=dict, compare=False)

    def weight(self, target_group: str) -> float:
        return float(self.bridge_weights.get(target_group, 1.0))


@dataclass(frozen=True)
class ScenarioSpec:
    name: str
    start: dt.date
    end: dt.date
    changes: tuple[Change, ...] = ()
    bridge_budget_eur: float = 0.0
    rules: ScenarioRules = ScenarioRules()
    description: str = ""
    file: str = field(default="", compare=False)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def to_dict(self) -> dict[str, Any]:
        """The canonical form (the file format, every field present)."""
        return {
            "name": self.name,
            "description": self.description,
            "period": {"start": self.start.isoformat(), "end": self.end.isoformat()},
            "changes": [change_to_dict(c) for c in self.changes],
            "bridge_budget_eur": self.bridge_budget_eur,
            "rules": {
                "viability_threshold": self.rules.viability_threshold,
                "bridge_weights": dict(sorted(self.rules.bridge_weights.items())),
            },
        }


def change_to_dict(change: Change) -> dict[str, Any]:
    if isinstance(change, FundingChange):
        return {
            "type": change.type,
            "funder": change.funder,
            "percent": change.percent,
            "amount_eur": change.amount_eur,
            "offer_kinds": list(change.offer_kinds),
            "offers": list(change.offers),
        }
    if isinstance(change, EligibilityChange):
        return {
            "type": change.type,
            "funder": change.funder,
            "offer_kinds": list(change.offer_kinds),
            "target_groups": list(change.target_groups),
            "min_age": change.min_age,
            "max_age": change.max_age,
        }
    if isinstance(change, CloseOffer):
        return {"type": change.type, "offer": change.offer}
    return {
        "type": change.type,
        "offer": {
            "id": change.id,
            "provider": change.provider,
            "kind": change.kind,
            "district": change.district,
            "target_groups": list(change.target_groups),
            "capacity": change.capacity,
            "min_age": change.min_age,
            "max_age": change.max_age,
            "funding": [
                {
                    "funder": f.funder,
                    "amount_eur": f.amount_eur,
                    "start": f.start.isoformat(),
                    "end": f.end.isoformat(),
                }
                for f in change.funding
            ],
            "follow_ons": list(change.follow_ons),
        },
    }
