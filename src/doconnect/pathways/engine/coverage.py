"""Whether the landscape serves everybody: the gap table (district × target group: the
active low-threshold entries and the nearest one to each goal) and the bottlenecks
(active offers with far fewer places than feed into them). Pure, no Django."""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter

import numpy as np

from doconnect.pathways.engine import graphs
from doconnect.pathways.engine.graphs import UNREACHED, Csr
from doconnect.pathways.engine.inputs import LOW_THRESHOLD
from doconnect.pathways.engine.offer_graph import OfferGraph
from doconnect.pathways.engine.report import Bottleneck, GapCell, GoalRoute

TOP_FEEDERS = 10
EVERYONE = "all"


def find_gaps(
    graph: OfferGraph, districts: Sequence[str] = (), target_groups: Sequence[str] = ()
) -> tuple[GapCell, ...]:
    """Every district × target group: how many active low-threshold entries serve it and
    the nearest entry to each goal; cells without an entry or missing a goal are gaps.

    A city-wide entry (no district) serves every district, and one without target groups
    serves every group."""
    district_names = list(dict.fromkeys(districts))
    group_names = list(dict.fromkeys(target_groups))
    seen_d = set(district_names)
    seen_g = set(group_names)
    district_names += sorted(set(map(attrgetter("district"), graph.offers)) - seen_d - {None})
    group_tuples = list(map(attrgetter("target_groups"), graph.offers))
    group_names += sorted(set().union(*dict.fromkeys(group_tuples)) - seen_g)
    if not graph.n and not (districts and target_groups):
        return ()
    # Without any district (or target group) everything is city-wide (open to all): one
    # cell row (column) named "all" keeps the table meaningful.
    district_names = district_names or [EVERYONE]
    group_names = group_names or [EVERYONE]
    d_index = {d: i for i, d in enumerate(district_names)}
    g_index = {g: i for i, g in enumerate(group_names)}
    n_d, n_g = len(district_names), len(group_names)
    is_entry = graph.active & np.fromiter(
        map(LOW_THRESHOLD.__eq__, map(attrgetter("kind"), graph.offers)), np.bool_, graph.n
    )
    entries = sorted(np.flatnonzero(is_entry).tolist(), key=graph.ids.__getitem__)
    chosen = [graph.offers[i] for i in entries]
    # Offers share few distinct target-group tuples: resolve each tuple once, then cross
    # entries × districts × groups with vectorised gathers.
    d_index_or_all: dict[str | None, int] = {None: UNREACHED}
    d_index_or_all.update(d_index)
    district_of = np.fromiter(
        map(d_index_or_all.__getitem__, map(attrgetter("district"), chosen)),
        np.int64,
        len(chosen),
    )
    chosen_groups = [group_tuples[i] for i in entries]
    combo_index = {groups: k for k, groups in enumerate(dict.fromkeys(chosen_groups))}
    combo_of = np.fromiter(map(combo_index.__getitem__, chosen_groups), np.int64, len(chosen))
    combos = [sorted({g_index[g] for g in groups}) or range(n_g) for groups in combo_index]
    combo_ptr = np.zeros(len(combos) + 1, dtype=np.int64)
    np.cumsum([len(c) for c in combos], out=combo_ptr[1:])
    combo_groups = Csr(combo_ptr, np.fromiter((g for c in combos for g in c), np.int64))
    citywide = district_of == UNREACHED
    every = np.arange(n_d, dtype=np.int64)
    pair_rank = np.concatenate(
        [np.flatnonzero(~citywide), np.repeat(np.flatnonzero(citywide), n_d)]
    )
    pair_district = np.concatenate([district_of[~citywide], np.tile(every, int(citywide.sum()))])
    pair_of, group_of = graphs.gather(combo_groups, combo_of[pair_rank])
    rank = pair_rank[pair_of]
    cell = pair_district[pair_of] * n_g + group_of
    entry = np.array(entries, dtype=np.int64)[rank]
    n_cells = n_d * n_g
    entry_count = np.bincount(cell, minlength=n_cells)
    steps = graph.distance_matrix
    best_entry = np.full((n_cells, len(graph.goals)), UNREACHED, dtype=np.int64)
    best_steps = np.full((n_cells, len(graph.goals)), UNREACHED, dtype=np.int64)
    for k in range(len(graph.goals)):
        s = steps[entry, k]
        ok = s != UNREACHED
        e, r, c, s = entry[ok], rank[ok], cell[ok], s[ok]
        # Nearest first, ties by id (entries are ranked by id), so the entry named does
        # not depend on the input order.
        order = np.lexsort((r, s, c))
        c, e, s = c[order], e[order], s[order]
        first = np.ones(len(c), dtype=np.bool_)
        np.not_equal(c[1:], c[:-1], out=first[1:])
        best_entry[c[first], k] = e[first]
        best_steps[c[first], k] = s[first]
    result = []
    for d, district in enumerate(district_names):
        for g, group in enumerate(group_names):
            x = d * n_g + g
            routes = tuple(
                GoalRoute(goal, graph.ids[int(best_entry[x, k])], int(best_steps[x, k]))
                for k, goal in enumerate(graph.goals)
                if best_entry[x, k] != UNREACHED
            )
            missing = tuple(
                goal for k, goal in enumerate(graph.goals) if best_entry[x, k] == UNREACHED
            )
            result.append(GapCell(district, group, int(entry_count[x]), routes, missing))
    return tuple(result)


def find_bottlenecks(
    graph: OfferGraph, ratio: float = 0.5, split_inflow: bool = True
) -> tuple[Bottleneck, ...]:
    """Active offers whose places are below ``ratio`` × the places that feed into them
    from active offers, worst ratio first. Feeders of unknown capacity are left out, so
    the inflow is a lower bound and every flag stands."""
    capacity = graph.capacity
    owner, follow_on = graph.edges
    passable = graph.active[owner] & graph.active[follow_on]
    if split_inflow:
        to_destination = graph.dest_source[graph.active[graph.dest_source]]
        onward = np.bincount(owner[passable], minlength=graph.n) + np.bincount(
            to_destination, minlength=graph.n
        )
        per_feeder = capacity / np.maximum(onward, 1)
    else:
        per_feeder = capacity
    # One mask, one indexing pass: feeders of unknown capacity drop out with the rest.
    keep = np.flatnonzero(passable & ~np.isnan(per_feeder)[owner])
    owner, follow_on = owner[keep], follow_on[keep]
    share = per_feeder[owner]
    inflow = np.bincount(follow_on, weights=share, minlength=graph.n)
    with np.errstate(divide="ignore", invalid="ignore"):
        fill = capacity / inflow
    flagged = np.flatnonzero(graph.active & (inflow > 0) & ~np.isnan(capacity) & (fill < ratio))
    if not len(flagged):
        return ()
    feeder_count = np.bincount(follow_on, minlength=graph.n)
    is_flagged = np.zeros(graph.n, dtype=np.bool_)
    is_flagged[flagged] = True
    pick = is_flagged[follow_on]
    target, feeder, places = follow_on[pick], owner[pick], share[pick]
    # Largest feeders first within each bottleneck: ranking the feeders once (ties by
    # index) turns the two-key sort of all feeding links into one sort of unique ints.
    feeder_rank = np.empty(graph.n, dtype=np.int64)
    feeder_rank[np.argsort(-per_feeder, kind="stable")] = np.arange(graph.n)
    order = np.argsort(target * graph.n + feeder_rank[feeder])
    target, feeder, places = target[order], feeder[order], places[order]
    first = np.ones(len(target), dtype=np.bool_)
    np.not_equal(target[1:], target[:-1], out=first[1:])
    index = np.arange(len(target))
    top = index - np.maximum.accumulate(np.where(first, index, 0)) < TOP_FEEDERS
    target, feeder, places = target[top], feeder[top], places[top]
    names = list(map(graph.ids.__getitem__, feeder.tolist()))
    amounts = places.tolist()
    begins = np.searchsorted(target, flagged).tolist()
    ends = np.searchsorted(target, flagged, side="right").tolist()
    result = [
        Bottleneck(
            offer=graph.ids[node],
            capacity=int(places_here),
            inflow=flow,
            ratio=filled,
            feeder_count=count,
            top_feeders=tuple(zip(names[a:b], amounts[a:b], strict=True)),
        )
        for node, places_here, flow, filled, count, a, b in zip(
            flagged.tolist(),
            capacity[flagged].tolist(),
            inflow[flagged].tolist(),
            fill[flagged].tolist(),
            feeder_count[flagged].tolist(),
            begins,
            ends,
            strict=True,
        )
    ]
    result.sort(key=lambda b: (b.ratio, b.offer))
    return tuple(result)
