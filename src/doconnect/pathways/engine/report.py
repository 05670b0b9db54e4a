"""What the pathways engine finds, and its JSON form: dead ends with the stable codes and
params of their reasons, the closures that cut paths, single bridges, coverage cells
(gaps), bottlenecks, observed outcomes and onward distances, all in one
:class:`PathwayReport`. Pure, no Django."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from doconnect.pathways.engine.graphs import UNREACHED, BoolArray, IntArray

# (reaches any goal, reaches the wanted goal, steps, which goal): ``fit.route``.
Route = tuple[bool, bool, int | None, str | None]
NO_ROUTE: Route = (False, False, None, None)

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
    ``dead_ends.NAMED_IN_REASON`` ids, ``more`` counts the rest:

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


@dataclass(frozen=True)
class RouteColumns:
    """Every offer's route to one goal (or the nearest), one column per part of
    ``Route``: whether it reaches any goal, whether it reaches the goal, and its steps
    (meaningful only where it does)."""

    reaches_any: BoolArray
    reaches_goal: BoolArray
    steps: IntArray


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
    _routes: dict[str | None, Mapping[str, Route]] = field(
        default_factory=dict, repr=False, compare=False
    )
    _route_columns: dict[str | None, RouteColumns] = field(
        default_factory=dict, repr=False, compare=False
    )

    def to(self, offer: str, goal: str) -> int | None:
        value = int(self.steps[self.index[offer], self.goals.index(goal)])
        return None if value == UNREACHED else value

    def for_offer(self, offer: str) -> dict[str, int]:
        row = self.steps[self.index[offer]]
        return {goal: int(v) for goal, v in zip(self.goals, row, strict=True) if v != UNREACHED}

    def routes(self, goal: str | None) -> Mapping[str, Route]:
        """``route(offer, goal, self)`` of every offer at once, kept on this object per
        goal (a person page asks it of all offers; the distances do not change)."""
        kept = self._routes.get(goal)
        if kept is not None:
            return kept
        reached = self.steps != UNREACHED
        reaches_any = reached.any(axis=1)
        if goal is not None:
            column = self.goals.index(goal) if goal in self.goals else None
            table = {
                offer: (
                    (True, True, int(self.steps[i, column]), goal)
                    if column is not None and reached[i, column]
                    else (True, False, None, goal)
                )
                if reaches_any[i]
                else NO_ROUTE
                for i, offer in enumerate(self.offers)
            }
        else:
            # The nearest goal, ties to the first by name (as ``min`` over (steps, goal)).
            by_name = sorted(range(len(self.goals)), key=lambda g: self.goals[g])
            steps = np.where(reached, self.steps, np.iinfo(np.int64).max)[:, by_name]
            nearest = steps.argmin(axis=1) if len(by_name) else np.zeros(len(self.offers), int)
            table = {
                offer: (True, True, int(steps[i, nearest[i]]), self.goals[by_name[nearest[i]]])
                if reaches_any[i]
                else NO_ROUTE
                for i, offer in enumerate(self.offers)
            }
        self._routes[goal] = table
        return table

    def route_columns(self, goal: str | None) -> RouteColumns:
        """``routes(goal)`` as columns in the order of ``offers`` (reaches any goal,
        reaches the goal, its steps where it does), kept per goal."""
        kept = self._route_columns.get(goal)
        if kept is not None:
            return kept
        reached = self.steps != UNREACHED
        reaches_any = reached.any(axis=1)
        if goal is None:
            nearest = np.where(reached, self.steps, np.iinfo(np.int64).max)
            steps = nearest.min(axis=1) if len(self.goals) else np.zeros(len(self.offers), np.int64)
            columns = RouteColumns(reaches_any, reaches_any, steps)
        elif goal in self.goals:
            column = self.goals.index(goal)
            columns = RouteColumns(reaches_any, reached[:, column], self.steps[:, column])
        else:
            none = np.zeros(len(self.offers), dtype=np.bool_)
            columns = RouteColumns(reaches_any, none, np.zeros(len(self.offers), np.int64))
        self._route_columns[goal] = columns
        return columns


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
