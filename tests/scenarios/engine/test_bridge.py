"""The bridge budget's integer programme: optimal (checked against trying every plan on
small instances), never over budget, and its shadow prices in words."""

from __future__ import annotations

import numpy as np
import pytest

from doconnect.scenarios.engine.bridge import (
    NO_BUDGET,
    NOTHING_TO_BRIDGE,
    OPTIMAL,
    BridgeProblem,
    Names,
    brute_force,
    problem_from_lists,
    solve_bridge,
)

GROUPS = ("youth", "adults", "refugees")
DISTRICTS = ("Eving", "Hörde")


def random_problem(rng: np.random.Generator) -> BridgeProblem:
    """Up to 6 offers with up to 3 places lost each, up to 2 providers that are not
    viable (their offers reopen only when kept), up to 4 cells sharing the places."""
    n_offers = int(rng.integers(1, 7))
    n_providers = int(rng.integers(0, 3))
    n_cells = int(rng.integers(1, 5))
    keys = [
        (GROUPS[int(rng.integers(3))], DISTRICTS[int(rng.integers(2))], f"kind-{c}")
        for c in range(n_cells)
    ]
    offers = []
    for j in range(n_offers):
        provider = int(rng.integers(-1, n_providers)) if n_providers else -1
        offers.append(
            (f"o-{j}", int(rng.integers(0, 4)), float(rng.integers(1, 6) * 1000), provider)
        )
    shares = np.zeros((n_cells, n_offers))
    for j in range(n_offers):
        served = rng.choice(n_cells, int(rng.integers(1, n_cells + 1)), replace=False)
        weights = rng.random(len(served)) + 0.1
        shares[served, j] = weights / weights.sum()
    providers = []
    reopen = np.zeros((n_cells, n_providers))
    for p in range(n_providers):
        places = int(rng.integers(0, 6))
        cell = int(rng.integers(n_cells))
        reopen[cell, p] = places
        providers.append((f"p-{p}", float(rng.integers(1, 8) * 500), [(f"o-reopen-{p}", places)]))
    cells = [
        (
            key,
            float(rng.integers(0, 12)),
            float(rng.integers(0, 6)),
            float(rng.choice([1.0, 2.0, 3.0])),
        )
        for key in keys
    ]
    return problem_from_lists(
        budget=float(rng.integers(0, 12) * 1000),
        offers=offers,
        providers=providers,
        cells=cells,
        offer_shares=shares.tolist(),
        reopen_places=reopen.tolist(),
    )


@pytest.mark.parametrize("seed", range(120))
def test_the_optimum_equals_the_best_of_every_integer_plan(seed: int) -> None:
    problem = random_problem(np.random.default_rng(seed))
    result = solve_bridge(problem)
    assert result.objective == pytest.approx(brute_force(problem), abs=1e-6)
    if result.status == OPTIMAL:
        assert problem.feasible(result.x, result.y)
        assert result.spent_eur <= problem.budget + 1e-6
        assert result.objective == pytest.approx(problem.value(result.x, result.y))


def one_cell(budget: float, *, demand: float = 10, places_after: float = 4) -> BridgeProblem:
    return problem_from_lists(
        budget=budget,
        offers=[("o-1", 6, 2_500.0, -1)],
        providers=[],
        cells=[(("youth", "Eving", "further_training"), demand, places_after, 3.0)],
        offer_shares=[[1.0]],
        reopen_places=[[]],
    )


def test_the_cheapest_of_the_optimal_plans_is_taken() -> None:
    # Demand 10, 4 places left: 6 lost places could come back, but 5 more cover nobody.
    result = solve_bridge(one_cell(100_000, demand=5))
    assert result.x == (1,) and result.spent_eur == 2_500.0


def test_no_budget_and_nothing_to_bridge_are_said_so() -> None:
    assert solve_bridge(one_cell(0)).status == NO_BUDGET
    assert solve_bridge(one_cell(10_000, demand=4)).status == NOTHING_TO_BRIDGE


def test_a_provider_is_kept_only_when_the_money_brings_it_back_over_the_threshold() -> None:
    # p-0 needs 6,000 € to be viable again; then its offer reopens with 5 places and
    # the bought-back ones (2,000 € each) come on top.
    def problem(budget: float) -> BridgeProblem:
        return problem_from_lists(
            budget=budget,
            offers=[("o-1", 4, 2_000.0, 0)],
            providers=[("p-0", 6_000.0, [("o-1", 5)])],
            cells=[(("youth", "Eving", "further_training"), 20.0, 0.0, 1.0)],
            offer_shares=[[1.0]],
            reopen_places=[[5.0]],
        )

    short = solve_bridge(problem(5_000))
    assert short.providers_kept == () and short.objective == 0
    kept = solve_bridge(problem(8_000))
    assert kept.providers_kept == ("p-0",)
    (allocation,) = kept.allocations
    assert (allocation.offer, allocation.places_kept, allocation.eur) == ("o-1", 9, 8_000.0)
    assert allocation.reopened and allocation.provider_kept == "p-0"
    assert kept.objective == 9


def test_the_budget_s_shadow_price_is_told_in_places_for_a_group_in_a_district() -> None:
    result = solve_bridge(
        one_cell(5_000, demand=20), names=Names(target_groups={"youth": "Jugendliche"})
    )
    budget = result.shadow_prices[0]
    # 2,500 € a place, weight 3: 0.0012 weighted places per euro; 10,000 € keep 4 places.
    assert budget.value == pytest.approx(3 / 2_500)
    assert budget.text == (
        "Weitere 10.000 € Brückenbudget würden etwa 4 Plätze für Jugendliche in Eving erhalten."
    )
    assert budget.params == {
        "step_eur": 10_000.0,
        "places": [{"target_group": "youth", "district": "Eving", "places": 4.0}],
    }
    cell = result.shadow_prices[1]
    assert cell.constraint == "cell:youth|Eving|further_training"
    assert cell.text == (
        "Ein zusätzlicher Platz (further_training) für Jugendliche in Eving wäre 3,0 "
        "Gewichtspunkte wert: dort fehlen nach der Brücke noch 14,0 Plätze."
    )


def test_when_more_money_would_keep_nothing_the_sentence_says_so() -> None:
    result = solve_bridge(one_cell(100_000))
    assert result.shadow_prices[0].text == (
        "Weitere 10.000 € Brückenbudget würden keine weiteren Plätze für Menschen mit Bedarf "
        "erhalten."
    )


def test_a_budget_too_small_for_a_whole_place_says_what_a_place_costs() -> None:
    # one offer lost 4 places at 25,000 € each; 4 persons wait for them; the budget buys 2
    problem = problem_from_lists(
        budget=50_000.0,
        offers=[("o-1", 4, 25_000.0, -1)],
        providers=[],
        cells=[(("youth", "Eving", "further_training"), 4.0, 0.0, 1.0)],
        offer_shares=[[1.0]],
        reopen_places=[[]],
    )
    result = solve_bridge(problem, names=Names(target_groups={"youth": "Jugendliche"}))
    assert [a.places_kept for a in result.allocations] == [2]
    budget = next(p for p in result.shadow_prices if p.constraint == "budget")
    assert budget.text == (
        "Weitere 10.000 € Brückenbudget würden etwa 0,4 Plätze erhalten, vor allem für "
        "Jugendliche in Eving; ein ganzer Platz kostet dort rund 25.000 €."
    )
