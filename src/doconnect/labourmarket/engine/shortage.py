"""Shortage and surplus by occupation (KldB 2010 at 1–5 digits, optionally by skill
level, or by skill level alone).

Per occupation: job seekers, vacancies, job seekers per vacancy, how long vacancies stay
open, the change of the ratio against the previous period and a status.

**Aggregation.** Counts come keyed by KldB codes of at least the chosen number of digits
(5 digits for the skill level) and are summed to the level. A count the source kept
secret (``None``) makes its sum ``None``: adding the other cells would understate it.

**Job seekers per vacancy** (``ratio``) is ``None`` when the vacancies are 0 or either
count is ``None`` (suppressed at the source or by the small-number rule below).

**Days open.** From the vacancy records: a vacancy closed on or before the analysis day
``as_of`` has been open ``closed − published`` days; one still open (no closing date, or
closed after ``as_of``) is *censored* at ``as_of − published``: it has been open at least
that long. Records published after ``as_of`` are left out. The median is the Kaplan–Meier
median (the first duration at which the estimated share still open falls to 0.5 or
below; ``None`` when more than half are still open at the longest duration seen), the
mean is the restricted mean (area under the Kaplan–Meier curve up to the longest duration
seen), a lower bound when the longest durations are still open. Ignoring the open ones
would make long-open occupations look short.

**Status** (``ShortageRules``, all configurable):

- ``shortage``: ratio < ``shortage_ratio`` (1.5) and the occupation's median days open
  > the median days open of all vacancies in the data (``long_vacancies`` on; off: the
  ratio alone decides);
- ``surplus``: ratio > ``surplus_ratio`` (4.0), or job seekers ≥ ``min_count`` and no
  vacancies at all (reason ``no_vacancies``);
- ``balanced``: otherwise;
- ``unknown``: no ratio (a count is suppressed), or ratio < ``shortage_ratio`` but the
  occupation's median days open is unknown (``duration_unknown``).

**Small-number rule** (``min_count``, default 3; the disclosure engine's ``hide_small``
and ``too_few``): a count of 1 … ``min_count − 1`` (job seekers, vacancies, vacancy
records with a duration) is shown as ``None``; a ratio built on it is ``None``; days
open from fewer than ``min_count`` records are ``None``. Zeros are shown. No totals
across rows are given (they would reveal suppressed cells by difference).

**Trend**: ``ratio_change`` = ratio − the previous period's ratio of the same occupation
(``None`` when either is ``None``); ``trend`` is ``tightening`` (fewer job seekers per
vacancy), ``easing`` or ``unchanged`` (``None`` without a change).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import numpy as np

from doconnect.labourmarket.engine.kldb import KldbError, validate
from doconnect.transparency.engine import hide_small, too_few

Status = Literal["shortage", "balanced", "surplus", "unknown"]
SKILL = "skill"


@dataclass(frozen=True)
class Vacancy:
    id: str
    kldb: str
    published: date
    closed: date | None = None  # None: still open


@dataclass(frozen=True)
class ShortageRules:
    shortage_ratio: float = 1.5
    surplus_ratio: float = 4.0
    long_vacancies: bool = True
    min_count: int = 3

    def __post_init__(self) -> None:
        if not 0 < self.shortage_ratio <= self.surplus_ratio:
            raise ValueError("need 0 < shortage_ratio <= surplus_ratio")
        if self.min_count < 1:
            raise ValueError("min_count must be at least 1")


@dataclass(frozen=True)
class Duration:
    median: float | None
    mean: float | None
    records: int
    still_open: int


@dataclass(frozen=True)
class ShortageRow:
    key: str  # the code at the level, "261-3" with skill, "3" by skill level alone
    job_seekers: int | None
    vacancies: int | None
    ratio: float | None
    median_days_open: float | None
    mean_days_open: float | None
    vacancy_records: int | None  # records behind the days open (suppressed when small)
    still_open: int | None  # of them, censored at the analysis day
    previous_ratio: float | None
    ratio_change: float | None
    trend: str | None
    status: Status
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ShortageTable:
    level: int | Literal["skill"]
    with_skill: bool
    as_of: date
    rules: ShortageRules
    reference_median_days: float | None  # median days open of all vacancies
    rows: tuple[ShortageRow, ...] = field(default=())

    def row(self, key: str) -> ShortageRow:
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(key)

    def ratios(self) -> dict[str, float | None]:
        return {row.key: row.ratio for row in self.rows}


def group_key(code: str, level: int | Literal["skill"], with_skill: bool = False) -> str:
    """The row an occupation code counts in."""
    if level == SKILL:
        return validate(code)[4]
    if level not in (1, 2, 3, 4, 5):
        raise KldbError(f"level {level!r}: expected 1–5 digits or 'skill'")
    if with_skill:
        validate(code)
        return code if level == 5 else f"{code[:level]}-{code[4]}"
    validate(code, None)
    if len(code) < level:
        raise KldbError(f"KldB code {code!r}: too short for level {level}")
    return code[:level]


def aggregate(
    counts: Mapping[str, int | None], level: int | Literal["skill"], with_skill: bool = False
) -> dict[str, int | None]:
    """Counts summed to the level; a ``None`` cell makes its sum ``None``."""
    out: dict[str, int | None] = {}
    for code, count in counts.items():
        key = group_key(code, level, with_skill)
        if count is not None and count < 0:
            raise ValueError(f"{code}: negative count {count}")
        if key in out:
            before = out[key]
            out[key] = None if before is None or count is None else before + count
        else:
            out[key] = count
    return out


def open_vacancy_counts(vacancies: Iterable[Vacancy], as_of: date) -> dict[str, int]:
    """Vacancies open on ``as_of`` (published on or before, not closed before) per code."""
    out: dict[str, int] = {}
    for v in vacancies:
        if v.published <= as_of and (v.closed is None or v.closed >= as_of):
            out[v.kldb] = out.get(v.kldb, 0) + 1
    return out


def days_open(
    durations: Sequence[float], open_flags: Sequence[bool]
) -> tuple[float | None, float | None]:
    """Kaplan–Meier median and restricted mean of durations, ``open_flags[i]`` marking the
    censored ones. ``(None, None)`` without records."""
    if len(durations) == 0:
        return None, None
    t = np.asarray(durations, dtype=float)
    event = ~np.asarray(open_flags, dtype=bool)
    times = np.unique(t)
    survival = 1.0
    median: float | None = None
    area = 0.0
    last = 0.0
    for time in times:
        area += survival * (time - last)
        last = time
        at_risk = int(np.sum(t >= time))
        ended = int(np.sum((t == time) & event))
        if ended:
            survival *= 1.0 - ended / at_risk
            if median is None and survival <= 0.5 + 1e-12:
                median = float(time)
    return median, float(area)


def _durations(
    vacancies: Iterable[Vacancy], as_of: date, key: Callable[[str], str]
) -> dict[str, tuple[list[float], list[bool]]]:
    out: dict[str, tuple[list[float], list[bool]]] = {}
    for v in vacancies:
        if v.published > as_of:
            continue
        if v.closed is not None and v.closed < v.published:
            raise ValueError(f"vacancy {v.id}: closed {v.closed} before published {v.published}")
        still_open = v.closed is None or v.closed > as_of
        end = as_of if still_open or v.closed is None else v.closed
        durations, flags = out.setdefault(key(v.kldb), ([], []))
        durations.append(float((end - v.published).days))
        flags.append(still_open)
    return out


def shortage_table(
    job_seekers: Mapping[str, int | None],
    vacancies: Mapping[str, int | None],
    *,
    as_of: date,
    level: int | Literal["skill"] = 5,
    with_skill: bool = False,
    vacancy_records: Iterable[Vacancy] = (),
    previous: ShortageTable | None = None,
    rules: ShortageRules | None = None,
) -> ShortageTable:
    """The shortage table of one period (see the module text for every rule).

    ``job_seekers`` and ``vacancies``: counts keyed by KldB code (``None``: kept secret at
    the source). ``vacancy_records``: the vacancies behind the days open. ``previous``:
    the previous period's table at the same level, for the trend."""
    rules = rules or ShortageRules()
    records = list(vacancy_records)
    seekers = aggregate(job_seekers, level, with_skill)
    openings = aggregate(vacancies, level, with_skill)
    by_key = _durations(records, as_of, lambda code: group_key(code, level, with_skill))
    all_durations = _durations(records, as_of, lambda code: "all").get("all", ([], []))
    reference_median, _ = days_open(*all_durations)
    previous_ratios = previous.ratios() if previous is not None else {}
    rows: list[ShortageRow] = []
    for key in sorted(set(seekers) | set(openings) | set(by_key)):
        js = hide_small(seekers.get(key, 0), rules.min_count)
        vac = hide_small(openings.get(key, 0), rules.min_count)
        ratio = None if js is None or vac is None or vac == 0 else js / vac
        durations, flags = by_key.get(key, ([], []))
        n_records = len(durations)
        enough = not too_few(n_records, rules.min_count)
        median, mean = days_open(durations, flags) if enough else (None, None)
        before = previous_ratios.get(key)
        change = None if ratio is None or before is None else ratio - before
        trend = (
            None
            if change is None
            else "tightening"
            if change < 0
            else "easing"
            if change > 0
            else "unchanged"
        )
        status, reasons = _status(js, vac, ratio, median, reference_median, rules)
        rows.append(
            ShortageRow(
                key=key,
                job_seekers=js,
                vacancies=vac,
                ratio=ratio,
                median_days_open=median,
                mean_days_open=mean,
                vacancy_records=hide_small(n_records, rules.min_count),
                still_open=hide_small(sum(flags), rules.min_count) if enough else None,
                previous_ratio=before,
                ratio_change=change,
                trend=trend,
                status=status,
                reasons=reasons,
            )
        )
    return ShortageTable(level, with_skill, as_of, rules, reference_median, tuple(rows))


def _status(
    js: int | None,
    vac: int | None,
    ratio: float | None,
    median: float | None,
    reference: float | None,
    rules: ShortageRules,
) -> tuple[Status, tuple[str, ...]]:
    if vac == 0 and js is not None and not too_few(js, rules.min_count):
        return "surplus", ("no_vacancies",)
    if ratio is None:
        return "unknown", ("count_suppressed",) if js is None or vac is None else ("no_counts",)
    if ratio > rules.surplus_ratio:
        return "surplus", ("ratio_above_surplus",)
    if ratio >= rules.shortage_ratio:
        return "balanced", ("ratio_between",)
    if not rules.long_vacancies:
        return "shortage", ("ratio_below_shortage",)
    if median is None or reference is None:
        return "unknown", ("ratio_below_shortage", "duration_unknown")
    if median > reference:
        return "shortage", ("ratio_below_shortage", "open_longer_than_median")
    return "balanced", ("ratio_below_shortage", "open_not_longer_than_median")
