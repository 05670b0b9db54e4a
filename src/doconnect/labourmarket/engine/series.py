"""Indicator series per (region, group) over periods, with the change against the previous
period and against the same period a year earlier.

Periods are months ``YYYY-MM``, quarters ``YYYY-Qn`` or years ``YYYY``; one series (one
region and group) holds one kind of period. A value ``None`` is a figure the source did
not give (the BA's signs ``*`` kept secret, ``-`` nothing, ``.`` unknown, ``x`` not
meaningful, or an empty cell): every change that involves it is ``None`` too, never
computed as if it were 0. A period absent from the data counts as missing in the same way.
The percent change is ``None`` as well when the earlier value is 0.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from doconnect.months import month_number, year_and_month

PeriodKind = Literal["year", "quarter", "month"]
STEPS_PER_YEAR: dict[str, int] = {"year": 1, "quarter": 4, "month": 12}
MONTHS_PER_PERIOD: dict[str, int] = {"year": 12, "quarter": 3, "month": 1}
SIGNS = frozenset({"*", "-", ".", "x", ""})

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class PeriodError(ValueError):
    """A period label that is not ``YYYY``, ``YYYY-Qn`` or ``YYYY-MM``, or mixed kinds."""


@dataclass(frozen=True, order=True)
class Period:
    """A year (``sub`` 1), quarter (``sub`` 1–4) or month (``sub`` 1–12); its arithmetic
    is the month arithmetic of ``doconnect.months`` in steps of its length."""

    kind: PeriodKind
    year: int
    sub: int

    @classmethod
    def parse(cls, label: str) -> Period:
        text = label.strip() if isinstance(label, str) else ""
        if m := _MONTH.match(text):
            return cls("month", int(m.group(1)), int(m.group(2)))
        if m := _QUARTER.match(text):
            return cls("quarter", int(m.group(1)), int(m.group(2)))
        if m := _YEAR.match(text):
            return cls("year", int(m.group(1)), 1)
        raise PeriodError(f"period {label!r}: expected YYYY, YYYY-Qn or YYYY-MM")

    @classmethod
    def holding(cls, kind: PeriodKind, month: int) -> Period:
        """The period of ``kind`` that holds the month with number ``month``."""
        year, calendar_month = year_and_month(month)
        return cls(kind, year, (calendar_month - 1) // MONTHS_PER_PERIOD[kind] + 1)

    @property
    def first_month(self) -> int:
        """The month number of the period's first month."""
        return month_number(self.year, (self.sub - 1) * MONTHS_PER_PERIOD[self.kind] + 1)

    @property
    def index(self) -> int:
        """Consecutive number: periods of one kind one apart differ by 1."""
        return self.first_month // MONTHS_PER_PERIOD[self.kind]

    def shift(self, steps: int) -> Period:
        return Period.holding(self.kind, self.first_month + steps * MONTHS_PER_PERIOD[self.kind])

    def previous(self) -> Period:
        return self.shift(-1)

    def year_earlier(self) -> Period:
        return self.shift(-STEPS_PER_YEAR[self.kind])

    def __str__(self) -> str:
        if self.kind == "month":
            return f"{self.year:04d}-{self.sub:02d}"
        if self.kind == "quarter":
            return f"{self.year:04d}-Q{self.sub}"
        return f"{self.year:04d}"


def parse_value(text: str | float | int | None) -> float | None:
    """A source cell as a number, or ``None`` for a sign (``*``, ``-``, ``.``, ``x``) or an
    empty cell. A decimal comma is accepted (``12,5``)."""
    if text is None:
        return None
    if isinstance(text, int | float):
        return float(text)
    cleaned = text.strip()
    if cleaned in SIGNS:
        return None
    return float(cleaned.replace(",", "."))


@dataclass(frozen=True)
class SeriesPoint:
    region: str
    group: str
    period: str
    value: float | None
    previous: float | None  # the value of the period before (None: missing)
    change: float | None  # value − previous
    pct_change: float | None  # 100 · change / previous
    year_ago: float | None  # the value of the same period a year earlier
    yoy_change: float | None
    yoy_pct_change: float | None


def _change(now: float | None, before: float | None) -> tuple[float | None, float | None]:
    if now is None or before is None:
        return None, None
    diff = now - before
    return diff, (100.0 * diff / before if before != 0 else None)


def indicator_series(
    rows: Iterable[tuple[str, str, str, float | None]],
) -> list[SeriesPoint]:
    """``rows`` of ``(region, group, period, value)`` → one point per row with its changes,
    ordered by region, group and period. The same (region, group, period) twice, or two
    kinds of period in one series, raise ``PeriodError``."""
    series: dict[tuple[str, str], dict[Period, float | None]] = {}
    kinds: dict[tuple[str, str], str] = {}
    for region, group, label, value in rows:
        period = Period.parse(label)
        key = (region, group)
        if kinds.setdefault(key, period.kind) != period.kind:
            raise PeriodError(
                f"{region}/{group}: {label} is a {period.kind}, the series holds {kinds[key]}s"
            )
        values = series.setdefault(key, {})
        if period in values:
            raise PeriodError(f"{region}/{group}: period {label} given twice")
        values[period] = None if value is None else float(value)
    points: list[SeriesPoint] = []
    for (region, group), values in sorted(series.items()):
        for period in sorted(values):
            value = values[period]
            before = values.get(period.previous())
            year_ago = values.get(period.year_earlier())
            change, pct = _change(value, before)
            yoy, yoy_pct = _change(value, year_ago)
            points.append(
                SeriesPoint(
                    region, group, str(period), value, before, change, pct, year_ago, yoy, yoy_pct
                )
            )
    return points
