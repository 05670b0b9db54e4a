"""The report's disclosure control: small cells and small totals hidden, nothing
hidden recomputable."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from doconnect.transparency.engine import Published, feasible_ranges
from doconnect.transparency.protection import (
    margin_hidden,
    protect_counts,
    protect_table,
)


def test_a_single_small_count_hides_the_next_smallest_too() -> None:
    assert margin_hidden([12, 3, 7, 0], 5) == [False, True, True, False]
    protected = protect_counts([12, 3, 7, 0], 5)
    assert protected.values == [12, None, None, 0]
    assert protected.total == 22


def test_two_small_counts_hide_each_other() -> None:
    assert protect_counts([2, 3, 40], 5).values == [None, None, 40]


def test_a_small_total_hides_every_count() -> None:
    protected = protect_counts([1, 2, 0], 5)
    assert protected.values == [None, None, 0]
    assert protected.total is None


def test_a_table_without_small_figures_is_published_whole() -> None:
    protected = protect_table([[6, 0], [0, 5]], 5)
    assert protected.cells == [[6, 0], [0, 5]]
    assert protected.row_totals == [6, 5]
    assert protected.col_totals == [6, 5]
    assert protected.grand_total == 11
    assert protected.hidden == 0


def test_a_table_with_one_non_zero_row_hides_its_cells_and_small_column_totals() -> None:
    # disclosure.protect refuses it (the column totals repeat the cells)
    protected = protect_table([[4, 0, 2]], 5)
    assert protected.cells == [[None, 0, None]]
    assert protected.col_totals == [None, 0, None]
    assert protected.row_totals == [6]
    assert protected.grand_total == 6


def test_a_small_row_total_is_hidden_with_a_second_one() -> None:
    protected = protect_table([[10, 12, 9], [2, 1, 0], [8, 7, 11]], 5)
    assert protected.row_totals[1] is None
    assert sum(total is None for total in protected.row_totals) == 2
    assert protected.cells[1][0] is None and protected.cells[1][1] is None


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 4).flatmap(
        lambda rows: st.integers(2, 4).flatmap(
            lambda cols: st.lists(
                st.lists(st.integers(0, 12), min_size=cols, max_size=cols),
                min_size=rows,
                max_size=rows,
            )
        )
    )
)
def test_no_small_figure_is_shown_and_no_hidden_cell_can_be_recomputed(
    cells: list[list[int]],
) -> None:
    table = np.array(cells, dtype=np.int64)
    protected = protect_table(cells, 5)
    for i, row in enumerate(cells):
        for j, value in enumerate(row):
            if 0 < value < 5:
                assert protected.cells[i][j] is None
            if protected.cells[i][j] is not None:
                assert protected.cells[i][j] == value
    for total, value in zip(protected.row_totals, table.sum(axis=1), strict=True):
        assert total is None or (total == value and not 0 < value < 5)
    for total, value in zip(protected.col_totals, table.sum(axis=0), strict=True):
        assert total is None or (total == value and not 0 < value < 5)
    hidden = np.array([[c is None for c in row] for row in protected.cells])
    if hidden.any() and None not in protected.row_totals + protected.col_totals:
        # all totals shown: the disclosure engine's own audit must agree
        published = Published(
            cells=np.where(hidden, -1, table),
            suppressed=hidden,
            row_totals=table.sum(axis=1),
            col_totals=table.sum(axis=0),
            grand_total=int(table.sum()),
        )
        for (i, j), (low, high) in feasible_ranges(published).items():
            if 0 < table[i, j] < 5:
                assert high > low, (cells, (i, j))


def test_a_table_without_rows_is_published_empty_with_its_columns() -> None:
    protected = protect_table([], 5, columns=3)
    assert (protected.cells, protected.row_totals) == ([], [])
    assert (protected.col_totals, protected.grand_total, protected.hidden) == ([0, 0, 0], 0, 0)
