"""The scenario engine: what a set of funding changes over a period does to the offer
landscape, against the baseline. Pure (NumPy, SciPy, the pathways engine), no Django.

The rules (every result states them in ``rules``):

- Funding over the period: each funding line counts pro rata by the days it overlaps
  the period (a line of 100,000 € over a year counts 50,000 € in a half-year period).
- Changes apply in the file's order to the funding after (see ``spec``).
- Capacity: ``floor(capacity × funding after ÷ funding before)``; an offer without
  funding before (in the period) keeps its capacity; an unknown capacity stays unknown
  (and counts no places).
- Viability: a provider whose funding after falls below ``viability_threshold`` ×
  its funding before is not viable and all its offers close (exactly the threshold is
  still viable); a provider without funding before is viable.
- An active offer whose capacity after is 0 closes; closed offers become "ended" for
  the pathways engine, which tells the new dead ends and the single bridges broken.
- Coverage: demand (persons) per target group × district × offer kind. An offer's
  places are shared among the cells it serves — its target groups (open to all: every
  target group) × its district (city-wide: every district) × its kind — in proportion
  to the cells' demand (evenly if none of them has demand). Covered demand of a cell is
  min(demand, places); ``demand_covered_*`` sums it per target group.

``run_scenario`` is the run; the city it reads is in ``baseline``, what it gives in
``results``, the funding and capacity rules in ``funding``, the demand cells in
``coverage``, the file's changes in ``spec`` and the bridge's integer programme in
``bridge``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from doconnect.files.importing import ImportFailed
from doconnect.pathways.engine import inputs as pathways
from doconnect.pathways.engine.dead_ends import find_dead_ends, find_single_bridges
from doconnect.pathways.engine.offer_graph import build_graph
from doconnect.scenarios.engine import bridge as bridging
from doconnect.scenarios.engine.baseline import ScenarioInputs, ScenarioOffer
from doconnect.scenarios.engine.coverage import CellIndex, FloatArray, cell_index
from doconnect.scenarios.engine.funding import (
    EURO_TOLERANCE,
    ScenarioWarning,
    apply_changes,
    capacity_after,
    funding_by_funder,
    is_not_viable,
)
from doconnect.scenarios.engine.results import (
    CLOSED_BY_SCENARIO,
    LESS_THAN_ONE_PLACE,
    NO_FUNDING_LEFT,
    PROVIDER_NOT_VIABLE,
    CoverageCell,
    OfferOutcome,
    ProviderOutcome,
    ScenarioResult,
)
from doconnect.scenarios.engine.scenario_file import check_spec
from doconnect.scenarios.engine.spec import OpenOffer, ScenarioRules, ScenarioSpec


def _pathway_changes(
    before_offers: Sequence[ScenarioOffer],
    all_offers: Sequence[ScenarioOffer],
    closed: Mapping[str, str],
    links: Sequence[pathways.FollowOn],
    new_links: Sequence[pathways.FollowOn],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    # The graph only needs id, kind and status; the same objects serve both graphs.
    as_before = {o.id: pathways.Offer(o.id, o.kind, status=o.status) for o in before_offers}
    graph_before = build_graph(list(as_before.values()), links)
    graph_after = build_graph(
        [
            pathways.Offer(o.id, o.kind, status=pathways.ENDED)
            if o.id in closed
            else as_before.get(o.id) or pathways.Offer(o.id, o.kind, status=o.status)
            for o in all_offers
        ],
        [*links, *new_links],
    )
    dead_before = {d.offer for d in find_dead_ends(graph_before)[0]}
    dead_after, _closures = find_dead_ends(graph_after)
    new_dead_ends = [
        {
            "offer": d.offer,
            "reason": d.reason,
            "cause": d.cause,
            "blocked_by": list(d.blocked_by),
            "reachable_if_reopened": d.reachable_if_reopened,
            # For user interfaces that say it in their own words (web/pathway_texts).
            "code": d.code,
            "params": {k: list(v) if isinstance(v, tuple) else v for k, v in d.params.items()},
        }
        for d in sorted(dead_after, key=lambda d: d.offer)
        if d.offer not in dead_before
    ]
    bridges_before = find_single_bridges(graph_before)
    bridges_after = find_single_bridges(graph_after)
    broken = [
        {
            "offer": b.offer,
            "stranded_count": b.stranded_count,
            "stranded": list(b.stranded),
            "reason": f"the only way onward for {b.stranded_count} offer"
            f"{'s' if b.stranded_count != 1 else ''} closes: {closed[b.offer]}",
        }
        for b in sorted(bridges_before, key=lambda b: b.offer)
        if b.offer in closed
    ]
    single_before = {b.offer for b in bridges_before}
    new_single = [
        {
            "offer": b.offer,
            "stranded_count": b.stranded_count,
            "stranded": list(b.stranded),
            "reason": f"now the only way onward for {b.stranded_count} offer"
            f"{'s' if b.stranded_count != 1 else ''}",
        }
        for b in sorted(bridges_after, key=lambda b: b.offer)
        if b.offer not in single_before
    ]
    return new_dead_ends, broken, new_single


# --------------------------------------------------------------------------- bridge


def _bridge_problem(
    *,
    outcomes: Sequence[OfferOutcome],
    rule_capacity: Mapping[str, int],
    not_viable: Mapping[str, float],
    cells: CellIndex,
    cell_places_after: FloatArray,
    weights: ScenarioRules,
    budget: float,
    closed_by_scenario: set[str],
) -> bridging.BridgeProblem:
    """Which places the bridge can buy back: of offers of viable providers, the places
    the cut took (at the offer's price per place before); of providers not viable, the
    places a kept provider's offers reopen with and those they lost. Offers the scenario
    closes on purpose are not bridged."""
    provider_index = {p: k for k, p in enumerate(sorted(not_viable))}
    column = {out.offer: j for j, out in enumerate(outcomes)}
    candidates: list[tuple[str, int, float, int]] = []
    candidate_columns: list[int] = []
    reopened: list[list[tuple[str, int]]] = [[] for _ in provider_index]
    reopen_columns: list[list[int]] = [[] for _ in provider_index]
    useful = np.asarray(
        cells.shares.T @ (cells.demand - cell_places_after > 1e-9).astype(float)
    ).ravel()
    for out in outcomes:
        if out.status != pathways.ACTIVE or out.offer in closed_by_scenario:
            continue
        if out.capacity_before is None or out.new:
            continue
        p = provider_index.get(out.provider, -1)
        rule = rule_capacity.get(out.offer, 0)
        if p >= 0:
            if rule > 0:
                reopened[p].append((out.offer, rule))
                reopen_columns[p].append(column[out.offer])
            lost = out.capacity_before - rule
        else:
            lost = out.capacity_before - (out.capacity_after or 0)
            if useful[column[out.offer]] <= 0:
                continue  # its places would cover nobody's unmet demand
        if lost <= 0 or out.funding_before_eur <= EURO_TOLERANCE:
            continue
        candidates.append((out.offer, lost, out.funding_before_eur / out.capacity_before, p))
        candidate_columns.append(column[out.offer])
    shares = cells.shares.tocsc()
    offer_shares = (
        sp.csr_array(shares[:, candidate_columns])
        if candidates
        else sp.csr_array((len(cells.keys), 0))
    )
    n_cells = len(cells.keys)
    reopen = np.zeros((n_cells, len(provider_index)))
    for p, offer_columns in enumerate(reopen_columns):
        for col, (_offer, places) in zip(offer_columns, reopened[p], strict=True):
            reopen[:, p] += shares[:, [col]].toarray().ravel() * places
    return bridging.BridgeProblem(
        budget=budget,
        offers=tuple(c[0] for c in candidates),
        lost=np.array([c[1] for c in candidates], dtype=np.int64),
        cost=np.array([c[2] for c in candidates], dtype=float),
        offer_provider=np.array([c[3] for c in candidates], dtype=np.int64),
        providers=tuple(sorted(not_viable)),
        deficit=np.array([not_viable[p] for p in sorted(not_viable)], dtype=float),
        reopened=tuple(tuple(r) for r in reopened),
        cells=cells.keys,
        demand=cells.demand,
        places_after=cell_places_after,
        weight=np.array([weights.weight(key[0]) for key in cells.keys], dtype=float),
        offer_shares=offer_shares,
        reopen_places=sp.csr_array(reopen),
    )


# --------------------------------------------------------------------------- the run


def run_scenario(
    spec: ScenarioSpec, inputs: ScenarioInputs, *, bridge_time_limit: float = 60.0
) -> ScenarioResult:
    """Run ``spec`` on ``inputs``. Names the inputs do not know (offers, target groups,
    districts): ImportFailed with FILE:LINE problems. Deterministic: the same spec and
    inputs give the same result."""
    base = sorted(inputs.offers, key=lambda o: o.id)
    ids = [o.id for o in base]
    if len(set(ids)) != len(ids):
        raise pathways.PathwayError("offer ids must be unique")
    problems = check_spec(
        spec,
        offer_ids=ids,
        target_groups=set(inputs.target_groups)
        | {c.target_group for c in inputs.demand}
        | {g for o in base for g in o.target_groups},
        districts=set(inputs.districts),
    )
    if problems:
        raise ImportFailed(problems)
    warnings: list[ScenarioWarning] = []
    offers: dict[str, ScenarioOffer] = {o.id: o for o in base}
    before = {o.id: funding_by_funder(o.funding, spec.start, spec.end) for o in base}
    after = {offer_id: dict(funders) for offer_id, funders in before.items()}
    closed_by_scenario = apply_changes(spec, offers, after, warnings)
    all_offers = sorted(offers.values(), key=lambda o: o.id)
    new_ids = {o.id for o in all_offers} - set(ids)

    funding_before = {o.id: sum(before.get(o.id, {}).values()) for o in all_offers}
    funding_after = {o.id: sum(after.get(o.id, {}).values()) for o in all_offers}
    provider_before: dict[str, float] = defaultdict(float)
    provider_after: dict[str, float] = defaultdict(float)
    for o in all_offers:
        provider_before[o.provider] += funding_before[o.id]
        provider_after[o.provider] += funding_after[o.id]
    threshold = spec.rules.viability_threshold
    not_viable = {
        p
        for p in provider_before
        if is_not_viable(provider_before[p], provider_after[p], threshold)
    }

    outcomes: list[OfferOutcome] = []
    closed: dict[str, str] = {}
    rule_capacity: dict[str, int] = {}
    for o in all_offers:
        new = o.id in new_ids
        cap_before = 0 if new else o.capacity
        rule = capacity_after(o.capacity, funding_before[o.id], funding_after[o.id])
        cap_after = rule
        code: str | None = None
        because: str | None = None
        if o.active and rule is not None:
            rule_capacity[o.id] = rule
        if o.id in closed_by_scenario:
            code, because = CLOSED_BY_SCENARIO, "closed by the scenario"
        elif not o.active:
            cap_after = o.capacity  # suspended or ended already: left as it is
        elif o.provider in not_viable:
            share = provider_after[o.provider] / provider_before[o.provider]
            code = PROVIDER_NOT_VIABLE
            because = (
                f"provider {o.provider} not viable: funding at {share:.1%} of the baseline "
                f"(threshold {threshold:.0%})"
            )
        elif rule == 0 and (o.capacity or 0) > 0:
            if funding_after[o.id] <= EURO_TOLERANCE:
                code, because = NO_FUNDING_LEFT, "no funding left in the period"
            else:
                code, because = LESS_THAN_ONE_PLACE, "the funding left pays for less than one place"
        if code is not None:
            cap_after = 0 if o.capacity is not None else None
            closed[o.id] = because or code
        outcomes.append(
            OfferOutcome(
                offer=o.id,
                provider=o.provider,
                kind=o.kind,
                district=o.district,
                target_groups=o.target_groups,
                status=o.status,
                new=new,
                capacity_before=cap_before,
                capacity_after=cap_after,
                funding_before_eur=funding_before[o.id],
                funding_after_eur=funding_after[o.id],
                closed=code is not None,
                closed_code=code,
                closed_because=because,
            )
        )

    offer_count = Counter(o.provider for o in all_offers)
    closed_count = Counter(o.provider for o in all_offers if o.id in closed)
    providers = tuple(
        ProviderOutcome(
            provider=p,
            funding_before_eur=provider_before[p],
            funding_after_eur=provider_after[p],
            share=provider_after[p] / provider_before[p]
            if provider_before[p] > EURO_TOLERANCE
            else 1.0,
            viable=p not in not_viable,
            offers=offer_count[p],
            offers_closed=closed_count[p],
        )
        for p in sorted(provider_before)
    )

    new_links = [
        pathways.FollowOn.parse(change.id, ref)
        for change in spec.changes
        if isinstance(change, OpenOffer)
        for ref in change.follow_ons
    ]
    new_dead_ends, broken, new_single = _pathway_changes(
        base, all_offers, closed, inputs.links, new_links
    )

    cells = cell_index(all_offers, inputs.demand, inputs.districts, tuple(inputs.target_groups))
    places_before = np.array(
        [
            float(out.capacity_before or 0) if out.status == pathways.ACTIVE else 0.0
            for out in outcomes
        ]
    )
    places_after = np.array(
        [
            float(out.capacity_after or 0) if out.status == pathways.ACTIVE else 0.0
            for out in outcomes
        ]
    )
    cell_before = cells.shares @ places_before
    cell_after = cells.shares @ places_after

    problem = _bridge_problem(
        outcomes=outcomes,
        rule_capacity=rule_capacity,
        not_viable={
            p: threshold * provider_before[p] - provider_after[p] for p in sorted(not_viable)
        },
        cells=cells,
        cell_places_after=cell_after,
        weights=spec.rules,
        budget=spec.bridge_budget_eur,
        closed_by_scenario=closed_by_scenario,
    )
    bridge = bridging.solve_bridge(
        problem,
        names=bridging.Names(target_groups=inputs.target_groups, offer_kinds=inputs.offer_kinds),
        time_limit=bridge_time_limit,
    )
    cell_bridge = cell_after + bridge.cell_gain
    coverage = tuple(
        CoverageCell(
            target_group=key[0],
            district=key[1],
            offer_kind=key[2],
            demand=int(cells.demand[i]),
            places_before=float(cell_before[i]),
            places_after=float(cell_after[i]),
            places_after_bridge=float(cell_bridge[i]),
        )
        for i, key in enumerate(cells.keys)
    )
    return ScenarioResult(
        spec=spec,
        inputs_digest=inputs.digest(),
        offers=tuple(outcomes),
        providers=providers,
        new_dead_ends=tuple(new_dead_ends),
        broken_bridges=tuple(broken),
        new_single_bridges=tuple(new_single),
        coverage=coverage,
        bridge=bridge,
        warnings=tuple(w.text for w in warnings),
        warning_details=tuple(w.to_dict() for w in warnings),
    )
