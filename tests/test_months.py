"""The one month arithmetic every domain and engine uses (``doconnect.months``)."""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from doconnect.months import (
    add_months,
    first_day,
    month_number,
    month_numbers,
    month_of,
    year_and_month,
)


def test_consecutive_months_have_consecutive_numbers_across_a_year_end() -> None:
    assert month_number(2025, 12) + 1 == month_number(2026, 1)
    assert month_of(dt.date(2026, 3, 31)) == month_number(2026, 3) == 2026 * 12 + 2


def test_a_month_number_turns_back_into_its_year_month_and_first_day() -> None:
    for number in (month_number(2025, 12), month_number(2026, 1), month_number(1999, 7)):
        year, month = year_and_month(number)
        assert month_number(year, month) == number
        assert first_day(number) == dt.date(year, month, 1)
    assert year_and_month(month_number(2026, 1) - 1) == (2025, 12)


def test_months_are_added_with_the_last_day_of_a_shorter_month() -> None:
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2026, 8, 15), 6) == dt.date(2027, 2, 15)
    assert add_months(dt.date(2025, 12, 1), 12) == dt.date(2026, 12, 1)


def test_months_are_taken_away_across_a_year_end_keeping_the_day_where_it_exists() -> None:
    assert add_months(dt.date(2026, 1, 15), -1) == dt.date(2025, 12, 15)
    assert add_months(dt.date(2026, 5, 31), -3) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 8, 31), -3) == dt.date(2026, 5, 31)
    assert add_months(dt.date(2026, 3, 31), -25) == dt.date(2024, 2, 29)


def test_many_days_get_their_month_numbers_at_once_and_a_missing_day_the_given_value() -> None:
    days = [dt.date(1969, 12, 31), dt.date(2026, 2, 1), None, dt.date(1970, 1, 1)]

    numbers = month_numbers(days, missing=-7)

    assert numbers.tolist() == [month_number(1969, 12), month_number(2026, 2), -7, 1970 * 12]


@given(st.lists(st.one_of(st.none(), st.dates(), st.datetimes())), st.integers(-99, 99))
def test_the_many_days_way_agrees_with_the_one_day_way(
    days: list[dt.date | None], missing: int
) -> None:
    expected = [missing if day is None else month_of(day) for day in days]
    assert month_numbers(days, missing).tolist() == expected
    assert month_numbers(days, missing).dtype == np.int64
