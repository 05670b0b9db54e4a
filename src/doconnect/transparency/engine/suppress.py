"""Cell suppression for a two-way table of counts published with its row, column and
grand totals.

Primary suppression hides every small cell (``0 < value < threshold``, the rule of
``small_numbers.is_small``); zeros are not sensitive and are published. Because the
totals are always published, a hidden cell that is alone in its row could be recomputed
by subtraction, and so could cells of more elaborate patterns; secondary suppression
hides further cells until every hidden cell can take more than one value given
everything published (its feasible range, found by linear programming, is wider than
zero).

Pure (NumPy and SciPy's HiGHS, no Django).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import linprog

from doconnect.transparency.engine.small_numbers import is_small

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Cell = tuple[int, int]

DEFAULT_THRESHOLD = 5


class DisclosureError(ValueError):
    """The table cannot be published safely, or the safety audit failed."""


class Unprotectable(DisclosureError):
    """The published totals alone reveal a sensitive cell: the table has a sensitive cell
    but only one row or one column that is not all zero, so the other margin repeats the
    cells. No suppression pattern helps; aggregate the table first."""


@dataclass(frozen=True)
class Published:
    """What a reader sees: the published cells (``suppressed`` cells hold -1, their value
    is not part of this object) and the totals."""

    cells: IntArray
    suppressed: BoolArray
    row_totals: IntArray
    col_totals: IntArray
    grand_total: int


@dataclass(frozen=True)
class Protection:
    """The result of :func:`protect`: the table, which cells are hidden and why, the
    totals, and the audited feasible range of every hidden cell."""

    table: IntArray
    threshold: int
    primary: BoolArray
    suppressed: BoolArray
    row_totals: IntArray
    col_totals: IntArray
    grand_total: int
    ranges: dict[Cell, tuple[int, int]]

    @property
    def secondary(self) -> BoolArray:
        return self.suppressed & ~self.primary

    @property
    def primary_count(self) -> int:
        return int(self.primary.sum())

    @property
    def secondary_count(self) -> int:
        return int(self.secondary.sum())

    def published(self) -> Published:
        cells = np.where(self.suppressed, -1, self.table).astype(np.int64)
        return Published(
            cells=cells,
            suppressed=self.suppressed.copy(),
            row_totals=self.row_totals.copy(),
            col_totals=self.col_totals.copy(),
            grand_total=self.grand_total,
        )


def _as_table(table: npt.ArrayLike) -> IntArray:
    array = np.asarray(table)
    if array.ndim != 2:
        raise DisclosureError(f"a two-way table is needed, got {array.ndim} dimension(s)")
    whole = np.issubdtype(array.dtype, np.integer) or np.all(np.equal(np.mod(array, 1), 0))
    if array.size and not whole:
        raise DisclosureError("the cells must be whole numbers")
    cells = array.astype(np.int64)
    if np.any(cells < 0):
        raise DisclosureError("the cells must not be negative")
    return cells


def feasible_ranges(published: Published) -> dict[Cell, tuple[int, int]]:
    """The smallest and the largest value each suppressed cell can take given everything
    published: two linear programmes per cell (HiGHS through ``scipy.optimize.linprog``),
    minimising and maximising the cell subject to the published cells fixed, every row
    and column summing to its published total and every cell ≥ 0. The polytope is a
    transportation polytope with integer totals, so its vertices are integral and the
    bounds are whole numbers."""
    hidden = [(int(i), int(j)) for i, j in zip(*np.nonzero(published.suppressed), strict=True)]
    if not hidden:
        return {}
    shown = np.where(published.suppressed, 0, published.cells)
    row_rest = published.row_totals - shown.sum(axis=1)
    col_rest = published.col_totals - shown.sum(axis=0)
    index = {cell: k for k, cell in enumerate(hidden)}
    rows = sorted({i for i, _ in hidden})
    cols = sorted({j for _, j in hidden})
    a_eq = np.zeros((len(rows) + len(cols), len(hidden)))
    b_eq = np.zeros(len(rows) + len(cols))
    for r, i in enumerate(rows):
        b_eq[r] = row_rest[i]
        for j in range(published.cells.shape[1]):
            if (i, j) in index:
                a_eq[r, index[(i, j)]] = 1.0
    for c, j in enumerate(cols):
        b_eq[len(rows) + c] = col_rest[j]
        for i in range(published.cells.shape[0]):
            if (i, j) in index:
                a_eq[len(rows) + c, index[(i, j)]] = 1.0
    ranges: dict[Cell, tuple[int, int]] = {}
    for cell, k in index.items():
        bounds = []
        for sign in (1.0, -1.0):
            objective = np.zeros(len(hidden))
            objective[k] = sign
            result = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
            if result.status != 0:
                raise DisclosureError(f"the published figures are inconsistent ({result.message})")
            bounds.append(round(float(sign * result.fun)))
        ranges[cell] = (bounds[0], bounds[1])
    return ranges


def _can_move(values: IntArray, hidden: BoolArray, cell: Cell) -> bool:
    """Whether ``cell`` can change while every published figure stays the same: an exact
    combinatorial form of "its feasible range is wider than zero".

    A change that keeps all totals is a sum of alternating cycles over hidden cells
    (+, -, +, … along rows and columns); it is feasible when every cell that decreases is
    positive. The cell can grow if a path leads from its row to its column leaving rows
    through positive hidden cells (they decrease) and columns through any hidden cell
    (they increase); it can shrink (when positive) with the roles swapped."""
    i0, j0 = cell
    n_rows, n_cols = values.shape

    def reachable(row_needs_positive: bool) -> bool:
        seen_rows = {i0}
        seen_cols: set[int] = set()
        queue: deque[tuple[str, int]] = deque([("row", i0)])
        while queue:
            kind, k = queue.popleft()
            if kind == "row":
                for j in range(n_cols):
                    if (k, j) == cell or not hidden[k, j] or j in seen_cols:
                        continue
                    if row_needs_positive and values[k, j] <= 0:
                        continue
                    if j == j0:
                        return True
                    seen_cols.add(j)
                    queue.append(("col", j))
            else:
                for i in range(n_rows):
                    if (i, k) == cell or not hidden[i, k] or i in seen_rows:
                        continue
                    if not row_needs_positive and values[i, k] <= 0:
                        continue
                    seen_rows.add(i)
                    queue.append(("row", i))
        return False

    if reachable(row_needs_positive=True):
        return True
    return bool(values[i0, j0] > 0) and reachable(row_needs_positive=False)


def _cheapest_rectangle(values: IntArray, hidden: BoolArray, cell: Cell) -> list[Cell]:
    """The cells to hide so that ``cell`` lies on a 2×2 cycle that can move: corners
    (i, j), (i, l), (k, j), (k, l) with either (i, j) and (k, l) positive (they can
    shrink) or (i, l) and (k, j) positive. Cost: the sum of the newly hidden values, a
    zero counting as 1 (hiding a zero is not free), then fewer new cells, then the
    first in reading order."""
    i, j = cell
    n_rows, n_cols = values.shape
    best: tuple[tuple[int, int, int, int], list[Cell]] | None = None
    for k in range(n_rows):
        if k == i:
            continue
        for m in range(n_cols):
            if m == j:
                continue
            movable = (values[i, j] > 0 and values[k, m] > 0) or (
                values[i, m] > 0 and values[k, j] > 0
            )
            if not movable:
                continue
            new = [c for c in ((i, m), (k, j), (k, m)) if not hidden[c]]
            cost = sum(max(int(values[c]), 1) for c in new)
            key = (cost, len(new), k, m)
            if best is None or key < best[0]:
                best = (key, new)
    if best is None:  # pragma: no cover - excluded by the check in ``protect``
        raise Unprotectable(f"cell {cell} cannot be protected")
    return best[1]


def protect(table: npt.ArrayLike, threshold: int = DEFAULT_THRESHOLD) -> Protection:
    """Suppress the sensitive cells of ``table`` (non-negative whole numbers, rows ×
    columns) and enough other cells that none of them can be recomputed from the
    published cells and totals.

    Rule: hide every cell with ``0 < value < threshold`` (primary). Then, while some
    hidden cell cannot move (see :func:`_can_move`; a cell alone in its row or column is
    the simplest case), take the first such cell in reading order and hide the missing
    corners of the cheapest 2×2 rectangle that lets it move (see
    :func:`_cheapest_rectangle`). Finally the feasible range of every hidden cell is
    computed by linear programming (:func:`feasible_ranges`); if any is zero wide,
    :class:`DisclosureError` is raised — a derivable table is never returned.

    Raises :class:`Unprotectable` when a sensitive cell exists but the table has only
    one row or one column that is not all zero (the totals then repeat the cells)."""
    if threshold < 1:
        raise DisclosureError(f"the threshold must be at least 1, not {threshold}")
    values = _as_table(table)
    primary = is_small(values, threshold)
    hidden = primary.copy()
    if primary.any():
        live_rows = int((values.sum(axis=1) > 0).sum())
        live_cols = int((values.sum(axis=0) > 0).sum())
        if live_rows < 2 or live_cols < 2:
            raise Unprotectable(
                "the totals reveal the small cells: only "
                f"{live_rows} row(s) and {live_cols} column(s) are not all zero"
            )
    # Termination: each round hides at least one new cell (if the rectangle were hidden
    # already, the cell could move), so there are at most rows × columns rounds. Cells
    # hidden by a rectangle can all move along it, and hiding more never stops a cell
    # from moving, so the loop only ends when every hidden cell can move.
    for _ in range(values.size + 1):
        stuck = next(
            (
                (int(i), int(j))
                for i, j in zip(*np.nonzero(hidden), strict=True)
                if not _can_move(values, hidden, (int(i), int(j)))
            ),
            None,
        )
        if stuck is None:
            break
        for c in _cheapest_rectangle(values, hidden, stuck):
            hidden[c] = True
    protection = Protection(
        table=values,
        threshold=threshold,
        primary=primary,
        suppressed=hidden,
        row_totals=values.sum(axis=1),
        col_totals=values.sum(axis=0),
        grand_total=int(values.sum()),
        ranges={},
    )
    ranges = feasible_ranges(protection.published())
    narrow = sorted(cell for cell, (low, high) in ranges.items() if high <= low)
    wrong = sorted(cell for cell, (low, high) in ranges.items() if not low <= values[cell] <= high)
    if narrow or wrong:
        raise DisclosureError(
            f"audit failed: derivable cells {narrow}, ranges missing the value {wrong}"
        )
    return Protection(
        table=values,
        threshold=threshold,
        primary=primary,
        suppressed=hidden,
        row_totals=protection.row_totals,
        col_totals=protection.col_totals,
        grand_total=protection.grand_total,
        ranges=ranges,
    )
