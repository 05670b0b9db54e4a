"""What the labour-market pages read: the monthly indicators of the city and its
districts, and the job seekers per occupation over the last months (sparklines). Counts
of persons obey the small-number rule (the disclosure engine's ``hide_small``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from django.db.models import Q

from doconnect.charts.chart import Cell
from doconnect.core.models import District
from doconnect.labourmarket.display import SUPPRESSED, rounded
from doconnect.labourmarket.engine.series import SeriesPoint, indicator_series
from doconnect.labourmarket.engine.shortage import aggregate
from doconnect.labourmarket.models import Indicator, Statistic
from doconnect.labourmarket.statistics_file import DIMENSIONS
from doconnect.months import add_months
from doconnect.people.models import Spell, SpellState
from doconnect.transparency.engine import hide_small

INDICATORS = (Indicator.UNEMPLOYED, Indicator.JOB_SEEKERS, Indicator.UNEMPLOYMENT_RATE)
SPARK_MONTHS = 12


@dataclass(frozen=True)
class Figures:
    """The indicators in total (no dimension) of the city and every district, monthly."""

    city: str | None
    districts: list[District]
    series: dict[tuple[str, str], list[SeriesPoint]]  # (area, indicator) → months, oldest first
    markers: dict[tuple[str, str, str], str]  # (area, indicator, month) → sign

    def points(self, area: str, indicator: str) -> list[SeriesPoint]:
        return self.series.get((area, indicator), [])

    def latest(self, area: str, indicator: str) -> SeriesPoint | None:
        points = self.points(area, indicator)
        return points[-1] if points else None

    def shown(self, area: str, indicator: str, point: SeriesPoint | None) -> Cell:
        """The figure as shown: the number, else the source's sign, else None ("–")."""
        if point is None:
            return None
        if point.value is None:
            return self.markers.get((area, indicator, point.period)) or SUPPRESSED
        return rounded(point.value, indicator)


def load_figures() -> Figures:
    """Two queries: the districts and the statistics in total (no dimension) of the
    three indicators; a reference day counts as its month. The city is the region
    without a district with the most such figures."""
    districts = list(District.objects.order_by("name"))
    names = {d.pk: d.name for d in districts}
    rows = Statistic.objects.filter(
        indicator__in=[str(i) for i in INDICATORS], **{n: "" for n in DIMENSIONS}
    ).values_list("region", "district_id", "period", "indicator", "value", "marker")
    found: dict[tuple[str, str], list[tuple[str, str, str, float | None]]] = defaultdict(list)
    markers: dict[tuple[str, str, str], str] = {}
    city_rows: dict[str, int] = defaultdict(int)
    for region, district_id, period, indicator, value, marker in rows:
        month = period[:7]
        if len(month) != 7 or month[4] != "-":
            continue  # years and quarters are not on the monthly pages
        area = names.get(district_id, region) if district_id else region
        if not district_id:
            city_rows[region] += 1
        found[(area, indicator)].append((area, "", month, None if value is None else float(value)))
        if marker:
            markers[(area, indicator, month)] = marker
    city = min(city_rows, key=lambda r: (-city_rows[r], r)) if city_rows else None
    series: dict[tuple[str, str], list[SeriesPoint]] = {}
    for key, cells in found.items():
        unique = {c[2]: c for c in cells}  # a month twice (day and month): the last one
        points = indicator_series(list(unique.values()))
        series[key] = sorted(points, key=lambda p: p.period)
    return Figures(city, districts, series, markers)


def _months_back(day: dt.date, n: int) -> list[dt.date]:
    """``day`` and the same day in the ``n − 1`` months before, oldest first."""
    return [add_months(day, -k) for k in range(n - 1, -1, -1)]


def job_seeker_history(
    *,
    source: str,
    region: str | None,
    period: str | None,
    as_of: dt.date,
    level: int | Literal["skill"],
    floor: int,
    district: District | None = None,
) -> tuple[list[dt.date], dict[str, list[int | None]]]:
    """Job seekers per row of the shortage table in the last 12 months (oldest first):
    the days counted (the first of each month for statistics) and per row one count a
    day, from the same source as the table (and district), under the small-number rule.
    One query."""
    digits = 5 if level == "skill" else int(level)
    history: dict[str, list[int | None]] = defaultdict(lambda: [0] * SPARK_MONTHS)
    if source == "statistics" and period:
        days = _months_back(dt.date(int(period[:4]), int(period[5:7]), 1), SPARK_MONTHS)
        months = [f"{d:%Y-%m}" for d in days]
        rows = Statistic.objects.filter(
            indicator=Indicator.JOB_SEEKERS, period__in=months, district=district
        ).exclude(kldb="")
        rows = rows.filter(**{n: "" for n in DIMENSIONS if n != "kldb"})
        if region:
            rows = rows.filter(region=region)
        by_month: dict[str, dict[str, int | None]] = defaultdict(dict)
        for month, code, value in rows.values_list("period", "kldb", "value"):
            by_month[month][code] = None if value is None else int(value)
        lengths = sorted({len(c) for c in by_month.get(period, {})})
        usable = [n for n in lengths if n >= digits]
        if not usable:
            return days, {}
        length = usable[0]
        for i, month in enumerate(months):
            cells = {c: v for c, v in by_month.get(month, {}).items() if len(c) == length}
            for key, n in aggregate(cells, level).items():
                history[key][i] = hide_small(n, floor)
        return days, dict(history)
    days = _months_back(as_of, SPARK_MONTHS)
    spells = Spell.objects.filter(
        Q(end__isnull=True) | Q(end__gte=days[0]), state=SpellState.UNEMPLOYED, start__lte=as_of
    ).exclude(kldb="")
    if district is not None:
        spells = spells.filter(person__district=district)
    persons: list[dict[str, set[int]]] = [defaultdict(set) for _d in days]
    for person, code, start, end in spells.values_list("person_id", "kldb", "start", "end"):
        if len(code) != 5 or not code.isdigit() or code[4] not in "1234":
            continue
        for i, day in enumerate(days):
            if start <= day and (end is None or end >= day):
                persons[i][code].add(person)
    for i, found in enumerate(persons):
        counts: dict[str, int | None] = {c: len(p) for c, p in found.items()}
        for key, n in aggregate(counts, level).items():
            history[key][i] = hide_small(n, floor)
    return days, dict(history)
