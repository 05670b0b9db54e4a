"""Dates of the demo city: its "today", the window's months (0 = 2021-12) as dates, and
day numbers since 2015-01-01 turned into ISO text by array lookups, so millions of dates
need no date objects. Pure, no Django."""

from __future__ import annotations

import datetime as dt

import numpy as np

from doconnect.demo.careers import N_MONTHS
from doconnect.demo.rows import IntArray, tolist
from doconnect.months import first_day as first_day_of_month
from doconnect.months import month_number

# The demo's "today": the window's last month. Consents, agreements and referrals are
# dated relative to it so the city looks the same whenever it is loaded.
DEMO_TODAY = dt.date(2026, 11, 23)


WINDOW_MONTH_0 = month_number(2021, 12)  # the month number of window month 0


def month_start(month: int) -> dt.date:
    """First day of window month ``month`` (0 = 2021-12; negative and later months too)."""
    return first_day_of_month(WINDOW_MONTH_0 + month)


def month_end(month: int) -> dt.date:
    return month_start(month + 1) - dt.timedelta(days=1)


_MONTH_RANGE = range(-240, 120)
START_ISO = {m: month_start(m).isoformat() for m in _MONTH_RANGE}
END_ISO = {m: month_end(m).isoformat() for m in _MONTH_RANGE}
# Lookup arrays for vectorised date strings over window months 0..59.
WINDOW_START_ISO = np.array([START_ISO[m] for m in range(N_MONTHS)], dtype=object)
WINDOW_END_ISO = np.array([END_ISO[m] for m in range(N_MONTHS)] + [None], dtype=object)
# Every day from 2015 to 2029 as ISO text, and each window month's first day in it:
# millions of dates become array lookups instead of date objects and isoformat calls.
_EPOCH = dt.date(2015, 1, 1)
_DAY_ISO = np.array(
    [
        (_EPOCH + dt.timedelta(days=d)).isoformat()
        for d in range((dt.date(2030, 1, 1) - _EPOCH).days)
    ],
    dtype=object,
)
_EPOCH_MONTH = -83  # 2015-01 in window months
_MONTH_FIRST_DAY = np.array(
    [(month_start(m) - _EPOCH).days for m in range(_EPOCH_MONTH, 97)], dtype=np.int64
)
TODAY_DAY = (DEMO_TODAY - _EPOCH).days


def first_day(months: IntArray) -> IntArray:
    """Day numbers (since 2015-01-01) of the first day of window months."""
    return _MONTH_FIRST_DAY[months - _EPOCH_MONTH]


def last_day(months: IntArray) -> IntArray:
    return _MONTH_FIRST_DAY[months + 1 - _EPOCH_MONTH] - 1


def iso_days(days: IntArray, suffix: str = "") -> list[str]:
    """ISO dates (or timestamps, with a time as suffix) for day numbers."""
    texts = _DAY_ISO[days]
    return tolist(texts + suffix if suffix else texts)
