"""The result of an allocation: each person's place (or none) and the candidate pair
used, the totals, and for every person why they got their place or none — a stable
reason code and, for someone left without a place, who holds each of their eligible
places. Also how much one allocation beats another. Pure (NumPy), no Django."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from doconnect.allocation.engine.problem import AllocationProblem, Int32Array, IntArray

UNASSIGNED = -1

# Why a person has (or has not) got a place: stable codes for user interfaces and files.
ASSIGNED = "assigned"
NO_CANDIDATE = "no_candidate"  # no candidate pair with a place of capacity > 0
CAPACITY_TAKEN = "capacity_taken"  # every such place is full, held by people who come first
REASONS: tuple[str, ...] = (ASSIGNED, NO_CANDIDATE, CAPACITY_TAKEN)
REASON_TEXT = {
    ASSIGNED: "assigned",
    NO_CANDIDATE: "no eligible place",
    CAPACITY_TAKEN: "all eligible places taken by persons with higher priority or lower cost",
}

OPTIMAL = "optimal"
GREEDY = "greedy"


@dataclass(frozen=True)
class Holders:
    """Who holds one of an unassigned person's eligible places: the place is full, its
    holders have priority ``>= lowest_priority``, and those with the person's own
    priority cost at most ``highest_cost_at_own_priority`` there (``None``: no holder has
    the same priority, all have a higher one)."""

    place: str
    capacity: int
    own_cost: int
    holders: int
    lowest_priority: int | None
    highest_cost_at_own_priority: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "place": self.place,
            "capacity": self.capacity,
            "own_cost": self.own_cost,
            "holders": self.holders,
            "lowest_priority": self.lowest_priority,
            "highest_cost_at_own_priority": self.highest_cost_at_own_priority,
        }


@dataclass(frozen=True)
class Explanation:
    """Why one person got their place, or none. ``reason`` is one of :data:`REASONS`;
    ``cost_parts`` split an assigned person's cost; ``places`` tell, for an unassigned
    person, who holds each eligible place (for ``capacity_taken``)."""

    person: str
    priority: int
    reason: str
    place: str | None = None
    cost: int | None = None
    cost_parts: dict[str, int] = field(default_factory=dict)
    candidates: int = 0
    zero_capacity_candidates: int = 0
    places: tuple[Holders, ...] = ()

    @property
    def text(self) -> str:
        if self.reason == ASSIGNED:
            parts = ", ".join(f"{name} {value}" for name, value in self.cost_parts.items())
            return f"{self.person}: {self.place} (cost {self.cost}{': ' + parts if parts else ''})"
        extra = (
            f" ({self.zero_capacity_candidates} candidate place(s) without capacity)"
            if self.zero_capacity_candidates
            else ""
        )
        return f"{self.person}: not placed — {REASON_TEXT[self.reason]}{extra}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "person": self.person,
            "priority": self.priority,
            "reason": self.reason,
            "text": self.text,
            "place": self.place,
            "cost": self.cost,
            "cost_parts": dict(self.cost_parts),
            "candidates": self.candidates,
            "zero_capacity_candidates": self.zero_capacity_candidates,
            "places": [h.to_dict() for h in self.places],
        }


@dataclass(frozen=True, eq=False)
class Allocation:
    """The result: ``place[i]`` is person ``i``'s place index (or -1), ``pair[i]`` the
    candidate pair used (or -1); totals in the problem's own units."""

    problem: AllocationProblem
    method: str
    place: Int32Array
    pair: IntArray
    assigned: int
    weighted_assigned: int
    total_cost: int

    @classmethod
    def from_pairs(cls, problem: AllocationProblem, chosen: IntArray, method: str) -> Allocation:
        """From the indices of the chosen candidate pairs (at most one per person)."""
        n = problem.person_count
        place = np.full(n, UNASSIGNED, dtype=np.int32)
        pair = np.full(n, UNASSIGNED, dtype=np.int64)
        persons = problem.pair_person[chosen]
        place[persons] = problem.pair_place[chosen]
        pair[persons] = chosen
        return cls(
            problem=problem,
            method=method,
            place=place,
            pair=pair,
            assigned=len(chosen),
            weighted_assigned=int(problem.priority[persons].sum(dtype=np.int64)),
            total_cost=int(problem.pair_cost[chosen].sum(dtype=np.int64)),
        )

    @property
    def unassigned(self) -> int:
        return self.problem.person_count - self.assigned

    @cached_property
    def reason_codes(self) -> npt.NDArray[np.int8]:
        """Per person the index into :data:`REASONS` (vectorised for all persons)."""
        p = self.problem
        usable = p.capacity[p.pair_place] > 0
        has_place = np.bincount(p.pair_person[usable], minlength=p.person_count) > 0
        codes = np.where(has_place, REASONS.index(CAPACITY_TAKEN), REASONS.index(NO_CANDIDATE))
        codes[self.place >= 0] = REASONS.index(ASSIGNED)
        return codes.astype(np.int8)

    def reason_counts(self) -> dict[str, int]:
        counts = np.bincount(self.reason_codes, minlength=len(REASONS))
        return {reason: int(c) for reason, c in zip(REASONS, counts.tolist(), strict=True)}

    def totals(self) -> dict[str, int]:
        return {
            "assigned": self.assigned,
            "weighted_assigned": self.weighted_assigned,
            "total_cost": self.total_cost,
            "unassigned": self.unassigned,
        }

    @cached_property
    def _holders_by_place(self) -> tuple[IntArray, IntArray]:
        """Assigned persons grouped by place: ``order[starts[j]:starts[j + 1]]``."""
        persons = np.flatnonzero(self.place >= 0)
        order = persons[np.argsort(self.place[persons], kind="stable")]
        starts = np.searchsorted(self.place[order], np.arange(self.problem.place_count + 1))
        return order, starts.astype(np.int64)

    def explain(self, person: int) -> Explanation:
        """The explanation of one person (by index)."""
        p = self.problem
        reason = REASONS[int(self.reason_codes[person])]
        order, starts = p.pairs_by_person
        own = order[starts[person] : starts[person + 1]]
        zero = int((p.capacity[p.pair_place[own]] == 0).sum())
        common: dict[str, Any] = {
            "person": p.person_ids[person],
            "priority": int(p.priority[person]),
            "reason": reason,
            "candidates": len(own),
            "zero_capacity_candidates": zero,
        }
        if reason == ASSIGNED:
            k = int(self.pair[person])
            return Explanation(
                **common,
                place=p.place_ids[int(self.place[person])],
                cost=int(p.pair_cost[k]),
                cost_parts={name: int(part[k]) for name, part in p.cost_parts.items()},
            )
        holder_order, holder_starts = self._holders_by_place
        places = []
        for k in own.tolist():
            j = int(p.pair_place[k])
            if p.capacity[j] == 0:
                continue
            holders = holder_order[holder_starts[j] : holder_starts[j + 1]]
            weights = p.priority[holders]
            same = holders[weights == p.priority[person]]
            places.append(
                Holders(
                    place=p.place_ids[j],
                    capacity=int(p.capacity[j]),
                    own_cost=int(p.pair_cost[k]),
                    holders=len(holders),
                    lowest_priority=int(weights.min()) if len(holders) else None,
                    highest_cost_at_own_priority=(
                        int(p.pair_cost[self.pair[same]].max()) if len(same) else None
                    ),
                )
            )
        return Explanation(**common, places=tuple(places))


def advantage(optimum: Allocation, baseline: Allocation) -> dict[str, int]:
    """How much ``optimum`` beats ``baseline``: more persons placed, more weight placed,
    and cost saved (negative when placing more people costs more)."""
    return {
        "assigned": optimum.assigned - baseline.assigned,
        "weighted_assigned": optimum.weighted_assigned - baseline.weighted_assigned,
        "total_cost": baseline.total_cost - optimum.total_cost,
    }
