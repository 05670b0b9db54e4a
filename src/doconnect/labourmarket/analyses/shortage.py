"""The shortage table on the database: job seekers from the statistics or the spells,
vacancies from the statistics or the database, days open from the vacancies (see the
package text for the rules), handed to the engine (``engine/shortage.py``)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from django.db.models import Q

from doconnect.core.models import District
from doconnect.labourmarket.analyses.common import AnalysisError, as_count
from doconnect.labourmarket.employers.models import Vacancy
from doconnect.labourmarket.engine.kldb import KldbError, validate
from doconnect.labourmarket.engine.series import Period
from doconnect.labourmarket.engine.shortage import (
    SKILL,
    ShortageRules,
    ShortageTable,
    shortage_table,
)
from doconnect.labourmarket.engine.shortage import Vacancy as VacancyRecord
from doconnect.labourmarket.models import Indicator, Statistic
from doconnect.labourmarket.statistics_file import DIMENSIONS
from doconnect.months import add_months
from doconnect.people.models import Spell, SpellState
from doconnect.transparency.small_number import small_number

Level = int | Literal["skill"]
Source = Literal["auto", "statistics", "spells"]

DURATION_WINDOW_DAYS = 365


@dataclass(frozen=True)
class ShortageResult:
    table: ShortageTable
    source: Literal["statistics", "spells"]  # where the job seekers come from
    source_note: str
    region: str | None  # the statistics region (None for spells)
    period: str | None  # the statistics month used (None for spells)
    vacancies_open: int  # positions open on as_of (all occupations)
    vacancies_without_kldb: int  # open on as_of but without an occupation: not counted
    district: District | None = None  # the district the table is for; None: the city
    # Where the table's vacancies come from: the statistics' registered vacancies
    # (``vacancies`` by KldB, same region and month as the job seekers) or the open
    # positions of the vacancies in the database.
    vacancies_source: Literal["statistics", "database"] = "database"


def _level(level: Level | str) -> Level:
    if level == SKILL:
        return "skill"
    try:
        digits = int(level)
    except (TypeError, ValueError):
        raise AnalysisError(f"level {level!r}: expected 1–5 digits or 'skill'") from None
    if digits not in (1, 2, 3, 4, 5):
        raise AnalysisError(f"level {level!r}: expected 1–5 digits or 'skill'")
    return digits


@dataclass(frozen=True)
class _StatisticsCounts:
    region: str
    period: str  # the latest month with job seekers by KldB, up to as_of
    job_seekers: dict[str, int | None]
    job_seekers_before: dict[str, int | None]  # the month before
    # Registered vacancies (``vacancies``) of the same region, month and code length;
    # None when the statistics have none for that month.
    vacancies: dict[str, int | None] | None
    vacancies_before: dict[str, int | None] | None


def _statistics_job_seekers(
    region: str | None, as_of: dt.date, digits: int, district: District | None = None
) -> _StatisticsCounts | str:
    """Job seekers by KldB from the statistics (of the district, when given) in the
    latest month up to ``as_of`` and the month before, with the registered vacancies
    of the same cells where the statistics have them; or the reason they cannot serve.
    One query."""
    rows = Statistic.objects.filter(indicator__in=[Indicator.JOB_SEEKERS, Indicator.VACANCIES])
    rows = rows.filter(district=district) if district else rows.filter(district__isnull=True)
    rows = rows.exclude(kldb="").filter(**{n: "" for n in DIMENSIONS if n != "kldb"})
    if region and district is None:
        rows = rows.filter(region=region)
    month = f"{as_of:%Y-%m}"
    by_region: dict[str, dict[str, dict[str, int | None]]] = defaultdict(dict)
    registered: dict[tuple[str, str], dict[str, int | None]] = defaultdict(dict)
    for reg, indicator, period, code, value in rows.values_list(
        "region", "indicator", "period", "kldb", "value"
    ):
        if len(period) != 7 or period > month:
            continue
        if indicator == Indicator.JOB_SEEKERS:
            by_region[reg].setdefault(period, {})[code] = as_count(value)
        else:
            registered[(reg, period)][code] = as_count(value)
    if not by_region:
        where = (
            f"district {district.name!r}"
            if district
            else (f"region {region!r}" if region else "the city")
        )
        return f"no job-seeker statistics by KldB for {where} up to {month}"
    if len(by_region) > 1:
        names = ", ".join(sorted(by_region))
        raise AnalysisError(f"job-seeker statistics for several regions ({names}): name one")
    ((reg, periods),) = by_region.items()
    latest = max(periods)
    lengths = sorted({len(code) for code in periods[latest]})
    usable = [n for n in lengths if n >= digits]
    if not usable:
        return f"the statistics give job seekers at {lengths} digits, too coarse for {digits}"
    length = usable[0]

    def at_length(counts: Mapping[str, int | None]) -> dict[str, int | None]:
        return {c: v for c, v in counts.items() if len(c) == length}

    def registered_at(period: str) -> dict[str, int | None] | None:
        cells = at_length(registered.get((reg, period), {}))
        return cells or None

    previous = str(Period.parse(latest).previous())
    return _StatisticsCounts(
        reg,
        latest,
        at_length(periods[latest]),
        at_length(periods.get(previous, {})),
        registered_at(latest),
        registered_at(previous),
    )


def running_on(spell_start: dt.date, spell_end: dt.date | None, day: dt.date) -> bool:
    return spell_start <= day and (spell_end is None or spell_end >= day)


def spell_job_seekers(
    as_of: dt.date, before: dt.date, district: District | None = None
) -> tuple[Counter[str], Counter[str]]:
    """Occupations sought on running unemployment spells, on ``as_of`` and on ``before``
    (persons counted once per occupation and day; of persons living in ``district``,
    when given). One query."""
    rows = Spell.objects.filter(
        Q(end__isnull=True) | Q(end__gte=before), state=SpellState.UNEMPLOYED, start__lte=as_of
    ).exclude(kldb="")
    if district is not None:
        rows = rows.filter(person__district=district)
    now: dict[str, set[int]] = defaultdict(set)
    then: dict[str, set[int]] = defaultdict(set)
    for person, code, start, end in rows.values_list("person_id", "kldb", "start", "end"):
        if running_on(start, end, as_of):
            now[code].add(person)
        if running_on(start, end, before):
            then[code].add(person)
    return (
        Counter({c: len(p) for c, p in now.items()}),
        Counter({c: len(p) for c, p in then.items()}),
    )


@dataclass(frozen=True)
class _Vacancies:
    records: list[VacancyRecord]
    positions: dict[str, int]  # positions of each record, by record id
    without_kldb: list[tuple[dt.date, dt.date | None, int]]


def _vacancies(as_of: dt.date, earliest: dt.date, district: District | None = None) -> _Vacancies:
    """Vacancies published on or before ``as_of`` and not closed before ``earliest`` (in
    ``district``, when given). One query."""
    rows = Vacancy.objects.filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=earliest),
        published_on__isnull=False,
        published_on__lte=as_of,
    )
    if district is not None:
        rows = rows.filter(district=district)
    records: list[VacancyRecord] = []
    positions: dict[str, int] = {}
    without: list[tuple[dt.date, dt.date | None, int]] = []
    for pk, code, published, closed, n in rows.values_list(
        "id", "kldb", "published_on", "closed_on", "positions"
    ):
        if published is None or (closed is not None and closed < published):
            continue  # a data error; the engine would refuse it
        try:
            validate(code)
        except KldbError:
            without.append((published, closed, n))
            continue
        records.append(VacancyRecord(str(pk), code, published, closed))
        positions[str(pk)] = n
    return _Vacancies(records, positions, without)


def _open_positions(v: _Vacancies, day: dt.date) -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    for r in v.records:
        if running_on(r.published, r.closed, day):
            out[r.kldb] = (out.get(r.kldb) or 0) + v.positions[r.id]
    return out


def shortage_from_db(
    *,
    as_of: dt.date,
    level: Level | str = 5,
    min_count: int | None = None,
    region: str | None = None,
    source: Source = "auto",
    rules: ShortageRules | None = None,
    district: District | None = None,
) -> ShortageResult:
    """The engine's shortage table on ``as_of`` (see the module text for where job
    seekers and vacancies come from), with the trend against a month earlier. The
    engine's small-number rule runs with ``min_count``. With ``district``: the
    district's job-seeker statistics (else the job seekers living there) and the
    vacancies placed there. Three queries at most."""
    level = _level(level)
    count_floor = small_number(min_count)
    rules = rules or ShortageRules(min_count=count_floor)
    if rules.min_count != count_floor:
        rules = ShortageRules(
            rules.shortage_ratio, rules.surplus_ratio, rules.long_vacancies, count_floor
        )
    if source not in ("auto", "statistics", "spells"):
        raise AnalysisError(f"source {source!r}: auto, statistics or spells")
    before = add_months(as_of, -1)
    digits = 5 if level == SKILL else int(level)
    js_now: Mapping[str, int | None]
    js_before: Mapping[str, int | None]
    stats_region = stats_period = None
    stats: _StatisticsCounts | None = None
    used: Literal["statistics", "spells"]
    if source in ("auto", "statistics"):
        found = _statistics_job_seekers(region, as_of, digits, district)
        if isinstance(found, str):
            if source == "statistics":
                raise AnalysisError(found)
            note = f"{found}; counted from running unemployment spells"
        else:
            stats = found
            stats_region, stats_period = found.region, found.period
            js_now, js_before = found.job_seekers, found.job_seekers_before
            used = "statistics"
            note = f"job_seekers statistics of {stats_region}, {stats_period}"
    else:
        note = "counted from running unemployment spells"
    if stats_period is None:
        js_now, js_before = spell_job_seekers(as_of, before, district)
        used = "spells"
        if district is not None:
            note += f" of persons living in {district.name}"
    vac = _vacancies(as_of, as_of - dt.timedelta(days=DURATION_WINDOW_DAYS), district)
    if not js_now and not vac.records:
        where = f" in {district.name}" if district else ""
        raise AnalysisError(f"no job seekers and no vacancies with an occupation{where} on {as_of}")
    # Registered vacancies from the statistics, where they count the same cells as the
    # job seekers; else the open positions of the vacancies in the database.
    vac_now: Mapping[str, int | None] = _open_positions(vac, as_of)
    vac_before: Mapping[str, int | None] = _open_positions(vac, before)
    vacancies_source: Literal["statistics", "database"] = "database"
    if stats is not None and stats.vacancies is not None:
        vac_now = stats.vacancies
        vac_before = stats.vacancies_before or {}
        vacancies_source = "statistics"
        note += f"; registered vacancies (vacancies statistics) of {stats_region}, {stats_period}"
    previous = None
    if js_before:
        previous = shortage_table(
            js_before,
            vac_before,
            as_of=before,
            level=level,
            vacancy_records=vac.records,
            rules=rules,
        )
    table = shortage_table(
        js_now,
        vac_now,
        as_of=as_of,
        level=level,
        vacancy_records=vac.records,
        previous=previous,
        rules=rules,
    )
    open_total = sum(n for n in _open_positions(vac, as_of).values() if n)
    without = sum(n for p, c, n in vac.without_kldb if running_on(p, c, as_of))
    return ShortageResult(
        table,
        used,
        note,
        stats_region,
        stats_period,
        open_total,
        without,
        district,
        vacancies_source,
    )
