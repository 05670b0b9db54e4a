"""Careers of the synthetic population as the model, the simulation and the generator
share them. Pure NumPy, no Django.

The five-year window of months, the spell states (in the order of people's
``SpellState``), the segments of the platform's clientele, the classes of offers and how
a spell in an offer ended; and the arrays that go into the simulation
(:class:`Population`, :class:`OfferNetwork`) and come out of it (:class:`Careers`,
``career_simulation.simulate``). The odds of the model are in ``career_odds``.
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
# Offer kind (offer_kinds.OFFER_KINDS order) → class.
KIND_CLASS = np.array(
    [C_COUNSEL, C_ENTRY, C_ENTRY, C_PREP, C_PREP, C_TRAIN, C_APPRENTICE, C_SUBSIDISED,
     C_SUBSIDISED, C_PLACEMENT],
    dtype=np.int64,
)  # fmt: skip
# The main state a spell in an offer of each class has.
CLASS_STATE = np.array(
    [OFFER, OFFER, OFFER, FURTHER_TRAINING, APPRENTICESHIP, SUBSIDISED, OFFER], dtype=np.int64
)
OUTCOME_NEUTRAL, OUTCOME_LEADS_ON, OUTCOME_DEAD_END = 0, 1, 2
# Genders of ``Population.gender``, as coded in people's ``Gender``.
FEMALE, MALE, DIVERSE, UNSPECIFIED = 0, 1, 2, 3
GENDER_CODES = np.array(["female", "male", "diverse", "unspecified"], dtype=object)


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
    gender: IntArray  # FEMALE, MALE, DIVERSE, UNSPECIFIED


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
