"""The city's allocation problem from plain facts: who is waiting, which offers have free
places, who may take which, at what cost, with which priority.

Pure Python, no Django: ``allocations/services.py`` loads the facts. The rules are the
ones the next steps of a single person use (``pathways.next_steps``: eligibility by age,
legal branch and target group; proximity by district; the route to a goal), so a person
is never allocated to an offer their own page would exclude.

Priority (integer ≥ 1): ``1 + Σ weight(target group) + Σ weight(support need)`` with the
weights the coordinator has recorded; no hidden score.

Cost (integer ≥ 0, lower is better), each part kept for the explanation:

- ``distance``: 0 in the person's district or city-wide, ``neighbouring`` for a
  neighbouring district, ``other_district`` for any other (or not a candidate at all
  when ``other_district`` is None), ``unknown_district`` when the person's district is
  unknown;
- ``fit``: 0 when the offer is for one of the person's target groups, ``open_offer``
  when it is open to everybody (a place meant for the group fits better);
- ``goal``: ``per_step`` per follow-on step to the person's goal (or the nearest goal
  when they have none), ``no_route`` when it does not lead to their goal;
- ``preference``: ``per_preference_rank`` times the rank of the offer's kind in the
  person's stated preferences (0 for the first; ``unpreferred`` when the kind is not
  among them; 0 for persons without preferences).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from doconnect.allocation.engine.problem import AllocationProblem
from doconnect.pathways.engine.fit import (
    CITY_WIDE,
    NEIGHBOURING,
    OTHER_DISTRICT,
    SAME_DISTRICT,
    UNKNOWN_DISTRICT,
    PersonFacts,
    eligibility,
    proximity,
    route,
)
from doconnect.pathways.engine.inputs import Offer
from doconnect.pathways.engine.report import Distances

COST_PARTS = ("distance", "fit", "goal", "preference")


@dataclass(frozen=True)
class CostRules:
    neighbouring: int = 10
    other_district: int | None = 30  # None: only the own, neighbouring and city-wide offers
    unknown_district: int = 10
    open_offer: int = 5
    per_step: int = 3
    no_route: int = 25
    per_preference_rank: int = 4
    unpreferred: int = 15

    def as_dict(self) -> dict[str, int | None]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class PriorityWeights:
    """Integer weights ≥ 0 per target group code and per support need."""

    target_groups: Mapping[str, int] = field(default_factory=dict)
    support_needs: Mapping[str, int] = field(default_factory=dict)

    def priority(self, target_groups: Collection[str], support_needs: Collection[str]) -> int:
        return (
            1
            + sum(self.target_groups.get(g, 0) for g in target_groups)
            + sum(self.support_needs.get(n, 0) for n in support_needs)
        )


@dataclass(frozen=True)
class Waiting:
    """A person waiting for a place: their facts as the next steps see them, their
    support needs and the kinds of offer they prefer, most preferred first."""

    id: str
    facts: PersonFacts
    support_needs: tuple[str, ...] = ()
    preferred_kinds: tuple[str, ...] = ()


def _distance_cost(where: str, rules: CostRules) -> int | None:
    if where in (SAME_DISTRICT, CITY_WIDE):
        return 0
    if where == NEIGHBOURING:
        return rules.neighbouring
    if where == UNKNOWN_DISTRICT:
        return rules.unknown_district
    assert where == OTHER_DISTRICT
    return rules.other_district


def _preference_cost(kind: str, preferred: Sequence[str], rules: CostRules) -> int:
    if not preferred:
        return 0
    if kind in preferred:
        return rules.per_preference_rank * preferred.index(kind)
    return rules.unpreferred


def city_problem(
    waiting: Sequence[Waiting],
    offers: Sequence[Offer],
    *,
    free_places: Mapping[str, int | None],
    distances: Distances,
    neighbours: Mapping[str, Collection[str]],
    weights: PriorityWeights,
    rules: CostRules = CostRules(),
    unknown_capacity: int = 0,
) -> AllocationProblem:
    """The allocation problem: every waiting person, every active offer with its free
    places as the capacity (``unknown_capacity`` where the capacity is unknown: by
    default none, since a place nobody counted cannot be promised), every eligible pair
    with its cost and parts. Offers the person already took part in, dead ends and
    inactive offers are never candidates."""
    active = [o for o in offers if o.active]
    routes = {o.id: route(o.id, None, distances) for o in active}
    person_idx: list[int] = []
    place_idx: list[int] = []
    costs: list[int] = []
    parts: list[tuple[int, int, int, int]] = []
    for i, person in enumerate(waiting):
        facts = person.facts
        for j, offer in enumerate(active):
            if offer.id in facts.done or not routes[offer.id][0]:
                continue
            if eligibility(facts, offer)[1]:
                continue
            distance = _distance_cost(proximity(facts, offer, neighbours), rules)
            if distance is None:
                continue
            fit = 0 if offer.target_groups else rules.open_offer
            _reaches, to_goal, steps, _goal = route(offer.id, facts.goal, distances)
            goal = rules.per_step * (steps or 0) if to_goal else rules.no_route
            preference = _preference_cost(offer.kind, person.preferred_kinds, rules)
            person_idx.append(i)
            place_idx.append(j)
            costs.append(distance + fit + goal + preference)
            parts.append((distance, fit, goal, preference))
    capacity = [
        unknown_capacity if free_places.get(o.id) is None else max(0, free_places[o.id] or 0)
        for o in active
    ]
    part_values = np.asarray(parts, dtype=np.int64).reshape(-1, len(COST_PARTS))
    return AllocationProblem(
        person_ids=tuple(p.id for p in waiting),
        priority=np.asarray(
            [weights.priority(p.facts.target_groups, p.support_needs) for p in waiting],
            dtype=np.int64,
        ),
        place_ids=tuple(o.id for o in active),
        capacity=np.asarray(capacity, dtype=np.int64),
        pair_person=np.asarray(person_idx, dtype=np.int32),
        pair_place=np.asarray(place_idx, dtype=np.int32),
        pair_cost=np.asarray(costs, dtype=np.int64),
        cost_parts={name: part_values[:, c] for c, name in enumerate(COST_PARTS)},
    )
