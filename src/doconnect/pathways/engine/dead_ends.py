"""Where chains of offers break: dead ends (active offers from which no chain of active
offers reaches a goal), each with its cause in words and as a code with params, the
suspended or ended offers that cut their paths, and single bridges (offers every path to
a goal of other offers runs through). Pure, no Django."""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter

import numpy as np

from doconnect.pathways.engine import graphs
from doconnect.pathways.engine.graphs import UNREACHED, IntArray
from doconnect.pathways.engine.inputs import DESTINATION_PREFIX, LISTED_STRANDED
from doconnect.pathways.engine.offer_graph import OfferGraph
from doconnect.pathways.engine.report import (
    CLOSED_OFFER,
    CYCLE,
    DEAD_END_FOLLOW_ONS,
    NO_FOLLOW_ON,
    NON_GOAL_DESTINATION,
    ClosureImpact,
    DeadEnd,
    ReasonParam,
    SingleBridge,
)

# How many ids a reason sentence names before it says "and N more".
NAMED_IN_REASON = 5
# Members of a cycle named per dead end; ``cycle_size`` is always complete.
LISTED_CYCLE = 50


def _name_list(names: Sequence[str], limit: int = NAMED_IN_REASON) -> str:
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f" and {len(names) - limit} more"


def _listed(names: Sequence[object], limit: int = NAMED_IN_REASON) -> dict[str, ReasonParam]:
    """Count params of a name list: how many in all, how many beyond the first ``limit``."""
    return {"count": len(names), "more": max(len(names) - limit, 0)}


def _cut_paths(graph: OfferGraph, cut: IntArray) -> tuple[IntArray, IntArray]:
    """For dead ends ``cut`` that would reach a goal through closed offers: pairs (dead
    end, closed offer) where the closed offer is the first non-active one on such a path.

    Every closed offer next to a cut dead end is a label; a dead end's blockers are the
    labels it can reach through other cut dead ends (a cut dead end's active follow-ons
    are dead ends too, and only cut ones can carry labels)."""
    restorable_closed = ~graph.active & (graph.relaxed_distance != UNREACHED)
    owner, follow_on = graphs.gather(graph.forward, cut)
    seed = restorable_closed[follow_on]
    closed = np.unique(follow_on[seed])
    if not len(closed) or not len(cut):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    column = np.searchsorted(closed, follow_on[seed])
    position = np.full(graph.n, UNREACHED, dtype=np.int64)
    position[cut] = np.arange(len(cut))
    inner = position[follow_on] != UNREACHED
    among_cut = graphs.csr_from_edges(len(cut), owner[inner], position[follow_on[inner]])
    row, col = graphs.reachable_labels(among_cut, owner[seed], column)
    return cut[row], closed[col]


def find_dead_ends(graph: OfferGraph) -> tuple[tuple[DeadEnd, ...], tuple[ClosureImpact, ...]]:
    """Dead ends sorted by id with a reason each, and for every suspended or ended offer
    the dead ends whose paths it cut."""
    dead_nodes = np.flatnonzero(graph.dead)
    if not len(dead_nodes):
        return (), ()
    ids = graph.ids
    cut = dead_nodes[graph.relaxed_distance[dead_nodes] != UNREACHED]
    cut_dead, cut_closed = _cut_paths(graph, cut)
    blockers: dict[int, list[int]] = {}
    stranded_by: dict[int, list[int]] = {}
    for d, c in zip(cut_dead.tolist(), cut_closed.tolist(), strict=True):
        blockers.setdefault(d, []).append(c)
        stranded_by.setdefault(c, []).append(d)

    # Cycles are judged among dead ends only: a cycle with an exit is no dead end.
    owner, follow_on = graphs.gather(graph.forward, dead_nodes)
    inner = graph.dead[follow_on]
    labels = graphs.strong_components(
        graphs.csr_from_edges(graph.n, dead_nodes[owner[inner]], follow_on[inner])
    )
    self_loop = np.zeros(graph.n, dtype=np.bool_)
    self_loop[dead_nodes[owner[follow_on == dead_nodes[owner]]]] = True
    dead_labels = labels[dead_nodes]
    sizes = np.bincount(dead_labels, minlength=max(graph.n, 1))
    members: dict[int, list[str]] = {}
    for node, label in zip(dead_nodes.tolist(), dead_labels.tolist(), strict=True):
        if sizes[label] > 1 or self_loop[node]:
            members.setdefault(label, []).append(ids[node])
    # A cycle is named by its first members only: a ring of thousands of offers would
    # otherwise repeat thousands of names in every one of its dead ends.
    cycles = {label: sorted(names) for label, names in members.items()}

    dest_by_offer: dict[int, list[str]] = {}
    for source, code in zip(graph.dest_source.tolist(), graph.dest_code.tolist(), strict=True):
        if graph.dead[source]:
            dest_by_offer.setdefault(source, []).append(graph.destinations[code])
    follow_ons_of: dict[int, list[int]] = {}
    for position, target in zip(owner.tolist(), follow_on.tolist(), strict=True):
        follow_ons_of.setdefault(int(dead_nodes[position]), []).append(target)

    result: list[DeadEnd] = []
    for node in dead_nodes.tolist():
        offer_targets = sorted(follow_ons_of.get(node, ()), key=ids.__getitem__)
        destinations = sorted(dest_by_offer.get(node, ()))
        references = tuple(
            [ids[t] for t in offer_targets] + [f"{DESTINATION_PREFIX}{d}" for d in destinations]
        )
        label = int(labels[node])
        cycle_members = cycles.get(label, [])
        cycle = tuple(cycle_members[:LISTED_CYCLE])
        blocked = sorted(ids[c] for c in blockers.get(node, ()))
        reopenable = graph.relaxed_distance[node] != UNREACHED
        params: dict[str, ReasonParam]
        if blocked:
            cause = CLOSED_OFFER
            statuses = [graph.offers[graph.index[b]].status for b in blocked]
            if len(blocked) == 1:
                reason = f"only path runs through {statuses[0]} offer {blocked[0]}"
            else:
                named = [f"{b} ({status})" for b, status in zip(blocked, statuses, strict=True)]
                reason = "paths run only through closed offers " + _name_list(named)
            params = {
                "offers": tuple(blocked[:NAMED_IN_REASON]),
                "statuses": tuple(statuses[:NAMED_IN_REASON]),
                **_listed(blocked),
            }
        elif not references:
            cause, reason, params = NO_FOLLOW_ON, "no follow-on at all", {}
        elif cycle:
            cause = CYCLE
            reason = f"follow-ons only lead in a cycle ({_name_list(cycle_members)})"
            params = {"offers": tuple(cycle_members[:NAMED_IN_REASON]), **_listed(cycle_members)}
        elif not offer_targets:
            cause = NON_GOAL_DESTINATION
            reason = f"follow-ons lead only to {_name_list(destinations)}, " + (
                "which is not a goal destination"
                if len(destinations) == 1
                else "which are not goal destinations"
            )
            params = {
                "destinations": tuple(destinations[:NAMED_IN_REASON]),
                **_listed(destinations),
            }
        else:
            cause = DEAD_END_FOLLOW_ONS
            named = [
                ids[t] if graph.active[t] else f"{ids[t]} ({graph.offers[t].status})"
                for t in offer_targets
            ]
            reason = "follow-ons lead only to dead ends or closed offers: " + _name_list(named)
            if destinations:
                reason += f"; {_name_list(destinations)} " + (
                    "is not a goal destination"
                    if len(destinations) == 1
                    else "are not goal destinations"
                )
            listed_destinations = _listed(destinations)
            params = {
                "offers": tuple(ids[t] for t in offer_targets[:NAMED_IN_REASON]),
                "statuses": tuple(graph.offers[t].status for t in offer_targets[:NAMED_IN_REASON]),
                **_listed(offer_targets),
                "destinations": tuple(destinations[:NAMED_IN_REASON]),
                "destination_count": listed_destinations["count"],
                "destination_more": listed_destinations["more"],
            }
        result.append(
            DeadEnd(
                offer=ids[node],
                cause=cause,
                reason=reason,
                reachable_if_reopened=bool(reopenable),
                blocked_by=tuple(blocked),
                cycle=cycle,
                cycle_size=len(cycle_members),
                follow_ons=references,
                params=params,
            )
        )
    result.sort(key=attrgetter("offer"))
    closures = sorted(
        (
            ClosureImpact(
                offer=ids[c],
                status=graph.offers[c].status,
                stranded=tuple(sorted(ids[d] for d in dead)),
            )
            for c, dead in stranded_by.items()
        ),
        key=attrgetter("offer"),
    )
    return tuple(result), tuple(closures)


def find_single_bridges(
    graph: OfferGraph, listed: int = LISTED_STRANDED
) -> tuple[SingleBridge, ...]:
    """Active offers that some other active offer reaches a goal only through, most
    stranding first, each with the offers it would strand: all of them sorted by id, or,
    past ``listed`` of them, the first ``listed`` in a depth-first walk (the count stays
    exact); a long chain would otherwise list quadratically many names.

    Dominators in the reversed graph rooted at the virtual "any goal" node: ``x``
    dominates ``y`` there exactly when every path from ``y`` to a goal runs through ``x``.
    """
    tree = graph.any_goal_tree
    root = graph.any_node
    preds = graphs.transpose(graph.reverse_active)
    idom = graphs.immediate_dominators(preds, root, tree)
    layout = graphs.subtrees(idom, tree.level, root)
    stranded_count = layout.size[: graph.n] - 1
    bridges = np.flatnonzero(stranded_count > 0)
    ids = graph.ids
    result = []
    for bridge, start, count in zip(
        bridges.tolist(),
        layout.position[bridges].tolist(),
        stranded_count[bridges].tolist(),
        strict=True,
    ):
        # Position ``start`` is the bridge itself; its subtree follows.
        names = sorted(
            ids[v] for v in layout.by_position[start + 1 : start + 1 + min(count, listed)].tolist()
        )
        result.append(SingleBridge(ids[bridge], count, tuple(names)))
    result.sort(key=lambda bridge: (-bridge.stranded_count, bridge.offer))
    return tuple(result)
