"""The synthetic demo city as plain rows. Pure: NumPy and the standard library, no Django.

``CityGenerator(seed, scale).phases()`` lists the phases in load order; each phase
returns :class:`Table` objects whose rows are tuples with explicit integer primary keys
and foreign keys, ready for COPY or executemany. Dates are ISO strings, timestamps are
naive UTC strings ("YYYY-MM-DD HH:MM:SS"), JSON fields are JSON text: the one literal
form both PostgreSQL and Django's SQLite backend store as they are.

Everything is deterministic: each phase draws from its own random generator seeded by
(seed, phase), so the same seed and scale always give the same rows.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from doconnect.demo import careers as cr
from doconnect.demo import data, labourstats
from doconnect.demo import occupations as occ
from doconnect.demo.forum import EXTRA_ORGANISATIONS, ForumInputs, build_forum
from doconnect.demo.landscape import OPEN_END, Landscape, build_landscape, offer_occupations

IntArray = npt.NDArray[np.int64]
Row = tuple[Any, ...]

DEFAULT_SEED = 2026
DEFAULT_SCALE = 1.0
# The demo's "today": the window's last month. Consents, agreements and referrals are
# dated relative to it so the city looks the same whenever it is loaded.
DEMO_TODAY = dt.date(2026, 11, 23)

# Counts at scale 1 (the numbers); all scale, districts do not. The minimums
# keep a tiny city (tests use scale 0.05) complete: every offer kind, a chain that
# reaches a destination, a dead end and a dead-end cycle.
BASE_COUNTS = {"persons": 5000, "providers": 60, "offers": 300, "employers": 150, "vacancies": 1500}
MIN_COUNTS = {"persons": 20, "providers": 3, "offers": 13, "employers": 3, "vacancies": 10}

# Fixed organisations: (external_id, name, kind, district number or None).
PUBLIC_BODIES: tuple[tuple[str, str, str, str | None], ...] = (
    ("city-dortmund", "Stadt Dortmund – Wirtschafts- und Beschäftigungsförderung", "city", "010"),
    ("jobcenter-dortmund", "Jobcenter Dortmund", "jobcenter", "020"),
    ("agentur-dortmund", "Agentur für Arbeit Dortmund", "federal_agency", "010"),
    ("land-nrw", "Land Nordrhein-Westfalen – Arbeitsministerium", "state", None),
    ("city-dortmund-statistik", "Stadt Dortmund – Dortmunder Statistik", "city", "010"),
    ("kammer-handwerk", "Handwerkskammer Dortmund", "chamber", "010"),
    ("kammer-ihk", "Industrie- und Handelskammer zu Dortmund", "chamber", "010"),
    ("bk-hafen", "Berufskolleg am Hafen", "vocational_college", "020"),
    ("bk-westfalen", "Berufskolleg Westfalen", "vocational_college", "010"),
    ("bk-hoerde", "Berufskolleg Hörde", "vocational_college", "080"),
    ("bk-nordost", "Berufskolleg Nord-Ost", "vocational_college", "050"),
    ("bk-gesundheit", "Berufskolleg für Gesundheit und Soziales", "vocational_college", "030"),
    ("bk-technik", "Berufskolleg für Technik", "vocational_college", "100"),
)
# Primary keys of the public bodies above, in that order.
CITY_ID, JOBCENTER_ID, AGENCY_ID = 1, 2, 3
VOCATIONAL_COLLEGE_IDS = tuple(
    index + 1 for index, body in enumerate(PUBLIC_BODIES) if body[2] == "vocational_college"
)

# The demo users: (username, role, organisation); "provider" is the busiest provider.
DEMO_PASSWORD = "do-connect-demo"  # noqa: S105 - published on purpose, synthetic data only
DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    ("koordination", "coordinator", "city-dortmund"),
    ("fallberatung", "case_worker", "jobcenter-dortmund"),
    ("traeger", "provider_staff", "provider"),
    ("analyse", "analyst", "city-dortmund-statistik"),
    ("admin", "admin", "city-dortmund"),
)

PHASES = (
    "reference",
    "organisations",
    "offers",
    "employers",
    "persons",
    "spells",
    "consents",
    "agreements",
    "referrals",
    "statistics",
    "forum",
)
# Vacancies reach this many months back (a hiring history for forecasts).
VACANCY_HISTORY_MONTHS = 36


@dataclass(frozen=True)
class Table:
    """Rows for one table. ``model`` is "app_label.ModelName"; with ``m2m`` the rows go
    to that many-to-many field's through table. ``fields`` are model field names (a
    foreign key by its field name, holding the related primary key)."""

    model: str
    fields: tuple[str, ...]
    rows: list[Row]
    m2m: str | None = None

    @property
    def label(self) -> str:
        return f"{self.model}.{self.m2m}" if self.m2m else self.model


@dataclass
class _Offers:
    provider: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    network: cr.OfferNetwork | None = None
    running_now: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))
    district: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


def scaled(name: str, scale: float) -> int:
    return max(MIN_COUNTS[name], round(BASE_COUNTS[name] * scale))


def month_start(month: int) -> dt.date:
    """First day of window month ``month`` (0 = 2021-12; negative and later months too)."""
    total = 2021 * 12 + 11 + month
    return dt.date(total // 12, total % 12 + 1, 1)


def month_end(month: int) -> dt.date:
    return month_start(month + 1) - dt.timedelta(days=1)


_MONTH_RANGE = range(-240, 120)
_START_ISO = {m: month_start(m).isoformat() for m in _MONTH_RANGE}
_END_ISO = {m: month_end(m).isoformat() for m in _MONTH_RANGE}
# Lookup arrays for vectorised date strings over window months 0..59.
_WINDOW_START_ISO = np.array([_START_ISO[m] for m in range(cr.N_MONTHS)], dtype=object)
_WINDOW_END_ISO = np.array([_END_ISO[m] for m in range(cr.N_MONTHS)] + [None], dtype=object)
# Every day from 2015 to 2029 as ISO text, and each window month's first day in it:
# millions of dates become array lookups instead of date objects and isoformat calls.
_EPOCH = dt.date(2015, 1, 1)
_DAY_ISO = np.array(
    [
        (_EPOCH + dt.timedelta(days=d)).isoformat()
        for d in range((dt.date(2030, 1, 1) - _EPOCH).days)
    ],
    dtype=object,
)
_EPOCH_MONTH = -83  # 2015-01 in window months
_MONTH_FIRST_DAY = np.array(
    [(month_start(m) - _EPOCH).days for m in range(_EPOCH_MONTH, 97)], dtype=np.int64
)
TODAY_DAY = (DEMO_TODAY - _EPOCH).days
# Referrals: the default answer period (DOCONNECT_REFERRAL_ANSWER_DAYS) and the coded
# decline reasons (referrals.models.DeclineReason).
ANSWER_DAYS = 14
DECLINE_REASONS = np.array(
    ["full", "not_eligible", "person_unreachable", "person_declined", "other"], dtype=object
)


def first_day(months: IntArray) -> IntArray:
    """Day numbers (since 2015-01-01) of the first day of window months."""
    return _MONTH_FIRST_DAY[months - _EPOCH_MONTH]


def last_day(months: IntArray) -> IntArray:
    return _MONTH_FIRST_DAY[months + 1 - _EPOCH_MONTH] - 1


def iso_days(days: IntArray, suffix: str = "") -> list[str]:
    """ISO dates (or timestamps, with a time as suffix) for day numbers."""
    texts = _DAY_ISO[days]
    return _tolist(texts + suffix if suffix else texts)


@functools.lru_cache(maxsize=4096)
def _fold(text: str) -> str:
    """ASCII for e-mail addresses: ä → ae, ş → s, ł → l, …"""
    text = (
        text.replace("ä", "ae")
        .replace("ö", "oe")
        .replace("ü", "ue")
        .replace("ß", "ss")
        .replace("Ä", "Ae")
        .replace("Ö", "Oe")
        .replace("Ü", "Ue")
        .replace("ł", "l")
        .replace("Ł", "L")
        .replace("ı", "i")
    )
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c == "-")).lower()


def _feminine(family: str) -> str:
    if family.endswith("ski"):
        return family[:-1] + "a"
    if family.endswith("cki"):
        return family[:-1] + "a"
    return family


def _public_ids(count: int, seed: int) -> list[str]:
    """Distinct "P-XXXXXXXX" pseudonyms: a keyed bijection on 40 bits, so no two persons
    share one and nothing about the row order shows through."""
    mask = np.uint64((1 << 40) - 1)
    x = (np.arange(count, dtype=np.uint64) + np.uint64(seed * 7919 + 12345)) & mask
    for multiplier, shift in ((0x9E3779B97F, 17), (0xBF58476D1D, 19), (0x94D049BB13, 13)):
        x = (x * np.uint64(multiplier | 1)) & mask
        x ^= x >> np.uint64(shift)
    alphabet = np.frombuffer(b"0123456789ABCDEFGHJKMNPQRSTVWXYZ", dtype=np.uint8)
    digits = np.empty((count, 8), dtype=np.uint8)
    for position in range(8):
        digits[:, 7 - position] = alphabet[((x >> np.uint64(5 * position)) & np.uint64(31))]
    codes = digits.view("S8").ravel()
    return ["P-" + code.decode() for code in codes]


def _json_list(items: Sequence[str]) -> str:
    return json.dumps(list(items), ensure_ascii=False)


def _tolist(values: npt.NDArray[Any]) -> list[Any]:
    """Plain Python values; the database drivers adapt int, not numpy.int64."""
    result: list[Any] = values.tolist()
    return result


def _none_if(values: IntArray, missing: int) -> list[int | None]:
    return [None if v == missing else v for v in values.tolist()]


_CAPACITY: dict[str, tuple[int, int]] = {
    "counselling": (30, 120),
    "orientation": (10, 20),
    "low_threshold": (10, 25),
    "vocational_preparation": (12, 24),
    "qualification": (12, 20),
    "further_training": (15, 25),
    "apprenticeship": (6, 20),
    "subsidised_employment": (5, 30),
    "coupled_employment": (8, 15),
    "job_placement": (20, 60),
}


def _capacity(rng: np.random.Generator, kind: str) -> int | None:
    if kind == "counselling" and rng.random() < 0.5:
        return None  # open counselling hours have no fixed number of places
    low, high = _CAPACITY[kind]
    return int(rng.integers(low, high + 1))


def _funders(rng: np.random.Generator, kind: str) -> list[str]:
    weights = data.FUNDING_BY_KIND[kind]
    names = list(weights)
    p = np.array([weights[f] for f in names])
    count = min(len(names), int(rng.choice([1, 1, 2, 2, 3])))
    return [str(f) for f in rng.choice(names, count, replace=False, p=p / p.sum())]


def _offer_title(rng: np.random.Generator, kind: str, district: int) -> str:
    if district >= 0:
        info = data.DISTRICTS[district]
        place = info.name if rng.random() < 0.6 else str(rng.choice(info.quarters))
    else:
        place = "Dortmund"
    return str(rng.choice(data.OFFER_TITLES[kind])).format(place=place).strip()


def _offer_network(land: Landscape) -> cr.OfferNetwork:
    """The landscape as the biography simulation sees it, with the offers grouped by
    (age band, class, district) so it can draw offers for many persons at once."""
    klass = cr.KIND_CLASS[land.kind]
    suits = (
        np.array([low <= 24 for low in land.min_age]),  # under 25
        np.array([high >= 27 for high in land.max_age]),  # adults
    )
    items: list[int] = []
    starts = np.zeros(2 * cr.N_CLASSES * 13, dtype=np.int64)
    lengths = np.zeros_like(starts)
    for ageband, fits_age in enumerate(suits):
        for c in range(cr.N_CLASSES):
            fits = fits_age & (klass == c)
            for d in range(13):  # 12 = anywhere in the city
                members = (
                    np.flatnonzero(fits & (land.district == d))
                    if d < 12
                    else (np.flatnonzero(fits))
                )
                key = (ageband * cr.N_CLASSES + c) * 13 + d
                starts[key] = len(items)
                lengths[key] = len(members)
                items.extend(members.tolist())
    return cr.OfferNetwork(
        kind=land.kind,
        klass=klass.astype(np.int64),
        available_from=land.start_month,
        available_until=land.available_until,
        follow_on=np.array([e[0] if e else -1 for e in land.edges], dtype=np.int64),
        outcome=land.outcome,
        pool_items=np.array(items or [0], dtype=np.int64),
        pool_start=starts,
        pool_length=lengths,
    )


# Persons: segment shares (youth low/mid/high, adults, single parents, refugees, 50+),
# birth years and school-leaving ages by segment, and legal branch shares.
SEGMENT_SHARES = np.array([14, 10, 4, 36, 8, 14, 14]) / 100
BIRTH_YEARS = np.array(
    [
        [2003, 2010],
        [2003, 2010],
        [2003, 2008],
        [1972, 2000],
        [1980, 2001],
        [1975, 2006],
        [1959, 1975],
    ]
)
LEAVING_AGE = np.array([16, 17, 19, 0, 0, 0, 0])
BRANCH_SHARES = np.array(  # none, SGB II, SGB III
    [
        [0.45, 0.40, 0.15],
        [0.45, 0.30, 0.25],
        [0.50, 0.20, 0.30],
        [0.10, 0.60, 0.30],
        [0.05, 0.85, 0.10],
        [0.05, 0.90, 0.05],
        [0.05, 0.55, 0.40],
    ]
)
FEMALE, MALE, DIVERSE, UNSPECIFIED = 0, 1, 2, 3
GENDER_CODES = np.array(["female", "male", "diverse", "unspecified"], dtype=object)
BRANCH_CODES = np.array(["none", "SGB II", "SGB III"], dtype=object)
SCHOOL_CODES = np.array(
    ["none", "hauptschule", "mittlerer", "fachhochschulreife", "abitur", "foreign", "unknown"],
    dtype=object,
)
VOCATIONAL_CODES = np.array(
    ["none", "apprenticeship", "master", "university", "foreign", "unknown"], dtype=object
)
# Name origins: the city's mix, and the mix among refugees.
ORIGIN_SHARES = np.array([0.62, 0.14, 0.09, 0.07, 0.04, 0.04])
REFUGEE_ORIGIN_SHARES = np.array([0.0, 0.03, 0.0, 0.6, 0.35, 0.02])


def _qualifications(
    rng: np.random.Generator, pop: cr.Population, careers: cr.Careers
) -> tuple[IntArray, IntArray]:
    """School and vocational qualification codes (indices into SCHOOL_CODES and
    VOCATIONAL_CODES)."""
    n = len(pop.segment)
    segment = pop.segment
    school = np.zeros(n, dtype=np.int64)
    u = rng.random(n)
    for seg, codes in (
        (cr.YOUTH_LOW, np.where(u < 0.35, 0, 1)),
        (cr.YOUTH_MID, np.full(n, 2)),
        (cr.YOUTH_HIGH, np.where(u < 0.3, 3, 4)),
        (cr.REFUGEE, np.where(u < 0.6, 5, np.where(u < 0.85, 0, 6))),
    ):
        school[segment == seg] = codes[segment == seg]
    adults = np.isin(segment, (cr.ADULT, cr.SINGLE_PARENT, cr.OLDER))
    school[adults] = np.searchsorted(np.cumsum([0.12, 0.38, 0.3, 0.07, 0.08, 0.03]), u[adults])
    # Pupils still at school at the end of the window have no qualification yet.
    school[pop.school_leave >= cr.N_MONTHS] = 6
    vocational = np.zeros(n, dtype=np.int64)
    u = rng.random(n)
    vocational[adults] = np.searchsorted(np.cumsum([0.45, 0.43, 0.03, 0.05, 0.01]), u[adults])
    refugee = segment == cr.REFUGEE
    vocational[refugee] = np.where(u[refugee] < 0.4, 4, np.where(u[refugee] < 0.9, 0, 5))
    vocational[careers.completed_apprenticeship] = 1
    return school, vocational


def _target_group_rows(
    rng: np.random.Generator, pop: cr.Population, careers: cr.Careers, school: IntArray
) -> list[Row]:
    n = len(pop.segment)
    segment = pop.segment
    # Long-term unemployed: twelve months or more in one unemployment spell.
    unemployed = careers.state == cr.UNEMPLOYED
    end = np.where(careers.end == cr.OPEN, cr.N_MONTHS - 1, careers.end)
    longest = np.zeros(n, dtype=np.int64)
    np.maximum.at(longest, careers.person[unemployed], (end - careers.start + 1)[unemployed])
    parental = np.zeros(n, dtype=bool)
    parental[careers.person[careers.state == cr.PARENTAL_LEAVE]] = True
    youth = np.isin(segment, cr.YOUTH_SEGMENTS)
    tg = data.TG
    members = {
        tg["youth_difficult_start"]: (segment == cr.YOUTH_LOW) | (youth & (rng.random(n) < 0.12)),
        tg["school_leavers_without_qualification"]: youth & (school == 0),
        tg["long_term_unemployed"]: longest >= 12,
        tg["single_parents"]: segment == cr.SINGLE_PARENT,
        tg["refugees"]: segment == cr.REFUGEE,
        tg["over_50"]: pop.birth_year <= 1976,
        tg["disabled"]: rng.random(n) < 0.07,
        tg["returners"]: parental & (pop.gender == FEMALE) & (rng.random(n) < 0.4),
    }
    person = np.concatenate([np.flatnonzero(mask) for mask in members.values()])
    group = np.concatenate([np.full(int(mask.sum()), g) for g, mask in members.items()])
    order = np.lexsort((group, person))
    return list(
        zip(
            range(1, len(order) + 1),
            _tolist(person[order] + 1),
            _tolist(group[order] + 1),
            strict=True,
        )
    )


def _tags(
    rng: np.random.Generator, segment: IntArray, pool: tuple[str, ...], typical: dict[int, int]
) -> list[str]:
    """One to three tags per person from the pool, plus one typical of the segment,
    as JSON text (cached: there are few distinct combinations)."""
    n = len(segment)
    counts = rng.integers(1, 4, n)
    picks = rng.random((n, len(pool))).argsort(axis=1)[:, :3]
    texts: dict[tuple[int, ...], str] = {}
    out = []
    for i, seg in enumerate(segment.tolist()):
        chosen = set(picks[i, : counts[i]].tolist())
        if seg in typical:
            chosen.add(typical[seg])
        key = tuple(sorted(chosen))
        text = texts.get(key)
        if text is None:
            text = texts[key] = _json_list([pool[k] for k in key])
        out.append(text)
    return out


# What persons said they want: about half stated a goal, about a third one to three
# kinds of offer (the allocation's preference cost).
STATED_GOAL_SHARE = 0.5
STATED_KINDS_SHARE = 0.35
WISHED_KINDS = (
    "counselling",
    "vocational_preparation",
    "qualification",
    "further_training",
    "apprenticeship",
    "subsidised_employment",
    "job_placement",
)


def _stated_wishes(
    rng: np.random.Generator, pop: cr.Population, vocational: IntArray
) -> tuple[list[str], list[str]]:
    n = len(pop.birth_year)
    age = DEMO_TODAY.year - pop.birth_year
    young_without = (age < 25) & (VOCATIONAL_CODES[vocational] == "none")
    goal = np.where(young_without, "apprenticeship", "employment").astype(object)
    goal[rng.random(n) < 0.05] = "self_employment"
    goal[rng.random(n) >= STATED_GOAL_SHARE] = ""
    stated = rng.random(n) < STATED_KINDS_SHARE
    counts = rng.integers(1, 4, n)
    order = rng.random((n, len(WISHED_KINDS))).argsort(axis=1)[:, :3]
    kinds = [
        _json_list([WISHED_KINDS[k] for k in order[i, : counts[i]].tolist()]) if stated[i] else "[]"
        for i in range(n)
    ]
    return goal.tolist(), kinds


def _personal_details(rng: np.random.Generator, pop: cr.Population) -> list[Row]:
    """Synthetic names (given and family name drawn independently by origin), birth
    date, an example.org address for most, street and postcode in the district."""
    n = len(pop.segment)
    origin = np.where(
        pop.segment == cr.REFUGEE,
        rng.choice(len(data.ORIGINS), n, p=REFUGEE_ORIGIN_SHARES),
        rng.choice(len(data.ORIGINS), n, p=ORIGIN_SHARES),
    )
    u_given, u_family, u_form = rng.random(n), rng.random(n), rng.random(n)
    street = rng.integers(0, len(data.STREETS), n)
    house = rng.integers(1, 120, n)
    day_of_year = rng.integers(0, 365, n)
    has_email = rng.random(n) < 0.6
    u_postcode = rng.random(n)
    rows: list[Row] = []
    for i in range(n):
        pool = data.NAMES[data.ORIGINS[int(origin[i])]]
        gender = int(pop.gender[i])
        female = gender == FEMALE or (gender in (DIVERSE, UNSPECIFIED) and u_form[i] < 0.5)
        givens = pool.female if female else pool.male
        given = givens[int(u_given[i] * len(givens))]
        family = pool.family[int(u_family[i] * len(pool.family))]
        if female:
            family = _feminine(family)
        birth = dt.date(int(pop.birth_year[i]), 1, 1) + dt.timedelta(days=int(day_of_year[i]))
        info = data.DISTRICTS[int(pop.district[i])]
        email = f"{_fold(given)}.{_fold(family)}{i % 97}@example.org" if has_email[i] else ""
        rows.append(
            (
                i + 1,
                given,
                family,
                birth.isoformat(),
                email,
                "",
                f"{data.STREETS[int(street[i])]} {int(house[i])}",
                info.postcodes[int(u_postcode[i] * len(info.postcodes))],
                int(pop.district[i]) + 1,
            )
        )
    return rows


class CityGenerator:
    """Builds the demo city phase by phase; later phases use what earlier ones built."""

    def __init__(self, seed: int = DEFAULT_SEED, scale: float = DEFAULT_SCALE) -> None:
        if seed < 0:
            raise ValueError("seed must not be negative")
        if scale <= 0:
            raise ValueError("scale must be positive")
        self.seed = seed
        self.scale = scale
        self.counts = {name: scaled(name, scale) for name in BASE_COUNTS}
        self.n_districts = len(data.DISTRICTS)
        self._provider_ids: IntArray = np.zeros(0, dtype=np.int64)
        self._provider_district: IntArray = np.zeros(0, dtype=np.int64)
        self._next_organisation_id = len(PUBLIC_BODIES) + 1
        self._offers = _Offers()
        self._careers: cr.Careers | None = None
        self._population_cache: cr.Population | None = None
        self._first_month: IntArray = np.zeros(0, dtype=np.int64)
        self._provider_external: dict[int, str] = {}
        self._skilled: npt.NDArray[np.bool_] = np.zeros(0, dtype=bool)
        # Each employer's hiring pattern (occupations.PATTERN_NAMES) by external id.
        self.hiring_patterns: dict[str, str] = {}

    @property
    def _career(self) -> cr.Careers:
        assert self._careers is not None, "the persons phase must run first"
        return self._careers

    @property
    def _pop(self) -> cr.Population:
        assert self._population_cache is not None, "the persons phase must run first"
        return self._population_cache

    def rng(self, phase: str, stream: int = 0) -> np.random.Generator:
        """The phase's random stream; a further ``stream`` of a phase leaves the first
        one (and so the data drawn from it) unchanged."""
        key = [self.seed, PHASES.index(phase)]
        return np.random.default_rng([*key, stream] if stream else key)

    def phases(self) -> list[tuple[str, Callable[[], list[Table]]]]:
        return [
            ("reference", self.reference),
            ("organisations", self.organisations),
            ("offers", self.offers),
            ("employers", self.employers),
            ("persons", self.persons),
            ("spells", self.spells),
            ("consents", self.consents),
            ("agreements", self.agreements),
            ("referrals", self.referrals),
            ("statistics", self.statistics),
            ("forum", self.forum),
        ]

    def tables(self) -> list[Table]:
        """All tables at once (tests, small scales)."""
        return [table for _name, build in self.phases() for table in build()]

    # -- reference data -------------------------------------------------------------
    def reference(self) -> list[Table]:
        districts = [
            (i + 1, d.name, data.AGS_DORTMUND + d.number, None)
            for i, d in enumerate(data.DISTRICTS)
        ]
        groups = [(i + 1, g.code, g.label) for i, g in enumerate(data.TARGET_GROUPS)]
        # The postcode table the imports place vacancies and offers by; a postcode in
        # two districts would be left out (none is in the demo's lists).
        counts = Counter(p for d in data.DISTRICTS for p in d.postcodes)
        postcodes = [
            (i + 1, postcode, district)
            for i, (postcode, district) in enumerate(
                (p, n + 1)
                for n, d in enumerate(data.DISTRICTS)
                for p in d.postcodes
                if counts[p] == 1
            )
        ]
        return [
            Table("core.District", ("id", "name", "official_key", "boundary"), districts),
            Table("core.TargetGroup", ("id", "code", "label"), groups),
            Table("employers.PostcodeDistrict", ("id", "postcode", "district"), postcodes),
        ]

    # -- organisations --------------------------------------------------------------
    def _district_id(self, number: str | None) -> int | None:
        if number is None:
            return None
        return next(i + 1 for i, d in enumerate(data.DISTRICTS) if d.number == number)

    def organisations(self) -> list[Table]:
        rng = self.rng("organisations")
        fields = ("id", "external_id", "name", "kind", "district", "wz_code", "synthetic")
        rows: list[Row] = [
            (i + 1, ext, name, kind, self._district_id(number), "", True)
            for i, (ext, name, kind, number) in enumerate(PUBLIC_BODIES)
        ]
        n = self.counts["providers"]
        weights = np.array([d.weight for d in data.DISTRICTS])
        # Every district has a provider once there are enough of them; the rest follow
        # need, so the inner north gets the most.
        first = np.arange(min(n, self.n_districts))
        rest = rng.choice(self.n_districts, n - len(first), p=weights / weights.sum())
        district = np.concatenate([first, rest]).astype(np.int64)
        rank: dict[int, int] = {}
        ids = []
        for i in range(n):
            d = int(district[i])
            k = rank.get(d, 0)
            rank[d] = k + 1
            info = data.DISTRICTS[d]
            pattern = data.PROVIDER_PATTERNS[(d * 5 + k) % len(data.PROVIDER_PATTERNS)]
            place = info.name if k % 2 == 0 else info.quarters[k % len(info.quarters)]
            name = pattern.format(place=place)
            if k >= len(data.PROVIDER_PATTERNS):
                name += f" ({k // len(data.PROVIDER_PATTERNS) + 1})"
            org_id = self._next_organisation_id
            self._next_organisation_id += 1
            ids.append(org_id)
            rows.append(
                (
                    org_id,
                    f"p-{info.slug}-{k + 1}",
                    name,
                    "provider",
                    d + 1,
                    data.PROVIDER_WZ[int(rng.integers(len(data.PROVIDER_WZ)))],
                    True,
                )
            )
        self._provider_ids = np.array(ids, dtype=np.int64)
        self._provider_district = district
        self._provider_external = {row[0]: row[1] for row in rows}
        return [Table("core.Organisation", fields, rows)]

    # -- offers ---------------------------------------------------------------------
    def offers(self) -> list[Table]:
        rng = self.rng("offers")
        land = build_landscape(
            rng, self.counts["offers"], self._provider_district, self.n_districts
        )
        offer_rows: list[Row] = []
        funding_rows: list[Row] = []
        for i in range(len(land)):
            kind = data.OFFER_KINDS[int(land.kind[i])]
            capacity = _capacity(rng, kind)
            funders = _funders(rng, kind)
            # Who pays decides whose clients may take part.
            branches = [
                branch
                for funder, branch in (("jobcenter", "SGB II"), ("federal_agency", "SGB III"))
                if funder in funders
            ]
            end_month = int(land.end_month[i])
            offer_rows.append(
                (
                    i + 1,
                    f"o-{i + 1:05d}",
                    int(self._provider_ids[land.provider[i]]),
                    _offer_title(rng, kind, int(land.district[i])),
                    data.OFFER_DESCRIPTIONS[kind],
                    kind,
                    int(land.district[i]) + 1 if land.district[i] >= 0 else None,
                    land.min_age[i],
                    land.max_age[i],
                    _json_list(branches),
                    data.OFFER_RULES[kind],
                    capacity,
                    _START_ISO[int(land.start_month[i])],
                    _END_ISO[end_month] if end_month < OPEN_END else None,
                    land.status[i],
                    True,
                    "2026-11-01 06:00:00",
                )
            )
            # Yearly funding lines over the part of 2024–2027 the offer runs.
            places = capacity or 40
            first_year = max(2024, month_start(int(land.start_month[i])).year)
            last_year = min(2027, month_start(min(end_month, 72)).year)
            for rank, funder in enumerate(funders):
                share = (1.3 if rank == 0 else 0.85) / len(funders)
                for year in range(first_year, last_year + 1):
                    amount = data.COST_PER_PLACE[kind] * places * share * rng.uniform(0.85, 1.15)
                    funding_rows.append(
                        (
                            len(funding_rows) + 1,
                            i + 1,
                            funder,
                            f"{amount:.2f}",
                            f"{year}-01-01",
                            f"{year}-12-31",
                        )
                    )
        # The occupations come from a stream of their own: every row drawn before stays.
        occupations = offer_occupations(
            self.rng("offers", stream=1),
            [str(row[5]) for row in offer_rows],
            [str(row[3]) for row in offer_rows],
        )
        offer_rows = [
            (*row, _json_list(codes)) for row, codes in zip(offer_rows, occupations, strict=True)
        ]
        follow_rows: list[Row] = []
        for i in range(len(land)):
            links: list[tuple[int | None, str]] = [(target + 1, "") for target in land.edges[i]]
            links += [(None, goal) for goal in land.destinations[i]]
            for position, (target, goal) in enumerate(links):
                follow_rows.append((len(follow_rows) + 1, i + 1, target, goal, position))
        group_rows = [(0, i + 1, g + 1) for i, groups in enumerate(land.groups) for g in groups]
        group_rows = [(k + 1, *row[1:]) for k, row in enumerate(group_rows)]
        self._offers = _Offers(
            provider=self._provider_ids[land.provider],
            network=_offer_network(land),
            running_now=land.running_now,
            district=land.district,
        )
        offer_fields = (
            "id",
            "external_id",
            "provider",
            "title",
            "description",
            "kind",
            "district",
            "min_age",
            "max_age",
            "legal_branches",
            "other_rules",
            "capacity",
            "start",
            "end",
            "status",
            "synthetic",
            "updated_at",
            "occupations",
        )
        return [
            Table("offers.Offer", offer_fields, offer_rows),
            Table("offers.Offer", ("id", "offer", "targetgroup"), group_rows, m2m="target_groups"),
            Table(
                "offers.FundingLine",
                ("id", "offer", "funder", "amount_eur", "start", "end"),
                funding_rows,
            ),
            Table(
                "offers.FollowOn",
                ("id", "from_offer", "to_offer", "destination", "position"),
                follow_rows,
            ),
        ]

    # -- employers and vacancies ----------------------------------------------------
    def employers(self) -> list[Table]:
        rng = self.rng("employers")
        n = self.counts["employers"]
        sector_weights = np.array([s.weight for s in data.SECTORS], dtype=float)
        sector = rng.choice(len(data.SECTORS), n, p=sector_weights / sector_weights.sum())
        # Jobs cluster in the centre, around Phoenix (Hörde) and the logistics areas.
        district_weights = np.array([16, 8, 7, 6, 5, 8, 8, 10, 6, 8, 9, 9], dtype=float)
        district = rng.choice(self.n_districts, n, p=district_weights / district_weights.sum())
        families = (
            data.NAMES["german"].family * 3
            + data.NAMES["turkish"].family
            + (data.NAMES["polish"].family)
        )
        givens = data.NAMES["german"].female + data.NAMES["turkish"].female
        org_rows: list[Row] = []
        ids: list[int] = []
        names: list[str] = []
        for i in range(n):
            s = data.SECTORS[int(sector[i])]
            info = data.DISTRICTS[int(district[i])]
            name = str(rng.choice(s.name_patterns)).format(
                family=str(rng.choice(families)),
                place=str(rng.choice(info.quarters)),
                given=str(rng.choice(givens)),
            )
            org_id = self._next_organisation_id
            self._next_organisation_id += 1
            ids.append(org_id)
            names.append(name)
            org_rows.append(
                (org_id, f"e-{i + 1:05d}", name, "employer", int(district[i]) + 1, s.wz, True)
            )
        # A few large employers post most vacancies; each sector hires its own
        # occupations, the first of them most often.
        size = rng.pareto(1.2, n) + 1.0
        m = self.counts["vacancies"]
        employer = rng.choice(n, m, p=size / size.sum())
        u = rng.random(m)
        occupation = np.zeros(m, dtype=np.int64)
        for index, s in enumerate(data.SECTORS):
            hires = sector[employer] == index
            weights = 1.0 / np.arange(1, len(s.occupations) + 1)
            cumulative = np.cumsum(weights / weights.sum())
            codes = np.array([data.KLDB_INDEX[code] for code in s.occupations])
            pick = np.minimum(np.searchsorted(cumulative, u[hires], side="right"), len(codes) - 1)
            occupation[hires] = codes[pick]
        where = np.where(
            rng.random(m) < 0.9, district[employer], rng.integers(0, self.n_districts, m)
        )
        published = TODAY_DAY - rng.integers(0, 180, m)
        entry = published + rng.integers(0, 75, m)
        has_entry = rng.random(m) < 0.8
        positions = np.where(rng.random(m) < 0.8, 1, rng.integers(2, 6, m))
        u_postcode = rng.random(m)
        postcodes = [
            data.DISTRICTS[d].postcodes[int(x * len(data.DISTRICTS[d].postcodes))]
            for d, x in zip(where.tolist(), u_postcode.tolist(), strict=True)
        ]
        published, entry, closed = self._vacancy_history(
            sector, employer, occupation, published, entry
        )
        titles = [f"{data.OCCUPATIONS[o].title} (m/w/d)" for o in occupation.tolist()]
        vacancy_rows = list(
            zip(
                range(1, m + 1),
                ["demo"] * m,
                [f"DEMO-{v:07d}" for v in range(1, m + 1)],
                titles,
                [ids[e] for e in employer.tolist()],
                [names[e] for e in employer.tolist()],
                [data.OCCUPATIONS[o].kldb for o in occupation.tolist()],
                _tolist(where + 1),
                postcodes,
                ["Dortmund"] * m,
                iso_days(published),
                [day if has else None for day, has in zip(iso_days(entry), has_entry, strict=True)],
                _tolist(positions),
                [True] * m,
                [
                    day if shut else None
                    for day, shut in zip(
                        iso_days(np.minimum(closed, TODAY_DAY)), closed <= TODAY_DAY, strict=True
                    )
                ],
                strict=True,
            )
        )
        return [
            Table(
                "core.Organisation",
                ("id", "external_id", "name", "kind", "district", "wz_code", "synthetic"),
                org_rows,
            ),
            Table(
                "employers.Vacancy",
                (
                    "id",
                    "source",
                    "reference",
                    "title",
                    "employer",
                    "employer_name",
                    "kldb",
                    "district",
                    "postcode",
                    "place",
                    "published_on",
                    "entry_on",
                    "positions",
                    "synthetic",
                    "closed_on",
                ),
                vacancy_rows,
            ),
        ]

    def _vacancy_history(
        self,
        sector: IntArray,
        employer: IntArray,
        occupation: IntArray,
        published: IntArray,
        entry: IntArray,
    ) -> tuple[IntArray, IntArray, IntArray]:
        """Publication over the last three years (own stream): each employer hires
        steadily, by the season, on a trend (up or down) or erratically; the wished
        entry keeps its distance to publication. A vacancy closes after a spread of
        days (shortage occupations take longer); one that would close after the demo's
        today is still open. Returns published, entry and closing day numbers."""
        rng = self.rng("employers", stream=1)
        pattern = occ.hiring_patterns(rng, sector)
        self.hiring_patterns = {
            f"e-{i + 1:05d}": occ.PATTERN_NAMES[p] for i, p in enumerate(pattern.tolist())
        }
        months = np.arange(cr.N_MONTHS - VACANCY_HISTORY_MONTHS, cr.N_MONTHS, dtype=np.int64)
        calendar = (months + 11) % 12 + 1  # window month 0 is December 2021
        intensity = occ.hiring_intensity(rng, sector, pattern, calendar)
        month = months[occ.draw_months(rng, intensity, employer)]
        start = first_day(month)
        length = np.minimum(last_day(month), TODAY_DAY) - start + 1
        history = start + (rng.random(len(month)) * length).astype(np.int64)
        closed = history + occ.open_days(rng, occupation)
        return history, history + (entry - published), closed

    # -- persons and their biographies ----------------------------------------------
    def _population(self, rng: np.random.Generator, n: int) -> cr.Population:
        """Who the platform's clients are: segment, district, age, legal branch."""
        segment = rng.choice(cr.N_SEGMENTS, n, p=SEGMENT_SHARES).astype(np.int64)
        district_weights = np.array([d.weight for d in data.DISTRICTS])
        district = rng.choice(self.n_districts, n, p=district_weights / district_weights.sum())
        # Refugees live in the inner north far more than elsewhere.
        refugee = segment == cr.REFUGEE
        north_heavy = district_weights.copy()
        north_heavy[1] *= 2.5
        district[refugee] = rng.choice(
            self.n_districts, int(refugee.sum()), p=north_heavy / north_heavy.sum()
        )
        low, high = BIRTH_YEARS[segment, 0], BIRTH_YEARS[segment, 1]
        birth_year = low + (rng.random(n) * (high - low + 1)).astype(np.int64)
        female_share = np.where(segment == cr.SINGLE_PARENT, 0.9, np.where(refugee, 0.45, 0.5))
        gender = np.where(rng.random(n) < female_share, FEMALE, MALE)
        u = rng.random(n)
        gender[u < 0.004] = DIVERSE
        gender[(u >= 0.004) & (u < 0.01)] = UNSPECIFIED
        u = rng.random(n)
        shares = BRANCH_SHARES[segment]
        branch = (u >= shares[:, 0]).astype(np.int64) + (u >= shares[:, 0] + shares[:, 1])
        # Pupils leave at 16 (no or Hauptschule qualification), 17 (Mittlerer) or 19
        # (Abitur), some a year later; the spell ends with the school year in July.
        leave_year = birth_year + LEAVING_AGE[segment] + (rng.random(n) < 0.15)
        school_leave = np.where(
            np.isin(segment, cr.YOUTH_SEGMENTS), (leave_year - 2021) * 12 + 7 - 12, -100
        )
        # Refugees: a third came before the window, a third with the 2022 wave, the
        # rest over the following years; their biographies start when they arrive.
        arrival = np.zeros(n, dtype=np.int64)
        u = rng.random(int(refugee.sum()))
        wave = rng.integers(3, 11, len(u))
        later = rng.integers(0, 48, len(u))
        arrival[refugee] = np.where(u < 0.35, 0, np.where(u < 0.7, wave, later))
        may_parent = (
            (birth_year >= 1982)
            & (birth_year <= 2002)
            & ((gender == FEMALE) | (rng.random(n) < 0.25))
        )
        return cr.Population(
            segment=segment,
            district=district.astype(np.int64),
            branch=branch,
            ageband=np.where(birth_year >= 1999, 0, 1).astype(np.int64),
            arrival=arrival,
            school_leave=school_leave.astype(np.int64),
            may_parent=may_parent,
            birth_year=birth_year,
            gender=gender.astype(np.int64),
        )

    def persons(self) -> list[Table]:
        rng = self.rng("persons")
        n = self.counts["persons"]
        pop = self._population(rng, n)
        assert self._offers.network is not None, "the offers phase must run first"
        careers = cr.simulate(rng, pop, self._offers.network)
        self._careers = careers
        self._population_cache = pop
        school, vocational = _qualifications(rng, pop, careers)
        self._skilled = np.isin(
            VOCATIONAL_CODES[vocational], ("apprenticeship", "master", "university")
        )
        first_month = np.full(n, cr.N_MONTHS, dtype=np.int64)
        np.minimum.at(first_month, careers.person, careers.start)
        self._first_month = first_month
        created = [
            f"{_START_ISO[m]} 0{7 + i % 3}:{i % 60:02d}:00"
            for i, m in enumerate(np.minimum(first_month, cr.N_MONTHS - 1).tolist())
        ]
        person_rows = list(
            zip(
                range(1, n + 1),
                _public_ids(n, self.seed),
                _tolist(GENDER_CODES[pop.gender]),
                _tolist(pop.birth_year),
                _tolist(pop.district + 1),
                _tolist(SCHOOL_CODES[school]),
                _tolist(VOCATIONAL_CODES[vocational]),
                _tolist(BRANCH_CODES[pop.branch]),
                _tags(rng, pop.segment, data.STRENGTHS, {cr.REFUGEE: 3}),
                _tags(
                    rng,
                    pop.segment,
                    data.SUPPORT_NEEDS,
                    {cr.SINGLE_PARENT: 0, cr.REFUGEE: 1, cr.YOUTH_LOW: 10},
                ),
                *_stated_wishes(self.rng("persons", stream=1), pop, vocational),
                created,
                [True] * n,
                strict=True,
            )
        )
        person_fields = (
            "id",
            "public_id",
            "gender",
            "birth_year",
            "district",
            "school_qualification",
            "vocational_qualification",
            "legal_branch",
            "strengths",
            "support_needs",
            "goal",
            "preferred_offer_kinds",
            "created_at",
            "synthetic",
        )
        detail_fields = (
            "person",
            "given_name",
            "family_name",
            "birth_date",
            "email",
            "phone",
            "street",
            "postcode",
            "address_district",
        )
        return [
            Table("people.Person", person_fields, person_rows),
            Table(
                "people.Person",
                ("id", "person", "targetgroup"),
                _target_group_rows(rng, pop, careers, school),
                m2m="target_groups",
            ),
            Table("people.PersonalDetails", detail_fields, _personal_details(rng, pop)),
        ]

    def _source_organisations(self, careers: cr.Careers) -> IntArray:
        """Who reported each spell: the provider for offers, the Jobcenter or the
        Agentur for unemployment, a vocational college for its pupils; 0 for none."""
        branch = self._pop.branch[careers.person]
        source = np.zeros(len(careers.person), dtype=np.int64)
        unemployed = careers.state == cr.UNEMPLOYED
        source[unemployed] = np.where(branch[unemployed] == 2, AGENCY_ID, JOBCENTER_ID)
        college = careers.state == cr.VOC_COLLEGE
        colleges = np.array(VOCATIONAL_COLLEGE_IDS, dtype=np.int64)
        source[college] = colleges[careers.person[college] % len(colleges)]
        with_offer = careers.offer >= 0
        source[with_offer] = self._offers.provider[careers.offer[with_offer]]
        return source

    def spells(self) -> list[Table]:
        careers = self._career
        count = len(careers.person)
        state_names = np.array(cr.STATE_NAMES, dtype=object)
        end = np.where(careers.end == cr.OPEN, cr.N_MONTHS, careers.end)
        rows = list(
            zip(
                range(1, count + 1),
                _tolist(careers.person + 1),
                _tolist(state_names[careers.state]),
                _tolist(_WINDOW_START_ISO[careers.start]),
                _tolist(_WINDOW_END_ISO[end]),
                _none_if(self._source_organisations(careers), 0),
                _none_if(careers.offer + 1, 0),
                _tolist(self._spell_occupations()),
                strict=True,
            )
        )
        return [
            Table(
                "people.Spell",
                ("id", "person", "state", "start", "end", "source_organisation", "offer", "kldb"),
                rows,
            )
        ]

    def _spell_occupations(self) -> npt.NDArray[np.object_]:
        """KldB codes of the employment-type and unemployment spells (own stream)."""
        return occ.spell_occupations(
            self.rng("spells", stream=1), self._career, self._pop.gender, self._skilled
        )

    # -- consents -------------------------------------------------------------------
    def consents(self) -> list[Table]:
        """Most persons consent to the institution responsible for them (the Jobcenter
        for SGB II, the employment agency for SGB III, the city's counselling for
        everybody else), many also to the city; participants to their providers; some
        consents expired, some were withdrawn."""
        rng = self.rng("consents")
        careers = self._career
        n = self.counts["persons"]
        first = np.minimum(self._first_month, cr.N_MONTHS - 1)
        # The providers each person took part with, most recent last.
        with_offer = np.flatnonzero(careers.offer >= 0)
        providers_of: dict[int, list[int]] = {}
        offer_provider = self._offers.provider
        for p, o in zip(
            careers.person[with_offer].tolist(), careers.offer[with_offer].tolist(), strict=True
        ):
            providers = providers_of.setdefault(p, [])
            provider = int(offer_provider[o])
            if provider in providers:
                providers.remove(provider)
            providers.append(provider)

        consent_rows: list[Row] = []
        org_rows: list[Row] = []
        purposes = ("counselling", "placement", "case_conference", "monitoring")
        u = rng.random((n, 6))
        offset_days = rng.integers(0, 28, (n, 3))
        withdraw_days = rng.integers(30, 400, n)
        responsible = np.array([CITY_ID, JOBCENTER_ID, AGENCY_ID])[self._pop.branch].tolist()
        for p in range(n):
            base_month = int(first[p])
            options: list[tuple[str, list[int]]] = []
            home = responsible[p]
            if u[p, 0] < 0.85:
                orgs = [home]
                if home != CITY_ID and u[p, 1] < 0.55:
                    orgs.append(CITY_ID)
                options.append((purposes[int(u[p, 2] < 0.4)], orgs))
            elif u[p, 1] < 0.5:
                options.append(("counselling", [CITY_ID]))
            providers = providers_of.get(p, [])
            if providers:
                options.append(("placement", providers[-2:]))
            if u[p, 3] < 0.08:
                conference = dict.fromkeys([home, CITY_ID, *providers[-1:]])
                options.append(("case_conference", list(conference)))
            for k, (purpose, orgs) in enumerate(options):
                valid_from_date = month_start(base_month) + dt.timedelta(
                    days=int(offset_days[p, min(k, 2)])
                )
                valid_from = valid_from_date.isoformat()
                roll = u[p, 4] if k == 0 else u[p, 5]
                withdrawn = None
                if roll < 0.08:  # expired before the demo's today
                    until = min(
                        valid_from_date + dt.timedelta(days=730), DEMO_TODAY - dt.timedelta(days=20)
                    )
                    valid_until: str | None = max(until, valid_from_date).isoformat()
                elif roll < 0.12:  # withdrawn
                    valid_until = None
                    withdrawn_on = min(
                        valid_from_date + dt.timedelta(days=int(withdraw_days[p])),
                        DEMO_TODAY - dt.timedelta(days=3),
                    )
                    withdrawn = f"{max(withdrawn_on, valid_from_date).isoformat()} 10:15:00"
                elif roll < 0.55:
                    valid_until = dt.date(2027 + int(roll * 10) % 3, 12, 31).isoformat()
                else:
                    valid_until = None
                consent_id = len(consent_rows) + 1
                consent_rows.append(
                    (
                        consent_id,
                        p + 1,
                        purpose,
                        valid_from,
                        valid_until,
                        withdrawn,
                        None,
                        f"{valid_from} 09:30:00",
                    )
                )
                for org in dict.fromkeys(orgs):
                    org_rows.append((len(org_rows) + 1, consent_id, org))
        return [
            Table(
                "people.Consent",
                (
                    "id",
                    "person",
                    "purpose",
                    "valid_from",
                    "valid_until",
                    "withdrawn_at",
                    "recorded_by",
                    "recorded_at",
                ),
                consent_rows,
            ),
            Table(
                "people.Consent", ("id", "consent", "organisation"), org_rows, m2m="organisations"
            ),
        ]

    # -- agreements -----------------------------------------------------------------
    def agreements(self) -> list[Table]:
        """Agreements at the start of unemployment spells of SGB II (and some SGB III)
        clients: two or three things the person does, one to three the institution
        guarantees; the latest one active while the person is still unemployed."""
        rng = self.rng("agreements")
        careers = self._career
        branch = self._pop.branch
        unemployed = np.flatnonzero(careers.state == cr.UNEMPLOYED)
        person = careers.person[unemployed]
        eligible = (branch[person] == 1) | ((branch[person] == 2) & (rng.random(len(person)) < 0.4))
        chosen = unemployed[eligible & (rng.random(len(person)) < 0.45)]
        count = len(chosen)
        person = careers.person[chosen]
        is_last = np.append(person[1:] != person[:-1], True)
        running = careers.end[chosen] == cr.OPEN
        concluded = first_day(careers.start[chosen]) + rng.integers(0, 27, count)
        u = rng.random((count, 3))
        status = np.where(
            running & is_last, np.where(u[:, 0] < 0.04, "draft", "active"), "closed"
        ).astype(object)
        organisation = np.where(branch[person] == 2, AGENCY_ID, JOBCENTER_ID)
        organisation[u[:, 1] < 0.1] = CITY_ID
        titles = np.array(data.AGREEMENT_TITLES, dtype=object)
        title = titles[(u[:, 2] * len(titles)).astype(np.int64)]
        agreement_rows = list(
            zip(
                range(1, count + 1),
                _tolist(person + 1),
                _tolist(organisation),
                _tolist(title),
                iso_days(concluded),
                iso_days(concluded + 182),
                _tolist(status),
                strict=True,
            )
        )

        # Items: for agreement k, n_person[k] commitments, then n_institution[k]
        # guarantees, each text drawn without repetition within its agreement.
        n_person = rng.integers(2, 4, count)
        n_institution = rng.integers(1, 4, count)
        per_agreement = n_person + n_institution
        agreement = np.repeat(np.arange(count), per_agreement)
        position = np.arange(len(agreement)) - np.repeat(
            np.cumsum(per_agreement) - per_agreement, per_agreement
        )
        is_person = position < n_person[agreement]
        commitment = rng.random((count, len(data.PERSON_COMMITMENTS))).argsort(axis=1)
        guarantee = rng.random((count, len(data.INSTITUTION_GUARANTEES))).argsort(axis=1)
        text_index = np.where(
            is_person,
            commitment[agreement, np.minimum(position, commitment.shape[1] - 1)],
            guarantee[agreement, np.maximum(position - n_person[agreement], 0)],
        )
        texts = np.where(
            is_person,
            np.array(data.PERSON_COMMITMENTS, dtype=object)[text_index],
            np.array(data.INSTITUTION_GUARANTEES, dtype=object)[text_index],
        )
        due = concluded[agreement] + rng.integers(14, 180, len(agreement))
        roll = rng.random(len(agreement))
        closed = status[agreement] == "closed"
        item_status = np.where(
            closed,
            np.where(roll < 0.7, "done", np.where(roll < 0.9, "dropped", "late")),
            np.where(
                due < TODAY_DAY,
                np.where(roll < 0.6, "done", "late"),
                np.where(roll < 0.2, "done", "open"),
            ),
        )
        item_rows = list(
            zip(
                range(1, len(agreement) + 1),
                _tolist(agreement + 1),
                _tolist(np.where(is_person, "person", "institution")),
                _tolist(texts),
                iso_days(due),
                _tolist(item_status),
                strict=True,
            )
        )
        return [
            Table(
                "agreements.Agreement",
                ("id", "person", "organisation", "title", "concluded_on", "review_on", "status"),
                agreement_rows,
            ),
            Table(
                "agreements.AgreementItem",
                ("id", "agreement", "side", "text", "due_on", "status"),
                item_rows,
            ),
        ]

    # -- referrals ------------------------------------------------------------------
    def referrals(self) -> list[Table]:
        """A referral behind most offer spells (completed, dropped out, started or
        cancelled) and open ones for some of the persons unemployed today, each with
        the day it was sent and answered (for the answer statistics)."""
        rng = self.rng("referrals")
        careers = self._career
        spells = np.flatnonzero((careers.offer >= 0) & (rng.random(len(careers.offer)) < 0.75))
        running = careers.end[spells] == cr.OPEN
        start = first_day(careers.start[spells])
        created = start - rng.integers(3, 30, len(spells))
        updated = np.where(running, start, last_day(np.maximum(careers.end[spells], 0)))
        roll = rng.random(len(spells))
        status = np.where(
            running,
            "started",
            np.where(roll < 0.06, "cancelled", np.where(roll < 0.18, "dropped_out", "completed")),
        )
        person = careers.person[spells]
        offer = careers.offer[spells]
        created_at = iso_days(created, " 09:00:00")
        updated_at = iso_days(updated, " 16:00:00")
        # Sent the day after the proposal, answered within a week, before the start.
        sent = created + 1
        answered = sent + np.minimum(rng.integers(0, 7, len(spells)), start - sent - 1)
        sent_at: list[str | None] = list(iso_days(sent, " 09:30:00"))
        answered_at: list[str | None] = list(iso_days(answered, " 14:00:00"))
        reasons: list[str] = [""] * len(spells)

        # Open referrals for some of today's unemployed, to offers running now, in
        # their own district where there is one.
        now_unemployed = np.flatnonzero((careers.state == cr.UNEMPLOYED) & (careers.end == cr.OPEN))
        picked = careers.person[now_unemployed[rng.random(len(now_unemployed)) < 0.3]]
        running_offers = np.flatnonzero(self._offers.running_now)
        if len(running_offers) and len(picked):
            u = rng.random(len(picked))
            target = running_offers[(u * len(running_offers)).astype(np.int64)]
            home = self._pop.district[picked]
            for d in range(self.n_districts):
                local = running_offers[self._offers.district[running_offers] == d]
                here = home == d
                if len(local) and here.any():
                    target[here] = local[(u[here] * len(local)).astype(np.int64)]
            open_status = np.array(["proposed", "sent", "accepted", "declined"], dtype=object)
            roll = rng.random(len(picked))
            when = TODAY_DAY - rng.integers(1, 60, len(picked))
            chosen = open_status[np.searchsorted([0.35, 0.7, 0.9], roll, side="right")]
            # Sent referrals nobody answered within the default 14 days have expired.
            chosen = np.where(
                (chosen == "sent") & (when < TODAY_DAY - ANSWER_DAYS), "expired", chosen
            )
            answer_day = when + np.minimum(rng.integers(0, 10, len(picked)), TODAY_DAY - when)
            was_sent = chosen != "proposed"
            was_answered = (chosen == "accepted") | (chosen == "declined")
            sent_texts = iso_days(when, " 11:00:00")
            answer_texts = iso_days(answer_day, " 15:00:00")
            person = np.concatenate([person, picked])
            offer = np.concatenate([offer, target])
            status = np.concatenate([status, chosen])
            created_at += iso_days(when, " 10:30:00")
            updated_at += iso_days(when, " 10:30:00")
            sent_at += [t if s else None for t, s in zip(sent_texts, was_sent, strict=True)]
            answered_at += [
                t if a else None for t, a in zip(answer_texts, was_answered, strict=True)
            ]
            codes = DECLINE_REASONS[rng.integers(0, len(DECLINE_REASONS), len(picked))]
            reasons += [
                str(c) if s == "declined" else "" for c, s in zip(codes, chosen, strict=True)
            ]
        count = len(person)
        rows = list(
            zip(
                range(1, count + 1),
                _tolist(person + 1),
                _tolist(offer + 1),
                _tolist(status),
                [None] * count,
                created_at,
                updated_at,
                sent_at,
                answered_at,
                reasons,
                [None] * count,
                strict=True,
            )
        )
        return [
            Table(
                "referrals.Referral",
                (
                    "id",
                    "person",
                    "offer",
                    "status",
                    "created_by",
                    "created_at",
                    "updated_at",
                    "sent_at",
                    "answered_at",
                    "decline_reason",
                    "reminded_at",
                ),
                rows,
            )
        ]

    # -- labour-market statistics ---------------------------------------------------
    def statistics(self) -> list[Table]:
        """The BA-style statistics of the city, its districts and the reference region
        (demo/labourstats.py): 36 months up to the last one reported by the demo's
        today (2026-10). Their size does not depend on the scale."""
        rng = self.rng("statistics")
        last = cr.N_MONTHS - 2
        months = range(last - labourstats.MONTHS + 1, last + 1)
        periods = [month_start(m).strftime("%Y-%m") for m in months]
        calendar = np.array([month_start(m).month for m in months], dtype=np.int64)
        rows = labourstats.statistics_rows(
            rng,
            [(d.name, d.weight) for d in data.DISTRICTS],
            periods,
            calendar,
            vacancies_rng=self.rng("statistics", stream=1),
        )
        return [Table("labourmarket.Statistic", labourstats.FIELDS, rows)]

    # -- the labour-policy conference (demo/forum.py) -------------------------------
    def forum(self) -> list[Table]:
        first = self._next_organisation_id
        built = build_forum(
            self.rng("forum"),
            ForumInputs(
                today=DEMO_TODAY,
                first_organisation_id=first,
                provider_ids=_tolist(self._provider_ids),
                provider_districts=_tolist(self._provider_district + 1),
                offer_providers=_tolist(self._offers.provider),
                running_offers=_tolist(self._offers.running_now),
                target_groups=[g.code for g in data.TARGET_GROUPS],
            ),
        )
        self._next_organisation_id = first + len(EXTRA_ORGANISATIONS)
        return [Table(model, fields, rows, m2m) for model, fields, rows, m2m in built]

    # -- the demo users -------------------------------------------------------------
    def busiest_provider(self) -> str:
        """External id of the provider with most participants: the provider login shows
        a full list."""
        careers = self._career
        with_offer = careers.offer >= 0
        providers = self._offers.provider[careers.offer[with_offer]]
        if not len(providers):
            return str(self._provider_external[int(self._provider_ids[0])])
        values, counts = np.unique(providers, return_counts=True)
        return str(self._provider_external[int(values[np.argmax(counts)])])
