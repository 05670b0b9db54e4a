"""The allocation problem: persons with priority weights, places with capacities, and
candidate pairs (person, place, cost; lower is better), optionally with each cost split
into named parts for the explanations. Persons and places are indices ``0..n-1`` and
``0..m-1`` (their ids travel along); the pairs are three parallel arrays, converted and
checked on construction, so a problem that exists is valid. Pure (NumPy), no Django."""

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

INT64_MAX = int(np.iinfo(np.int64).max)


class AllocationError(ValueError):
    """The input cannot form an allocation problem (bad shape, range, duplicates …)."""


class AllocationTooLarge(AllocationError):
    """Costs and priorities are too large for an exact solution in 64-bit integers."""


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
