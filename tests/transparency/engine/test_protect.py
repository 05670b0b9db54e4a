from __future__ import annotations

import highspy
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doconnect.transparency.engine.suppress import (
    DisclosureError,
    Published,
    Unprotectable,
    feasible_ranges,
    protect,
)
from doconnect.transparency.engine.table import two_way


def independent_ranges(published: Published) -> dict[tuple[int, int], tuple[float, float]]:
    """The same audit written independently with highspy: one variable per cell of the
    table, published cells fixed by their bounds."""
    n_rows, n_cols = published.cells.shape
    ranges = {}
    for i, j in zip(*np.nonzero(published.suppressed), strict=True):
        found = []
        for sense in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
            for r in range(n_rows):
                for c in range(n_cols):
                    if published.suppressed[r, c]:
                        low, high = 0.0, highspy.kHighsInf
                    else:
                        low = high = float(published.cells[r, c])
                    h.addVar(low, high)
            for r in range(n_rows):
                idx = np.array([r * n_cols + c for c in range(n_cols)], dtype=np.int32)
                total = float(published.row_totals[r])
                h.addRow(total, total, n_cols, idx, np.ones(n_cols))
            for c in range(n_cols):
                idx = np.array([r * n_cols + c for r in range(n_rows)], dtype=np.int32)
                total = float(published.col_totals[c])
                h.addRow(total, total, n_rows, idx, np.ones(n_rows))
            h.changeColCost(int(i) * n_cols + int(j), 1.0)
            h.changeObjectiveSense(sense)
            h.run()
            assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
            found.append(h.getInfo().objective_function_value)
        ranges[(int(i), int(j))] = (found[0], found[1])
    return ranges


def test_a_2x2_with_one_small_cell_needs_three_more_suppressions() -> None:
    p = protect(np.array([[2, 10], [10, 10]]))

    assert p.primary.tolist() == [[True, False], [False, False]]
    assert p.suppressed.all()
    assert (p.primary_count, p.secondary_count) == (1, 3)
    assert p.row_totals.tolist() == [12, 20]
    assert p.col_totals.tolist() == [12, 20]
    assert p.grand_total == 32


def test_a_row_with_one_small_cell_gets_the_cheapest_rectangle() -> None:
    table = np.array([[3, 10, 20], [8, 9, 30], [12, 15, 40]])

    p = protect(table)

    # (0, 0) with the cheapest partners: 10 in its row, 8 in its column, 9 opposite.
    assert p.suppressed.astype(int).tolist() == [[1, 1, 0], [1, 1, 0], [0, 0, 0]]
    assert all(high > low for low, high in p.ranges.values())


def test_the_known_lp_ranges() -> None:
    p = protect(np.array([[3, 10, 20], [8, 9, 30], [12, 15, 40]]))

    # x00 + x01 = 13, x10 + x11 = 17, x00 + x10 = 11, x01 + x11 = 19, all >= 0
    assert feasible_ranges(p.published()) == {
        (0, 0): (0, 11),
        (0, 1): (2, 13),
        (1, 0): (0, 11),
        (1, 1): (6, 17),
    }


def test_zeros_are_published_and_not_sensitive() -> None:
    table = np.array([[0, 7, 9], [6, 0, 8], [0, 0, 0]])

    p = protect(table)

    assert not p.suppressed.any()
    assert p.ranges == {}


def test_zeros_can_be_the_only_partners() -> None:
    # Row 0 holds a single small cell; the cycle must run through zeros.
    p = protect(np.array([[1, 0], [6, 9]]))

    assert p.suppressed.all()
    assert all(high > low for low, high in p.ranges.values())


def test_a_table_with_nothing_to_suppress() -> None:
    p = protect(np.array([[5, 6], [7, 80]]))

    assert not p.suppressed.any()
    assert (p.primary_count, p.secondary_count) == (0, 0)


def test_the_threshold_is_configurable() -> None:
    table = np.array([[5, 12], [20, 30]])

    assert not protect(table).suppressed.any()
    assert protect(table, threshold=6).suppressed.all()
    assert not protect(np.array([[1, 2], [3, 4]]), threshold=1).suppressed.any()
    with pytest.raises(DisclosureError):
        protect(table, threshold=0)


def test_a_table_whose_totals_repeat_its_cells_is_refused() -> None:
    with pytest.raises(Unprotectable):
        protect(np.array([[1, 20, 30]]))
    with pytest.raises(Unprotectable):
        protect(np.array([[2, 0], [9, 0]]))


def test_the_audit_refuses_a_derivable_pattern(monkeypatch: pytest.MonkeyPatch) -> None:
    from doconnect.transparency.engine import suppress

    monkeypatch.setattr(suppress, "_can_move", lambda values, hidden, cell: True)

    with pytest.raises(DisclosureError, match="audit failed"):
        protect(np.array([[2, 10], [10, 10]]))


def test_bad_tables_are_refused() -> None:
    with pytest.raises(DisclosureError):
        protect(np.array([[1, -2], [3, 4]]))
    with pytest.raises(DisclosureError):
        protect(np.array([1, 2, 3]))


def test_two_way_sums_repeated_pairs_and_fills_zeros() -> None:
    table = two_way([("a", "x", 1), ("b", "y", 2), ("a", "x", 3)])

    assert table.row_labels == ("a", "b")
    assert table.col_labels == ("x", "y")
    assert table.cells.tolist() == [[4, 0], [0, 2]]


small_heavy = st.sampled_from([0, 0, 1, 1, 2, 3, 4, 4, 5, 6, 8, 12, 19, 30])


@st.composite
def tables(draw: st.DrawFn) -> np.ndarray:
    rows = draw(st.integers(2, 6))
    cols = draw(st.integers(2, 6))
    return np.array([[draw(small_heavy) for _ in range(cols)] for _ in range(rows)], dtype=np.int64)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), st.integers(1, 8))
def test_no_suppressed_cell_is_derivable(table: np.ndarray, threshold: int) -> None:
    try:
        p = protect(table, threshold)
    except Unprotectable:
        small = (table > 0) & (table < threshold)
        live_rows = int((table.sum(axis=1) > 0).sum())
        live_cols = int((table.sum(axis=0) > 0).sum())
        assert small.any() and min(live_rows, live_cols) < 2
        return
    assert (p.suppressed[(table > 0) & (table < threshold)]).all()
    published = p.published()
    assert (published.cells[~p.suppressed] == table[~p.suppressed]).all()
    ranges = independent_ranges(published)
    assert set(ranges) == set(p.ranges)
    for cell, (low, high) in ranges.items():
        assert high - low > 0.5, cell
        assert low - 1e-6 <= table[cell] <= high + 1e-6
        assert (round(low), round(high)) == p.ranges[cell]
