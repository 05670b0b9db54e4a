"""The offer landscape as a directed graph (:class:`OfferGraph`): offers are nodes
``0..n-1``; after them come one virtual node per goal and one virtual "any goal" node.
The analyses search the *reversed* graph from those virtual nodes, so one breadth-first
search answers "how far is every offer from this goal" at once. Suspended and ended
offers are not passable: they are cut out of the *active* graph, while the *relaxed*
graph keeps them to tell which closure cut which path. The searches every analysis
shares are computed once, on first use. Pure, no Django."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from functools import cached_property
from operator import attrgetter

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from doconnect.pathways.engine import graphs
from doconnect.pathways.engine.graphs import UNREACHED, BoolArray, Csr, IntArray
from doconnect.pathways.engine.inputs import (
    DESTINATIONS,
    GOAL_DESTINATIONS,
    STATUSES,
    FollowOn,
    Offer,
    PathwayError,
    UnknownOfferError,
)
from doconnect.pathways.engine.report import Distances


class OfferGraph:
    """Offers and follow-ons compiled to index arrays; the searches every analysis shares
    are computed once, on first use."""

    def __init__(
        self, offers: Sequence[Offer], links: Sequence[FollowOn], goals: Iterable[str]
    ) -> None:
        self.offers = tuple(offers)
        self.ids = tuple(map(attrgetter("id"), self.offers))
        self.index: dict[str, int] = dict(zip(self.ids, range(len(self.ids)), strict=True))
        if len(self.index) < len(self.ids):
            seen: set[str] = set()
            for offer_id in self.ids:
                if offer_id in seen:
                    raise PathwayError(f"offer id {offer_id!r} appears more than once")
                seen.add(offer_id)
        self.goals = tuple(sorted(goals))
        n = self.n = len(self.ids)
        status_code = {s: i for i, s in enumerate(STATUSES)}
        self.status = np.fromiter(
            map(status_code.__getitem__, map(attrgetter("status"), self.offers)), np.int64, n
        )
        self.active: BoolArray = self.status == 0
        self.link_count = len(links)
        source, target, dest_source, dest_name = self._resolve(links)
        self.destinations = tuple(sorted(set(DESTINATIONS) | set(self.goals) | set(dest_name)))
        self.forward = graphs.csr_from_edges(n, source, target)
        # Destination links as (offer, destination), duplicates dropped.
        dest_code = {d: k for k, d in enumerate(self.destinations)}
        codes = np.fromiter(map(dest_code.__getitem__, dest_name), np.int64, len(dest_name))
        packed = np.unique(dest_source * len(self.destinations) + codes)
        self.dest_source = packed // len(self.destinations)
        self.dest_code = packed % len(self.destinations)
        self.goal_code = np.array([dest_code[g] for g in self.goals], dtype=np.int64)

    def _resolve(self, links: Sequence[FollowOn]) -> tuple[IntArray, IntArray, IntArray, list[str]]:
        """Map link ids to indices. ``map`` over a dict's ``__getitem__`` keeps the per-link
        work in C; a miss falls back to a slow scan only to name the offending link."""
        count = len(links)
        try:
            source = np.fromiter(
                map(self.index.__getitem__, map(attrgetter("from_offer"), links)), np.int64, count
            )
        except KeyError:
            bad = next(link for link in links if link.from_offer not in self.index)
            raise UnknownOfferError(
                f"follow-on from unknown offer {bad.from_offer!r} to {bad.reference!r}",
                bad.from_offer,
                bad.reference,
            ) from None
        # ``None`` (a link to a destination) maps to UNREACHED in the same C-level pass.
        lookup: dict[str | None, int] = {None: UNREACHED}
        lookup.update(self.index)
        try:
            target = np.fromiter(
                map(lookup.__getitem__, map(attrgetter("to_offer"), links)), np.int64, count
            )
        except KeyError:
            bad = next(link for link in links if link.to_offer not in lookup)
            raise UnknownOfferError(
                f"follow-on from offer {bad.from_offer!r} to unknown offer {bad.to_offer!r}",
                bad.from_offer,
                bad.reference,
            ) from None
        to_destination = np.flatnonzero(target == UNREACHED)
        dest_name: list[str] = [links[i].destination or "" for i in to_destination.tolist()]
        unknown = set(dest_name) - set(DESTINATIONS) - set(self.goals)
        if unknown:
            bad = next(links[i] for i in to_destination.tolist() if links[i].destination in unknown)
            raise PathwayError(
                f"follow-on from offer {bad.from_offer!r} to unknown destination "
                f"{bad.destination!r}"
            )
        is_offer = target != UNREACHED
        return source[is_offer], target[is_offer], source[to_destination], dest_name

    @cached_property
    def capacity(self) -> npt.NDArray[np.float64]:
        """Places per offer, NaN where unknown."""
        return np.array(
            [math.nan if c is None else c for c in map(attrgetter("capacity"), self.offers)],
            dtype=np.float64,
        )

    # Node numbering of the augmented graphs: offers, then one node per goal, then "any".
    def goal_node(self, k: int) -> int:
        return self.n + k

    @property
    def any_node(self) -> int:
        return self.n + len(self.goals)

    @cached_property
    def edges(self) -> tuple[IntArray, IntArray]:
        """Every offer→offer link as (source, target) arrays, grouped by source."""
        return graphs.gather(self.forward, np.arange(self.n, dtype=np.int64))

    @cached_property
    def _goal_links(self) -> tuple[IntArray, IntArray]:
        """(offer, goal position) for every link to a goal destination."""
        position = np.full(len(self.destinations), UNREACHED, dtype=np.int64)
        position[self.goal_code] = np.arange(len(self.goals))
        k = position[self.dest_code]
        keep = k != UNREACHED
        return self.dest_source[keep], k[keep]

    def _reverse_augmented(self, passable: BoolArray) -> Csr:
        """Reversed follow-on graph over passable offers plus the virtual goal nodes."""
        size = self.n + len(self.goals) + 1
        owner, follow_on = self.edges
        keep = passable[owner] & passable[follow_on]
        goal_offer, goal_k = self._goal_links
        goal_keep = passable[goal_offer]
        goal_offer = goal_offer[goal_keep]
        goal_k = goal_k[goal_keep]
        sources = np.concatenate(
            [follow_on[keep], self.goal_node(0) + goal_k, np.full(len(goal_offer), self.any_node)]
        )
        targets = np.concatenate([owner[keep], goal_offer, goal_offer])
        return graphs.csr_from_edges(size, sources, targets)

    @cached_property
    def reverse_active(self) -> Csr:
        return self._reverse_augmented(self.active)

    @cached_property
    def _reverse_active_matrix(self) -> sp.csr_array:
        return self.reverse_active.matrix()

    @cached_property
    def any_goal_tree(self) -> graphs.BfsTree:
        """BFS from the "any goal" node over active offers: its level is the distance."""
        return graphs.bfs(self._reverse_active_matrix, self.any_node)

    @cached_property
    def distance_matrix(self) -> IntArray:
        steps = np.full((self.n, len(self.goals)), UNREACHED, dtype=np.int64)
        for k in range(len(self.goals)):
            steps[:, k] = graphs.bfs(self._reverse_active_matrix, self.goal_node(k)).level[: self.n]
        return steps

    @cached_property
    def any_distance(self) -> IntArray:
        return self.any_goal_tree.level[: self.n]

    @cached_property
    def relaxed_distance(self) -> IntArray:
        """Distance to any goal if suspended and ended offers were passable again."""
        everything = np.ones(self.n, dtype=np.bool_)
        matrix = self._reverse_augmented(everything).matrix()
        return graphs.bfs(matrix, self.any_node).level[: self.n]

    @cached_property
    def dead(self) -> BoolArray:
        return self.active & (self.any_distance == UNREACHED)


def build_graph(
    offers: Iterable[Offer], links: Iterable[FollowOn], goals: Iterable[str] = GOAL_DESTINATIONS
) -> OfferGraph:
    """Compile offers and follow-ons; raises :class:`UnknownOfferError` for a follow-on to
    or from an id that is not among the offers."""
    offer_list = offers if isinstance(offers, Sequence) else list(offers)
    link_list = links if isinstance(links, Sequence) else list(links)
    return OfferGraph(offer_list, link_list, goals)


def onward_distances(graph: OfferGraph) -> Distances:
    return Distances(
        offers=graph.ids,
        goals=graph.goals,
        steps=graph.distance_matrix,
        any_goal=graph.any_distance,
        index=graph.index,
    )
