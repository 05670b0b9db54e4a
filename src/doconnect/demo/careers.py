"""Monthly school-to-work and unemployment careers for a whole synthetic population at
once. Pure NumPy, no Django.

The model is semi-Markov: when a spell starts, its length is drawn from a distribution
that fits the state (three years of apprenticeship, a few months of an orientation
course, unemployment that lasts longer in SGB II than in SGB III); when it ends, the
next state is drawn from a table that depends on the person's segment and on how the
spell ended (an apprenticeship completed or dropped, an offer that leads onward or one
that is a dead end). Simulating all persons month by month keeps the work in a few
thousand vectorised steps however many persons there are, which is what lets
``--scale 20`` build millions of spells in seconds.

Main states never overlap by construction (each main spell ends the month before the
next one starts); marginal jobs, counselling offers and care run on side tracks,
exactly the states people/biography.py allows beside a main state.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

N_MONTHS = 60  # 2021-12 … 2026-11
OPEN = -1  # end month of a spell still running at the end of the window

# Spell states, in the order of people.models.SpellState.
(
    SCHOOL,
    VOC_COLLEGE,
    APPRENTICESHIP,
    HIGHER_EDUCATION,
    FURTHER_TRAINING,
    OFFER,
    EMPLOYMENT,
    SUBSIDISED,
    MARGINAL,
    SELF_EMPLOYED,
    UNEMPLOYED,
    INACTIVE,
    CARE,
    PARENTAL_LEAVE,
    UNKNOWN,
) = range(15)
STATE_NAMES: tuple[str, ...] = (
    "school",
    "vocational_college",
    "apprenticeship",
    "higher_education",
    "further_training",
    "offer",
    "employment",
    "subsidised_employment",
    "marginal_employment",
    "self_employment",
    "unemployed",
    "inactive",
    "care",
    "parental_leave",
    "unknown",
)
N_STATES = len(STATE_NAMES)
# Extra rows of the transition table: how a spell ended, where that matters.
ROW_APPRENTICESHIP_DROPPED = N_STATES
ROW_OFFER_LEADS_ON = N_STATES + 1
ROW_OFFER_DEAD_END = N_STATES + 2
N_ROWS = N_STATES + 3

# Segments of the platform's clientele.
YOUTH_LOW, YOUTH_MID, YOUTH_HIGH, ADULT, SINGLE_PARENT, REFUGEE, OLDER = range(7)
N_SEGMENTS = 7
YOUTH_SEGMENTS = (YOUTH_LOW, YOUTH_MID, YOUTH_HIGH)

# Offer classes: which kind of offer a state draws from.
C_COUNSEL, C_ENTRY, C_PREP, C_TRAIN, C_APPRENTICE, C_SUBSIDISED, C_PLACEMENT = range(7)
N_CLASSES = 7
# Offer kind (data.OFFER_KINDS order) → class.
KIND_CLASS = np.array(
    [C_COUNSEL, C_ENTRY, C_ENTRY, C_PREP, C_PREP, C_TRAIN, C_APPRENTICE, C_SUBSIDISED,
     C_SUBSIDISED, C_PLACEMENT],
    dtype=np.int64,
)  # fmt: skip
# The main state a spell in an offer of each class has.
CLASS_STATE = np.array(
    [OFFER, OFFER, OFFER, FURTHER_TRAINING, APPRENTICESHIP, SUBSIDISED, OFFER], dtype=np.int64
)
# Months an offer of each kind usually lasts (min, max inclusive).
KIND_MONTHS = np.array(
    [[1, 3], [2, 4], [3, 9], [6, 11], [3, 8], [6, 24], [24, 36], [12, 36], [6, 18], [2, 6]],
    dtype=np.int64,
)
OUTCOME_NEUTRAL, OUTCOME_LEADS_ON, OUTCOME_DEAD_END = 0, 1, 2

S = {name: index for index, name in enumerate(STATE_NAMES)}


def _row(**weights: float) -> npt.NDArray[np.float64]:
    row = np.zeros(N_STATES)
    for name, weight in weights.items():
        row[S[name]] = weight
    return row


# Where a spell leads when it ends, before segment adjustments. No state leads to itself
# unless a new spell of the same state is a real event (a new job, another offer).
_BASE_ROWS: dict[int, npt.NDArray[np.float64]] = {
    SCHOOL: _row(vocational_college=20, apprenticeship=20, offer=20, unemployed=30, employment=10),
    VOC_COLLEGE: _row(apprenticeship=40, vocational_college=8, higher_education=6, employment=10,
                      offer=12, unemployed=16, inactive=4, unknown=4),
    APPRENTICESHIP: _row(employment=68, unemployed=20, higher_education=3, further_training=2,
                         inactive=3, unknown=4),
    HIGHER_EDUCATION: _row(employment=55, unemployed=20, higher_education=6, unknown=10,
                           inactive=4, self_employment=2, apprenticeship=3),
    FURTHER_TRAINING: _row(employment=45, unemployed=38, offer=6, inactive=4, unknown=5,
                           further_training=2),
    OFFER: _row(unemployed=42, employment=15, offer=14, apprenticeship=4, further_training=5,
                subsidised_employment=5, inactive=7, marginal_employment=4, unknown=2,
                vocational_college=2),
    EMPLOYMENT: _row(employment=36, unemployed=45, inactive=5, parental_leave=6,
                     marginal_employment=4, self_employment=2, further_training=3, unknown=5,
                     offer=2),
    SUBSIDISED: _row(employment=25, unemployed=48, subsidised_employment=8, offer=8, inactive=6,
                     unknown=5),
    MARGINAL: _row(employment=20, unemployed=50, offer=10, inactive=12, unknown=5,
                   parental_leave=3),
    SELF_EMPLOYED: _row(employment=35, unemployed=40, inactive=12, unknown=8, self_employment=5),
    UNEMPLOYED: _row(offer=34, employment=24, marginal_employment=5, subsidised_employment=6,
                     further_training=6, inactive=14, parental_leave=3, self_employment=1,
                     unknown=4, apprenticeship=2, vocational_college=1, school=0.5,
                     higher_education=0.5),
    INACTIVE: _row(unemployed=45, employment=14, offer=14, parental_leave=4,
                   marginal_employment=7, unknown=8),
    CARE: _row(unemployed=45, employment=14, offer=14, parental_leave=4, marginal_employment=7,
               unknown=8),
    PARENTAL_LEAVE: _row(unemployed=30, employment=32, inactive=20, parental_leave=5, offer=9,
                         marginal_employment=4),
    UNKNOWN: _row(unemployed=45, employment=22, inactive=15, offer=10, marginal_employment=8),
    ROW_APPRENTICESHIP_DROPPED: _row(unemployed=35, offer=25, apprenticeship=14, employment=10,
                                     marginal_employment=5, inactive=6, vocational_college=5),
    ROW_OFFER_LEADS_ON: _row(employment=38, apprenticeship=12, unemployed=26, offer=8,
                             further_training=5, subsidised_employment=4, inactive=4, unknown=3),
    ROW_OFFER_DEAD_END: _row(unemployed=58, inactive=15, offer=14, marginal_employment=6,
                             employment=4, unknown=3),
}  # fmt: skip

# Leaving school depends on the school-leaving qualification.
_SCHOOL_ROWS: dict[int, npt.NDArray[np.float64]] = {
    YOUTH_LOW: _row(vocational_college=30, offer=30, apprenticeship=14, unemployed=12,
                    inactive=5, marginal_employment=3, unknown=4, employment=2),
    YOUTH_MID: _row(apprenticeship=45, vocational_college=24, offer=10, unemployed=7,
                    employment=4, higher_education=2, unknown=4, inactive=4),
    YOUTH_HIGH: _row(higher_education=45, apprenticeship=28, employment=6, vocational_college=5,
                     unemployed=4, offer=3, unknown=5, inactive=4),
}  # fmt: skip

# How each segment shifts the odds of the next state.
_SEGMENT_FACTORS: dict[int, dict[str, float]] = {
    YOUTH_LOW: {"apprenticeship": 3, "vocational_college": 2, "school": 4, "employment": 0.6,
                "subsidised_employment": 0.2, "further_training": 0.3, "self_employment": 0.1,
                "parental_leave": 0.5, "higher_education": 0.2},
    YOUTH_MID: {"apprenticeship": 4, "vocational_college": 2, "employment": 0.9,
                "subsidised_employment": 0.2, "further_training": 0.3, "self_employment": 0.2,
                "parental_leave": 0.5, "higher_education": 1.5},
    YOUTH_HIGH: {"apprenticeship": 3, "higher_education": 4, "employment": 1.1,
                 "subsidised_employment": 0.1, "further_training": 0.3, "parental_leave": 0.4},
    ADULT: {"apprenticeship": 0.3, "vocational_college": 0.2, "school": 0.3,
            "higher_education": 0.3},
    SINGLE_PARENT: {"parental_leave": 3, "inactive": 1.5, "employment": 0.8,
                    "apprenticeship": 0.5, "vocational_college": 0.1, "higher_education": 0.2,
                    "marginal_employment": 1.5},
    REFUGEE: {"offer": 1.6, "employment": 0.7, "apprenticeship": 1.5, "self_employment": 0.5,
              "higher_education": 0.3, "further_training": 1.2, "school": 0.5},
    OLDER: {"employment": 0.6, "subsidised_employment": 2, "inactive": 1.6, "parental_leave": 0,
            "apprenticeship": 0, "vocational_college": 0, "higher_education": 0, "school": 0,
            "self_employment": 0.8},
}  # fmt: skip

# Where adults stand when the window opens (youth start in school or just after it).
_INITIAL: dict[int, npt.NDArray[np.float64]] = {
    ADULT: _row(employment=32, unemployed=36, inactive=8, offer=8, marginal_employment=6,
                parental_leave=4, subsidised_employment=3, further_training=2, self_employment=1),
    SINGLE_PARENT: _row(parental_leave=22, unemployed=35, inactive=15, employment=15,
                        marginal_employment=8, offer=5),
    OLDER: _row(employment=30, unemployed=48, inactive=10, subsidised_employment=6, offer=4,
                marginal_employment=2),
    REFUGEE: _row(offer=60, unemployed=28, inactive=12),
}  # fmt: skip

# Which class of offer the "offer" state draws from, by segment.
_OFFER_CLASS_MIX = np.array(
    [
        # counsel, entry, prep, train, apprentice, subsidised, placement
        [0.10, 0.35, 0.45, 0, 0, 0, 0.10],  # youth, low
        [0.10, 0.20, 0.50, 0, 0, 0, 0.20],  # youth, mid
        [0.15, 0.20, 0.40, 0, 0, 0, 0.25],  # youth, high
        [0.10, 0.25, 0.35, 0, 0, 0, 0.30],  # adult
        [0.15, 0.30, 0.35, 0, 0, 0, 0.20],  # single parent
        [0.10, 0.30, 0.50, 0, 0, 0, 0.10],  # refugee
        [0.10, 0.20, 0.30, 0, 0, 0, 0.40],  # older
    ]
)
# Share of apprenticeships that are out-of-company ones run by a provider.
_PROVIDER_APPRENTICESHIP = np.array([0.35, 0.15, 0.05, 0.25, 0.3, 0.3, 0.0])
# Mean months in a job, by segment; mean months unemployed, by legal branch.
_EMPLOYMENT_MEAN = np.array([8.0, 10, 12, 9, 9, 8, 12])
_UNEMPLOYED_MEAN = np.array([5.0, 6, 4])  # none, SGB II, SGB III
_UNEMPLOYED_SEGMENT = np.array([0.8, 0.7, 0.6, 1.0, 1.1, 1.2, 1.4])
# Monthly chance of a side spell starting, by main state.
_MARGINAL_START = _row(
    unemployed=0.06,
    inactive=0.03,
    school=0.02,
    vocational_college=0.03,
    higher_education=0.05,
    offer=0.02,
)
# Counselling offers beside unemployment; pupils meet career orientation at school.
_COUNSEL_START = _row(
    unemployed=0.15,
    inactive=0.08,
    school=0.05,
    employment=0.01,
    parental_leave=0.04,
    marginal_employment=0.06,
)
_CARE_START = np.array([0, 0, 0, 0.002, 0.003, 0.001, 0.004])  # by segment
P_FOLLOW_ON = 0.45  # chance a participant moves straight into the offer's follow-on


def _transition_table() -> npt.NDArray[np.float64]:
    """Cumulative probabilities [segment, row, next state]."""
    table = np.zeros((N_SEGMENTS, N_ROWS, N_STATES))
    for segment in range(N_SEGMENTS):
        factors = np.ones(N_STATES)
        for name, factor in _SEGMENT_FACTORS[segment].items():
            factors[S[name]] = factor
        for row, weights in _BASE_ROWS.items():
            table[segment, row] = weights * factors
        table[segment, SCHOOL] = _SCHOOL_ROWS.get(segment, _BASE_ROWS[SCHOOL] * factors)
    totals = table.sum(axis=2, keepdims=True)
    cumulative = np.cumsum(table / totals, axis=2)
    cumulative[..., -1] = 1.0  # guard against rounding leaving a sliver above 1
    return cumulative


_CUMULATIVE = _transition_table()


def _initial_cumulative() -> npt.NDArray[np.float64]:
    table = np.zeros((N_SEGMENTS, N_STATES))
    for segment, weights in _INITIAL.items():
        table[segment] = weights
    for segment in YOUTH_SEGMENTS:
        table[segment] = _SCHOOL_ROWS[segment]
    cumulative = np.cumsum(table / table.sum(axis=1, keepdims=True), axis=1)
    cumulative[:, -1] = 1.0
    return cumulative


_INITIAL_CUMULATIVE = _initial_cumulative()


@dataclass(frozen=True)
class Population:
    """Per-person inputs, all arrays of the same length."""

    segment: IntArray
    district: IntArray  # 0..11
    branch: IntArray  # 0 none, 1 SGB II, 2 SGB III
    ageband: IntArray  # 0 under 25, 1 adult
    arrival: IntArray  # first month with a spell (refugees arrive during the window)
    school_leave: IntArray  # month the last school year ends (may lie outside the window)
    may_parent: BoolArray
    birth_year: IntArray
    gender: IntArray  # 0 female, 1 male, 2 diverse, 3 not stated


@dataclass(frozen=True)
class OfferNetwork:
    """What the simulation needs to know about offers, indexed by offer number."""

    kind: IntArray
    klass: IntArray
    available_from: IntArray  # first month participants can start
    available_until: IntArray  # last month participants can be in it
    follow_on: IntArray  # an offer this one leads to, or -1
    outcome: IntArray  # OUTCOME_*
    # Offers by (ageband, class, district 0..11 or 12 = anywhere), flattened.
    pool_items: IntArray
    pool_start: IntArray
    pool_length: IntArray

    @staticmethod
    def pool_key(ageband: IntArray, klass: IntArray, district: IntArray) -> IntArray:
        return (ageband * N_CLASSES + klass) * 13 + district


@dataclass(frozen=True)
class Careers:
    """Spells as parallel arrays sorted by (person, start, track); end is OPEN or a month."""

    person: IntArray
    state: IntArray
    offer: IntArray  # -1 without offer
    start: IntArray
    end: IntArray
    completed_apprenticeship: BoolArray  # per person


class _Simulation:
    def __init__(self, rng: np.random.Generator, pop: Population, offers: OfferNetwork) -> None:
        self.rng = rng
        self.pop = pop
        self.offers = offers
        n = len(pop.segment)
        self.n = n
        self.state = np.full(n, -1, dtype=np.int64)
        self.remaining = np.zeros(n, dtype=np.int64)
        self.offer = np.full(n, -1, dtype=np.int64)
        self.dropped = np.zeros(n, dtype=bool)
        self.spell_start = np.zeros(n, dtype=np.int64)
        self.completed = np.zeros(n, dtype=bool)
        self.side_busy_until = np.full((3, n), -1, dtype=np.int64)
        self.main: list[tuple[IntArray, IntArray, IntArray, int]] = []
        self.side: list[tuple[IntArray, IntArray, IntArray, IntArray, IntArray]] = []

    # -- offers ---------------------------------------------------------------------
    def _draw_from_pools(self, keys: IntArray) -> IntArray:
        offers = self.offers
        length = offers.pool_length[keys]
        position = offers.pool_start[keys] + (self.rng.random(len(keys)) * length).astype(np.int64)
        position = np.minimum(position, len(offers.pool_items) - 1)
        return np.where(length > 0, offers.pool_items[position], -1)

    def _available(self, offer: IntArray, month: int) -> BoolArray:
        safe = np.maximum(offer, 0)
        return (
            (offer >= 0)
            & (self.offers.available_from[safe] <= month)
            & (self.offers.available_until[safe] >= month)
        )

    def pick_offers(self, persons: IntArray, klass: IntArray, month: int) -> IntArray:
        """An offer of the class for each person: mostly one close to home, else one
        anywhere in the city; -1 when none is running this month."""
        pop = self.pop
        ageband = pop.ageband[persons]
        local = OfferNetwork.pool_key(ageband, klass, pop.district[persons])
        citywide = OfferNetwork.pool_key(ageband, klass, np.full(len(persons), 12))
        use_local = (self.offers.pool_length[local] > 0) & (self.rng.random(len(persons)) < 0.75)
        chosen = self._draw_from_pools(np.where(use_local, local, citywide))
        for _retry in range(3):
            missing = ~self._available(chosen, month)
            if not missing.any():
                break
            chosen[missing] = self._draw_from_pools(citywide[missing])
        chosen[~self._available(chosen, month)] = -1
        return chosen

    # -- durations ------------------------------------------------------------------
    def durations(
        self, persons: IntArray, states: IntArray, offers: IntArray, month: int
    ) -> IntArray:
        rng = self.rng
        pop = self.pop
        months = np.ones(len(persons), dtype=np.int64)
        calendar_month = (11 + month) % 12 + 1
        to_july = (7 - calendar_month) % 12 + 1
        self.dropped[persons] = False
        for state in np.unique(states):
            sel = np.flatnonzero(states == state)
            k = len(sel)
            who = persons[sel]
            if state == SCHOOL:
                drawn = rng.integers(10, 25, k)
            elif state == VOC_COLLEGE:
                drawn = to_july + 12 * (rng.random(k) < 0.4)
            elif state == APPRENTICESHIP:
                planned = rng.choice(np.array([24, 36, 36, 36, 42]), k)
                dropped = rng.random(k) < 0.22
                drawn = np.where(
                    dropped, 1 + (rng.random(k) * (planned - 1)).astype(np.int64), planned
                )
                self.dropped[who] = dropped
            elif state == HIGHER_EDUCATION:
                drawn = rng.integers(18, 72, k)
            elif state == FURTHER_TRAINING:
                drawn = rng.integers(6, 25, k)
            elif state == OFFER:
                kind = self.offers.kind[np.maximum(offers[sel], 0)]
                low, high = KIND_MONTHS[kind, 0], KIND_MONTHS[kind, 1]
                drawn = low + (rng.random(k) * (high - low + 1)).astype(np.int64)
            elif state == EMPLOYMENT:
                drawn = rng.geometric(1.0 / _EMPLOYMENT_MEAN[pop.segment[who]])
            elif state == SUBSIDISED:
                drawn = np.minimum(12 + rng.geometric(1 / 12, k), 60)
            elif state == MARGINAL:
                drawn = rng.geometric(1 / 7, k)
            elif state == SELF_EMPLOYED:
                drawn = rng.geometric(1 / 24, k)
            elif state == UNEMPLOYED:
                mean = _UNEMPLOYED_MEAN[pop.branch[who]] * _UNEMPLOYED_SEGMENT[pop.segment[who]]
                drawn = rng.geometric(1.0 / mean)
            elif state == PARENTAL_LEAVE:
                drawn = rng.choice(np.array([12, 12, 14, 24, 36]), k)
            else:  # inactive (often a sick note between two spells), care, unknown
                drawn = rng.geometric(1 / 4, k)
            months[sel] = drawn
        # Nobody stays in an offer after it closed.
        with_offer = offers >= 0
        if with_offer.any():
            until = self.offers.available_until[offers[with_offer]] - month + 1
            months[with_offer] = np.minimum(months[with_offer], np.maximum(until, 1))
        return np.maximum(months, 1)

    # -- spells ---------------------------------------------------------------------
    def _assign(self, persons: IntArray, states: IntArray, offers: IntArray, month: int) -> None:
        """Offers for the states that need one, then durations, then record the spells."""
        rng = self.rng
        pop = self.pop
        segment = pop.segment[persons]
        need = (offers < 0) & np.isin(states, (OFFER, FURTHER_TRAINING, SUBSIDISED))
        need |= (
            (offers < 0)
            & (states == APPRENTICESHIP)
            & (rng.random(len(persons)) < _PROVIDER_APPRENTICESHIP[segment])
        )
        if need.any():
            klass = np.select(
                [states[need] == FURTHER_TRAINING, states[need] == SUBSIDISED,
                 states[need] == APPRENTICESHIP],
                [C_TRAIN, C_SUBSIDISED, C_APPRENTICE],
                default=-1,
            )  # fmt: skip
            general = klass < 0
            if general.any():
                mix = np.cumsum(_OFFER_CLASS_MIX[segment[need][general]], axis=1)
                u = rng.random(int(general.sum()))
                klass[general] = (mix <= u[:, None]).sum(axis=1)
            offers[need] = self.pick_offers(persons[need], np.minimum(klass, N_CLASSES - 1), month)
            # Without a running offer, an "offer" spell is really more unemployment.
            states[(states == OFFER) & (offers < 0)] = UNEMPLOYED
        months = self.durations(persons, states, offers, month)
        self.state[persons] = states
        self.offer[persons] = offers
        self.remaining[persons] = months
        self.spell_start[persons] = month
        self.main.append((persons.copy(), states.copy(), offers.copy(), month))

    def start(self, persons: IntArray, month: int) -> None:
        pop = self.pop
        segment = pop.segment[persons]
        u = self.rng.random(len(persons))
        states = (_INITIAL_CUMULATIVE[segment] <= u[:, None]).sum(axis=1)
        in_school = np.isin(segment, YOUTH_SEGMENTS) & (pop.school_leave[persons] >= month)
        states[in_school] = SCHOOL
        offers = np.full(len(persons), -1, dtype=np.int64)
        self._assign(persons, states, offers, month)
        school_left = pop.school_leave[persons] - month + 1
        self.remaining[persons[in_school]] = school_left[in_school]
        if month == 0:
            # The window cuts into spells already running: only part of them remains.
            cut = ~in_school
            left = np.ceil(self.remaining[persons[cut]] * self.rng.random(int(cut.sum())))
            self.remaining[persons[cut]] = np.maximum(left.astype(np.int64), 1)

    def advance(self, persons: IntArray, month: int) -> None:
        rng = self.rng
        pop = self.pop
        previous = self.state[persons]
        previous_offer = self.offer[persons]
        safe_offer = np.maximum(previous_offer, 0)
        finished_apprenticeship = (previous == APPRENTICESHIP) & ~self.dropped[persons]
        self.completed[persons[finished_apprenticeship]] = True

        row = previous.copy()
        row[(previous == APPRENTICESHIP) & self.dropped[persons]] = ROW_APPRENTICESHIP_DROPPED
        in_offer = previous_offer >= 0
        outcome = np.where(in_offer, self.offers.outcome[safe_offer], OUTCOME_NEUTRAL)
        row[in_offer & (outcome == OUTCOME_LEADS_ON)] = ROW_OFFER_LEADS_ON
        row[in_offer & (outcome == OUTCOME_DEAD_END)] = ROW_OFFER_DEAD_END
        u = rng.random(len(persons))
        states = (_CUMULATIVE[pop.segment[persons], row] <= u[:, None]).sum(axis=1)
        states[(states == PARENTAL_LEAVE) & ~pop.may_parent[persons]] = UNEMPLOYED

        offers = np.full(len(persons), -1, dtype=np.int64)
        follow = np.where(in_offer, self.offers.follow_on[safe_offer], -1)
        moves_on = self._available(follow, month) & (rng.random(len(persons)) < P_FOLLOW_ON)
        offers[moves_on] = follow[moves_on]
        states[moves_on] = CLASS_STATE[self.offers.klass[follow[moves_on]]]
        self._assign(persons, states, offers, month)

    def side_spells(self, month: int) -> None:
        rng = self.rng
        pop = self.pop
        state = self.state
        present = state >= 0
        safe_state = np.maximum(state, 0)
        chances = (
            np.where(present, _MARGINAL_START[safe_state], 0.0),
            np.where(present, _COUNSEL_START[safe_state], 0.0),
            np.where(present, _CARE_START[pop.segment], 0.0),
        )
        for track, chance in enumerate(chances):
            free = self.side_busy_until[track] < month
            persons = np.flatnonzero(free & (rng.random(self.n) < chance))
            if not len(persons):
                continue
            offers = np.full(len(persons), -1, dtype=np.int64)
            if track == 0:
                spell_state, months = MARGINAL, rng.geometric(1 / 7, len(persons))
            elif track == 1:
                spell_state, months = OFFER, rng.integers(1, 4, len(persons))
                # Pupils meet orientation offers (career guidance in the last school
                # years); everybody else counselling.
                klass = np.where(
                    (state[persons] == SCHOOL) & (rng.random(len(persons)) < 0.6),
                    C_ENTRY,
                    C_COUNSEL,
                )
                offers = self.pick_offers(persons, klass, month)
                persons, offers, months = (
                    persons[offers >= 0],
                    offers[offers >= 0],
                    months[offers >= 0],
                )
            else:
                spell_state, months = CARE, rng.geometric(1 / 18, len(persons))
            end = month + months - 1
            self.side_busy_until[track, persons] = end
            end = np.where(end >= N_MONTHS - 1, OPEN, end)
            self.side.append(
                (
                    persons,
                    np.full(len(persons), spell_state),
                    offers,
                    np.full(len(persons), month),
                    end,
                )
            )

    def run(self) -> Careers:
        arrival = self.pop.arrival
        for month in range(N_MONTHS):
            arriving = np.flatnonzero(arrival == month)
            if len(arriving):
                self.start(arriving, month)
            due = np.flatnonzero((self.state >= 0) & (self.remaining <= 0))
            due = due[arrival[due] < month]
            if len(due):
                self.advance(due, month)
            if (11 + month) % 12 + 1 == 8:
                # Schools report by school year: a new school spell every August.
                pupils = np.flatnonzero((self.state == SCHOOL) & (self.spell_start < month))
                self.spell_start[pupils] = month
                none = np.full(len(pupils), -1, dtype=np.int64)
                self.main.append((pupils, np.full(len(pupils), SCHOOL), none, month))
            self.side_spells(month)
            self.remaining[self.state >= 0] -= 1
        return self._collect()

    def _collect(self) -> Careers:
        main_person = np.concatenate([m[0] for m in self.main])
        main_state = np.concatenate([m[1] for m in self.main])
        main_offer = np.concatenate([m[2] for m in self.main])
        main_start = np.concatenate([np.full(len(m[0]), m[3]) for m in self.main])
        order = np.lexsort((main_start, main_person))
        main_person, main_state = main_person[order], main_state[order]
        main_offer, main_start = main_offer[order], main_start[order]
        # A main spell ends the month before the person's next one starts.
        same_person_next = np.append(main_person[1:] == main_person[:-1], False)
        next_start = np.append(main_start[1:], N_MONTHS)
        main_end = np.where(same_person_next, next_start - 1, OPEN)

        if self.side:
            side = [np.concatenate([s[i] for s in self.side]) for i in range(5)]
        else:
            side = [np.zeros(0, dtype=np.int64) for _ in range(5)]
        person = np.concatenate([main_person, side[0]])
        state = np.concatenate([main_state, side[1]])
        offer = np.concatenate([main_offer, side[2]])
        start = np.concatenate([main_start, side[3]])
        end = np.concatenate([main_end, side[4]])
        track = np.concatenate([np.zeros(len(main_person)), np.ones(len(side[0]))])
        order = np.lexsort((track, start, person))
        return Careers(
            person=person[order],
            state=state[order],
            offer=offer[order],
            start=start[order],
            end=end[order],
            completed_apprenticeship=self.completed,
        )


def simulate(rng: np.random.Generator, population: Population, offers: OfferNetwork) -> Careers:
    """Five years of monthly spells for every person of the population."""
    return _Simulation(rng, population, offers).run()
