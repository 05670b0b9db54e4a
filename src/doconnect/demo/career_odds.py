"""The odds of the career model (see ``career_simulation``): where a spell leads when it
ends — by state, by how it ended and by the person's segment —, where people stand when
the window opens, which class of offer the "offer" state draws from, how long offers,
jobs and unemployment last and how often side spells start. Pure NumPy, no Django.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from doconnect.demo.careers import (
    ADULT,
    APPRENTICESHIP,
    CARE,
    EMPLOYMENT,
    FURTHER_TRAINING,
    HIGHER_EDUCATION,
    INACTIVE,
    MARGINAL,
    N_ROWS,
    N_SEGMENTS,
    N_STATES,
    OFFER,
    OLDER,
    PARENTAL_LEAVE,
    REFUGEE,
    ROW_APPRENTICESHIP_DROPPED,
    ROW_OFFER_DEAD_END,
    ROW_OFFER_LEADS_ON,
    SCHOOL,
    SELF_EMPLOYED,
    SINGLE_PARENT,
    STATE_NAMES,
    SUBSIDISED,
    UNEMPLOYED,
    UNKNOWN,
    VOC_COLLEGE,
    YOUTH_HIGH,
    YOUTH_LOW,
    YOUTH_MID,
    YOUTH_SEGMENTS,
)

# Months an offer of each kind usually lasts (min, max inclusive).
KIND_MONTHS = np.array(
    [[1, 3], [2, 4], [3, 9], [6, 11], [3, 8], [6, 24], [24, 36], [12, 36], [6, 18], [2, 6]],
    dtype=np.int64,
)

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
OFFER_CLASS_MIX = np.array(
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
PROVIDER_APPRENTICESHIP = np.array([0.35, 0.15, 0.05, 0.25, 0.3, 0.3, 0.0])
# Mean months in a job, by segment; mean months unemployed, by legal branch.
EMPLOYMENT_MEAN = np.array([8.0, 10, 12, 9, 9, 8, 12])
UNEMPLOYED_MEAN = np.array([5.0, 6, 4])  # none, SGB II, SGB III
UNEMPLOYED_SEGMENT = np.array([0.8, 0.7, 0.6, 1.0, 1.1, 1.2, 1.4])
# Monthly chance of a side spell starting, by main state.
MARGINAL_START = _row(
    unemployed=0.06,
    inactive=0.03,
    school=0.02,
    vocational_college=0.03,
    higher_education=0.05,
    offer=0.02,
)
# Counselling offers beside unemployment; pupils meet career orientation at school.
COUNSEL_START = _row(
    unemployed=0.15,
    inactive=0.08,
    school=0.05,
    employment=0.01,
    parental_leave=0.04,
    marginal_employment=0.06,
)
CARE_START = np.array([0, 0, 0, 0.002, 0.003, 0.001, 0.004])  # by segment
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


CUMULATIVE = _transition_table()


def _initial_cumulative() -> npt.NDArray[np.float64]:
    table = np.zeros((N_SEGMENTS, N_STATES))
    for segment, weights in _INITIAL.items():
        table[segment] = weights
    for segment in YOUTH_SEGMENTS:
        table[segment] = _SCHOOL_ROWS[segment]
    cumulative = np.cumsum(table / table.sum(axis=1, keepdims=True), axis=1)
    cumulative[:, -1] = 1.0
    return cumulative


INITIAL_CUMULATIVE = _initial_cumulative()
