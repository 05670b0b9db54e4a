"""Month arithmetic, written once for every domain and every engine (pure: no Django, no
domain, so engines may import it).

A month is one whole number, its *month number*: ``year × 12 + month − 1`` (January of
year 0 is 0). Consecutive months differ by 1, so "n months later" is an addition and the
months between two dates a subtraction; ``year_and_month`` turns a number back.
Adding months to a *day* keeps the day of the month where the target month has it and
takes the month's last day where it has not (31 January + 1 month = 28 or 29 February).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

MONTHS_PER_YEAR = 12


def month_number(year: int, month: int) -> int:
    """The month number of ``month`` (1–12) of ``year``."""
    return year * MONTHS_PER_YEAR + month - 1


def month_of(day: dt.date) -> int:
    """The month number of the month ``day`` lies in."""
    return month_number(day.year, day.month)


def year_and_month(number: int) -> tuple[int, int]:
    """The year and the month (1–12) of a month number."""
    year, index = divmod(number, MONTHS_PER_YEAR)
    return year, index + 1


def first_day(number: int) -> dt.date:
    """The first day of the month with this number."""
    year, month = year_and_month(number)
    return dt.date(year, month, 1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (earlier when negative); a day the target month
    does not have (the 31st, 29 February) becomes that month's last day."""
    year, month = year_and_month(month_of(day) + months)
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_numbers(days: Iterable[dt.date | None], missing: int) -> npt.NDArray[np.int64]:
    """The month numbers of many days at once (NumPy); ``missing`` where a day is None.
    Read from each day's year and month: NumPy's own conversion of date objects
    (``dtype="datetime64[M]"``) took ten times as long, most of a report build."""
    return np.array(
        [missing if day is None else day.year * MONTHS_PER_YEAR + day.month - 1 for day in days],
        dtype=np.int64,
    )
