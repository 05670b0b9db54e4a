from __future__ import annotations

from typing import Any, cast

import numpy as np
import pytest

from doconnect.allocation.engine.greedy import greedy
from doconnect.allocation.engine.optimal import big_m, network, solve
from doconnect.allocation.engine.problem import (
    AllocationError,
    AllocationProblem,
    AllocationTooLarge,
)
from doconnect.allocation.engine.result import (
    ASSIGNED,
    CAPACITY_TAKEN,
    NO_CANDIDATE,
    REASONS,
    Allocation,
)

from .reference import highs_optimum


def random_problem(rng: np.random.Generator) -> AllocationProblem:
    """A small instance with everything that makes allocation tricky: ties in priority
    and cost, zero capacities, persons without candidates, places nobody can take."""
    n = int(rng.integers(0, 13))
    m = int(rng.integers(0, 7))
    density = rng.choice([0.1, 0.3, 0.6, 1.0])
    mask = rng.random((n, m)) < density
    persons, places = np.nonzero(mask)
    # Costs: mostly small with many ties, sometimes large (the big-M must still win).
    top = int(rng.choice([1, 3, 10, 1_000_000]))
    cost = rng.integers(0, top + 1, len(persons))
    priority = rng.integers(1, int(rng.choice([1, 2, 4, 100])) + 1, n)
    capacity = rng.integers(0, 4, m)
    capacity[rng.random(m) < 0.2] = 0
    # Shuffle the pairs: the engine must not rely on any order.
    order = rng.permutation(len(persons))
    return AllocationProblem(
        person_ids=[f"p{i}" for i in range(n)],
        priority=priority,
        place_ids=[f"o{j}" for j in range(m)],
        capacity=capacity,
        pair_person=persons[order].astype(np.int32),
        pair_place=places[order].astype(np.int32),
        pair_cost=cost[order],
    )


def assert_feasible(allocation: Allocation) -> None:
    p = allocation.problem
    assigned = np.flatnonzero(allocation.place >= 0)
    pairs = allocation.pair[assigned]
    # Only candidate pairs, each person at most once, each place within capacity.
    assert (p.pair_person[pairs] == assigned).all()
    assert (p.pair_place[pairs] == allocation.place[assigned]).all()
    assert len(set(assigned.tolist())) == len(assigned)
    used = np.bincount(allocation.place[assigned], minlength=p.place_count)
    assert (used <= p.capacity).all()
    assert (allocation.pair[allocation.place < 0] == -1).all()
    assert allocation.assigned == len(assigned)
    assert allocation.weighted_assigned == int(p.priority[assigned].sum())
    assert allocation.total_cost == int(p.pair_cost[pairs].sum())


def assert_explained(allocation: Allocation) -> None:
    p = allocation.problem
    for person in range(p.person_count):
        why = allocation.explain(person)
        own = p.pair_person == person
        usable = own & (p.capacity[p.pair_place] > 0)
        if allocation.place[person] >= 0:
            assert why.reason == ASSIGNED
            assert why.place == p.place_ids[allocation.place[person]]
            assert why.cost == p.pair_cost[allocation.pair[person]]
        elif not usable.any():
            assert why.reason == NO_CANDIDATE
            assert why.places == ()
        else:
            # Every eligible place is full, held by persons with a higher priority or,
            # at the same priority, no higher cost: the optimum could not do better.
            assert why.reason == CAPACITY_TAKEN
            assert len(why.places) == int(usable.sum())
            for held in why.places:
                assert held.holders == held.capacity
                assert held.lowest_priority is not None
                assert held.lowest_priority >= why.priority
                if held.highest_cost_at_own_priority is not None:
                    assert held.highest_cost_at_own_priority <= held.own_cost
        assert why.candidates == int(own.sum())


@pytest.mark.parametrize("seed", range(8))
def test_the_optimum_matches_an_independent_integer_programme(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(40):
        problem = random_problem(rng)
        optimum = solve(problem)

        assert_feasible(optimum)
        assert (optimum.weighted_assigned, optimum.total_cost) == highs_optimum(problem)
        assert_explained(optimum)
        baseline = greedy(problem)
        assert_feasible(baseline)
        assert baseline.weighted_assigned <= optimum.weighted_assigned
        if baseline.weighted_assigned == optimum.weighted_assigned:
            assert baseline.total_cost >= optimum.total_cost


def test_a_cheaper_allocation_that_places_less_weight_loses() -> None:
    problem = AllocationProblem.from_records(
        persons=[("cheap", 1), ("urgent", 2), ("also-cheap", 1)],
        places=[("x", 1), ("y", 1)],
        candidates=[("cheap", "x", 0), ("urgent", "x", 1_000), ("also-cheap", "y", 0)],
    )

    optimum = solve(problem)

    assert optimum.place.tolist() == [-1, 0, 1]
    assert (optimum.weighted_assigned, optimum.total_cost) == (3, 1_000)
    # The weight of leaving one person behind outprices every cost there is.
    assert big_m(problem) > 1_000


def test_at_equal_weight_the_cheaper_allocation_wins() -> None:
    problem = AllocationProblem.from_records(
        persons=[("a", 1), ("b", 1)],
        places=[("x", 1), ("y", 1)],
        candidates=[("a", "x", 5), ("a", "y", 1), ("b", "x", 1), ("b", "y", 5)],
    )

    optimum = solve(problem)

    assert optimum.place.tolist() == [1, 0]
    assert optimum.total_cost == 2


def test_ties_are_still_optimal_and_feasible() -> None:
    problem = AllocationProblem.from_records(
        persons=[(f"p{i}", 1) for i in range(6)],
        places=[("x", 2), ("y", 1)],
        candidates=[(f"p{i}", o, 3) for i in range(6) for o in ("x", "y")],
    )

    optimum = solve(problem)

    assert_feasible(optimum)
    assert (optimum.assigned, optimum.total_cost) == (3, 9)
    assert optimum.reason_counts() == {ASSIGNED: 3, NO_CANDIDATE: 0, CAPACITY_TAKEN: 3}


def test_explanations_give_cost_parts_and_reasons() -> None:
    problem = AllocationProblem.from_records(
        persons=[("anna", 3), ("ben", 1), ("cem", 2), ("dana", 1)],
        places=[("course", 1), ("closed", 0)],
        candidates=[
            ("anna", "course", 7, {"distance": 4, "fit": 2, "preference": 1}),
            ("ben", "course", 1, {"distance": 1}),
            ("cem", "closed", 0, {}),
        ],
    )

    optimum = solve(problem)
    anna, ben, cem, dana = (optimum.explain(i) for i in range(4))

    assert anna.reason == ASSIGNED
    assert (anna.place, anna.cost) == ("course", 7)
    assert anna.cost_parts == {"distance": 4, "fit": 2, "preference": 1}
    assert "course" in anna.text and "distance 4" in anna.text
    assert ben.reason == CAPACITY_TAKEN
    assert ben.text.endswith(
        "all eligible places taken by persons with higher priority or lower cost"
    )
    (held,) = ben.places
    assert (held.place, held.holders, held.lowest_priority) == ("course", 1, 3)
    assert held.highest_cost_at_own_priority is None  # the holder's priority is higher
    assert cem.reason == NO_CANDIDATE
    assert cem.zero_capacity_candidates == 1
    assert "no eligible place" in cem.text
    assert dana.reason == NO_CANDIDATE and dana.candidates == 0
    assert dana.to_dict()["reason"] == NO_CANDIDATE
    assert set(REASONS) == {ASSIGNED, NO_CANDIDATE, CAPACITY_TAKEN}


def test_greedy_serves_in_input_order_and_can_lose_weight() -> None:
    problem = AllocationProblem.from_records(
        persons=[("first", 1), ("second", 5)],
        places=[("x", 1), ("y", 1)],
        candidates=[("first", "x", 2), ("first", "y", 1), ("second", "y", 0)],
    )

    baseline = greedy(problem)
    optimum = solve(problem)

    # "first" takes its cheapest place y, so "second" (more at risk) is left behind.
    assert baseline.place.tolist() == [1, -1]
    assert baseline.method == "greedy"
    assert optimum.place.tolist() == [0, 1]
    assert (optimum.weighted_assigned, baseline.weighted_assigned) == (6, 1)


def test_empty_problems_solve() -> None:
    empty = AllocationProblem.from_records([], [], [])
    nobody_fits = AllocationProblem.from_records([("a", 1)], [("x", 0)], [])

    assert solve(empty).totals() == {
        "assigned": 0,
        "weighted_assigned": 0,
        "total_cost": 0,
        "unassigned": 0,
    }
    assert solve(nobody_fits).explain(0).reason == NO_CANDIDATE
    assert greedy(nobody_fits).assigned == 0


def test_the_network_divides_by_common_factors_and_keeps_arc_order() -> None:
    problem = AllocationProblem.from_records(
        persons=[("a", 2), ("b", 4)],
        places=[("x", 1)],
        candidates=[("a", "x", 10), ("b", "x", 30)],
    )

    net = network(problem)

    assert (net.cost_divisor, net.priority_divisor) == (10, 2)
    assert net.unit_costs[:2].tolist() == [1, 3]
    # Bypass arcs cost M per unit of (divided) weight: 1 and 2.
    assert net.unit_costs[-2:].tolist() == [net.big_m, 2 * net.big_m]
    assert solve(problem, net).place.tolist() == [-1, 0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"priority": [0, 1]}, "priority 0"),
        ({"capacity": [-1]}, "capacity -1"),
        ({"pair_cost": [-3, 1]}, "negative cost"),
        ({"pair_person": [0, 0], "pair_place": [0, 0]}, "more than once"),
        ({"pair_place": [0, 1]}, "out of range"),
        ({"person_ids": ["a", "a"]}, "more than once"),
        ({"pair_cost": [1.5, 2.0]}, "integers"),
        ({"cost_parts": {"distance": [1, 1]}}, "add up to"),
    ],
)
def test_invalid_input_is_refused(change: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {
        "person_ids": ["a", "b"],
        "priority": [1, 1],
        "place_ids": ["x"],
        "capacity": [1],
        "pair_person": [0, 1],
        "pair_place": [0, 0],
        "pair_cost": [1, 2],
    }
    fields.update(change)

    with pytest.raises(AllocationError, match=message):
        AllocationProblem(**cast(Any, fields))


def test_numbers_too_large_for_an_exact_solution_are_refused() -> None:
    n = 2_000
    problem = AllocationProblem(
        person_ids=[str(i) for i in range(n)],
        priority=np.resize([1, 1_000], n),
        place_ids=["x"],
        capacity=np.array([n]),
        pair_person=np.arange(n, dtype=np.int32),
        pair_place=np.zeros(n, dtype=np.int32),
        pair_cost=np.r_[np.full(n - 1, 10**12), 10**12 + 1],
    )

    with pytest.raises(AllocationTooLarge, match="too large"):
        solve(problem)
