"""Occupations in the demo city: the KldB 2010 code of every employment-type spell (and
the occupation sought in unemployment), and when vacancies were published and closed.
Pure NumPy, no Django.

Occupations change along a biography the way they do in the BA's data: most new jobs
are in the occupation of the last one (or the one sought while unemployed); a change
mostly stays within the same three-digit group (Berufsgruppe: a helper becomes a
skilled worker, a cook a kitchen help), less often within the same two-digit
Berufshauptgruppe or the same Berufsbereich, and now and then goes anywhere.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from doconnect.demo import careers as cr
from doconnect.demo.occupation_codes import KLDB_INDEX, OCCUPATIONS
from doconnect.demo.sectors import SECTORS

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

CODES = np.array([o.kldb for o in OCCUPATIONS], dtype=object)
N_OCCUPATIONS = len(CODES)
GROUP3 = np.array([int(code[:3]) for code in CODES], dtype=np.int64)
GROUP2 = GROUP3 // 10
GROUP1 = GROUP3 // 100
LEVEL = np.array([int(code[4]) for code in CODES], dtype=np.int64)  # 1 helper … 4 expert

# The spell states that carry an occupation.
OCCUPATION_STATES = (cr.EMPLOYMENT, cr.APPRENTICESHIP, cr.SUBSIDISED, cr.MARGINAL, cr.UNEMPLOYED)
# Chance the next spell keeps the occupation of the one before, by the next spell's state.
STAY = np.zeros(cr.N_STATES)
STAY[cr.UNEMPLOYED] = 0.8  # seeks the last job's occupation
STAY[cr.EMPLOYMENT] = 0.62
STAY[cr.APPRENTICESHIP] = 0.35
STAY[cr.SUBSIDISED] = 0.4
STAY[cr.MARGINAL] = 0.45
# How far a change goes: same three-digit group, same two-digit group, same
# Berufsbereich, anywhere (shares of changes; an empty class passes its share on).
CHANGE_DISTANCE = (0.6, 0.2, 0.12, 0.08)

# Engpassberufe (shortage occupations): their vacancies stay open much longer.
SHORTAGE = frozenset(
    {
        "81301", "81302", "82101", "82102", "81102", "81112", "83112", "26212", "26112",
        "34212", "25212", "25102", "24412", "52122", "52132", "29302", "29222", "29232",
        "43412", "43312", "32122", "22342",
    }
)  # fmt: skip


def _popularity() -> FloatArray:
    """How common each occupation is: the employers' hiring mix (sector weight, the
    sector's first occupations most)."""
    weight = np.full(N_OCCUPATIONS, 0.2)
    for sector in SECTORS:
        ranks = 1.0 / np.arange(1, len(sector.occupations) + 1)
        for code, rank in zip(sector.occupations, ranks / ranks.sum(), strict=True):
            weight[KLDB_INDEX[code]] += sector.weight * rank
    return weight


POPULARITY = _popularity()


def _skilled_version() -> IntArray:
    """For apprenticeships: the skilled (level 2) occupation of the same group, where the
    group has one; the occupation itself otherwise."""
    out = np.arange(N_OCCUPATIONS, dtype=np.int64)
    for i in range(N_OCCUPATIONS):
        if LEVEL[i] == 1:
            skilled = np.flatnonzero((GROUP3[i] == GROUP3) & (LEVEL == 2))
            if len(skilled):
                out[i] = skilled[0]
    return out


SKILLED = _skilled_version()


def _change_cumulative() -> FloatArray:
    """Cumulative row distributions of the next occupation after a change."""
    matrix = np.zeros((N_OCCUPATIONS, N_OCCUPATIONS))
    for i in range(N_OCCUPATIONS):
        other = np.arange(N_OCCUPATIONS) != i
        same3 = (GROUP3[i] == GROUP3) & other
        same2 = (GROUP2[i] == GROUP2) & other & ~same3
        same1 = (GROUP1[i] == GROUP1) & other & ~same3 & ~same2
        anywhere = other & (GROUP1[i] != GROUP1)
        masks = (same3, same2, same1, anywhere)
        classes = [(m, s) for m, s in zip(masks, CHANGE_DISTANCE, strict=True) if m.any()]
        total = sum(s for _m, s in classes)
        for mask, share in classes:
            w = POPULARITY * mask
            matrix[i] += share / total * w / w.sum()
    cumulative = np.cumsum(matrix, axis=1)
    cumulative[:, -1] = 1.0
    return cumulative


CHANGE_CUMULATIVE = _change_cumulative()


def _initial_cumulative() -> FloatArray:
    """First occupation by (gender class × qualification class): rows female/helper,
    female/skilled, male/helper, male/skilled, other/helper, other/skilled."""
    female = np.isin(GROUP2, (81, 82, 83, 62, 63, 71, 72, 73, 92)) * 1.5 + 1.0
    male = (np.isin(GROUP1, (1, 2, 3)) | np.isin(GROUP2, (51, 52, 53, 43))) * 1.5 + 1.0
    rows = []
    for tilt in (female, male, np.ones(N_OCCUPATIONS)):
        for skilled in (False, True):
            level = np.where((LEVEL == 1) != skilled, 2.5, 1.0)
            w = POPULARITY * tilt * level
            rows.append(np.cumsum(w / w.sum()))
    cumulative = np.array(rows)
    cumulative[:, -1] = 1.0
    return cumulative


INITIAL_CUMULATIVE = _initial_cumulative()


def _pick(cumulative: FloatArray, u: FloatArray) -> IntArray:
    """Row-wise inverse-CDF draws: cumulative is (k, n), u is (k,)."""
    picked = (cumulative < u[:, None]).sum(axis=1)
    return np.minimum(picked, cumulative.shape[1] - 1).astype(np.int64)


def spell_occupations(
    rng: np.random.Generator,
    careers: cr.Careers,
    gender: IntArray,
    skilled: npt.NDArray[np.bool_],
) -> npt.NDArray[np.object_]:
    """The KldB code of each spell ("" for states without an occupation). ``gender``
    (0 female, 1 male, else other) and ``skilled`` (has a vocational qualification)
    are per person."""
    count = len(careers.person)
    out = np.full(count, "", dtype=object)
    index = np.flatnonzero(np.isin(careers.state, OCCUPATION_STATES))
    if not len(index):
        return out
    person = careers.person[index]
    state = careers.state[index]
    n = len(index)
    first = np.append(True, person[1:] != person[:-1])
    group_start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    rank = np.arange(n) - group_start
    u_first, u_stay, u_move = rng.random(n), rng.random(n), rng.random(n)

    occupation = np.zeros(n, dtype=np.int64)
    starts = np.flatnonzero(first)
    row = np.minimum(gender[person[starts]], 2) * 2 + skilled[person[starts]]
    occupation[starts] = _pick(INITIAL_CUMULATIVE[row], u_first[starts])
    apprentice = state == cr.APPRENTICESHIP
    occupation[starts] = np.where(
        apprentice[starts], SKILLED[occupation[starts]], occupation[starts]
    )
    order = np.argsort(rank, kind="stable")
    bounds = np.searchsorted(rank[order], np.arange(1, int(rank.max()) + 2))
    for r in range(1, int(rank.max()) + 1):
        at = order[bounds[r - 1] : bounds[r]]
        previous = occupation[at - 1]
        moved = _pick(CHANGE_CUMULATIVE[previous], u_move[at])
        chosen = np.where(u_stay[at] < STAY[state[at]], previous, moved)
        occupation[at] = np.where(apprentice[at], SKILLED[chosen], chosen)
    out[index] = CODES[occupation]
    return out


# -- vacancies over time ------------------------------------------------------------
STEADY, SEASONAL, TRENDING, ERRATIC = range(4)
PATTERN_NAMES = ("steady", "seasonal", "trending", "erratic")
# Sectors that hire by the season, and the calendar month they hire most.
SEASON_PEAK: dict[str, int] = {
    "56.10": 4,  # Gastronomie: before the terrace season
    "55.10": 4,
    "81.30": 3,  # Garten- und Landschaftsbau
    "41.20": 3,
    "43.34": 3,
    "47.11": 10,  # Christmas trade
    "10.71": 10,
}


def hiring_patterns(rng: np.random.Generator, sector: IntArray) -> IntArray:
    """Each employer's hiring pattern: seasonal sectors mostly seasonal, the others
    steady, trending (up or down) or erratic."""
    seasonal = np.array([SECTORS[s].wz in SEASON_PEAK for s in sector.tolist()], dtype=bool)
    u = rng.random(len(sector))
    return np.where(
        seasonal,
        np.searchsorted([0.15, 0.75, 0.88], u, side="right"),
        np.searchsorted([0.3, 0.42, 0.75], u, side="right"),
    ).astype(np.int64)


def hiring_intensity(
    rng: np.random.Generator, sector: IntArray, pattern: IntArray, calendar_month: IntArray
) -> FloatArray:
    """(employers × months) relative hiring intensity over the history months."""
    n, months = len(sector), len(calendar_month)
    t = np.arange(months) / max(months - 1, 1)
    peak = np.array([SEASON_PEAK.get(SECTORS[s].wz, 0) for s in sector.tolist()], dtype=np.int64)
    peak = np.where(peak == 0, rng.integers(1, 13, n), peak)
    amplitude = rng.uniform(0.5, 0.9, n)
    slope = rng.uniform(0.7, 1.5, n) * np.where(rng.random(n) < 0.65, 1.0, -1.0)
    bursts = rng.gamma(0.35, 1.0, (n, months)) + 0.02
    noise = rng.gamma(12.0, 1.0 / 12.0, (n, months))
    season = 1.0 + amplitude[:, None] * np.cos(
        2 * np.pi * (calendar_month[None, :] - peak[:, None]) / 12
    )
    trend = np.exp(slope[:, None] * (t[None, :] - 0.5))
    intensity = np.ones((n, months))
    intensity = np.where((pattern == SEASONAL)[:, None], season, intensity)
    intensity = np.where((pattern == TRENDING)[:, None], trend, intensity)
    intensity = np.where((pattern == ERRATIC)[:, None], bursts, intensity)
    result: FloatArray = intensity * noise
    return result


def draw_months(rng: np.random.Generator, intensity: FloatArray, employer: IntArray) -> IntArray:
    """A history month for each vacancy, from its employer's intensity."""
    n, months = intensity.shape
    cumulative = np.cumsum(intensity / intensity.sum(axis=1, keepdims=True), axis=1)
    cumulative[:, -1] = 1.0
    flat = (cumulative + np.arange(n)[:, None]).ravel()
    position = np.searchsorted(flat, employer + rng.random(len(employer)), side="right")
    return np.clip(position - employer * months, 0, months - 1).astype(np.int64)


def open_days(rng: np.random.Generator, occupation: IntArray) -> IntArray:
    """Days until a vacancy is filled or withdrawn: shortage occupations take about three
    times as long as helper jobs (log-normal, medians 28 / 45 / 100 days)."""
    codes = CODES[occupation]
    shortage = np.array([code in SHORTAGE for code in codes.tolist()], dtype=bool)
    median = np.where(shortage, 100.0, np.where(LEVEL[occupation] == 1, 28.0, 45.0))
    days = np.exp(np.log(median) + 0.75 * rng.standard_normal(len(occupation)))
    return np.clip(np.ceil(days), 3, 720).astype(np.int64)
