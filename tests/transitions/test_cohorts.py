"""A cohort's spells become monthly sequences: aligned at the cohort's event month,
overlaps decided by priority, months without a spell missing, months after today not
yet observed — read in the same few queries however large the cohort."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from doconnect.core.models import TargetGroup
from doconnect.months import month_number
from doconnect.offers.models import Offer
from doconnect.people.models import Person, Spell
from doconnect.people.services import person_create
from doconnect.transitions.cohorts import (
    DEFAULT_PRIORITY,
    NO_SPELL,
    NOT_YET,
    STATES,
    CohortSpec,
    cohort_sequences,
    month_grid,
    school_leaving,
)
from tests.conftest import TODAY, City

D = dt.date


def person(
    city: City, *, district: bool = True, youth: bool = True, gender: str = "female"
) -> Person:
    return person_create(
        gender=gender,
        birth_date=D(2006, 3, 1),
        district=city.district if district else city.other_district,
        given_name="Kim",
        family_name="Muster",
        target_groups=[city.youth] if youth else [],
    )


def spell(
    p: Person, state: str, start: dt.date, end: dt.date | None, offer: Offer | None = None
) -> None:
    Spell.objects.create(person=p, state=state, start=start, end=end, offer=offer)


def school_until(p: Person, year: int) -> None:
    """School recorded one school year at a time, the last ending in July of ``year``."""
    for y in range(year - 2, year):
        spell(p, "school", D(y, 8, 1), D(y + 1, 7, 31))


def states_of(row: np.ndarray) -> list[str | None]:
    return [STATES[c] if c >= 0 else None for c in row.tolist()]


def code(state: str) -> int:
    return STATES.index(state)


# ----------------------------------------------------------------------- alignment


def test_school_leavers_start_in_the_month_after_their_last_school_year(city: City) -> None:
    kim = person(city)
    school_until(kim, 2024)
    spell(kim, "apprenticeship", D(2024, 9, 1), None)

    cohort = cohort_sequences(CohortSpec(kind="school_leavers", year=2024), months=12, today=TODAY)

    assert cohort.seqs.ids == (kim.public_id,)
    assert cohort.start_month.tolist() == [month_number(2024, 8)]
    assert states_of(cohort.seqs.codes[0])[:3] == [None, "apprenticeship", "apprenticeship"]
    assert cohort.exit_month.tolist() == [0]


def test_a_pupil_who_goes_on_to_the_next_school_year_has_not_left_school(city: City) -> None:
    stays = person(city)
    school_until(stays, 2025)  # the 2024 school year ends in July 2024, the next goes on

    assert cohort_sequences(CohortSpec(kind="school_leavers", year=2024), today=TODAY).n == 0
    assert cohort_sequences(CohortSpec(kind="school_leavers", year=2025), today=TODAY).n == 1


def test_school_leaving_joins_school_years_without_a_gap() -> None:
    months = np.array([10, 22, 40], dtype=np.int64)  # three spells of one person
    leaving = school_leaving(
        np.array([1, 1, 1]), months, np.array([21, 33, 45], dtype=np.int64), year=2
    )

    # 10..21 and 22..33 are one stay ending in month 33 (year 2); 40..45 a second stay.
    assert leaving == {1: 33}


def test_offer_participants_start_in_the_month_their_first_spell_in_the_offer_began(
    city: City,
) -> None:
    kim, alex = person(city), person(city)
    spell(kim, "offer", D(2024, 3, 15), D(2024, 8, 31), offer=city.offer_a)
    spell(kim, "offer", D(2025, 3, 1), D(2025, 4, 30), offer=city.offer_a)
    spell(kim, "employment", D(2024, 9, 1), None)
    spell(alex, "offer", D(2025, 1, 1), None, offer=city.offer_a)

    cohort = cohort_sequences(CohortSpec(kind="offer", offer="o-a"), months=12, today=TODAY)
    row = {pid: i for i, pid in enumerate(cohort.seqs.ids)}

    assert cohort.start_month[row[kim.public_id]] == month_number(2024, 3)
    assert states_of(cohort.seqs.codes[row[kim.public_id]])[4:8] == [
        "offer",
        "offer",
        "employment",
        "employment",
    ]
    assert cohort.exit_month[row[kim.public_id]] == 6  # September 2024, first month out
    assert cohort.exit_month[row[alex.public_id]] == -1  # still taking part
    only_2025 = CohortSpec(kind="offer", offer="o-a", year=2025)
    assert set(cohort_sequences(only_2025, today=TODAY).seqs.ids) == {
        kim.public_id,
        alex.public_id,
    }


def test_an_offer_kind_cohort_takes_every_offer_of_that_kind(city: City) -> None:
    kim, alex = person(city), person(city)
    spell(kim, "offer", D(2025, 1, 1), D(2025, 6, 30), offer=city.offer_a)  # low threshold
    spell(alex, "offer", D(2025, 1, 1), D(2025, 6, 30), offer=city.offer_b)  # qualification

    cohort = cohort_sequences(
        CohortSpec(kind="offer_kind", offer_kind="qualification"), today=TODAY
    )

    assert cohort.seqs.ids == (alex.public_id,)


def test_district_and_target_group_cohorts_start_in_january_and_narrow_each_other(
    city: City,
) -> None:
    here, there, elsewhere_in_time = person(city), person(city, youth=False), person(city)
    spell(here, "unemployed", D(2023, 6, 1), D(2024, 2, 29))
    spell(there, "unemployed", D(2024, 5, 1), None)
    spell(elsewhere_in_time, "unemployed", D(2022, 1, 1), D(2022, 12, 31))
    adult_group = TargetGroup.objects.create(code="long_term_unemployed", label="LZA")
    there.target_groups.add(adult_group)

    district = cohort_sequences(
        CohortSpec(kind="district", district="Eving", year=2024), today=TODAY
    )
    group = cohort_sequences(
        CohortSpec(kind="target_group", target_group="youth_difficult_start", year=2024),
        today=TODAY,
    )

    assert set(district.seqs.ids) == {here.public_id, there.public_id}
    assert set(district.start_month.tolist()) == {month_number(2024, 1)}
    assert group.seqs.ids == (here.public_id,)
    assert group.target_groups == (("youth_difficult_start",),)
    assert group.districts == ("Eving",) and group.genders == ("female",)


def test_school_leavers_of_one_district_only(city: City) -> None:
    eving, hoerde = person(city), person(city, district=False)
    for p in (eving, hoerde):
        school_until(p, 2024)

    cohort = cohort_sequences(
        CohortSpec(kind="school_leavers", year=2024, district="Hörde"), today=TODAY
    )

    assert cohort.seqs.ids == (hoerde.public_id,)


def test_a_cohort_kind_without_its_parameter_is_refused() -> None:
    with pytest.raises(ValueError, match="year"):
        CohortSpec(kind="school_leavers")
    with pytest.raises(ValueError, match="unknown cohort kind"):
        CohortSpec(kind="everybody")


# ------------------------------------------------------ priority and missing months


def test_overlapping_spells_go_to_the_state_with_the_highest_priority(city: City) -> None:
    kim = person(city)
    school_until(kim, 2024)
    spell(kim, "unemployed", D(2024, 8, 1), D(2025, 7, 31))
    spell(kim, "employment", D(2024, 10, 1), D(2024, 12, 31))
    spell(kim, "marginal_employment", D(2025, 2, 1), D(2025, 3, 31))

    spec = CohortSpec(kind="school_leavers", year=2024)
    default = states_of(cohort_sequences(spec, months=12, today=TODAY).seqs.codes[0])
    reversed_priority = states_of(
        cohort_sequences(
            spec, months=12, today=TODAY, priority=tuple(reversed(DEFAULT_PRIORITY))
        ).seqs.codes[0]
    )

    assert default[:8] == [
        "unemployed",
        "unemployed",
        "employment",
        "employment",
        "employment",
        "unemployed",
        "marginal_employment",
        "marginal_employment",
    ]
    assert reversed_priority[:8] == ["unemployed"] * 8


def test_the_default_priority_puts_work_before_training_before_offers_before_school() -> None:
    order = [str(s) for s in DEFAULT_PRIORITY]

    assert sorted(order) == sorted(STATES)
    assert (
        order.index("employment")
        < order.index("apprenticeship")
        < order.index("offer")
        < order.index("school")
        < order.index("unemployed")
        < order.index("inactive")
    )


def test_month_grid_paints_by_priority_and_marks_gaps_and_the_future() -> None:
    grid = month_grid(
        rows=np.array([0, 0, 0]),
        codes=np.array([code("unemployed"), code("employment"), code("offer")]),
        starts=np.array([100, 102, 106]),
        ends=np.array([103, 102, 106]),
        origin_months=np.array([100]),
        periods=9,
        priority=[code("employment"), code("offer"), code("unemployed")],
        last_observed=106,
    )

    assert grid[0].tolist() == [
        code("unemployed"),
        code("unemployed"),
        code("employment"),
        code("unemployed"),
        NO_SPELL,
        NO_SPELL,
        code("offer"),
        NOT_YET,
        NOT_YET,
    ]


def test_months_after_today_are_not_yet_observed(city: City) -> None:
    kim = person(city)
    school_until(kim, 2026)
    spell(kim, "apprenticeship", D(2026, 8, 1), None)

    cohort = cohort_sequences(CohortSpec(kind="school_leavers", year=2026), months=12, today=TODAY)

    # Month 0 is August 2026; today is in November 2026 (month 3).
    assert cohort.seqs.codes[0].tolist()[:5] == [code("apprenticeship")] * 4 + [NOT_YET]
    assert cohort.seqs.has_missing


# --------------------------------------------------------------------------- queries


def _leavers(city: City, count: int) -> None:
    for _ in range(count):
        p = person(city)
        school_until(p, 2024)
        spell(p, "apprenticeship", D(2024, 8, 1), None)


def test_a_cohort_is_read_in_the_same_number_of_queries_however_many_persons(
    city: City,
) -> None:
    spec = CohortSpec(kind="school_leavers", year=2024, target_group="youth_difficult_start")
    _leavers(city, 2)
    with CaptureQueriesContext(connection) as few:
        assert cohort_sequences(spec, today=TODAY).n == 2
    _leavers(city, 20)
    with CaptureQueriesContext(connection) as many:
        assert cohort_sequences(spec, today=TODAY).n == 22

    assert len(few) == len(many) == 4
