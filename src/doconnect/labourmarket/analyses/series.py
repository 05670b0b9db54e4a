"""Indicator series from the statistics: the engine's changes against the previous
period and the previous year (``doconnect.labourmarket.engine.series``)."""

from __future__ import annotations

from doconnect.labourmarket.analyses.common import AnalysisError, as_number
from doconnect.labourmarket.engine.series import PeriodError, SeriesPoint, indicator_series
from doconnect.labourmarket.models import Indicator, Statistic
from doconnect.labourmarket.statistics_file import DIMENSIONS


def _period_label(period: str) -> str:
    """A statistics period as the engine reads it: a reference day counts as its month."""
    if len(period) == 10 and period[4] == "-" and period[7] == "-":
        return period[:7]
    return period


def indicator_series_from_db(
    *,
    indicator: str,
    region: str | None = None,
    district: str | None = None,
    by: str | None = None,
    **dimensions: str,
) -> list[SeriesPoint]:
    """The engine's series of one indicator with its changes against the previous period
    and the previous year, one series per region (and per value of the dimension ``by``).

    ``region``: a region as stored (``Dortmund``, ``NRW``, a district's name);
    ``district``: a district's name (its rows, whatever their region label); neither:
    every region. ``dimensions``: ``gender="female"`` etc.; dimensions not named are
    the total over them (empty). A suppressed figure stays ``None``, and so do the
    changes built on it. One query."""
    if indicator not in Indicator.values:
        raise AnalysisError(f"unknown indicator {indicator!r}: one of {', '.join(Indicator)}")
    unknown = sorted(set(dimensions) - set(DIMENSIONS))
    if unknown:
        raise AnalysisError(f"unknown dimension {unknown[0]!r}: one of {', '.join(DIMENSIONS)}")
    if by is not None and by not in DIMENSIONS:
        raise AnalysisError(f"unknown dimension {by!r}: one of {', '.join(DIMENSIONS)}")
    if by is not None and by in dimensions:
        raise AnalysisError(f"{by} is both the grouping and a filter")
    rows = Statistic.objects.filter(indicator=indicator)
    if region:
        rows = rows.filter(region=region)
    if district:
        rows = rows.filter(district__name=district)
    for name in DIMENSIONS:
        if name == by:
            rows = rows.exclude(**{name: ""})
        else:
            rows = rows.filter(**{name: dimensions.get(name, "")})
    group_field = by or "indicator"
    found = [
        (r, (g if by else ""), _period_label(p), as_number(v))
        for r, g, p, v in rows.values_list("region", group_field, "period", "value")
    ]
    if not found:
        raise AnalysisError(f"no statistics for {indicator} with these filters")
    try:
        return indicator_series(found)
    except PeriodError as exc:
        raise AnalysisError(str(exc)) from exc
