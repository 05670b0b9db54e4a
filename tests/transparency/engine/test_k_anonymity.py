"""The k-anonymity engine: whatever the records, no combination in its output covers
fewer than k of them, and every value shown is a coarsening of the true one."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from doconnect.transparency.engine.k_anonymity import (
    SUPPRESSED,
    Attribute,
    anonymise,
    group_rare,
    identity_level,
    share_unique,
    smallest_combination,
)

AGES = [str(year) for year in range(1950, 2010)]
AGE = Attribute(
    "age",
    [
        identity_level(AGES),
        {year: f"{int(year) // 5 * 5}s" for year in AGES},
        {year: "young" if int(year) >= 1980 else "old" for year in AGES},
    ],
)
GENDERS = ["f", "m", "d", "u"]
GENDER = Attribute(
    "gender", [identity_level(GENDERS), {"f": "f", "m": "m", "d": "other", "u": "other"}]
)
DISTRICTS = [f"D{i}" for i in range(12)]
QUALIFICATIONS = ["none", "low", "mid", "high", "foreign", "unknown"]
QUALIFICATION = Attribute(
    "qualification",
    [
        identity_level(QUALIFICATIONS),
        {
            "none": "low",
            "low": "low",
            "mid": "mid",
            "high": "high",
            "foreign": "other",
            "unknown": "other",
        },
    ],
)

records = st.lists(
    st.tuples(
        st.sampled_from(AGES),
        st.sampled_from(GENDERS),
        st.sampled_from(DISTRICTS),
        st.sampled_from(QUALIFICATIONS),
    ),
    max_size=300,
)


def district_attribute(rows: list[tuple[str, ...]], minimum: int) -> Attribute:
    counts = Counter(row[2] for row in rows)
    return Attribute(
        "district", [identity_level(DISTRICTS), group_rare(counts, minimum, "other districts")]
    )


def allowed_values(attribute: Attribute, raw: str) -> set[str]:
    return {level[raw] for level in attribute.levels} | {SUPPRESSED}


@settings(max_examples=300, deadline=None)
@given(rows=records, k=st.integers(min_value=1, max_value=12), share=st.sampled_from([0, 0.05]))
def test_no_combination_in_the_output_covers_fewer_than_k_records(
    rows: list[tuple[str, ...]], k: int, share: float
) -> None:
    attributes = [AGE, GENDER, district_attribute(rows, 2 * k), QUALIFICATION]
    result = anonymise(rows, attributes, k, max_suppressed=share)

    assert len(result.rows) == len(rows)
    if len(rows) >= k:
        assert all(count >= k for count in result.combinations().values())
    else:  # too few to show anything
        assert all(set(row) == {SUPPRESSED} for row in result.rows)
    # Every value is the true one at some level of its attribute, or suppressed.
    for raw, shown in zip(rows, result.rows, strict=True):
        for attribute, raw_value, value in zip(attributes, raw, shown, strict=True):
            assert value in allowed_values(attribute, raw_value)
    # Suppressed records: none, or at least k of them, and within the budget unless
    # everything had to go.
    assert result.suppressed == 0 or result.suppressed >= min(k, len(rows))
    assert result.suppressed <= int(len(rows) * share) or result.suppressed == len(rows)


def test_records_unique_before_share_combinations_of_k_after() -> None:
    pick = random.Random(2026).choice
    rows = [(pick(AGES), pick(GENDERS), pick(DISTRICTS), pick(QUALIFICATIONS)) for _ in range(500)]
    assert share_unique(rows) > 0.5
    result = anonymise(rows, [AGE, GENDER, district_attribute(rows, 10), QUALIFICATION], 5)
    assert share_unique(result.rows) == 0
    assert smallest_combination(result.rows) >= 5


def test_records_that_are_already_k_anonymous_are_left_as_they_are() -> None:
    rows = [("1970", "f", "D1", "low")] * 5 + [("1980", "m", "D2", "high")] * 6
    result = anonymise(rows, [AGE, GENDER, district_attribute(rows, 1), QUALIFICATION], 5)
    assert result.rows == rows
    assert set(result.levels.values()) == {0} and result.suppressed == 0


def test_a_few_outliers_are_suppressed_rather_than_coarsening_everybody() -> None:
    common = [("1970", "f", "D1", "low")] * 100 + [("1980", "m", "D2", "high")] * 100
    outliers = [(str(1950 + i), "d", f"D{i + 3}", "foreign") for i in range(6)]
    rows = common + outliers
    result = anonymise(rows, [AGE, GENDER, district_attribute(rows, 1), QUALIFICATION], 5)
    assert result.rows[:200] == common  # nobody else coarsened
    assert result.rows[200:] == [(SUPPRESSED,) * 4] * 6
    assert result.suppressed == 6


def test_a_value_missing_from_a_level_is_named() -> None:
    broken = Attribute("gender", [{"f": "f"}])
    with pytest.raises(ValueError, match="gender: level 0 has no value for \\['m'\\]"):
        anonymise([("f",), ("m",)], [broken], 1)


def test_k_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="k must be at least 1"):
        anonymise([("f",)], [GENDER], 0)
