"""Disclosure control for the yearly report's tables, on top of ``doconnect.transparency.engine``.

``doconnect.transparency.engine.protect`` hides small cells of a two-way table and enough further
cells that none can be recomputed while the row, column and grand totals are published.
A public report must not show small *totals* either, so this module adds:

- two-way tables: cells as ``protect`` decides; then every row or column total with
  ``0 < total < threshold`` is hidden, and where exactly one total of a margin is hidden
  (the grand total would give it away) the next smallest non-zero total of that margin
  as well. A table whose grand total is itself small shows nothing but zeros. A table
  ``protect`` refuses (one non-zero row or column: the other margin repeats the cells)
  starts with every non-zero cell hidden.
- one-way counts (a list of counts with their total): the same margin rule.

Hiding a total only removes a constraint, so the cells ``protect`` audited stay
protected; the hidden totals and the cells of a refused table are audited here by linear
programming (HiGHS through SciPy): every hidden sensitive figure (``0 < value <
threshold``) must be able to take at least two whole values given everything published.
If the audit fails, every cell and total is hidden except the grand total — which is
always safe. Pure (NumPy, SciPy; no Django).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import linprog

from doconnect.transparency.engine import Unprotectable, is_small, protect

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class ProtectedTable:
    """A table as published: ``None`` stands for a hidden figure."""

    cells: list[list[int | None]]
    row_totals: list[int | None]
    col_totals: list[int | None]
    grand_total: int | None
    hidden: int  # how many figures (cells and totals) are hidden


@dataclass(frozen=True)
class ProtectedCounts:
    values: list[int | None]
    total: int | None
    hidden: int


def margin_hidden(values: Sequence[int], threshold: int) -> list[bool]:
    """Which counts of a list published with its total are hidden: the small ones, and
    where exactly one is, the next smallest non-zero one (else total minus the rest
    gives it away)."""
    hidden = [is_small(v, threshold) for v in values]
    if sum(hidden) == 1:
        others = [i for i, v in enumerate(values) if v > 0 and not hidden[i]]
        if others:
            hidden[min(others, key=lambda i: (values[i], i))] = True
    return hidden


def protect_counts(values: Sequence[int], threshold: int) -> ProtectedCounts:
    """One-way counts with their total (the total itself hidden when small)."""
    total = int(sum(values))
    if is_small(total, threshold):
        return ProtectedCounts(
            [0 if v == 0 else None for v in values], None, 1 + sum(1 for v in values if v)
        )
    hidden = margin_hidden(values, threshold)
    return ProtectedCounts(
        [None if h else int(v) for v, h in zip(values, hidden, strict=True)],
        total,
        sum(hidden),
    )


def _range(
    table: IntArray,
    cells_hidden: BoolArray,
    rows_hidden: list[bool],
    cols_hidden: list[bool],
    target: npt.NDArray[np.float64],
) -> float:
    """Width of the feasible range of ``target · hidden cells`` given what is published
    (``inf`` when unbounded)."""
    positions = np.argwhere(cells_hidden)
    n = len(positions)
    if n == 0:
        return 0.0
    a_eq: list[npt.NDArray[np.float64]] = []
    b_eq: list[float] = []
    published = np.where(cells_hidden, 0, table)
    for i, hidden in enumerate(rows_hidden):
        if not hidden:
            a_eq.append((positions[:, 0] == i).astype(float))
            b_eq.append(float(table[i].sum() - published[i].sum()))
    for j, hidden in enumerate(cols_hidden):
        if not hidden:
            a_eq.append((positions[:, 1] == j).astype(float))
            b_eq.append(float(table[:, j].sum() - published[:, j].sum()))
    a_eq.append(np.ones(n))
    b_eq.append(float(table.sum() - published.sum()))
    c = np.array([target[i, j] for i, j in positions], dtype=float)
    bounds = [(0, None)] * n
    low = linprog(c, A_eq=np.array(a_eq), b_eq=b_eq, bounds=bounds, method="highs")
    high = linprog(-c, A_eq=np.array(a_eq), b_eq=b_eq, bounds=bounds, method="highs")
    if low.status == 3 or high.status == 3:
        return math.inf
    if low.status != 0 or high.status != 0:  # inconsistent: treat as pinned, hide all
        return 0.0
    return math.floor(-high.fun + 1e-6) - math.ceil(low.fun - 1e-6)


def audit(
    table: IntArray,
    cells_hidden: BoolArray,
    rows_hidden: list[bool],
    cols_hidden: list[bool],
    threshold: int,
) -> bool:
    """True when every hidden sensitive cell and total can take two whole values."""
    shape = table.shape
    for i, j in np.argwhere(cells_hidden):
        if is_small(int(table[i, j]), threshold):
            target = np.zeros(shape)
            target[i, j] = 1
            if _range(table, cells_hidden, rows_hidden, cols_hidden, target) < 1:
                return False
    for i, hidden in enumerate(rows_hidden):
        if hidden and is_small(int(table[i].sum()), threshold):
            target = np.zeros(shape)
            target[i, :] = 1
            if _range(table, cells_hidden, rows_hidden, cols_hidden, target) < 1:
                return False
    for j, hidden in enumerate(cols_hidden):
        if hidden and is_small(int(table[:, j].sum()), threshold):
            target = np.zeros(shape)
            target[:, j] = 1
            if _range(table, cells_hidden, rows_hidden, cols_hidden, target) < 1:
                return False
    return True


def protect_table(
    cells: Sequence[Sequence[int]], threshold: int, *, columns: int = 0
) -> ProtectedTable:
    """A two-way table of counts as it may be published (see the module text).
    ``columns`` gives the width of a table without rows (a year without leavers)."""
    table = (
        np.asarray(cells, dtype=np.int64).reshape(len(cells), -1)
        if len(cells)
        else np.zeros((0, columns), dtype=np.int64)
    )
    rows, cols = table.shape
    grand = int(table.sum())
    if rows == 0 or cols == 0 or grand == 0:
        return ProtectedTable([[0] * cols for _ in range(rows)], [0] * rows, [0] * cols, grand, 0)
    if is_small(grand, threshold):
        hidden_cells = table > 0
        row_sums, col_sums = table.sum(axis=1), table.sum(axis=0)
        return _published(table, hidden_cells, list(row_sums > 0), list(col_sums > 0), True)
    try:
        hidden_cells = np.array(protect(table, threshold).suppressed, dtype=np.bool_)
        audited = True
    except Unprotectable:
        hidden_cells = table > 0
        audited = False
    rows_hidden = margin_hidden(table.sum(axis=1).tolist(), threshold)
    cols_hidden = margin_hidden(table.sum(axis=0).tolist(), threshold)
    if (audited and not any(rows_hidden) and not any(cols_hidden)) or audit(
        table, hidden_cells, rows_hidden, cols_hidden, threshold
    ):
        return _published(table, hidden_cells, rows_hidden, cols_hidden, False)
    # Nothing smaller passed the audit: only the grand total (safe: every hidden
    # sensitive figure then ranges over at least 0 .. itself + another non-zero cell).
    return _published(
        table,
        table > 0,
        (table.sum(axis=1) > 0).tolist(),
        (table.sum(axis=0) > 0).tolist(),
        False,
    )


def _published(
    table: IntArray,
    hidden_cells: BoolArray,
    rows_hidden: list[bool],
    cols_hidden: list[bool],
    grand_hidden: bool,
) -> ProtectedTable:
    out_cells = [
        [None if hidden_cells[i, j] else int(table[i, j]) for j in range(table.shape[1])]
        for i in range(table.shape[0])
    ]
    row_totals = [
        None if h else int(t) for h, t in zip(rows_hidden, table.sum(axis=1), strict=True)
    ]
    col_totals = [
        None if h else int(t) for h, t in zip(cols_hidden, table.sum(axis=0), strict=True)
    ]
    hidden = int(hidden_cells.sum()) + sum(rows_hidden) + sum(cols_hidden) + int(grand_hidden)
    return ProtectedTable(
        out_cells, row_totals, col_totals, None if grand_hidden else int(table.sum()), hidden
    )
