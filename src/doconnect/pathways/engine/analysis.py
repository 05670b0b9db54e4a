"""The pathways engine: the offer landscape as a directed graph, and where it fails people.

Pure Python with NumPy and SciPy, no Django: services load offers and follow-on links from
the database (or a catalogue file), call :func:`analyse_pathways`, and render or store the
:class:`PathwayReport`. Terms follow the glossary: an *offer* leads via *follow-ons* to
other offers or to a *destination*; some destinations are *goals* (configurable); an active
offer from which no chain of active offers reaches a goal is a *dead end*.

Graph model. Offers are nodes ``0..n-1``; after them come one virtual node per goal and one
virtual "any goal" node. The analyses search the *reversed* graph from those virtual nodes,
so one breadth-first search answers "how far is every offer from this goal" at once.
Suspended and ended offers are not passable: they are cut out of the *active* graph, while
the *relaxed* graph keeps them to tell which closure cut which path.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from operator import attrgetter
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from doconnect.pathways.engine import graphs
from doconnect.pathways.engine.graphs import UNREACHED, BoolArray, Csr, IntArray

ACTIVE = "active"
SUSPENDED = "suspended"
ENDED = "ended"
STATUSES = (ACTIVE, SUSPENDED, ENDED)
LOW_THRESHOLD = "low_threshold"
DESTINATIONS = ("employment", "apprenticeship", "higher_education", "self_employment", "school")
GOAL_DESTINATIONS = frozenset(
    {"employment", "apprenticeship", "higher_education", "self_employment"}
)
DESTINATION_PREFIX = "destination:"
# How many ids a reason sentence names before it says "and N more".
NAMED_IN_REASON = 5
TOP_FEEDERS = 10
EVERYONE = "all"
# Members of a cycle named per dead end; ``cycle_size`` is always complete.
LISTED_CYCLE = 50
# Stranded offers named per single bridge; the count is always complete.
LISTED_STRANDED = 50

# Stable codes of a dead end's reason (``DeadEnd.code``, equal to its ``cause``); the
# web renders each with its ``params`` in the user's language, the CLI and JSON keep
# the English ``reason``. Params of every code: see ``DeadEnd``.
NO_FOLLOW_ON = "no_follow_on"
CLOSED_OFFER = "closed_offer"
CYCLE = "cycle"
NON_GOAL_DESTINATION = "non_goal_destination"
DEAD_END_FOLLOW_ONS = "dead_end_follow_ons"
DEAD_END_CODES: tuple[str, ...] = (
    NO_FOLLOW_ON,
    CLOSED_OFFER,
    CYCLE,
    NON_GOAL_DESTINATION,
    DEAD_END_FOLLOW_ONS,
)

# A reason's parameter: an id, a number, a list of ids or names, or unknown.
ReasonParam = str | int | tuple[str, ...] | None


class PathwayError(ValueError):
    """The input cannot form an offer landscape (duplicate ids, unknown status …)."""


class UnknownOfferError(PathwayError):
    """A follow-on (or an outcome) names an offer that is not in the catalogue."""

    def __init__(self, message: str, from_offer: str, target: str) -> None:
        super().__init__(message)
        self.from_offer = from_offer
        self.target = target


# --------------------------------------------------------------------------- input


@dataclass(frozen=True, slots=True)
class Offer:
    """One offer as the engine sees it. ``district`` ``None`` means city-wide, and empty
    ``target_groups`` means open to every target group."""

    id: str
    kind: str
    status: str = ACTIVE
    district: str | None = None
    target_groups: tuple[str, ...] = ()
    min_age: int | None = None
    max_age: int | None = None
    legal_branches: tuple[str, ...] = ()
    capacity: int | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise PathwayError(
                f"offer {self.id!r} has status {self.status!r}; expected one of "
                + ", ".join(STATUSES)
            )

    @property
    def low_threshold(self) -> bool:
        return self.kind == LOW_THRESHOLD

    @property
    def active(self) -> bool:
        return self.status == ACTIVE


@dataclass(frozen=True, slots=True)
class FollowOn:
    """A follow-on link: from an offer to another offer or to a destination (exactly one)."""

    from_offer: str
    to_offer: str | None = None
    destination: str | None = None

    def __post_init__(self) -> None:
        if (self.to_offer is None) == (self.destination is None):
            raise PathwayError(
                f"follow-on from {self.from_offer!r} needs exactly one of an offer or a destination"
            )

    @classmethod
    def parse(cls, from_offer: str, reference: str) -> FollowOn:
        """From the catalogue notation: an offer id or ``destination:<name>``."""
        if reference.startswith(DESTINATION_PREFIX):
            return cls(from_offer, destination=reference.removeprefix(DESTINATION_PREFIX))
        return cls(from_offer, to_offer=reference)

    @property
    def reference(self) -> str:
        return (
            self.to_offer
            if self.to_offer is not None
            else f"{DESTINATION_PREFIX}{self.destination}"
        )


@dataclass(frozen=True, slots=True)
class LeaverOutcome:
    """One participant leaving an offer, and whether they reached a goal destination within
    6 and 12 months (``None`` while that horizon has not yet passed or is unknown)."""

    offer: str
    left_on: date
    goal_within_6m: bool | None
    goal_within_12m: bool | None


@dataclass(frozen=True)
class PathwayConfig:
    """Settings of one analysis. ``districts`` and ``target_groups`` widen the gap table
    beyond those the offers mention (a district without any offer is the worst gap)."""

    goals: frozenset[str] = GOAL_DESTINATIONS
    districts: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    bottleneck_ratio: float = 0.5
    # Spread each feeding offer's places evenly over its onward links: we do not know
    # how participants choose, and counting all of them at every follow-on would flag
    # every offer behind a well-connected one.
    bottleneck_split_inflow: bool = True
    min_share_6m: float = 0.2
    min_share_12m: float = 0.3
    min_leavers: int = 5
    listed_stranded: int = LISTED_STRANDED

    def __post_init__(self) -> None:
        if not self.goals:
            raise PathwayError("at least one goal destination is needed")
        if self.min_leavers < 1:
            raise PathwayError("min_leavers must be at least 1")


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class DeadEnd:
    """An active offer from which no chain of active offers reaches a goal.

    ``cause`` is one of ``no_follow_on``, ``closed_offer`` (there *is* a path, but only
    through suspended or ended offers, named in ``blocked_by``), ``cycle`` (the follow-ons
    circle among ``cycle_size`` offers, the first 50 by id in ``cycle``),
    ``non_goal_destination`` (only destinations
    that are not goals, e.g. school) and ``dead_end_follow_ons`` (every follow-on is
    itself a dead end or closed).

    ``reason`` is an English sentence (CLI, JSON); ``code`` (the ``cause``) and
    ``params`` let a user interface say the same in its own words. Lists name at most
    ``NAMED_IN_REASON`` ids, ``more`` counts the rest:

    - ``no_follow_on``: no params;
    - ``closed_offer``: ``offers`` (the closed offers cutting the paths), ``statuses``
      (theirs, same order), ``count`` (all of them), ``more``;
    - ``cycle``: ``offers`` (members of the cycle), ``count``, ``more``;
    - ``non_goal_destination``: ``destinations``, ``count``, ``more``;
    - ``dead_end_follow_ons``: ``offers`` (follow-ons), ``statuses`` (theirs, ``active``
      for a dead end), ``count``, ``more``, ``destinations`` (non-goal destinations,
      maybe empty), ``destination_count``, ``destination_more``."""

    offer: str
    cause: str
    reason: str
    reachable_if_reopened: bool
    blocked_by: tuple[str, ...] = ()
    cycle: tuple[str, ...] = ()
    cycle_size: int = 0
    follow_ons: tuple[str, ...] = ()
    params: Mapping[str, ReasonParam] = field(default_factory=dict, hash=False)

    @property
    def code(self) -> str:
        return self.cause


@dataclass(frozen=True, slots=True)
class ClosureImpact:
    """A suspended or ended offer and the active offers it turned into dead ends: each
    of them had a path to a goal through this offer (it is the first closed offer on it)."""

    offer: str
    status: str
    stranded: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SingleBridge:
    """An active offer that every path to a goal from ``stranded`` runs through: closing
    it would turn all of them into dead ends."""

    offer: str
    stranded_count: int
    stranded: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GoalRoute:
    """The nearest way from a district's low-threshold entries to one goal."""

    goal: str
    entry: str
    steps: int


@dataclass(frozen=True, slots=True)
class GapCell:
    """District × target group: active low-threshold entries, and which goals they reach."""

    district: str
    target_group: str
    entry_count: int
    routes: tuple[GoalRoute, ...]
    missing: tuple[str, ...]

    @property
    def has_entry(self) -> bool:
        return self.entry_count > 0

    @property
    def is_gap(self) -> bool:
        return not self.has_entry or bool(self.missing)


@dataclass(frozen=True, slots=True)
class Bottleneck:
    """An active offer with far fewer places than flow into it from active offers."""

    offer: str
    capacity: int
    inflow: float
    ratio: float
    feeder_count: int
    # The largest feeders, at most ten, as (offer, places it sends here).
    top_feeders: tuple[tuple[str, float], ...]


@dataclass(frozen=True, slots=True)
class EmpiricalResult:
    """Observed outcomes of one offer's leavers. A horizon with fewer than the minimum
    number of known outcomes gets no share: too few to judge."""

    offer: str
    leavers: int
    known_6m: int
    reached_6m: int
    share_6m: float | None
    known_12m: int
    reached_12m: int
    share_12m: float | None
    flagged: bool
    reason: str

    @property
    def judged(self) -> bool:
        return self.share_6m is not None or self.share_12m is not None


@dataclass(frozen=True, eq=False)
class Distances:
    """Fewest follow-on steps from each offer to each goal through active offers (a
    direct link to the goal is one step); ``-1`` where no such path exists, and for
    suspended or ended offers, which are not passable themselves."""

    offers: tuple[str, ...]
    goals: tuple[str, ...]
    steps: IntArray  # shape (len(offers), len(goals))
    any_goal: IntArray  # shape (len(offers),)
    index: Mapping[str, int] = field(repr=False)

    def to(self, offer: str, goal: str) -> int | None:
        value = int(self.steps[self.index[offer], self.goals.index(goal)])
        return None if value == UNREACHED else value

    def for_offer(self, offer: str) -> dict[str, int]:
        row = self.steps[self.index[offer]]
        return {goal: int(v) for goal, v in zip(self.goals, row, strict=True) if v != UNREACHED}


@dataclass(frozen=True, eq=False)
class PathwayReport:
    goals: tuple[str, ...]
    offer_count: int
    link_count: int
    dead_ends: tuple[DeadEnd, ...]
    closures: tuple[ClosureImpact, ...]
    single_bridges: tuple[SingleBridge, ...]
    coverage: tuple[GapCell, ...]
    bottlenecks: tuple[Bottleneck, ...]
    distances: Distances
    empirical: tuple[EmpiricalResult, ...] = ()

    @property
    def gaps(self) -> tuple[GapCell, ...]:
        return tuple(cell for cell in self.coverage if cell.is_gap)

    @property
    def empirical_dead_ends(self) -> tuple[EmpiricalResult, ...]:
        return tuple(result for result in self.empirical if result.flagged)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (without the distance matrix)."""
        return {
            "goals": list(self.goals),
            "offer_count": self.offer_count,
            "link_count": self.link_count,
            "dead_ends": [
                {
                    "offer": d.offer,
                    "reason": d.reason,
                    "cause": d.cause,
                    "reachable_if_reopened": d.reachable_if_reopened,
                    "blocked_by": list(d.blocked_by),
                    "cycle": list(d.cycle),
                    "cycle_size": d.cycle_size,
                }
                for d in self.dead_ends
            ],
            "closures": [
                {"offer": c.offer, "status": c.status, "stranded": list(c.stranded)}
                for c in self.closures
            ],
            "gaps": [
                {
                    "district": g.district,
                    "target_group": g.target_group,
                    "has_entry": g.has_entry,
                    "entry_count": g.entry_count,
                    "reaches": {r.goal: {"entry": r.entry, "steps": r.steps} for r in g.routes},
                    "missing": list(g.missing),
                }
                for g in self.gaps
            ],
            "single_bridges": [
                {"offer": b.offer, "stranded_count": b.stranded_count, "stranded": list(b.stranded)}
                for b in self.single_bridges
            ],
            "bottlenecks": [
                {
                    "offer": b.offer,
                    "capacity": b.capacity,
                    "inflow": round(b.inflow, 2),
                    "ratio": round(b.ratio, 3),
                    "feeder_count": b.feeder_count,
                }
                for b in self.bottlenecks
            ],
            "empirical": [
                {
                    "offer": e.offer,
                    "leavers": e.leavers,
                    "share_6m": e.share_6m,
                    "share_12m": e.share_12m,
                    "flagged": e.flagged,
                    "reason": e.reason,
                }
                for e in self.empirical
            ],
        }


# --------------------------------------------------------------------------- the graph


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


# --------------------------------------------------------------------------- analyses


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


def onward_distances(graph: OfferGraph) -> Distances:
    return Distances(
        offers=graph.ids,
        goals=graph.goals,
        steps=graph.distance_matrix,
        any_goal=graph.any_distance,
        index=graph.index,
    )


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


def _share_text(reached: int, known: int, months: int) -> str:
    share = f"{reached / known:.0%}"
    return f"{reached} of {known} leavers ({share}) reached a goal within {months} months"


def empirical_dead_ends(
    offer_ids: Iterable[str],
    outcomes: Iterable[LeaverOutcome],
    min_share_6m: float = 0.2,
    min_share_12m: float = 0.3,
    min_leavers: int = 5,
) -> tuple[EmpiricalResult, ...]:
    """Share of each offer's leavers who reached a goal within 6 and 12 months, sorted by
    offer id. A horizon with fewer than ``min_leavers`` known outcomes is not judged
    (small-number rule); an offer is flagged when a judged share is below its minimum."""
    known_ids = set(offer_ids)
    tallies: dict[str, list[int]] = {}
    for outcome in outcomes:
        if outcome.offer not in known_ids:
            raise UnknownOfferError(
                f"leaver outcome for unknown offer {outcome.offer!r}", outcome.offer, ""
            )
        t = tallies.setdefault(outcome.offer, [0, 0, 0, 0, 0])
        t[0] += 1
        if outcome.goal_within_6m is not None:
            t[1] += 1
            t[2] += bool(outcome.goal_within_6m)
        if outcome.goal_within_12m is not None:
            t[3] += 1
            t[4] += bool(outcome.goal_within_12m)
    result = []
    for offer in sorted(tallies):
        leavers, known_6, reached_6, known_12, reached_12 = tallies[offer]
        share_6 = reached_6 / known_6 if known_6 >= min_leavers else None
        share_12 = reached_12 / known_12 if known_12 >= min_leavers else None
        below = []
        if share_6 is not None and share_6 < min_share_6m:
            below.append(f"{_share_text(reached_6, known_6, 6)}, below {min_share_6m:.0%}")
        if share_12 is not None and share_12 < min_share_12m:
            below.append(f"{_share_text(reached_12, known_12, 12)}, below {min_share_12m:.0%}")
        if share_6 is None and share_12 is None:
            reason = f"too few to judge ({leavers} leavers, at least {min_leavers} needed)"
        elif below:
            reason = "; ".join(below)
        else:
            parts = [
                _share_text(r, k, m)
                for r, k, m, s in (
                    (reached_6, known_6, 6, share_6),
                    (reached_12, known_12, 12, share_12),
                )
                if s is not None
            ]
            reason = "; ".join(parts)
        result.append(
            EmpiricalResult(
                offer=offer,
                leavers=leavers,
                known_6m=known_6,
                reached_6m=reached_6,
                share_6m=share_6,
                known_12m=known_12,
                reached_12m=reached_12,
                share_12m=share_12,
                flagged=bool(below),
                reason=reason,
            )
        )
    return tuple(result)


def analyse_pathways(
    offers: Iterable[Offer],
    links: Iterable[FollowOn],
    config: PathwayConfig | None = None,
    outcomes: Iterable[LeaverOutcome] | None = None,
) -> PathwayReport:
    """Every structural analysis of the landscape, plus the empirical one when leaver
    outcomes are given. An empty catalogue gives an empty report."""
    config = config or PathwayConfig()
    graph = build_graph(offers, links, config.goals)
    dead_ends, closures = find_dead_ends(graph)
    return PathwayReport(
        goals=graph.goals,
        offer_count=graph.n,
        link_count=graph.link_count,
        dead_ends=dead_ends,
        closures=closures,
        single_bridges=find_single_bridges(graph, config.listed_stranded),
        coverage=find_gaps(graph, config.districts, config.target_groups),
        bottlenecks=find_bottlenecks(
            graph, config.bottleneck_ratio, config.bottleneck_split_inflow
        ),
        distances=onward_distances(graph),
        empirical=empirical_dead_ends(
            graph.ids,
            outcomes,
            config.min_share_6m,
            config.min_share_12m,
            config.min_leavers,
        )
        if outcomes is not None
        else (),
    )
