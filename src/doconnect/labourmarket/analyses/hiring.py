"""Hiring forecasts: vacancies published per employer in three-month windows, the
engine's back-test and forecast (``engine/hiring.py``). Vacancies are no persons: no
small-number rule."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from doconnect.core.models import District
from doconnect.labourmarket.analyses.common import AnalysisError
from doconnect.labourmarket.employers.models import Vacancy
from doconnect.labourmarket.engine import hiring as hiring_engine
from doconnect.months import add_months

HIRING_QUARTERS = 12


@dataclass(frozen=True)
class HiringResult:
    as_of: dt.date
    windows: tuple[tuple[dt.date, dt.date], ...]  # (first day, last day), oldest first
    first_window_partial: bool  # the history starts after the first window begins
    first_published: dt.date | None
    vacancies_counted: int
    employers: dict[str, str]  # key → name
    series: dict[str, list[int]]
    backtest: hiring_engine.BacktestReport
    forecasts: tuple[hiring_engine.HiringForecast, ...]
    district: District | None = None

    @property
    def shipping_model(self) -> int:
        return sum(1 for f in self.forecasts if f.method == "model")

    @property
    def fallback_reasons(self) -> dict[str, int]:
        return dict(Counter(f.reason for f in self.forecasts if f.reason))


def hiring_windows(as_of: dt.date, quarters: int) -> tuple[tuple[dt.date, dt.date], ...]:
    """The ``quarters`` three-month windows ending on ``as_of``, oldest first: the last
    is (``as_of`` three months earlier + 1 day … ``as_of``). Every window ends on
    ``as_of``'s day of the month, or the month's last day where it has none, so that
    ``as_of`` on a month's last day gives windows of whole months."""
    ends = [add_months(as_of, -3 * k) for k in range(quarters, -1, -1)]
    return tuple((ends[i] + dt.timedelta(days=1), ends[i + 1]) for i in range(quarters))


def hiring_from_db(
    *,
    as_of: dt.date,
    quarters: int = HIRING_QUARTERS,
    min_train: int = hiring_engine.MIN_TRAIN,
    district: District | None = None,
) -> HiringResult:
    """Vacancies published per employer in the three-month windows ending on ``as_of``,
    the engine's back-test (rolling origin, model against "same as last quarter") and
    the forecast for the next three months by the shipping rule. With ``district``:
    only the vacancies placed in it (an employer's hiring there). One query."""
    if quarters < 2:
        raise AnalysisError("need at least 2 quarters of history")
    windows = hiring_windows(as_of, quarters)
    start = windows[0][0]
    rows = Vacancy.objects.filter(published_on__isnull=False, published_on__lte=as_of)
    if district is not None:
        rows = rows.filter(district=district)
    names: dict[str, str] = {}
    series: dict[str, list[int]] = {}
    first: dt.date | None = None
    counted = 0
    ends = [w[1] for w in windows]
    for org_id, org_key, org_name, name, day in rows.values_list(
        "employer_id", "employer__external_id", "employer__name", "employer_name", "published_on"
    ):
        if day is None:
            continue
        first = day if first is None or day < first else first
        if day < start:
            continue
        key = org_key if org_id is not None else (f"name:{name}" if name else None)
        if key is None:
            continue
        names[key] = org_name if org_id is not None else name
        i = next(k for k, end in enumerate(ends) if day <= end)
        series.setdefault(key, [0] * quarters)[i] += 1
        counted += 1
    if not series:
        where = f" in {district.name}" if district else ""
        raise AnalysisError(f"no vacancies with an employer{where} published up to {as_of}")
    report = hiring_engine.backtest(series, min_train)
    forecasts = hiring_engine.forecast_hires(series, min_train)
    return HiringResult(
        as_of=as_of,
        windows=windows,
        first_window_partial=first is not None and first > start,
        first_published=first,
        vacancies_counted=counted,
        employers=names,
        series=series,
        backtest=report,
        forecasts=tuple(forecasts),
        district=district,
    )
