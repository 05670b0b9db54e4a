"""Score decision options against weighted criteria, and say how far each weight may
move before another option comes first. Pure: no Django.

The rules (every page that shows a score states them):

- **Normalisation** per criterion, min–max over the options: with "higher is better"
  the best option gets 1 and the worst 0, with "lower is better" the other way round,
  the rest in proportion. A criterion on which all options have the same value
  contributes 0 to every option, whatever its weight: it cannot separate them.
- **Weights** are ≥ 0 and are normalised to shares that sum to 1. When every weight is
  0, every score is 0.
- **Score** of an option: Σ share × normalised value, between 0 and 1; each term is that
  criterion's *contribution* (so a page can say why an option wins).
- **Ties**: options with equal scores rank in the order they were given (their
  position): the earlier one first. This holds everywhere, also at a flip point.
- **Exact arithmetic**: inputs (int, float, Decimal, Fraction) are converted exactly to
  ``Fraction``; ties are real ties and flip points are exact. Floats appear only in
  ``Scoring.to_dict()``.

**Sensitivity.** Changing one criterion's weight while the others stay as they are keeps
the others' relative proportions; after renormalisation every score is linear in that
criterion's share ``t``: ``S(t) = t·n_k + (1 − t)·R`` with ``R`` the option's score
under the other criteria alone. For each criterion the engine solves exactly for the
range of shares in which the current winner stays first (using the tie rule), the
share and raw weight at each end where another option takes over, and which option
that is (the one first just beyond the boundary). The *smallest change* is the
boundary nearest to the current share over all criteria (distance in shares, so
criteria are comparable; ties: criterion order, lowering before raising). A share of 1
needs an infinite weight, so the upper end is never a flip at 1. A criterion that is
the only one with weight (``alone``) cannot change the ranking by its own weight.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

HIGHER = "higher"  # higher is better
LOWER = "lower"  # lower is better
DIRECTIONS = (HIGHER, LOWER)

Number = int | float | Decimal | Fraction


class ScoringError(ValueError):
    """The options, criteria or values do not make a problem that can be scored."""


@dataclass(frozen=True)
class Criterion:
    code: str
    weight: Number
    direction: str = HIGHER


@dataclass(frozen=True)
class OptionScore:
    option: str
    rank: int  # 1 = first
    score: Fraction
    contributions: dict[str, Fraction]  # criterion code -> share × normalised value
    tied: bool  # same score as the option ranked just above (the tie rule decided)


@dataclass(frozen=True)
class Flip:
    """Where, moving one criterion's weight, another option comes first."""

    share: Fraction  # the criterion's share of the total weight at the boundary
    weight: Fraction  # the criterion's raw weight at the boundary, others unchanged
    at_boundary: bool  # True: the other option is first already at exactly this share
    option: str  # the option first just beyond the boundary


@dataclass(frozen=True)
class CriterionSensitivity:
    criterion: str
    share: Fraction  # current share
    weight: Fraction  # current raw weight
    low: Fraction  # the winner stays first for shares from low …
    low_included: bool
    high: Fraction  # … to high (1 = no upper limit: no finite weight is too high)
    high_included: bool
    below: Flip | None  # lowering the weight past ``low``
    above: Flip | None  # raising it past ``high``
    alone: bool = False  # the only criterion with weight: its weight alone changes nothing


@dataclass(frozen=True)
class SmallestChange:
    criterion: str
    lower: bool  # True: lowering the weight flips, False: raising it
    flip: Flip
    change: Fraction  # |boundary share − current share|


@dataclass(frozen=True)
class Scoring:
    options: tuple[str, ...]
    criteria: tuple[Criterion, ...]
    shares: dict[str, Fraction]
    normalised: dict[str, dict[str, Fraction]]  # option -> code -> value in [0, 1]
    ranking: tuple[OptionScore, ...]
    sensitivity: tuple[CriterionSensitivity, ...]
    smallest_change: SmallestChange | None

    @property
    def winner(self) -> str | None:
        return self.ranking[0].option if self.ranking else None

    @property
    def weighted(self) -> bool:
        """Whether any weight is positive (else all scores are 0)."""
        return any(self.shares.values())

    def score_of(self, option: str) -> OptionScore:
        return next(s for s in self.ranking if s.option == option)

    def to_dict(self) -> dict[str, Any]:
        """JSON form (floats; ``None`` for "no limit")."""
        return {
            "winner": self.winner,
            "shares": {code: float(v) for code, v in self.shares.items()},
            "ranking": [
                {
                    "option": s.option,
                    "rank": s.rank,
                    "score": float(s.score),
                    "tied": s.tied,
                    "contributions": {c: float(v) for c, v in s.contributions.items()},
                }
                for s in self.ranking
            ],
            "sensitivity": [_sensitivity_dict(s) for s in self.sensitivity],
            "smallest_change": None
            if self.smallest_change is None
            else {
                "criterion": self.smallest_change.criterion,
                "lower": self.smallest_change.lower,
                "change": float(self.smallest_change.change),
                "flip": _flip_dict(self.smallest_change.flip),
            },
        }


def _flip_dict(flip: Flip | None) -> dict[str, Any] | None:
    if flip is None:
        return None
    return {
        "share": float(flip.share),
        "weight": float(flip.weight),
        "at_boundary": flip.at_boundary,
        "option": flip.option,
    }


def _sensitivity_dict(s: CriterionSensitivity) -> dict[str, Any]:
    return {
        "criterion": s.criterion,
        "share": float(s.share),
        "weight": float(s.weight),
        "low": float(s.low),
        "low_included": s.low_included,
        "high": None if s.high == 1 else float(s.high),
        "high_included": s.high_included,
        "below": _flip_dict(s.below),
        "above": _flip_dict(s.above),
        "alone": s.alone,
    }


def exact(value: Number) -> Fraction:
    """A finite number as an exact fraction (a float's exact binary value)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ScoringError(f"not a finite number: {value!r}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ScoringError(f"not a finite number: {value!r}")
    return Fraction(value)


def _check(
    options: Sequence[str],
    criteria: Sequence[Criterion],
    values: Mapping[str, Mapping[str, Number]],
) -> None:
    if len(set(options)) != len(options):
        raise ScoringError("options must be distinct")
    codes = [c.code for c in criteria]
    if len(set(codes)) != len(codes):
        raise ScoringError("criterion codes must be distinct")
    for c in criteria:
        if c.direction not in DIRECTIONS:
            raise ScoringError(f"criterion {c.code}: unknown direction {c.direction!r}")
        if exact(c.weight) < 0:
            raise ScoringError(f"criterion {c.code}: weight below 0")
    for option in options:
        row = values.get(option)
        if row is None:
            raise ScoringError(f"option {option}: no values")
        for code in codes:
            if code not in row:
                raise ScoringError(f"option {option}: no value for criterion {code}")


def normalise(column: Sequence[Fraction], direction: str) -> list[Fraction]:
    """Min–max over the options; all equal: all 0."""
    low, high = min(column), max(column)
    if low == high:
        return [Fraction(0)] * len(column)
    span = high - low
    if direction == HIGHER:
        return [(v - low) / span for v in column]
    return [(high - v) / span for v in column]


def _rank(options: Sequence[str], scores: Mapping[str, Fraction]) -> list[str]:
    """Highest score first; equal scores in the order given."""
    position = {o: i for i, o in enumerate(options)}
    return sorted(options, key=lambda o: (-scores[o], position[o]))


def score(
    options: Sequence[str],
    criteria: Sequence[Criterion],
    values: Mapping[str, Mapping[str, Number]],
) -> Scoring:
    """Rank ``options`` (ids, in tie-break order) by ``criteria``; ``values[option][code]``
    is the option's raw value on a criterion. Raises ``ScoringError`` on bad input."""
    options = tuple(options)
    criteria = tuple(criteria)
    _check(options, criteria, values)
    weights = {c.code: exact(c.weight) for c in criteria}
    total = sum(weights.values(), Fraction(0))
    shares = {c: (w / total if total else Fraction(0)) for c, w in weights.items()}
    normalised: dict[str, dict[str, Fraction]] = {o: {} for o in options}
    for c in criteria:
        column = normalise([exact(values[o][c.code]) for o in options], c.direction)
        for o, n in zip(options, column, strict=True):
            normalised[o][c.code] = n
    contributions = {o: {c: shares[c] * normalised[o][c] for c in weights} for o in options}
    scores = {o: sum(contributions[o].values(), Fraction(0)) for o in options}
    order = _rank(options, scores)
    ranking = tuple(
        OptionScore(
            option=o,
            rank=i + 1,
            score=scores[o],
            contributions=contributions[o],
            tied=i > 0 and scores[order[i - 1]] == scores[o],
        )
        for i, o in enumerate(order)
    )
    sensitivity: tuple[CriterionSensitivity, ...] = ()
    if total and len(options) > 1:
        sensitivity = tuple(
            _sensitivity(options, c.code, weights, normalised, order[0]) for c in criteria
        )
    return Scoring(
        options=options,
        criteria=criteria,
        shares=shares,
        normalised=normalised,
        ranking=ranking,
        sensitivity=sensitivity,
        smallest_change=_smallest(sensitivity),
    )


def _sensitivity(
    options: Sequence[str],
    code: str,
    weights: Mapping[str, Fraction],
    normalised: Mapping[str, Mapping[str, Fraction]],
    winner: str,
) -> CriterionSensitivity:
    weight = weights[code]
    others = sum((w for c, w in weights.items() if c != code), Fraction(0))
    share = weight / (weight + others)
    if not others:
        return CriterionSensitivity(
            criterion=code,
            share=share,
            weight=weight,
            low=Fraction(0),
            low_included=False,
            high=Fraction(1),
            high_included=True,
            below=None,
            above=None,
            alone=True,
        )
    position = {o: i for i, o in enumerate(options)}
    # S_o(t) = a_o + b_o·t: a_o the score under the other criteria alone.
    a = {
        o: sum((w * normalised[o][c] for c, w in weights.items() if c != code), Fraction(0))
        / others
        for o in options
    }
    b = {o: normalised[o][code] - a[o] for o in options}

    low, low_included = Fraction(0), True
    high, high_included = Fraction(1), False  # a share of 1 needs an infinite weight
    for o in options:
        if o == winner:
            continue
        gap, slope = a[winner] - a[o], b[winner] - b[o]
        if slope == 0:
            continue  # the gap is the same for every share: it holds now, so always
        root = -gap / slope
        ties_to_winner = position[winner] < position[o]
        if slope > 0:  # the winner loses its lead below the root
            if root > low:
                low, low_included = root, ties_to_winner
            elif root == low:
                low_included = low_included and ties_to_winner
        elif root < high:  # … or above it
            high, high_included = root, ties_to_winner
        elif root == high:
            high_included = high_included and ties_to_winner

    def at(t: Fraction) -> dict[str, Fraction]:
        return {o: a[o] + b[o] * t for o in options}

    def raw(t: Fraction) -> Fraction:
        return t * others / (1 - t)

    below = None
    if low > 0 or not low_included:
        s = at(low)
        if low == 0:  # nothing lies below 0: who is first at 0 itself
            first = max(options, key=lambda o: (s[o], -position[o]))
        else:  # just below low: the score at low, then the smaller slope
            first = max(options, key=lambda o: (s[o], -b[o], -position[o]))
        below = Flip(share=low, weight=raw(low), at_boundary=not low_included, option=first)
    above = None
    if high < 1:
        s = at(high)
        first = max(options, key=lambda o: (s[o], b[o], -position[o]))
        above = Flip(share=high, weight=raw(high), at_boundary=not high_included, option=first)
    return CriterionSensitivity(
        criterion=code,
        share=share,
        weight=weight,
        low=low,
        low_included=low_included,
        high=high,
        high_included=high_included,
        below=below,
        above=above,
    )


def _smallest(sensitivity: Sequence[CriterionSensitivity]) -> SmallestChange | None:
    best: SmallestChange | None = None
    for s in sensitivity:
        for lower, flip in ((True, s.below), (False, s.above)):
            if flip is None:
                continue
            change = abs(flip.share - s.share)
            if best is None or change < best.change:
                best = SmallestChange(criterion=s.criterion, lower=lower, flip=flip, change=change)
    return best
