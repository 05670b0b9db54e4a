"""Location quotients and shift-share of employment by WZ section from the statistics
(``engine/regional.py``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from doconnect.labourmarket.analyses.common import AnalysisError, as_number
from doconnect.labourmarket.engine import regional as regional_engine
from doconnect.labourmarket.models import Indicator, Statistic
from doconnect.labourmarket.statistics_file import DIMENSIONS


@dataclass(frozen=True)
class RegionalResult:
    region: str
    reference: str
    start_period: str
    end_period: str
    location_quotients: dict[str, float | None]  # at the end period
    start_location_quotients: dict[str, float | None]
    shift_share: regional_engine.ShiftShare
    employment: dict[str, dict[str, dict[str, float | None]]]  # region → period → wz → n


def _employment(
    regions: Iterable[str],
) -> tuple[dict[str, dict[str, dict[str, float | None]]], dict[str, dict[str, float | None]]]:
    """Employment by WZ per region and period, and the totals (wz empty). One query."""
    rows = Statistic.objects.filter(indicator=Indicator.EMPLOYED, region__in=list(regions))
    rows = rows.filter(**{n: "" for n in DIMENSIONS if n != "wz"})
    sectors: dict[str, dict[str, dict[str, float | None]]] = defaultdict(dict)
    totals: dict[str, dict[str, float | None]] = defaultdict(dict)
    for region, period, wz, value in rows.values_list("region", "period", "wz", "value"):
        if wz:
            sectors[region].setdefault(period, {})[wz] = as_number(value)
        else:
            totals[region][period] = as_number(value)
    return sectors, totals


def _period_in(periods: Iterable[str], year: int, who: str) -> str:
    found = sorted(p for p in periods if p.startswith(f"{year:04d}"))
    if not found:
        raise AnalysisError(f"no employment by sector for {who} in {year}")
    return found[-1]


def _default_region(reference: str) -> str:
    regions = set(
        Statistic.objects.filter(indicator=Indicator.EMPLOYED, district__isnull=True)
        .exclude(wz="")
        .exclude(region=reference)
        .values_list("region", flat=True)
        .distinct()
    )
    if len(regions) != 1:
        raise AnalysisError(
            "name the region: employment by sector for "
            + (", ".join(sorted(regions)) if regions else "no region besides the reference")
        )
    return regions.pop()


def regional_from_db(
    *,
    reference: str,
    region: str | None = None,
    start_year: int | None = None,
    end_year: int | None = None,
) -> RegionalResult:
    """Location quotients (start and end) and shift-share of employment by WZ section
    between ``start_year`` and ``end_year`` (default: the first and last year with data
    for the region); in each year the latest reference day. The totals (rows without
    ``wz``) are used as the totals when given, else the sectors' sums. Two queries at
    most (one without ``region``)."""
    region = region or _default_region(reference)
    if region == reference:
        raise AnalysisError("region and reference are the same")
    sectors, totals = _employment([region, reference])
    for who in (region, reference):
        if who not in sectors:
            raise AnalysisError(f"no employment by sector for {who}")
    years = sorted({int(p[:4]) for p in sectors[region]})
    start_year = years[0] if start_year is None else start_year
    end_year = years[-1] if end_year is None else end_year
    if start_year >= end_year:
        raise AnalysisError(f"the start year {start_year} must be before the end {end_year}")
    r0 = _period_in(sectors[region], start_year, region)
    r1 = _period_in(sectors[region], end_year, region)
    f0 = _period_in(sectors[reference], start_year, reference)
    f1 = _period_in(sectors[reference], end_year, reference)

    def lq(rp: str, fp: str) -> dict[str, float | None]:
        return regional_engine.location_quotients(
            sectors[region][rp],
            sectors[reference][fp],
            region_total=totals[region].get(rp),
            reference_total=totals[reference].get(fp),
        )

    ss = regional_engine.shift_share(
        sectors[region][r0],
        sectors[region][r1],
        sectors[reference][f0],
        sectors[reference][f1],
        reference_total_start=totals[reference].get(f0),
        reference_total_end=totals[reference].get(f1),
    )
    employment = {
        who: {p: dict(sorted(sectors[who][p].items())) for p in (p0, p1)}
        for who, p0, p1 in ((region, r0, r1), (reference, f0, f1))
    }
    return RegionalResult(region, reference, r0, r1, lq(r1, f1), lq(r0, f0), ss, employment)


def location_quotients_from_db(
    *, region: str | None = None, reference: str, year: int | None = None
) -> dict[str, float | None]:
    """The location quotients of ``year`` (default: the latest year with data)."""
    result = regional_from_db(region=region, reference=reference, end_year=year, start_year=None)
    return result.location_quotients


def shift_share_from_db(
    *, region: str | None = None, reference: str, start_year: int, end_year: int
) -> regional_engine.ShiftShare:
    return regional_from_db(
        region=region, reference=reference, start_year=start_year, end_year=end_year
    ).shift_share
