"""Which spells may overlap: a marginal job beside unemployment yes, two jobs' worth of
main states no."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from doconnect.people.biography import SIDE_STATES, SpellSpan, overlap_conflicts, spans_overlap

D = dt.date


def test_a_marginal_job_may_run_beside_unemployment() -> None:
    spans = [
        SpellSpan("unemployed", D(2025, 1, 1), D(2025, 12, 31)),
        SpellSpan("marginal_employment", D(2025, 3, 1), D(2025, 6, 30)),
    ]
    assert overlap_conflicts(spans) == []


def test_employment_and_unemployment_may_not_overlap() -> None:
    job = SpellSpan("employment", D(2025, 1, 1), None)
    jobless = SpellSpan("unemployed", D(2025, 6, 1), D(2025, 8, 31))
    assert overlap_conflicts([job, jobless]) == [(job, jobless)]


def test_spells_that_touch_end_to_start_do_not_overlap() -> None:
    school = SpellSpan("school", D(2020, 8, 1), D(2024, 7, 31))
    training = SpellSpan("apprenticeship", D(2024, 8, 1), None)
    assert overlap_conflicts([training, school]) == []


def test_an_open_spell_overlaps_everything_after_its_start() -> None:
    assert spans_overlap(
        SpellSpan("employment", D(2020, 1, 1), None), SpellSpan("care", D(2030, 1, 1), None)
    )


_MAIN_STATES = ["school", "employment", "unemployed", "apprenticeship", "inactive"]
_ALL_STATES = _MAIN_STATES + sorted(SIDE_STATES)


@st.composite
def _spans(draw: st.DrawFn) -> SpellSpan:
    start = draw(st.dates(D(2020, 1, 1), D(2026, 12, 31)))
    length = draw(st.one_of(st.none(), st.integers(0, 900)))
    end = None if length is None else start + dt.timedelta(days=length)
    return SpellSpan(draw(st.sampled_from(_ALL_STATES)), start, end)


@given(st.lists(_spans(), max_size=12))
def test_the_sweep_finds_exactly_the_pairs_a_brute_force_check_finds(
    spans: list[SpellSpan],
) -> None:
    expected = {
        frozenset((id(a), id(b)))
        for i, a in enumerate(spans)
        for b in spans[i + 1 :]
        if a.state not in SIDE_STATES and b.state not in SIDE_STATES and spans_overlap(a, b)
    }
    found = {frozenset((id(a), id(b))) for a, b in overlap_conflicts(spans)}
    assert found == expected
