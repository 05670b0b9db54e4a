"""The labour-market analyses on the database: each function reads what it needs in a
fixed number of queries and hands plain data to the pure engine (``doconnect.labourmarket.engine``).

Small-number rule (``min_count``, default ``settings.SMALL_NUMBER``): counts of persons
of 1 … ``min_count − 1`` are not shown (``None``); see each function for where it
applies. Errors in the request or missing data raise ``AnalysisError`` with a message
for the user.

Rules chosen here (the engine's own rules are in ``doconnect/market/README.md``):

- **Periods.** Statistics periods ``YYYY-MM-DD`` (a reference day, e.g. 30 June for
  employment) count as their month; ``YYYY``, ``YYYY-Qn`` and ``YYYY-MM`` as they are.
- **Job seekers for the shortage table** come from the statistics when the region has
  ``job_seekers`` by KldB (no other dimension) in a month up to ``as_of``: the latest
  such month, at the coarsest code length that still serves the level (3 digits for
  levels 1–3 when present, else 5). Otherwise they are counted from the persons'
  unemployment spells running on ``as_of`` with an occupation sought (``source``
  ``spells``). ``source`` says which was used.
- **Vacancies**: when the job seekers come from the statistics and the same region
  and month also have registered vacancies (``vacancies`` by KldB at the same code
  length), those counts are the table's vacancies (``vacancies_source``
  ``statistics``): the BA counts job seekers and registered vacancies of the whole
  region alike, while the database holds only the vacancies the city knows, so their
  ratio would say "surplus" everywhere. Otherwise they are the ``Vacancy`` rows with a
  KldB code and a publication date, open on ``as_of``: published on or before and not
  closed before; counted by their ``positions`` (``database``). Days open always come
  from the ``Vacancy`` rows active in the year before ``as_of`` (published on or before
  it, not closed before ``as_of − 365 days``): the statistics give no durations.
- **Trend**: the same table one month earlier (the previous statistics month, the
  vacancies and spells on the same day a month before).
- **Offers → occupations**: an active offer (not ended before ``as_of``) with free
  places qualifies for the occupations in its ``occupations`` (KldB 2010, five digits),
  whatever its kind; the engine matches them to a shortage occupation by the exact code,
  else by the same Berufsgruppe (3 digits) and says which. A training offer
  (``TRAINING_KINDS``) without occupations qualifies for nothing, unless
  ``generic_offers`` is set, then for any occupation (match ``any``). An unknown
  capacity counts as no free place.
- **Hiring**: "quarters" are the three-month windows ending on ``as_of`` (the latest
  one is complete and the forecast is for the next three months), counting vacancies
  by publication date per employer (the employer organisation, else the employer name
  the source gave; vacancies with neither are left out).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from django.conf import settings
from django.db.models import Q

from doconnect.core.models import District
from doconnect.labourmarket.employers.models import Vacancy
from doconnect.labourmarket.engine import bridges as bridge_engine
from doconnect.labourmarket.engine import hiring as hiring_engine
from doconnect.labourmarket.engine import regional as regional_engine
from doconnect.labourmarket.engine.kldb import KldbError, validate
from doconnect.labourmarket.engine.series import Period, PeriodError, SeriesPoint, indicator_series
from doconnect.labourmarket.engine.shortage import (
    SKILL,
    ShortageRules,
    ShortageTable,
    shortage_table,
)
from doconnect.labourmarket.engine.shortage import Vacancy as VacancyRecord
from doconnect.labourmarket.models import Indicator, Statistic
from doconnect.labourmarket.statistics_file import DIMENSIONS
from doconnect.offers.models import Offer, OfferKind, OfferStatus
from doconnect.offers.participation import with_free_places
from doconnect.people.models import Spell, SpellState

Level = int | Literal["skill"]
Source = Literal["auto", "statistics", "spells"]

DURATION_WINDOW_DAYS = 365
HIRING_QUARTERS = 12
TRAINING_KINDS = (
    OfferKind.QUALIFICATION,
    OfferKind.FURTHER_TRAINING,
    OfferKind.APPRENTICESHIP,
    OfferKind.VOCATIONAL_PREPARATION,
)


class AnalysisError(ValueError):
    """A request the data cannot answer (bad option, no data); the message says why."""


def _min_count(min_count: int | None) -> int:
    return settings.SMALL_NUMBER if min_count is None else min_count


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _count(value: Decimal | None) -> int | None:
    return None if value is None else int(value)


def _period_label(period: str) -> str:
    """A statistics period as the engine reads it: a reference day counts as its month."""
    if len(period) == 10 and period[4] == "-" and period[7] == "-":
        return period[:7]
    return period


def _month_earlier(day: dt.date) -> dt.date:
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _months_earlier(day: dt.date, months: int) -> dt.date:
    for _ in range(months):
        day = _month_earlier(day)
    return day


def _suppress(count: int | None, min_count: int) -> int | None:
    return None if count is None or 0 < count < min_count else count


# --------------------------------------------------------------------------- series


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
        (r, (g if by else ""), _period_label(p), _number(v))
        for r, g, p, v in rows.values_list("region", group_field, "period", "value")
    ]
    if not found:
        raise AnalysisError(f"no statistics for {indicator} with these filters")
    try:
        return indicator_series(found)
    except PeriodError as exc:
        raise AnalysisError(str(exc)) from exc


# --------------------------------------------------------------------------- shortage


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
            by_region[reg].setdefault(period, {})[code] = _count(value)
        else:
            registered[(reg, period)][code] = _count(value)
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


def _running_on(spell_start: dt.date, spell_end: dt.date | None, day: dt.date) -> bool:
    return spell_start <= day and (spell_end is None or spell_end >= day)


def _spell_job_seekers(
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
        if _running_on(start, end, as_of):
            now[code].add(person)
        if _running_on(start, end, before):
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
        if _running_on(r.published, r.closed, day):
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
    count_floor = _min_count(min_count)
    rules = rules or ShortageRules(min_count=count_floor)
    if rules.min_count != count_floor:
        rules = ShortageRules(
            rules.shortage_ratio, rules.surplus_ratio, rules.long_vacancies, count_floor
        )
    if source not in ("auto", "statistics", "spells"):
        raise AnalysisError(f"source {source!r}: auto, statistics or spells")
    before = _month_earlier(as_of)
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
        js_now, js_before = _spell_job_seekers(as_of, before, district)
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
    without = sum(n for p, c, n in vac.without_kldb if _running_on(p, c, as_of))
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


# --------------------------------------------------------------------------- regional


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
            sectors[region].setdefault(period, {})[wz] = _number(value)
        else:
            totals[region][period] = _number(value)
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


# --------------------------------------------------------------------------- potentials


def moves_from_db() -> dict[tuple[str, str], int]:
    """Observed occupation changes: per person, the spells with a KldB code in order of
    start; each pair of consecutive ones with different codes is a move ``a → b``.
    (The occupation sought on an unemployment spell counts like one held.) Raw counts,
    the engine's input, not for publication as they are. One query."""
    moves: Counter[tuple[str, str]] = Counter()
    last_person, last_code = None, ""
    rows = Spell.objects.exclude(kldb="").order_by("person_id", "start", "id")
    for person, code in rows.values_list("person_id", "kldb").iterator(chunk_size=10_000):
        if person == last_person and code != last_code:
            moves[(last_code, code)] += 1
        last_person, last_code = person, code
    return dict(moves)


@dataclass(frozen=True)
class OffersUsed:
    offers: list[bridge_engine.Offer]
    matched: int  # offers with occupations
    generic: int  # training offers without occupations
    unknown_capacity: int  # left out: free places unknown


def offers_from_db(as_of: dt.date, *, generic_offers: bool = False) -> OffersUsed:
    """Active offers with occupations, or of a training kind, and their free places on
    ``as_of`` (see the module text). One query."""
    rows = with_free_places(
        Offer.objects.filter(
            Q(end__isnull=True) | Q(end__gte=as_of), status=OfferStatus.ACTIVE
        ).order_by("external_id"),
        as_of,
    )
    offers: list[bridge_engine.Offer] = []
    matched = generic = unknown = 0
    for external_id, title, kind, codes, free in rows.values_list(  # type: ignore[misc]
        "external_id", "title", "kind", "occupations", "free_places"
    ):
        occupations = tuple(sorted(c for c in codes or () if _is_kldb(c)))
        if occupations:
            matched += 1
        elif kind in TRAINING_KINDS:
            generic += 1
            if not generic_offers:
                continue
        else:
            continue
        if free is None:
            unknown += 1
            continue
        if free > 0:
            offers.append(
                bridge_engine.Offer(
                    external_id,
                    title,
                    kind,
                    occupations,
                    int(free),
                    any_occupation=not occupations,
                )
            )
    return OffersUsed(offers, matched, generic, unknown)


def _is_kldb(code: object) -> bool:
    # The catalogue's rules keep bad codes out; a row written around them is skipped.
    try:
        validate(code)  # type: ignore[arg-type]
    except KldbError:
        return False
    return True


@dataclass(frozen=True)
class PotentialRow:
    """A potential as shown: counts of persons below ``min_count`` are ``None``."""

    rank: int
    target: str
    source: str
    job_seekers: int | None
    score: float
    distance: int
    occupation_distance: int
    skill_step: int
    moves: int | None
    move_share: float
    needs_offer: bool
    offers: tuple[bridge_engine.OfferUse, ...]
    potential: int | None
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class PotentialsResult:
    as_of: dt.date
    shortage: ShortageResult
    targets: tuple[bridge_engine.Target, ...]
    potentials: tuple[PotentialRow, ...]
    job_seekers_occupations: int  # occupations sought with at least min_count persons
    job_seekers_left_out: int  # occupations with fewer (not used, not shown)
    offers: OffersUsed
    moves_observed: int
    min_count: int
    total_potential: int  # sum of the potentials shown (each person counted once)
    rows_suppressed: int  # rows whose potential is 1 … min_count − 1: not in the total
    rules: list[str] = field(default_factory=list)


def potentials_from_db(
    *,
    as_of: dt.date,
    min_count: int | None = None,
    shortage_source: Source = "spells",
    generic_offers: bool = False,
    rules: bridge_engine.BridgeRules | None = None,
) -> PotentialsResult:
    """The engine's bridges into the shortage occupations of a 5-digit shortage table on
    ``as_of``: job seekers by occupation sought (running unemployment spells), the
    observed moves and the qualifying offers. The shortage table takes its job seekers
    from the spells by default, so both sides count the same persons and vacancies
    (the BA's statistics count every job seeker in the region, the database only the
    vacancies it knows). Occupations sought by fewer than ``min_count`` persons are left
    out; moves and potentials of 1 … ``min_count − 1`` are shown as ``None``. Seven
    queries at most."""
    floor = _min_count(min_count)
    shortage = shortage_from_db(as_of=as_of, level=5, min_count=floor, source=shortage_source)
    targets = tuple(bridge_engine.targets_from_shortage(shortage.table))
    seekers, _ = _spell_job_seekers(as_of, as_of)
    usable: dict[str, int] = {}
    left_out = 0
    for code, n in seekers.items():
        try:
            validate(code)
        except KldbError:
            continue
        if n >= floor:
            usable[code] = n
        else:
            left_out += 1
    moves = moves_from_db()
    offers = offers_from_db(as_of, generic_offers=generic_offers)
    found = bridge_engine.bridges(targets, usable, moves, offers.offers, rules)
    rows = tuple(
        PotentialRow(
            p.rank,
            p.target,
            p.source,
            _suppress(p.job_seekers, floor),
            p.score,
            p.distance.total,
            p.distance.occupation,
            p.distance.skill_step,
            _suppress(p.moves, floor),
            p.move_share,
            p.needs_offer,
            p.offers,
            _suppress(p.potential, floor),
            p.reasons,
        )
        for p in found
    )
    return PotentialsResult(
        as_of=as_of,
        shortage=shortage,
        targets=targets,
        potentials=rows,
        job_seekers_occupations=len(usable),
        job_seekers_left_out=left_out,
        offers=offers,
        moves_observed=sum(moves.values()),
        min_count=floor,
        total_potential=sum(p.potential or 0 for p in rows),
        rows_suppressed=sum(1 for p in rows if p.potential is None),
        rules=[
            "offers qualify by their occupations (KldB): the same code, else the same "
            "Berufsgruppe (3 digits)"
            + (
                "; training offers without occupations for any occupation" if generic_offers else ""
            ),
            f"job seekers from {shortage.source} for the shortage table",
        ],
    )


# --------------------------------------------------------------------------- hiring


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
    is (``as_of`` three months earlier + 1 day … ``as_of``)."""
    ends = [as_of]
    for _ in range(quarters):
        ends.append(_months_earlier(ends[-1], 3))
    ends.reverse()
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
