"""Outcome tables: where do persons stand ``k`` periods after leaving a state (or an
offer coded as a state)?

A person *leaves* the origin in period ``e`` when the period before ``e`` is in one of
the origin states and ``e`` is observed and in none of them. Each person counts once,
with the first exit whose period ``e`` lies in the window ``first .. last`` (period
indices, 0-based). The outcome is the state ``k`` periods after the last period in the
origin, i.e. in period ``e - 1 + k`` (``k = 1``: the state right after leaving). Persons
whose outcome period lies beyond the data are *not yet observable* (counted apart, not
in the table); a missing state in the outcome period is the column ``missing``.

Rows are the combinations of the grouping variables (e.g. district × target group ×
gender) that occur among the leavers; cells are person counts (weighted sums when
``weighted``), row totals included.

Small-number rule (``min_count``, applied to the unweighted number of persons; the
disclosure engine's ``is_small``):

1. primary: a cell with 1 .. ``min_count - 1`` persons is suppressed (``None``);
2. a row total below ``min_count`` is suppressed with every non-zero cell of the row;
3. secondary: a row with exactly one suppressed cell would give it away as the total
   minus the shown cells, so the smallest other non-zero cell is suppressed too (the
   last column first on ties); when the row has no other non-zero cell, the total is
   suppressed instead.

Zero cells are shown. The table carries no column totals across rows (they would
reveal suppressed cells by difference); build a coarser table instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from doconnect.transitions.engine import kernels
from doconnect.transitions.engine.data import Sequences
from doconnect.transparency.engine import is_small

MISSING_COLUMN = "missing"


@dataclass(frozen=True)
class OutcomeRow:
    group: tuple[str, ...]
    cells: tuple[float | None, ...]  # follows OutcomeTable.columns
    total: float | None


@dataclass(frozen=True)
class OutcomeTable:
    origin: tuple[str, ...]
    horizon: int
    window: tuple[int, int]
    group_names: tuple[str, ...]
    columns: tuple[str, ...]
    rows: tuple[OutcomeRow, ...]
    leavers: int  # persons leaving in the window
    not_yet_observable: int  # of them, whose outcome period is after the data ends
    min_count: int
    suppressed: int = field(default=0)  # cells and totals suppressed

    def as_dict(self) -> dict[str, object]:
        return {
            "origin": list(self.origin),
            "horizon": self.horizon,
            "window": list(self.window),
            "groups": list(self.group_names),
            "columns": list(self.columns),
            "rows": [
                {"group": list(r.group), "cells": list(r.cells), "total": r.total}
                for r in self.rows
            ],
            "leavers": self.leavers,
            "not_yet_observable": self.not_yet_observable,
            "min_count": self.min_count,
            "suppressed": self.suppressed,
        }


def exits(
    seqs: Sequences, origin: Sequence[str], window: tuple[int, int], horizon: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per person the exit period (``-1``: none in the window) and the outcome code
    (a state code, ``-1`` missing, ``-2`` not yet observable)."""
    unknown = [s for s in origin if s not in seqs.states]
    if unknown:
        raise ValueError(f"unknown origin state(s): {', '.join(unknown)}")
    if horizon < 1:
        raise ValueError(f"the horizon must be at least 1 period, not {horizon}")
    first, last = window
    if first > last or first < 0:
        raise ValueError(f"window {first}..{last}: first must be 0 or more and <= last")
    is_origin = np.array([s in origin for s in seqs.states], dtype=np.bool_)
    return kernels.first_exits(seqs.codes, is_origin, int(first), int(last), int(horizon))


def suppress(
    counts: np.ndarray, persons: np.ndarray, min_count: int
) -> tuple[list[list[float | None]], list[float | None], int]:
    """Apply the small-number rule to a table of ``counts`` (values shown) with the
    unweighted ``persons`` behind each cell; returns cells, row totals and how many
    values were suppressed."""
    cells: list[list[float | None]] = []
    totals: list[float | None] = []
    hidden = 0
    for values, people in zip(counts.tolist(), persons.tolist(), strict=True):
        row: list[float | None] = list(values)
        total: float | None = float(sum(values))
        secret = [j for j, p in enumerate(people) if is_small(p, min_count)]
        if is_small(sum(people), min_count):
            secret = [j for j, p in enumerate(people) if p > 0]
            total = None
        elif len(secret) == 1:
            others = [j for j, p in enumerate(people) if p > 0 and j not in secret]
            if others:
                secret.append(min(others, key=lambda j: (people[j], -j)))
            else:
                total = None
        for j in secret:
            row[j] = None
        hidden += len(secret) + (total is None)
        cells.append(row)
        totals.append(total)
    return cells, totals, hidden


def outcome_table(
    seqs: Sequences,
    origin: Sequence[str],
    window: tuple[int, int],
    horizon: int,
    groups: Mapping[str, Sequence[str]] | None = None,
    min_count: int = 5,
    weighted: bool = False,
) -> OutcomeTable:
    """The outcome table (see the module text) for leavers of ``origin`` in ``window``
    (first and last exit period, 0-based), ``horizon`` periods later, by ``groups``
    (name -> one label per person; none: a single row ``()``)."""
    groups = dict(groups or {})
    for name, labels in groups.items():
        if len(labels) != seqs.n:
            raise ValueError(f"group {name!r}: {len(labels)} labels for {seqs.n} persons")
    exit_at, outcome = exits(seqs, origin, window, horizon)
    leaving = np.flatnonzero(exit_at >= 0)
    observable = leaving[outcome[leaving] != -2]
    n_states = len(seqs.states)
    column = np.where(outcome[observable] >= 0, outcome[observable], n_states)
    names = tuple(groups)
    label_arrays = [np.asarray(groups[name], dtype=object)[observable] for name in names]
    keys = list(zip(*label_arrays, strict=True)) if names else [()] * len(observable)
    index: dict[tuple[str, ...], int] = {}
    for key in keys:
        index.setdefault(tuple(str(v) for v in key), len(index))
    order = sorted(index)
    rank = {key: r for r, key in enumerate(order)}
    row_of = np.array([rank[tuple(str(v) for v in key)] for key in keys], dtype=np.int64)
    width = n_states + 1
    w = seqs.weight_vector()[observable] if weighted else np.ones(len(observable))
    flat = row_of * width + column
    counts = np.bincount(flat, weights=w, minlength=len(order) * width).reshape(-1, width)
    persons = np.bincount(flat, minlength=len(order) * width).reshape(-1, width)
    cells, totals, hidden = suppress(counts, persons, min_count)
    rows = tuple(
        OutcomeRow(group=key, cells=tuple(c), total=t)
        for key, c, t in zip(order, cells, totals, strict=True)
    )
    return OutcomeTable(
        origin=tuple(origin),
        horizon=horizon,
        window=(int(window[0]), int(window[1])),
        group_names=names,
        columns=(*seqs.states, MISSING_COLUMN),
        rows=rows,
        leavers=len(leaving),
        not_yet_observable=len(leaving) - len(observable),
        min_count=min_count,
        suppressed=hidden,
    )
