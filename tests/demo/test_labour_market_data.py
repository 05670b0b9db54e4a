"""The demo city's data for the labour-market analyses (issue #7): occupations in the
biographies, how long vacancies stay open, and the BA-style statistics."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from functools import cache

import pytest

from doconnect.demo.districts import DISTRICTS
from doconnect.demo.generator import CityGenerator
from doconnect.demo.occupation_codes import KLDB_INDEX, OCCUPATIONS
from doconnect.demo.occupations import SHORTAGE
from doconnect.demo.rows import Table
from doconnect.labourmarket.employers.models import Vacancy
from doconnect.labourmarket.models import Indicator, Marker, Statistic
from doconnect.people.models import Spell

from .test_generator import rows_as_dicts

TODAY = dt.date(2026, 11, 23)
OCCUPATION_STATES = {
    "employment",
    "apprenticeship",
    "subsidised_employment",
    "marginal_employment",
    "unemployed",
}


@cache
def tables(seed: int = 2026, scale: float = 0.3) -> dict[str, Table]:
    out: dict[str, Table] = {}
    for table in CityGenerator(seed, scale).tables():
        if table.label in out:
            earlier = out[table.label]
            table = Table(table.model, table.fields, earlier.rows + table.rows, table.m2m)
        out[table.label] = table
    return out


def test_employment_and_unemployment_spells_have_a_known_occupation_the_others_none() -> None:
    spells = rows_as_dicts(tables()["people.Spell"])
    for spell in spells:
        if spell["state"] in OCCUPATION_STATES:
            assert spell["kldb"] in KLDB_INDEX, spell
        else:
            assert spell["kldb"] == "", spell


def test_occupations_change_along_biographies_mostly_within_the_same_group() -> None:
    last: dict[int, str] = {}
    changes: Counter[str] = Counter()
    kept = 0
    for spell in rows_as_dicts(tables()["people.Spell"]):
        code = spell["kldb"]
        if not code:
            continue
        before = last.get(spell["person"])
        last[spell["person"]] = code
        if before is None:
            continue
        if before == code:
            kept += 1
        elif before[:3] == code[:3]:
            changes["same 3-digit group"] += 1
        elif before[:2] == code[:2]:
            changes["same 2-digit group"] += 1
        else:
            changes["further"] += 1
    total = sum(changes.values())
    assert total > 300  # changes are there to observe
    assert kept > total  # most spells keep the occupation of the one before
    near = changes["same 3-digit group"] + changes["same 2-digit group"]
    assert near / total > 0.6
    assert changes["same 3-digit group"] > changes["same 2-digit group"]
    assert changes["further"] / total > 0.1  # and some cross


def test_apprenticeships_are_in_skilled_occupations_where_the_group_has_one() -> None:
    levels = Counter(
        s["kldb"][4]
        for s in rows_as_dicts(tables()["people.Spell"])
        if s["state"] == "apprenticeship"
    )
    assert levels["2"] / sum(levels.values()) > 0.9


def test_vacancies_reach_three_years_back_and_most_are_closed_after_a_spread_of_days() -> None:
    vacancies = rows_as_dicts(tables()["employers.Vacancy"])
    published = [dt.date.fromisoformat(v["published_on"]) for v in vacancies]
    assert min(published) < TODAY - dt.timedelta(days=900)
    assert max(published) <= TODAY
    open_ = [v for v in vacancies if v["closed_on"] is None]
    assert 0.02 < len(open_) / len(vacancies) < 0.25
    days: dict[bool, list[int]] = defaultdict(list)
    for v in vacancies:
        if v["closed_on"] is not None:
            closed = dt.date.fromisoformat(v["closed_on"])
            start = dt.date.fromisoformat(v["published_on"])
            assert start < closed <= TODAY
            days[v["kldb"] in SHORTAGE].append((closed - start).days)
    everything = sorted(days[True] + days[False])
    assert 20 <= everything[len(everything) // 2] <= 90  # median
    assert everything[-1] > 150 and everything[0] < 20  # spread
    shortage, other = sorted(days[True]), sorted(days[False])
    assert shortage[len(shortage) // 2] > 1.5 * other[len(other) // 2]


def test_every_employer_has_a_hiring_pattern_and_big_ones_hire_in_many_quarters() -> None:
    generator = CityGenerator(2026, 0.3)
    built = {t.label: t for t in generator.tables()}
    assert set(generator.hiring_patterns.values()) == {"steady", "seasonal", "trending", "erratic"}
    quarters: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for v in rows_as_dicts(built["employers.Vacancy"]):
        day = dt.date.fromisoformat(v["published_on"])
        quarters[v["employer"]].add((day.year, (day.month - 1) // 3))
    assert max(len(q) for q in quarters.values()) >= 10


def test_statistics_cover_the_city_and_each_district_monthly_for_three_years() -> None:
    rows = rows_as_dicts(tables()["labourmarket.Statistic"])
    totals = {
        (r["region"], r["period"])
        for r in rows
        if r["indicator"] == "unemployed"
        and not any(r[d] for d in ("age_band", "gender", "duration", "legal_branch", "kldb"))
    }
    regions = {region for region, _period in totals}
    assert regions == {"Dortmund"} | {d.name for d in DISTRICTS}
    assert len(totals) == 13 * 36
    assert {r["indicator"] for r in rows} == set(Indicator.values)
    kldb = {r["kldb"] for r in rows if r["kldb"]}
    assert any(len(k) == 3 for k in kldb) and any(len(k) == 5 for k in kldb)
    for column in ("gender", "age_band", "legal_branch"):
        assert any(r[column] for r in rows if r["indicator"] == "job_seekers"), column


def test_small_counts_are_suppressed_the_ba_way_and_the_city_is_the_sum_of_districts() -> None:
    rows = rows_as_dicts(tables()["labourmarket.Statistic"])
    suppressed = [r for r in rows if r["marker"] == "*"]
    assert suppressed and all(r["value"] is None for r in suppressed)
    assert all(r["value"] is not None for r in rows if r["marker"] == "")
    assert all(isinstance(r["value"], str) or r["value"] >= 3 for r in rows if r["marker"] == "")
    cell: dict[tuple[str, str], int] = {}
    for r in rows:
        if r["indicator"] == "unemployed" and r["legal_branch"] == "SGB II" and not r["kldb"]:
            cell[(r["region"], r["period"])] = r["value"]
    for period in {p for _r, p in cell}:
        districts = sum(cell[(d.name, period)] for d in DISTRICTS)
        assert cell[("Dortmund", period)] == districts


def test_employment_by_sector_for_the_city_and_the_reference_region_in_two_years() -> None:
    rows = [
        r for r in rows_as_dicts(tables()["labourmarket.Statistic"]) if r["indicator"] == "employed"
    ]
    assert {(r["region"], r["period"]) for r in rows} == {
        (region, date) for region in ("Dortmund", "NRW") for date in ("2021-06-30", "2025-06-30")
    }
    sections = {r["wz"] for r in rows if r["wz"]}
    assert sections >= set("ABCDEFGHIJKLMNOPQRS")
    assert all(len(s) == 1 for s in sections)


def test_registered_vacancies_make_the_shortage_occupations_short_in_the_statistics() -> None:
    rows = rows_as_dicts(tables()["labourmarket.Statistic"])
    month = max(r["period"] for r in rows if r["indicator"] == "vacancies")

    def city(indicator: str) -> dict[str, int | None]:
        return {
            r["kldb"]: r["value"]
            for r in rows
            if r["indicator"] == indicator and r["period"] == month and len(r["kldb"]) == 5
        }

    seekers, vacancies = city("job_seekers"), city("vacancies")
    assert set(vacancies) == {o.kldb for o in OCCUPATIONS}
    assert {r["region"] for r in rows if r["indicator"] == "vacancies"} == {"Dortmund"}
    ratios = {
        code: seekers[code] / n  # type: ignore[operator]
        for code, n in vacancies.items()
        if n and seekers[code] and n >= 20
    }
    short = [ratio for code, ratio in ratios.items() if code in SHORTAGE]
    other = [ratio for code, ratio in ratios.items() if code not in SHORTAGE]
    assert short and max(short) < 1.5 < 2.0 < min(other)


def test_the_registered_vacancies_come_last_from_their_own_stream() -> None:
    """Without them every other statistics row is the same, ids included."""
    import numpy as np

    from doconnect.demo import labourstats

    districts = [(d.name, d.weight) for d in DISTRICTS]
    periods = [f"2024-{m:02d}" for m in range(1, 13)] * 3
    months = np.array(list(range(1, 13)) * 3, dtype=np.int64)
    plain = labourstats.statistics_rows(np.random.default_rng(1), districts, periods, months)
    full = labourstats.statistics_rows(
        np.random.default_rng(1), districts, periods, months, np.random.default_rng(2)
    )
    assert full[: len(plain)] == plain
    assert {row[4] for row in full[len(plain) :]} == {"vacancies"}


def test_the_same_seed_gives_the_same_new_data_and_old_streams_are_untouched() -> None:
    first = CityGenerator(3, 0.05).tables()
    second = CityGenerator(3, 0.05).tables()
    new = ("people.Spell", "employers.Vacancy", "labourmarket.Statistic")
    assert [t.rows for t in first if t.label in new] == [t.rows for t in second if t.label in new]
    other = {t.label: t.rows for t in CityGenerator(4, 0.05).tables()}
    mine = {t.label: t.rows for t in first}
    assert mine["labourmarket.Statistic"] != other["labourmarket.Statistic"]


@pytest.mark.django_db
def test_the_loaded_city_has_occupations_closing_days_and_statistics() -> None:
    from doconnect.demo.services import load_demo_city

    load_demo_city(seed=2026, scale=0.05)
    assert Spell.objects.filter(state="unemployed").exclude(kldb="").exists()
    assert (
        Spell.objects.filter(state="school", kldb="").count()
        == Spell.objects.filter(state="school").count()
    )
    assert Vacancy.objects.filter(closed_on__isnull=False).exists()
    assert Vacancy.objects.filter(closed_on__isnull=True).exists()
    suppressed = Statistic.objects.filter(marker=Marker.SUPPRESSED)
    assert suppressed.exists() and not suppressed.filter(value__isnull=False).exists()
    district_rows = Statistic.objects.filter(district__isnull=False)
    assert district_rows.exclude(region__in=[d.name for d in DISTRICTS]).count() == 0
    assert Statistic.objects.filter(indicator="unemployment_rate", region="Dortmund").count() == 36
