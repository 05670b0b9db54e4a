"""The allocation engine: each person at most one place, no place over its capacity, only
candidate pairs — placing the greatest priority weight, and among those placements the
cheapest. Optimal, not heuristic: one minimum-cost flow solved by OR-Tools.

Pure Python with NumPy and OR-Tools, no Django. Persons and places are indices
``0..n-1`` and ``0..m-1`` (their ids travel along for explanations); candidate pairs are
three parallel arrays (person index, place index, cost). Nothing here loops over arcs in
Python: the network goes into OR-Tools' array API in one call.

The network (nodes: persons ``0..n-1``, places ``n..n+m-1``, one sink ``n+m``)::

    person i  --(cap 1, cost c_ij)--------->  place j  --(cap capacity_j, cost 0)--> sink
    person i  --(cap 1, cost M * w_i: left behind)--------------------------------> sink

Every person supplies one unit, the sink takes ``n``: each unit either reaches the sink
through a place (an assignment costing ``c_ij``) or through the person's bypass (costing
``M * w_i``). A flow's cost is ``M * (W - weighted_assigned) + total_cost`` with
``W = sum(w)``, so minimising it maximises the weighted assignments first whenever ``M``
is larger than any cost saving could be (see :func:`big_m`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
BoolArray = npt.NDArray[np.bool_]

UNASSIGNED = -1

# Why a person has (or has not) got a place: stable codes for user interfaces and files.
ASSIGNED = "assigned"
NO_CANDIDATE = "no_candidate"  # no candidate pair with a place of capacity > 0
CAPACITY_TAKEN = "capacity_taken"  # every such place is full, held by people who come first
REASONS: tuple[str, ...] = (ASSIGNED, NO_CANDIDATE, CAPACITY_TAKEN)
REASON_TEXT = {
    ASSIGNED: "assigned",
    NO_CANDIDATE: "no eligible place",
    CAPACITY_TAKEN: "all eligible places taken by persons with higher priority or lower cost",
}

OPTIMAL = "optimal"
GREEDY = "greedy"

INT64_MAX = int(np.iinfo(np.int64).max)
# Both limits leave a factor of two below int64 for OR-Tools' own sums (potentials,
# residual costs): see ``network`` for where they are checked.
SAFE_INT64 = INT64_MAX // 2


class AllocationError(ValueError):
    """The input cannot form an allocation problem (bad shape, range, duplicates …)."""


class AllocationTooLarge(AllocationError):
    """Costs and priorities are too large for an exact solution in 64-bit integers."""


# --------------------------------------------------------------------------- input


def _array(values: Any, dtype: type[np.signedinteger[Any]], name: str) -> Any:
    array = np.asarray(values)
    if array.ndim != 1:
        raise AllocationError(f"{name} must be one-dimensional, got shape {array.shape}")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise AllocationError(f"{name} must hold integers, got {array.dtype}")
    return np.ascontiguousarray(array, dtype=dtype)


def _first(mask: BoolArray) -> int:
    return int(np.flatnonzero(mask)[0])


@dataclass(frozen=True, eq=False)
class AllocationProblem:
    """Persons (priority weight ``w >= 1``), places (capacity ``>= 0``) and candidate pairs
    (person index, place index, cost ``>= 0``; lower is better). ``cost_parts`` optionally
    splits each pair's cost into named parts (distance, fit, preference …) for the
    explanations; the parts of a pair must add up to its cost.

    Arrays are converted (priority, capacity, costs to int64; pair indices to int32) and
    checked on construction; a problem that exists is valid."""

    person_ids: Sequence[str]
    priority: IntArray
    place_ids: Sequence[str]
    capacity: IntArray
    pair_person: Int32Array
    pair_place: Int32Array
    pair_cost: IntArray
    cost_parts: Mapping[str, IntArray] = field(default_factory=dict)
    # Only for callers that have checked the pairs for duplicates themselves (a file
    # reader that reports them with line numbers): skips the second sort.
    check_duplicates: bool = field(default=True, repr=False, compare=False)

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(self, "priority", _array(self.priority, np.int64, "priority"))
        put(self, "capacity", _array(self.capacity, np.int64, "capacity"))
        put(self, "pair_person", _array(self.pair_person, np.int32, "pair_person"))
        put(self, "pair_place", _array(self.pair_place, np.int32, "pair_place"))
        put(self, "pair_cost", _array(self.pair_cost, np.int64, "pair_cost"))
        put(
            self,
            "cost_parts",
            {
                name: _array(v, np.int64, f"cost part {name!r}")
                for name, v in self.cost_parts.items()
            },
        )
        self._check()

    def _check(self) -> None:
        n, m, k = self.person_count, self.place_count, self.pair_count
        if len(self.person_ids) != n:
            raise AllocationError(f"{len(self.person_ids)} person ids for {n} priorities")
        if len(self.place_ids) != m:
            raise AllocationError(f"{len(self.place_ids)} place ids for {m} capacities")
        if len(self.pair_place) != k or len(self.pair_cost) != k:
            raise AllocationError("pair_person, pair_place and pair_cost differ in length")
        for name, ids in (("person", self.person_ids), ("place", self.place_ids)):
            if len(set(ids)) != len(ids):
                seen: set[str] = set()
                repeated = next(i for i in ids if i in seen or seen.add(i))  # type: ignore[func-returns-value]
                raise AllocationError(f"{name} id {repeated!r} occurs more than once")
        if n and (low := self.priority < 1).any():
            i = _first(low)
            raise AllocationError(
                f"person {self.person_ids[i]!r} has priority {self.priority[i]}; must be >= 1"
            )
        if m and (low := self.capacity < 0).any():
            j = _first(low)
            raise AllocationError(
                f"place {self.place_ids[j]!r} has capacity {self.capacity[j]}; must be >= 0"
            )
        if not k:
            return
        bad = (self.pair_person < 0) | (self.pair_person >= n)
        if bad.any():
            raise AllocationError(f"pair {_first(bad)} names person index out of range")
        bad = (self.pair_place < 0) | (self.pair_place >= m)
        if bad.any():
            raise AllocationError(f"pair {_first(bad)} names place index out of range")
        if (low := self.pair_cost < 0).any():
            raise AllocationError(f"pair {_first(low)} has a negative cost")
        duplicate = (
            duplicate_pairs(self.pair_person, self.pair_place, m)
            if self.check_duplicates
            else np.empty(0, dtype=np.int64)
        )
        if len(duplicate):
            p = int(duplicate[0])
            raise AllocationError(
                f"pair ({self.person_ids[self.pair_person[p]]!r}, "
                f"{self.place_ids[self.pair_place[p]]!r}) occurs more than once"
            )
        if self.cost_parts:
            total = np.zeros(k, dtype=np.int64)
            for name, part in self.cost_parts.items():
                if len(part) != k:
                    raise AllocationError(f"cost part {name!r} has {len(part)} values for {k}")
                total += part
            if (wrong := total != self.pair_cost).any():
                raise AllocationError(
                    f"pair {_first(wrong)}: cost parts add up to {total[_first(wrong)]}, "
                    f"not its cost {self.pair_cost[_first(wrong)]}"
                )

    @classmethod
    def from_records(
        cls,
        persons: Iterable[tuple[str, int]],
        places: Iterable[tuple[str, int]],
        candidates: Iterable[tuple[str, str, int] | tuple[str, str, int, Mapping[str, int]]],
    ) -> AllocationProblem:
        """From ids: ``(person_id, priority)``, ``(place_id, capacity)`` and
        ``(person_id, place_id, cost[, {part: value}])``. Convenient for small inputs
        (tests, a database query); files go through :mod:`doconnect.allocation.engine.files`."""
        person_list, place_list = list(persons), list(places)
        person_index = {pid: i for i, (pid, _) in enumerate(person_list)}
        place_index = {oid: j for j, (oid, _) in enumerate(place_list)}
        rows = list(candidates)
        part_names = sorted({name for row in rows if len(row) > 3 for name in row[3]})
        try:
            pair_person = [person_index[row[0]] for row in rows]
            pair_place = [place_index[row[1]] for row in rows]
        except KeyError as exc:
            raise AllocationError(f"candidate names unknown id {exc.args[0]!r}") from exc
        parts = {
            name: np.array(
                [row[3].get(name, 0) if len(row) > 3 else 0 for row in rows],
                dtype=np.int64,
            )
            for name in part_names
        }
        return cls(
            person_ids=tuple(pid for pid, _ in person_list),
            priority=np.array([w for _, w in person_list], dtype=np.int64),
            place_ids=tuple(oid for oid, _ in place_list),
            capacity=np.array([c for _, c in place_list], dtype=np.int64),
            pair_person=np.array(pair_person, dtype=np.int32),
            pair_place=np.array(pair_place, dtype=np.int32),
            pair_cost=np.array([row[2] for row in rows], dtype=np.int64),
            cost_parts=parts,
        )

    @property
    def person_count(self) -> int:
        return len(self.priority)

    @property
    def place_count(self) -> int:
        return len(self.capacity)

    @property
    def pair_count(self) -> int:
        return len(self.pair_person)

    @cached_property
    def pairs_by_person(self) -> tuple[IntArray, IntArray]:
        """``(order, starts)``: the pairs of person ``i`` are
        ``order[starts[i]:starts[i + 1]]``, cheapest first (ties by place index)."""
        n, m = self.person_count, max(self.place_count, 1)
        top_cost = int(self.pair_cost.max()) + 1 if self.pair_count else 1
        if n * top_cost * m < INT64_MAX:
            # One int64 key sorts five to ten times faster than lexsort on three arrays;
            # stable (timsort on runs) is fastest when the pairs come sorted by person.
            key = (self.pair_person.astype(np.int64) * top_cost + self.pair_cost) * m
            order = np.argsort(key + self.pair_place, kind="stable")
        else:
            order = np.lexsort((self.pair_place, self.pair_cost, self.pair_person))
        starts = np.searchsorted(self.pair_person[order], np.arange(self.person_count + 1))
        return order.astype(np.int64), starts.astype(np.int64)


def duplicate_pairs(pair_person: Int32Array, pair_place: Int32Array, place_count: int) -> IntArray:
    """Positions of pairs that repeat an earlier (person, place) pair, in input order."""
    key = pair_person.astype(np.int64) * max(place_count, 1) + pair_place
    if len(key) < 2 or bool((key[1:] > key[:-1]).all()):
        return np.empty(0, dtype=np.int64)  # sorted input (the usual file): no sort needed
    order = np.argsort(key, kind="stable")
    repeated = np.flatnonzero(key[order][1:] == key[order][:-1]) + 1
    return np.sort(order[repeated])


# --------------------------------------------------------------------------- network


@dataclass(frozen=True, eq=False)
class Network:
    """The flow network of a problem, as OR-Tools' array API takes it. Arc ``p`` for
    ``p < pair_count`` is candidate pair ``p``; then one arc per place, one per person."""

    tails: Int32Array
    heads: Int32Array
    capacities: IntArray
    unit_costs: IntArray
    nodes: Int32Array
    supplies: IntArray
    pair_count: int
    big_m: int
    cost_divisor: int
    priority_divisor: int

    def solver(self) -> Any:
        """A fresh ``SimpleMinCostFlow`` holding this network, ready to ``solve()``."""
        from ortools.graph.python import min_cost_flow

        flow = min_cost_flow.SimpleMinCostFlow()
        flow.add_arcs_with_capacity_and_unit_cost(
            self.tails, self.heads, self.capacities, self.unit_costs
        )
        flow.set_nodes_supplies(self.nodes, self.supplies)
        return flow


def big_m(problem: AllocationProblem, costs: IntArray | None = None) -> int:
    """The price of leaving one unit of priority weight behind, in cost units.

    Lexicographic optimality needs: any assignment A that places more weight than an
    assignment B has the smaller flow cost, i.e. ``M * (wA - wB) > cost(A) - cost(B)``.
    Weights are integers, so ``wA - wB >= 1``; costs are ``>= 0``, so
    ``cost(A) - cost(B) <= cost(A) <= U``, an upper bound of the cost of *any* feasible
    assignment. ``M = U + 1`` suffices. For ``U``: each assigned person pays at most its
    dearest candidate at a place with capacity, and at most ``K = min(n, total capacity)``
    persons are assigned, so ``U`` is the sum of the ``K`` largest of those per-person
    maxima — much smaller than "every pair's cost", which keeps the costs OR-Tools scales
    (and its running time, logarithmic in them) small.
    """
    cost = problem.pair_cost if costs is None else costs
    n = problem.person_count
    usable = problem.capacity[problem.pair_place] > 0
    dearest = np.zeros(n, dtype=np.int64)
    np.maximum.at(dearest, problem.pair_person[usable], cost[usable])
    assignable = int(np.minimum(problem.capacity, n).sum())
    k = min(n, assignable)
    if k == 0:
        return 1
    top = dearest if k >= n else np.partition(dearest, n - k)[n - k :]
    if int(top.max()) * k < SAFE_INT64:
        return int(top.sum(dtype=np.int64)) + 1
    return sum(top.tolist()) + 1  # exact Python integers; the caller refuses the size


def network(problem: AllocationProblem) -> Network:
    """Build the min-cost-flow network (vectorised; see the module docstring).

    Costs and priorities are first divided by their greatest common divisors (the
    optimum does not change) to keep ``M`` small. Overflow: OR-Tools works in int64 and
    multiplies every unit cost by ``num_nodes + 1`` for its cost scaling (refusing with
    BAD_COST_RANGE otherwise), and the optimal flow cost ``M * sum(w) + U`` must fit as
    well. Both are checked here with exact Python integers against half of int64 (a
    safety factor for OR-Tools' intermediate sums); beyond that the problem is refused
    with :class:`AllocationTooLarge` instead of risking a silently wrong answer. With
    city-sized data the limit is far away: a million persons with costs below 1,000
    and priorities below 100 give ``M <= 1e9``, arc costs ``<= 1e11`` and, times
    ``1e6 + 1`` nodes, ``1e17`` against the limit of ``4.6e18``.
    """
    n, m, k = problem.person_count, problem.place_count, problem.pair_count
    cost_divisor = int(np.gcd.reduce(problem.pair_cost)) if k else 0
    cost_divisor = cost_divisor or 1
    priority_divisor = int(np.gcd.reduce(problem.priority)) if n else 1
    costs = problem.pair_cost // cost_divisor if cost_divisor > 1 else problem.pair_cost
    weights = problem.priority // priority_divisor if priority_divisor > 1 else problem.priority
    m_value = big_m(problem, costs)
    max_weight = int(weights.max()) if n else 0
    max_pair_cost = int(costs.max()) if k else 0
    max_arc_cost = max(m_value * max_weight, max_pair_cost)
    nodes = n + m + 1
    total_bound = m_value * int(weights.sum(dtype=np.int64)) + m_value if n else 0
    if (max_arc_cost + 1) * (nodes + 1) > SAFE_INT64 or total_bound > SAFE_INT64:
        raise AllocationTooLarge(
            f"costs and priorities are too large for an exact solution: the weight of "
            f"leaving a person behind would be {m_value:,} x priority over {nodes:,} "
            "nodes, beyond 64-bit integers; use smaller costs (e.g. coarser units) "
            "or smaller priority weights"
        )
    sink = n + m
    person = np.arange(n, dtype=np.int32)
    place_node = np.arange(n, n + m, dtype=np.int32)
    tails = np.concatenate([problem.pair_person, place_node, person])
    heads = np.concatenate(
        [
            problem.pair_place + np.int32(n),
            np.full(m, sink, dtype=np.int32),
            np.full(n, sink, dtype=np.int32),
        ]
    )
    capacities = np.concatenate(
        [
            np.ones(k, dtype=np.int64),
            np.minimum(problem.capacity, n),  # more than n places can never be used
            np.ones(n, dtype=np.int64),
        ]
    )
    unit_costs = np.concatenate([costs, np.zeros(m, dtype=np.int64), weights * m_value])
    supplies = np.zeros(nodes, dtype=np.int64)
    supplies[:n] = 1
    supplies[sink] = -n
    return Network(
        tails=tails.astype(np.int32, copy=False),
        heads=heads.astype(np.int32, copy=False),
        capacities=capacities,
        unit_costs=unit_costs.astype(np.int64, copy=False),
        nodes=np.arange(nodes, dtype=np.int32),
        supplies=supplies,
        pair_count=k,
        big_m=m_value,
        cost_divisor=cost_divisor,
        priority_divisor=priority_divisor,
    )


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Holders:
    """Who holds one of an unassigned person's eligible places: the place is full, its
    holders have priority ``>= lowest_priority``, and those with the person's own
    priority cost at most ``highest_cost_at_own_priority`` there (``None``: no holder has
    the same priority, all have a higher one)."""

    place: str
    capacity: int
    own_cost: int
    holders: int
    lowest_priority: int | None
    highest_cost_at_own_priority: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "place": self.place,
            "capacity": self.capacity,
            "own_cost": self.own_cost,
            "holders": self.holders,
            "lowest_priority": self.lowest_priority,
            "highest_cost_at_own_priority": self.highest_cost_at_own_priority,
        }


@dataclass(frozen=True)
class Explanation:
    """Why one person got their place, or none. ``reason`` is one of :data:`REASONS`;
    ``cost_parts`` split an assigned person's cost; ``places`` tell, for an unassigned
    person, who holds each eligible place (for ``capacity_taken``)."""

    person: str
    priority: int
    reason: str
    place: str | None = None
    cost: int | None = None
    cost_parts: dict[str, int] = field(default_factory=dict)
    candidates: int = 0
    zero_capacity_candidates: int = 0
    places: tuple[Holders, ...] = ()

    @property
    def text(self) -> str:
        if self.reason == ASSIGNED:
            parts = ", ".join(f"{name} {value}" for name, value in self.cost_parts.items())
            return f"{self.person}: {self.place} (cost {self.cost}{': ' + parts if parts else ''})"
        extra = (
            f" ({self.zero_capacity_candidates} candidate place(s) without capacity)"
            if self.zero_capacity_candidates
            else ""
        )
        return f"{self.person}: not placed — {REASON_TEXT[self.reason]}{extra}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "person": self.person,
            "priority": self.priority,
            "reason": self.reason,
            "text": self.text,
            "place": self.place,
            "cost": self.cost,
            "cost_parts": dict(self.cost_parts),
            "candidates": self.candidates,
            "zero_capacity_candidates": self.zero_capacity_candidates,
            "places": [h.to_dict() for h in self.places],
        }


@dataclass(frozen=True, eq=False)
class Allocation:
    """The result: ``place[i]`` is person ``i``'s place index (or -1), ``pair[i]`` the
    candidate pair used (or -1); totals in the problem's own units."""

    problem: AllocationProblem
    method: str
    place: Int32Array
    pair: IntArray
    assigned: int
    weighted_assigned: int
    total_cost: int

    @classmethod
    def from_pairs(cls, problem: AllocationProblem, chosen: IntArray, method: str) -> Allocation:
        """From the indices of the chosen candidate pairs (at most one per person)."""
        n = problem.person_count
        place = np.full(n, UNASSIGNED, dtype=np.int32)
        pair = np.full(n, UNASSIGNED, dtype=np.int64)
        persons = problem.pair_person[chosen]
        place[persons] = problem.pair_place[chosen]
        pair[persons] = chosen
        return cls(
            problem=problem,
            method=method,
            place=place,
            pair=pair,
            assigned=len(chosen),
            weighted_assigned=int(problem.priority[persons].sum(dtype=np.int64)),
            total_cost=int(problem.pair_cost[chosen].sum(dtype=np.int64)),
        )

    @property
    def unassigned(self) -> int:
        return self.problem.person_count - self.assigned

    @cached_property
    def reason_codes(self) -> npt.NDArray[np.int8]:
        """Per person the index into :data:`REASONS` (vectorised for all persons)."""
        p = self.problem
        usable = p.capacity[p.pair_place] > 0
        has_place = np.bincount(p.pair_person[usable], minlength=p.person_count) > 0
        codes = np.where(has_place, REASONS.index(CAPACITY_TAKEN), REASONS.index(NO_CANDIDATE))
        codes[self.place >= 0] = REASONS.index(ASSIGNED)
        return codes.astype(np.int8)

    def reason_counts(self) -> dict[str, int]:
        counts = np.bincount(self.reason_codes, minlength=len(REASONS))
        return {reason: int(c) for reason, c in zip(REASONS, counts.tolist(), strict=True)}

    def totals(self) -> dict[str, int]:
        return {
            "assigned": self.assigned,
            "weighted_assigned": self.weighted_assigned,
            "total_cost": self.total_cost,
            "unassigned": self.unassigned,
        }

    @cached_property
    def _holders_by_place(self) -> tuple[IntArray, IntArray]:
        """Assigned persons grouped by place: ``order[starts[j]:starts[j + 1]]``."""
        persons = np.flatnonzero(self.place >= 0)
        order = persons[np.argsort(self.place[persons], kind="stable")]
        starts = np.searchsorted(self.place[order], np.arange(self.problem.place_count + 1))
        return order, starts.astype(np.int64)

    def explain(self, person: int) -> Explanation:
        """The explanation of one person (by index)."""
        p = self.problem
        reason = REASONS[int(self.reason_codes[person])]
        order, starts = p.pairs_by_person
        own = order[starts[person] : starts[person + 1]]
        zero = int((p.capacity[p.pair_place[own]] == 0).sum())
        common: dict[str, Any] = {
            "person": p.person_ids[person],
            "priority": int(p.priority[person]),
            "reason": reason,
            "candidates": len(own),
            "zero_capacity_candidates": zero,
        }
        if reason == ASSIGNED:
            k = int(self.pair[person])
            return Explanation(
                **common,
                place=p.place_ids[int(self.place[person])],
                cost=int(p.pair_cost[k]),
                cost_parts={name: int(part[k]) for name, part in p.cost_parts.items()},
            )
        holder_order, holder_starts = self._holders_by_place
        places = []
        for k in own.tolist():
            j = int(p.pair_place[k])
            if p.capacity[j] == 0:
                continue
            holders = holder_order[holder_starts[j] : holder_starts[j + 1]]
            weights = p.priority[holders]
            same = holders[weights == p.priority[person]]
            places.append(
                Holders(
                    place=p.place_ids[j],
                    capacity=int(p.capacity[j]),
                    own_cost=int(p.pair_cost[k]),
                    holders=len(holders),
                    lowest_priority=int(weights.min()) if len(holders) else None,
                    highest_cost_at_own_priority=(
                        int(p.pair_cost[self.pair[same]].max()) if len(same) else None
                    ),
                )
            )
        return Explanation(**common, places=tuple(places))


# --------------------------------------------------------------------------- solving


def solve(problem: AllocationProblem, net: Network | None = None) -> Allocation:
    """The lexicographically optimal allocation: greatest weighted assignments, then the
    least total cost. ``net`` is the problem's :func:`network` if already built. Raises
    :class:`AllocationTooLarge` if the numbers cannot be solved exactly in 64 bits,
    :class:`AllocationError` if OR-Tools does not report optimality."""
    if problem.person_count == 0 or problem.pair_count == 0:
        return Allocation.from_pairs(problem, np.empty(0, dtype=np.int64), OPTIMAL)
    if net is None:
        net = network(problem)
    flow = net.solver()
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise AllocationError(f"the min-cost-flow solver stopped with status {status}")
    used = flow.flows(np.arange(net.pair_count, dtype=np.int32))
    chosen = np.flatnonzero(np.asarray(used) > 0).astype(np.int64)
    return Allocation.from_pairs(problem, chosen, OPTIMAL)


def advantage(optimum: Allocation, baseline: Allocation) -> dict[str, int]:
    """How much ``optimum`` beats ``baseline``: more persons placed, more weight placed,
    and cost saved (negative when placing more people costs more)."""
    return {
        "assigned": optimum.assigned - baseline.assigned,
        "weighted_assigned": optimum.weighted_assigned - baseline.weighted_assigned,
        "total_cost": baseline.total_cost - optimum.total_cost,
    }


__all__ = [
    "ASSIGNED",
    "CAPACITY_TAKEN",
    "NO_CANDIDATE",
    "REASONS",
    "Allocation",
    "AllocationError",
    "AllocationProblem",
    "AllocationTooLarge",
    "Explanation",
    "Holders",
    "Network",
    "advantage",
    "big_m",
    "network",
    "solve",
]
