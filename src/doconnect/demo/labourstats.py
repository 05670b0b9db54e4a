"""Labour-market statistics of the demo city in the long format of labourmarket
(``region, period, indicator, dimensions…, value``). Pure NumPy, no Django.

Monthly for the last 36 reported months, for the city ("Dortmund") and each district:
unemployed (Arbeitslose) in total, by gender, age band, legal branch, long-term and by
three-digit KldB group; job seekers (Arbeitsuchende) in total, by gender, age band and
legal branch; the unemployment rate. The city also by five-digit KldB code (unemployed
and job seekers) and three-digit group (job seekers), and registered vacancies
(gemeldete Arbeitsstellen, ``vacancies``) by five- and three-digit KldB: the job seekers
of each occupation divided by a ratio drawn once per occupation, 0.7–1.3 job seekers per
vacancy for the demo's shortage occupations (``occupations.SHORTAGE``), 2.5–9 for the
others, with a little monthly noise — so the statistics-based shortage table shows
shortage occupations. Employment subject to social
insurance by WZ 2008 section on 30 June of two years, for the city and for "NRW" as the
reference region (location quotients, shift-share).

District cells are drawn so that they add up (multinomial splits); the city's cells are
the districts' sums. As in the BA's tables, a count of 1 or 2 is kept secret (no value,
marker ``*``) and a zero is shown as ``-`` (no value); no secondary suppression.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from doconnect.demo import occupations as occ

IntArray = npt.NDArray[np.int64]
Row = tuple[Any, ...]

CITY = "Dortmund"
REFERENCE_REGION = "NRW"
MONTHS = 36
CITY_RATE = 0.116  # the city's unemployment rate over the last twelve months
IMPORTED_AT = "2026-11-20 06:00:00"
FIELDS = (
    "id",
    "region",
    "district",
    "period",
    "indicator",
    "age_band",
    "gender",
    "duration",
    "legal_branch",
    "kldb",
    "wz",
    "value",
    "marker",
    "imported_at",
)
AGE_BANDS = ("15-24", "25-54", "55-64")
AGE_SHARES = np.array([0.085, 0.705, 0.2, 0.01])  # the last: 65 and older, not shown
GENDERS = ("female", "male")
# Seasonal factor of unemployment by calendar month (January … December).
SEASON = np.array([1.05, 1.055, 1.03, 1.01, 0.995, 0.99, 1.015, 1.02, 0.99, 0.975, 0.97, 0.98])
GROUPS3 = np.unique(occ.GROUP3)
# Share of the unemployed whose occupation sought lies outside the demo's groups.
OTHER_OCCUPATIONS = 0.35

# WZ 2008 sections: share of employment in NRW and in the city on 30 June of the first
# year, and growth to the second (per cent), city then NRW.
WZ_SECTIONS: tuple[tuple[str, float, float, float, float], ...] = (
    ("A", 0.5, 0.25, -3, -2),
    ("B", 0.2, 0.05, -20, -15),
    ("C", 19.5, 9.8, -5, -2.5),
    ("D", 0.9, 1.4, 4, 3),
    ("E", 0.8, 0.9, 2, 2),
    ("F", 5.6, 4.6, 3, 4),
    ("G", 14.5, 13.2, -1, 0.5),
    ("H", 6.3, 8.9, 11, 5),
    ("I", 3.3, 3.4, 6, 4),
    ("J", 3.6, 5.6, 14, 9),
    ("K", 3.2, 4.7, -4, -3),
    ("L", 0.7, 0.8, 2, 2),
    ("M", 7.0, 7.2, 6, 5),
    ("N", 7.5, 9.1, 2, 1),
    ("O", 6.0, 6.6, 3, 3),
    ("P", 3.8, 5.0, 7, 5),
    ("Q", 15.8, 18.4, 9, 7),
    ("R", 0.8, 0.9, 3, 2),
    ("S", 2.3, 2.3, 0, 0),
    ("T", 0.1, 0.05, -5, -5),
    ("U", 0.03, 0.0, 0, 0),
)
EMPLOYMENT_TOTAL = {CITY: 238_000, REFERENCE_REGION: 7_050_000}
EMPLOYMENT_DATES = ("2021-06-30", "2025-06-30")


def _cell(value: int) -> tuple[int | None, str]:
    if value == 0:
        return None, "-"
    if value < 3:
        return None, "*"
    return value, ""


def _split(rng: np.random.Generator, totals: IntArray, shares: npt.ArrayLike) -> IntArray:
    """Multinomial split of every total (any shape) by the shares (last axis)."""
    p = np.asarray(shares, dtype=float)
    p = p / p.sum(axis=-1, keepdims=True)
    result: IntArray = rng.multinomial(totals, p).astype(np.int64)
    return result


def statistics_rows(
    rng: np.random.Generator,
    districts: Sequence[tuple[str, float]],
    periods: Sequence[str],
    calendar_months: IntArray,
    vacancies_rng: np.random.Generator | None = None,
) -> list[Row]:
    """All rows; ``districts`` are (name, weight) in primary key order, ``periods``
    the 36 months as YYYY-MM with their calendar months (1 … 12). The registered
    vacancies are drawn from ``vacancies_rng`` (a stream of their own, so every other
    row stays as it was) and come last; without it there are none."""
    n_d, n_t = len(districts), len(periods)
    weight = np.array([w for _name, w in districts])
    t = np.arange(n_t)
    # The city: about 33,000 unemployed, slowly rising, with the seasons.
    city = 31_500 * (1 + 0.03 * t / 12) * SEASON[calendar_months - 1]
    city = np.round(city * (1 + 0.004 * rng.standard_normal(n_t))).astype(np.int64)
    # Districts: need-weighted shares drifting a little over the years.
    drift = 1 + rng.normal(0, 0.04, n_d)[None, :] * (t[:, None] / n_t)
    unemployed = _split(rng, city, weight[None, :] * drift)  # (t, d)
    # The districts' rates (north 18 %, south 6 %) give their labour force.
    rate_base = 0.06 + 0.12 * (weight - weight.min()) / (weight.max() - weight.min())
    labour_force = unemployed[-12:].mean(axis=0) / rate_base
    labour_force *= unemployed[-12:].sum(axis=1).mean() / CITY_RATE / labour_force.sum()
    sgb2_share = 0.62 + 0.18 * (weight - weight.min()) / (weight.max() - weight.min())

    def breakdowns(total: IntArray) -> dict[tuple[str, str], IntArray]:
        """Cells by (dimension, value) for totals of shape (t, d)."""
        cells: dict[tuple[str, str], IntArray] = {}
        gender = _split(rng, total, [0.44, 0.559, 0.001])
        for k, code in enumerate(GENDERS):
            cells[("gender", code)] = gender[..., k]
        age = _split(rng, total, AGE_SHARES)
        for k, band in enumerate(AGE_BANDS):
            cells[("age_band", band)] = age[..., k]
        p2 = np.broadcast_to(sgb2_share, total.shape)
        branch = _split(rng, total, np.stack([p2, 1 - p2], axis=-1))
        cells[("legal_branch", "SGB II")] = branch[..., 0]
        cells[("legal_branch", "SGB III")] = branch[..., 1]
        return cells

    # Occupation groups: the demo's popularity with a long tail, trending a little.
    group_weight = np.array([occ.POPULARITY[g == occ.GROUP3].sum() for g in GROUPS3])
    group_weight = group_weight**1.6
    group_share = (1 - OTHER_OCCUPATIONS) * group_weight / group_weight.sum()
    group_trend = 1 + rng.normal(0, 0.15, len(GROUPS3))[None, :] * (t[:, None] / n_t)
    shares = np.concatenate(
        [group_share[None, :] * group_trend, np.full((n_t, 1), OTHER_OCCUPATIONS)], axis=1
    )

    def by_group(total: IntArray) -> IntArray:
        """(t, d, groups) counts."""
        return _split(rng, total, shares[:, None, :])[..., :-1]

    def by_code(groups: IntArray) -> IntArray:
        """(t, codes) from (t, groups) city counts."""
        out = np.zeros((n_t, occ.N_OCCUPATIONS), dtype=np.int64)
        for k, g in enumerate(GROUPS3.tolist()):
            members = np.flatnonzero(g == occ.GROUP3)
            out[:, members] = _split(rng, groups[:, k], occ.POPULARITY[members])
        return out

    # Job seekers: the unemployed and about 70 % more who are not (yet) unemployed.
    extra = _split(rng, np.round(city * 0.7).astype(np.int64), weight)
    seekers = unemployed + extra

    rows: list[Row] = []
    everywhere: list[tuple[str, int | None]] = [(CITY, None)]
    everywhere += [(name, d + 1) for d, (name, _w) in enumerate(districts)]
    city_only = everywhere[:1]

    def emit(
        indicator: str,
        dims: dict[str, str],
        values: IntArray,
        regions: list[tuple[str, int | None]] = everywhere,
    ) -> None:
        """values: (t, regions), the city first."""
        for r, (region, district) in enumerate(regions):
            for i, period in enumerate(periods):
                value, marker = _cell(int(values[i, r]))
                rows.append(
                    (
                        region,
                        district,
                        period,
                        indicator,
                        dims.get("age_band", ""),
                        dims.get("gender", ""),
                        dims.get("duration", ""),
                        dims.get("legal_branch", ""),
                        dims.get("kldb", ""),
                        "",
                        value,
                        marker,
                    )
                )

    def with_city(values: IntArray) -> IntArray:
        return np.concatenate([values.sum(axis=1, keepdims=True), values], axis=1)

    for indicator, total in (("unemployed", unemployed), ("job_seekers", seekers)):
        emit(indicator, {}, with_city(total))
        for (dimension, code), values in breakdowns(total).items():
            emit(indicator, {dimension: code}, with_city(values))
    long_term = rng.binomial(unemployed, 0.4 + 0.06 * (sgb2_share - 0.7))
    emit("unemployed", {"duration": "1y_plus"}, with_city(long_term.astype(np.int64)))
    groups = by_group(unemployed)  # (t, d, g)
    city_groups = groups.sum(axis=1)
    for k, g in enumerate(GROUPS3.tolist()):
        emit("unemployed", {"kldb": str(g)}, with_city(groups[:, :, k]))
    city_codes = by_code(city_groups)
    for k, code in enumerate(occ.CODES.tolist()):
        emit("unemployed", {"kldb": code}, city_codes[:, k : k + 1], city_only)
    seeker_groups = by_group(seekers.sum(axis=1, keepdims=True))[:, 0, :]
    seeker_codes = by_code(seeker_groups)
    for k, g in enumerate(GROUPS3.tolist()):
        emit("job_seekers", {"kldb": str(g)}, seeker_groups[:, k : k + 1], city_only)
    for k, code in enumerate(occ.CODES.tolist()):
        emit("job_seekers", {"kldb": code}, seeker_codes[:, k : k + 1], city_only)

    # Unemployment rate (per cent of the civilian labour force).
    force = np.concatenate([[labour_force.sum()], labour_force])
    rate = with_city(unemployed) / force[None, :] * 100
    for r, (region, district) in enumerate(everywhere):
        for i, period in enumerate(periods):
            rows.append(
                (region, district, period, "unemployment_rate", "", "", "", "", "", "",
                 f"{rate[i, r]:.1f}", "")
            )  # fmt: skip

    # Employment subject to social insurance by WZ section, two reference dates.
    for column, region in ((2, CITY), (1, REFERENCE_REGION)):
        share = np.array([s[column] for s in WZ_SECTIONS])
        growth = np.array([s[3] if region == CITY else s[4] for s in WZ_SECTIONS])
        base = share / share.sum() * EMPLOYMENT_TOTAL[region]
        jitter = 1 + rng.normal(0, 0.01, len(share))
        first = np.round(base * jitter).astype(np.int64)
        second = np.round(
            base * jitter * (1 + growth / 100) * (1 + rng.normal(0, 0.005, len(share)))
        )
        for date, values in zip(EMPLOYMENT_DATES, (first, second.astype(np.int64)), strict=True):
            rows.append(
                (region, None, date, "employed", "", "", "", "", "", "", int(values.sum()), "")
            )
            for (section, *_rest), value in zip(WZ_SECTIONS, values.tolist(), strict=True):
                shown, marker = _cell(int(value))
                rows.append(
                    (region, None, date, "employed", "", "", "", "", "", section, shown, marker)
                )
    # Registered vacancies last, so the rows before keep their ids.
    if vacancies_rng is not None:
        shortage = np.array([code in occ.SHORTAGE for code in occ.CODES.tolist()])
        ratio = np.where(
            shortage,
            vacancies_rng.uniform(0.7, 1.3, occ.N_OCCUPATIONS),
            vacancies_rng.uniform(2.5, 9.0, occ.N_OCCUPATIONS),
        )
        noise = 1 + 0.06 * vacancies_rng.standard_normal((n_t, occ.N_OCCUPATIONS))
        registered = np.round(seeker_codes / ratio[None, :] * noise).clip(0).astype(np.int64)
        for g in GROUPS3.tolist():
            members = np.flatnonzero(g == occ.GROUP3)
            emit(
                "vacancies",
                {"kldb": str(g)},
                registered[:, members].sum(axis=1)[:, None],
                city_only,
            )
        for k, code in enumerate(occ.CODES.tolist()):
            emit("vacancies", {"kldb": code}, registered[:, k : k + 1], city_only)
    return [(i + 1, *row, IMPORTED_AT) for i, row in enumerate(rows)]
