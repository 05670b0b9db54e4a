"""Benchmark: a funding scenario on a city-sized offer landscape.

Generates a deterministic synthetic landscape (default 20,000 offers and 100,000
follow-on links, as ``pathways_structure.py`` makes them), gives the offers providers
(a few large, most small), yearly funding lines (one to three funders per offer, as the
demo city funds each kind) and demand cells (target group × district × offer kind), then
times:

- scenario: ``run_scenario`` with the training-voucher reform of the demo example
  (federal agency and Jobcenter −30 % on further training, no more vouchers for
  returners) and a bridge budget of 2 million €: funding, capacity, viability, the
  pathways engine before and after, coverage and the bridge's integer programme;
- the same scenario without a bridge budget (everything but the integer programme);
- baseline: one full pathways analysis (``analyse_pathways``) of the same landscape.

Prints the times, their ratios to the baseline, what the scenario found, then one JSON
summary line. Exits 1 when the scenario without the bridge takes more than
``TARGET_RATIO_NO_BRIDGE`` times the baseline, the whole run more than ``TARGET_RATIO``
times, or the bridge is not optimal. (The scenario runs the pathways engine twice, before
and after, so 2 is the floor; the bridge is a mixed-integer programme over every offer
that lost places.)

    .venv/bin/python bench/scenario.py            # 20,000 offers
    .venv/bin/python bench/scenario.py --small    # 2,000 offers, quick
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from doconnect.demo.offer_kinds import COST_PER_PLACE, FUNDING_BY_KIND
from doconnect.pathways.engine.analysis import analyse_pathways
from doconnect.pathways.engine.inputs import PathwayConfig
from doconnect.scenarios.engine.baseline import (
    DemandCell,
    FundingLine,
    ScenarioInputs,
    ScenarioOffer,
)
from doconnect.scenarios.engine.scenario_file import read_scenario
from doconnect.scenarios.engine.simulate import run_scenario
from pathways_structure import DISTRICTS, TARGET_GROUPS, generate_landscape

TARGET_RATIO_NO_BRIDGE = 10.0
TARGET_RATIO = 25.0
REPEATS = 3
SCENARIO = {
    "name": "Bildungsgutschein-Reform (Benchmark)",
    "period": {"start": "2027-01-01", "end": "2027-12-31"},
    "changes": [
        {
            "type": "funding_change",
            "funder": funder,
            "percent": -30,
            "offer_kinds": ["further_training"],
        }
        for funder in ("federal_agency", "jobcenter")
    ]
    + [
        {
            "type": "eligibility_change",
            "funder": funder,
            "offer_kinds": ["further_training"],
            "target_groups": ["returners"],
        }
        for funder in ("federal_agency", "jobcenter")
    ],
    "bridge_budget_eur": 2_000_000,
    "rules": {"bridge_weights": {"youth_difficult_start": 3, "refugees": 2}},
}


def scenario_inputs(n_offers: int, n_links: int, seed: int) -> ScenarioInputs:
    offers, links = generate_landscape(n_offers, n_links, seed)
    rng = np.random.default_rng(seed + 1)
    n_providers = max(10, n_offers // 10)
    size = rng.lognormal(0.0, 1.0, n_providers)
    provider = rng.choice(n_providers, len(offers), p=size / size.sum())
    year = (dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    result = []
    for i, offer in enumerate(offers):
        weights = FUNDING_BY_KIND[offer.kind]
        names = sorted(weights)
        p = np.array([weights[f] for f in names], dtype=float)
        count = min(len(names), int(rng.choice([1, 1, 2, 2, 3])))
        funders = rng.choice(names, count, replace=False, p=p / p.sum()).tolist()
        places = offer.capacity or 40
        lines = tuple(
            FundingLine(
                str(funder),
                round(
                    COST_PER_PLACE[offer.kind]
                    * places
                    * (1.3 if rank == 0 else 0.85)
                    / len(funders)
                    * float(rng.uniform(0.85, 1.15)),
                    2,
                ),
                *year,
            )
            for rank, funder in enumerate(funders)
        )
        result.append(ScenarioOffer.of(offer, provider=f"p-{int(provider[i]):05d}", funding=lines))
    kinds = sorted({o.kind for o in offers})
    # About as many persons as places, unevenly spread: some cells short, some not.
    places = sum(o.capacity or 0 for o in offers if o.status == "active")
    mean = places / (len(TARGET_GROUPS) * len(DISTRICTS) * len(kinds))
    demand = tuple(
        DemandCell(group, district, kind, int(rng.poisson(mean * rng.uniform(0.3, 1.7))))
        for group in TARGET_GROUPS
        for district in DISTRICTS
        for kind in kinds
    )
    return ScenarioInputs(
        offers=tuple(result),
        links=tuple(links),
        demand=tuple(c for c in demand if c.persons),
        districts=DISTRICTS,
        target_groups={g: g for g in TARGET_GROUPS},
    )


def best_of(run: object, repeats: int) -> tuple[float, object]:
    times = []
    value: object = None
    for _ in range(repeats):
        started = time.perf_counter()
        value = run()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return min(times), value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--small", action="store_true", help="2,000 offers")
    parser.add_argument("--seed", type=int, default=20270)
    args = parser.parse_args(argv)
    n_offers, n_links = (2_000, 10_000) if args.small else (20_000, 100_000)

    started = time.perf_counter()
    inputs = scenario_inputs(n_offers, n_links, args.seed)
    spec = read_scenario(json.dumps(SCENARIO).encode(), file="bench-scenario.json")
    print(
        f"landscape: {n_offers:,} offers, {len(inputs.links):,} links, "
        f"{len({o.provider for o in inputs.offers}):,} providers, "
        f"{sum(c.persons for c in inputs.demand):,} persons in {len(inputs.demand):,} demand "
        f"cells (generated in {time.perf_counter() - started:.1f} s)",
        flush=True,
    )
    engine_offers, _ = generate_landscape(n_offers, n_links, args.seed)
    config = PathwayConfig(districts=DISTRICTS, target_groups=TARGET_GROUPS)
    baseline_seconds, _report = best_of(
        lambda: analyse_pathways(engine_offers, inputs.links, config), REPEATS
    )
    print(f"baseline:  {baseline_seconds:.2f} s for one full pathways analysis", flush=True)
    no_bridge = read_scenario(
        json.dumps({**SCENARIO, "bridge_budget_eur": 0}).encode(), file="bench-no-bridge.json"
    )
    no_bridge_seconds, _ = best_of(lambda: run_scenario(no_bridge, inputs), REPEATS)
    print(f"no bridge: {no_bridge_seconds:.2f} s for the scenario without a bridge", flush=True)
    scenario_times = []
    result = None
    for _ in range(REPEATS):
        started = time.perf_counter()
        result = run_scenario(spec, inputs)
        scenario_times.append(time.perf_counter() - started)
    assert result is not None
    scenario_seconds = min(scenario_times)
    summary = result.summary()
    bridge = result.bridge
    print(
        f"scenario:  {scenario_seconds:.2f} s (median {statistics.median(scenario_times):.2f} s)",
        flush=True,
    )
    ratio = scenario_seconds / baseline_seconds
    ratio_no_bridge = no_bridge_seconds / baseline_seconds
    print(
        f"ratios:    {ratio_no_bridge:.2f} without the bridge (target <= "
        f"{TARGET_RATIO_NO_BRIDGE}), {ratio:.2f} with it (target <= {TARGET_RATIO})"
    )
    print(
        f"found:     {summary['providers_not_viable']} of {summary['providers_total']} providers "
        f"not viable, {summary['offers_closed']} offers closed, {summary['places_lost']:,} "
        f"places lost, {summary['new_dead_ends']} new dead ends; bridge {bridge.status}, "
        f"{bridge.spent_eur:,.0f} € for {len(bridge.allocations)} offers"
    )
    passed = (
        ratio <= TARGET_RATIO
        and ratio_no_bridge <= TARGET_RATIO_NO_BRIDGE
        and bridge.status == "optimal"
    )
    print(
        json.dumps(
            {
                "benchmark": "scenario",
                "offers": n_offers,
                "links": len(inputs.links),
                "scenario_seconds": round(scenario_seconds, 3),
                "no_bridge_seconds": round(no_bridge_seconds, 3),
                "ratio_no_bridge": round(ratio_no_bridge, 3),
                "target_ratio_no_bridge": TARGET_RATIO_NO_BRIDGE,
                "baseline_seconds": round(baseline_seconds, 3),
                "ratio": round(ratio, 3),
                "target_ratio": TARGET_RATIO,
                "bridge_status": bridge.status,
                "providers_not_viable": summary["providers_not_viable"],
                "new_dead_ends": summary["new_dead_ends"],
                "passed": passed,
            }
        )
    )
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
