"""The scoring engine: a worked example (3 options × 3 criteria, computed on paper in
the comments), the rules at their edges, and a property test of the sensitivity: just
inside a reported flip point the winner stays, just beyond it the named option leads."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction as F

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doconnect.decisions.engine.scoring import (
    HIGHER,
    LOWER,
    Criterion,
    Scoring,
    ScoringError,
    score,
)

# Coverage (higher better, weight 2): A 0.5, B 0.8, C 0.7 → normalised 0, 1, 2/3.
# Providers kept (higher better, weight 1): A 10, B 6, C 8 → 1, 0, 1/2.
# Cost (lower better, weight 1): A 100, B 200, C 150 → 1, 0, 1/2.
# Shares 1/2, 1/4, 1/4. Scores: A = 0 + 1/4 + 1/4 = 1/2; B = 1/2 + 0 + 0 = 1/2;
# C = 1/3 + 1/8 + 1/8 = 7/12. C first; A and B tie, A (given first) ranks before B.
OPTIONS = ["A", "B", "C"]
VALUES = {
    "A": {"cov": 0.5, "prov": 10, "cost": 100},
    "B": {"cov": 0.8, "prov": 6, "cost": 200},
    "C": {"cov": 0.7, "prov": 8, "cost": 150},
}
CRITERIA = [
    Criterion("cov", 2, HIGHER),
    Criterion("prov", 1, HIGHER),
    Criterion("cost", 1, LOWER),
]


@pytest.fixture
def worked() -> Scoring:
    return score(OPTIONS, CRITERIA, VALUES)


def test_the_worked_example_normalises_weights_and_values(worked: Scoring) -> None:
    assert worked.shares == {"cov": F(1, 2), "prov": F(1, 4), "cost": F(1, 4)}
    # 0.5, 0.8, 0.7 as floats: normalised exactly from their binary values
    assert worked.normalised["A"] == {"cov": 0, "prov": 1, "cost": 1}
    assert worked.normalised["B"]["prov"] == 0 and worked.normalised["B"]["cost"] == 0
    assert worked.normalised["C"]["prov"] == F(1, 2) == worked.normalised["C"]["cost"]
    assert abs(float(worked.normalised["C"]["cov"]) - 2 / 3) < 1e-12


def test_the_worked_example_ranks_c_first_and_breaks_the_tie_by_position(
    worked: Scoring,
) -> None:
    assert [s.option for s in worked.ranking] == ["C", "A", "B"]
    assert [s.rank for s in worked.ranking] == [1, 2, 3]
    assert worked.winner == "C"
    assert worked.score_of("A").score == F(1, 2) == worked.score_of("B").score
    assert worked.score_of("B").tied and not worked.score_of("A").tied
    assert abs(float(worked.score_of("C").score) - 7 / 12) < 1e-12


def test_the_contributions_say_why_an_option_wins(worked: Scoring) -> None:
    a = worked.score_of("A").contributions
    assert a == {"cov": 0, "prov": F(1, 4), "cost": F(1, 4)}
    assert sum(a.values()) == worked.score_of("A").score


def _exact(values: dict[str, dict[str, float | int]]) -> dict[str, dict[str, F]]:
    """The worked example with exact thirds, so flip points are the paper's fractions."""
    return {o: {c: F(str(v)) for c, v in row.items()} for o, row in values.items()}


def test_the_sensitivity_of_the_heavy_criterion_on_paper() -> None:
    # Weight of coverage alone moved, share t: S_A = 1 − t, S_B = t, S_C = 1/2 + t/6.
    # C stays first for 3/7 < t < 3/5 (A wins the tie at 3/7, B at 3/5): raw weight
    # t·2/(1 − t) between 3/2 and 3.
    result = score(OPTIONS, CRITERIA, _exact(VALUES))
    cov = result.sensitivity[0]

    assert (cov.criterion, cov.share, cov.weight) == ("cov", F(1, 2), 2)
    assert (cov.low, cov.low_included, cov.high, cov.high_included) == (
        F(3, 7),
        False,
        F(3, 5),
        False,
    )
    assert cov.below is not None and cov.above is not None
    assert (cov.below.share, cov.below.weight, cov.below.option) == (F(3, 7), F(3, 2), "A")
    assert (cov.above.share, cov.above.weight, cov.above.option) == (F(3, 5), 3, "B")
    assert cov.below.at_boundary and cov.above.at_boundary


def test_the_sensitivity_of_the_light_criteria_on_paper() -> None:
    # Providers' share t: S_A = 1/3 + 2t/3, S_B = 2/3 − 2t/3, S_C = 11/18 − t/9.
    # C first for 1/10 < t < 5/14; raw weight t·3/(1 − t) between 1/3 and 5/3.
    # Cost has the same normalised values, so the same range.
    result = score(OPTIONS, CRITERIA, _exact(VALUES))
    for s in result.sensitivity[1:]:
        assert (s.low, s.high) == (F(1, 10), F(5, 14))
        assert s.below is not None and s.above is not None
        assert (s.below.weight, s.below.option) == (F(1, 3), "B")
        assert (s.above.weight, s.above.option) == (F(5, 3), "A")


def test_the_smallest_change_is_lowering_coverage_to_three_sevenths() -> None:
    # Distances: coverage 1/2 − 3/7 = 1/14 down, 3/5 − 1/2 = 1/10 up; the others
    # 1/4 − 1/10 = 3/20 down, 5/14 − 1/4 = 3/28 up.
    smallest = score(OPTIONS, CRITERIA, _exact(VALUES)).smallest_change

    assert smallest is not None
    assert (smallest.criterion, smallest.lower, smallest.change) == ("cov", True, F(1, 14))
    assert smallest.flip.option == "A"


def test_a_criterion_without_spread_contributes_nothing() -> None:
    result = score(
        ["A", "B"],
        [Criterion("same", 5), Criterion("x", 1)],
        {"A": {"same": 3, "x": 1}, "B": {"same": 3, "x": 2}},
    )
    assert result.score_of("A").contributions["same"] == 0
    assert result.winner == "B"
    assert result.score_of("B").score == F(1, 6)


def test_all_weights_zero_score_everything_zero_in_the_given_order() -> None:
    result = score(["A", "B"], [Criterion("x", 0)], {"A": {"x": 1}, "B": {"x": 2}})
    assert [s.option for s in result.ranking] == ["A", "B"]
    assert not result.weighted and result.sensitivity == () and result.smallest_change is None


def test_the_only_weighted_criterion_alone_cannot_flip() -> None:
    result = score(
        ["A", "B"],
        [Criterion("x", 1), Criterion("y", 0)],
        {"A": {"x": 1, "y": 9}, "B": {"x": 2, "y": 1}},
    )
    x, y = result.sensitivity
    assert x.alone and x.below is None and x.above is None
    # raising y from 0: A wins from share 1/2 on (tie at 1/2 goes to A, given first)
    assert y.above is not None and (y.above.share, y.above.option) == (F(1, 2), "A")
    assert y.above.at_boundary and y.above.weight == 1


def test_a_tie_at_weight_zero_is_a_flip_at_zero() -> None:
    # B wins with x weighted; with x at 0 both score by y alone, equal: A (first) leads.
    result = score(
        ["A", "B"],
        [Criterion("x", 1), Criterion("y", 1)],
        {"A": {"x": 1, "y": 5}, "B": {"x": 2, "y": 5}},
    )
    x = result.sensitivity[0]
    assert result.winner == "B"
    assert x.below is not None and (x.below.share, x.below.weight, x.below.option) == (0, 0, "A")


def test_inputs_are_exact_whatever_their_type() -> None:
    result = score(
        ["A", "B"],
        [Criterion("x", Decimal("0.1")), Criterion("y", 0.2)],
        {"A": {"x": Decimal("1.5"), "y": 1}, "B": {"x": F(1, 3), "y": 2.5}},
    )
    assert sum(result.shares.values()) == 1


@pytest.mark.parametrize(
    ("options", "criteria", "values", "message"),
    [
        (["A", "A"], [Criterion("x", 1)], {"A": {"x": 1}}, "distinct"),
        (["A"], [Criterion("x", -1)], {"A": {"x": 1}}, "below 0"),
        (["A"], [Criterion("x", 1, "sideways")], {"A": {"x": 1}}, "direction"),
        (["A"], [Criterion("x", 1)], {"A": {}}, "no value for criterion x"),
        (["A"], [Criterion("x", 1)], {}, "option A: no values"),
        (["A"], [Criterion("x", float("nan"))], {"A": {"x": 1}}, "finite"),
    ],
)
def test_bad_input_is_refused_with_a_reason(
    options: list[str], criteria: list[Criterion], values: dict, message: str
) -> None:
    with pytest.raises(ScoringError, match=message):
        score(options, criteria, values)


# ---------------------------------------------------------------- property test

EPSILON = F(1, 10**18)


def _winner_at(
    options: list[str], criteria: list[Criterion], values: dict, code: str, weight: F
) -> str | None:
    moved = [
        Criterion(c.code, weight if c.code == code else c.weight, c.direction) for c in criteria
    ]
    return score(options, moved, values).winner


@st.composite
def problems(draw: st.DrawFn) -> tuple[list[str], list[Criterion], dict]:
    n_options = draw(st.integers(2, 4))
    n_criteria = draw(st.integers(1, 4))
    options = [f"o{i}" for i in range(n_options)]
    criteria = [
        Criterion(f"c{j}", draw(st.integers(0, 10)), draw(st.sampled_from([HIGHER, LOWER])))
        for j in range(n_criteria)
    ]
    values = {o: {c.code: draw(st.integers(0, 20)) for c in criteria} for o in options}
    return options, criteria, values


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_at_each_flip_point_the_winner_changes_exactly_there(
    problem: tuple[list[str], list[Criterion], dict],
) -> None:
    options, criteria, values = problem
    result = score(options, criteria, values)
    winner = result.winner
    for s in result.sensitivity:
        others = sum((F(c.weight) for c in criteria if c.code != s.criterion), F(0))

        def at_share(t: F, code: str = s.criterion, others: F = others) -> str | None:
            return _winner_at(options, criteria, values, code, t * others / (1 - t))

        assert s.low <= s.share <= s.high
        if s.alone:
            continue
        assert at_share(s.share) == winner
        if s.below is not None:
            beyond = s.below.share - EPSILON if s.below.share > 0 else F(0)
            assert at_share(beyond) == s.below.option != winner
            if s.below.at_boundary:
                assert at_share(s.below.share) != winner
                assert at_share(min(s.below.share + EPSILON, s.share)) == winner
            else:
                assert at_share(s.below.share) == winner
        elif s.low == 0:
            assert at_share(F(0)) == winner  # no flip below: even weight 0 keeps it
        if s.above is not None:
            assert at_share(s.above.share + EPSILON) == s.above.option != winner
            if s.above.at_boundary:
                assert at_share(s.above.share) != winner
            else:
                assert at_share(s.above.share) == winner
        else:
            assert at_share(1 - EPSILON) == winner  # no flip above: any weight keeps it
    if result.smallest_change is not None:
        smallest = result.smallest_change.change
        assert all(
            (f.share - s.share if f is s.above else s.share - f.share) >= smallest
            for s in result.sensitivity
            for f in (s.below, s.above)
            if f is not None
        )
