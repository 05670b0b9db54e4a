"""The offers as columns, so that one person's fit is asked of thousands of offers at once.

A person page ranks every offer of the city (6,000 at scale 20) for one person: the
rules of ``fit`` one offer at a time took most of the page's time (issue #19). Here the
same rules are asked of NumPy columns; the reasons in words stay ``fit``'s and are
written only for the offers a page shows. Built once per landscape and kept with it.
Pure, no Django.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from doconnect.pathways.engine.fit import (
    CITY_WIDE,
    NEIGHBOURING,
    OTHER_DISTRICT,
    SAME_DISTRICT,
    UNKNOWN_DISTRICT,
    PersonFacts,
)
from doconnect.pathways.engine.graphs import BoolArray, IntArray
from doconnect.pathways.engine.inputs import Offer

# ``OfferTable.proximity``'s codes, in this order.
PROXIMITIES = (SAME_DISTRICT, CITY_WIDE, NEIGHBOURING, UNKNOWN_DISTRICT, OTHER_DISTRICT)
_SAME, _CITY_WIDE, _NEIGHBOURING, _UNKNOWN, _OTHER = range(len(PROXIMITIES))
_NO_MIN = np.iinfo(np.int64).min
_NO_MAX = np.iinfo(np.int64).max
# How many results derived from other objects a table keeps (``OfferTable.kept``): one
# per comparison group of leavers (age band and target groups) and the outcomes.
KEEP_DERIVED = 128

T = TypeVar("T")


def _columns(values: list[tuple[str, ...]]) -> tuple[tuple[str, ...], BoolArray]:
    """The distinct names of ``values`` and a matrix: row i, column j is whether
    ``values[i]`` holds name j."""
    names = tuple(sorted({name for row in values for name in row}))
    column = {name: j for j, name in enumerate(names)}
    matrix = np.zeros((len(values), len(names)), dtype=np.bool_)
    for i, row in enumerate(values):
        for name in row:
            matrix[i, column[name]] = True
    return names, matrix


@dataclass(frozen=True, eq=False)
class OfferTable:
    """``offers`` as columns, row i being ``offers[i]``."""

    offers: tuple[Offer, ...]
    ids: tuple[str, ...]
    index: Mapping[str, int]
    active: BoolArray
    min_age: IntArray  # the smallest int64 where there is no lower limit
    max_age: IntArray  # the largest where there is no upper limit
    branches: tuple[str, ...]
    takes_branch: BoolArray  # (offers, branches)
    every_branch: BoolArray  # open to every legal branch (a row of False above)
    groups: tuple[str, ...]
    for_group: BoolArray  # (offers, target groups)
    every_group: BoolArray  # open to every target group
    districts: tuple[str, ...]
    district: IntArray  # index into ``districts``; -1: city-wide
    id_order: IntArray  # each offer's place when the ids are sorted
    # ``kept``'s results by the id of their source, with the source (so that its id
    # cannot be another object's while kept). Not pickled.
    _kept: dict[int, tuple[object, Any]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("_kept", "_lock")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, _kept={}, _lock=threading.Lock())

    def kept(self, source: object, compute: Callable[[], T]) -> T:
        """``compute()``, a result derived from ``source`` and this table, computed once
        per ``source`` object and kept (the oldest dropped beyond ``KEEP_DERIVED``).
        Only for sources that never change, such as a ground's outcomes."""
        with self._lock:
            found = self._kept.get(id(source))
        if found is not None and found[0] is source:
            result: T = found[1]
            return result
        result = compute()
        with self._lock:
            self._kept[id(source)] = (source, result)
            while len(self._kept) > KEEP_DERIVED:
                del self._kept[next(iter(self._kept))]
        return result

    @classmethod
    def of(cls, offers: Iterable[Offer]) -> OfferTable:
        offers = tuple(offers)
        ids = tuple(o.id for o in offers)
        branches, takes_branch = _columns([o.legal_branches for o in offers])
        groups, for_group = _columns([o.target_groups for o in offers])
        districts = tuple(sorted({o.district for o in offers if o.district is not None}))
        district_index = {name: j for j, name in enumerate(districts)}
        id_order = np.empty(len(ids), dtype=np.int64)
        id_order[sorted(range(len(ids)), key=ids.__getitem__)] = np.arange(len(ids))
        return cls(
            offers=offers,
            ids=ids,
            index={offer_id: i for i, offer_id in enumerate(ids)},
            active=np.fromiter((o.active for o in offers), np.bool_, len(offers)),
            min_age=np.fromiter(
                (_NO_MIN if o.min_age is None else o.min_age for o in offers),
                np.int64,
                len(offers),
            ),
            max_age=np.fromiter(
                (_NO_MAX if o.max_age is None else o.max_age for o in offers),
                np.int64,
                len(offers),
            ),
            branches=branches,
            takes_branch=takes_branch,
            every_branch=~np.asarray(takes_branch.any(axis=1), dtype=np.bool_),
            groups=groups,
            for_group=for_group,
            every_group=~np.asarray(for_group.any(axis=1), dtype=np.bool_),
            districts=districts,
            district=np.fromiter(
                (-1 if o.district is None else district_index[o.district] for o in offers),
                np.int64,
                len(offers),
            ),
            id_order=id_order,
        )

    def __len__(self) -> int:
        return len(self.offers)

    def rows_of(self, ids: Iterable[str]) -> IntArray:
        """The rows of those of ``ids`` that are offers here."""
        return np.fromiter((self.index[i] for i in ids if i in self.index), np.int64)

    def age_outside(self, person: PersonFacts) -> BoolArray:
        """Where the person's age is outside the offer's range (``fit.eligibility``'s
        age rule; an unknown age is never outside)."""
        if person.age is None:
            return np.zeros(len(self), dtype=np.bool_)
        return (person.age < self.min_age) | (person.age > self.max_age)

    def branch_not_taken(self, person: PersonFacts) -> BoolArray:
        """Where the offer takes only other legal branches than the person's."""
        if person.legal_branch in self.branches:
            column = self.branches.index(person.legal_branch)
            return ~self.every_branch & ~self.takes_branch[:, column]
        return ~self.every_branch

    def group_not_served(self, person: PersonFacts) -> BoolArray:
        """Where the offer is for target groups none of which is the person's."""
        shared = [j for j, group in enumerate(self.groups) if group in person.target_groups]
        return ~self.every_group & ~np.asarray(self.for_group[:, shared].any(axis=1), np.bool_)

    def proximity(self, person: PersonFacts, neighbours: Mapping[str, Collection[str]]) -> IntArray:
        """``fit.proximity`` of every offer, as an index into ``PROXIMITIES``."""
        codes = np.full(len(self), _UNKNOWN if person.district is None else _OTHER, np.int64)
        if person.district is not None:
            around = neighbours.get(person.district, ())
            near = [j for j, district in enumerate(self.districts) if district in around]
            codes[np.isin(self.district, near)] = _NEIGHBOURING
            if person.district in self.districts:
                codes[self.district == self.districts.index(person.district)] = _SAME
        codes[self.district == -1] = _CITY_WIDE
        return codes
