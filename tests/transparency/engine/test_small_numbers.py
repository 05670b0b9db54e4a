"""The small-number rule, written once in the disclosure engine for every figure."""

from __future__ import annotations

import numpy as np
import pytest

from doconnect.transparency.engine import hide_small, is_small, too_few


@pytest.mark.parametrize(("count", "small"), [(0, False), (1, True), (4, True), (5, False)])
def test_a_count_of_one_to_threshold_minus_one_persons_is_small_and_zero_is_not(
    count: int, small: bool
) -> None:
    assert is_small(count, 5) is small


def test_a_demand_in_fractions_of_persons_is_small_below_the_threshold_too() -> None:
    assert is_small(4.5, 5) and not is_small(5.0, 5) and not is_small(0.0, 5)


def test_a_table_is_judged_cell_by_cell_like_single_counts() -> None:
    table = np.array([[0, 1, 4], [5, 2, 30]], dtype=np.int64)

    small = is_small(table, 5)

    assert small.tolist() == [[False, True, True], [False, True, False]]
    assert small.tolist() == [[is_small(int(v), 5) for v in row] for row in table]


def test_a_small_count_is_hidden_and_others_are_shown_as_they_are() -> None:
    assert [hide_small(n, 3) for n in (0, 1, 2, 3, 40)] == [0, None, None, 3, 40]


def test_a_count_hidden_at_the_source_stays_hidden() -> None:
    assert hide_small(None, 3) is None


def test_a_group_below_the_threshold_is_too_few_to_describe_even_when_empty() -> None:
    assert too_few(0, 5) and too_few(4, 5)
    assert not too_few(5, 5)


def test_with_threshold_one_nothing_is_small_but_an_empty_group_is_still_too_few() -> None:
    assert not is_small(1, 1) and hide_small(1, 1) == 1
    assert too_few(0, 1) and not too_few(1, 1)
