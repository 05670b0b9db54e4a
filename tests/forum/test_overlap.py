"""The programme overlap matrix on a small landscape worked out by hand. Pure engine: no
database."""

from __future__ import annotations

import json
import random

import pytest

from doconnect.forum.engine.overlap import ProgrammeFact, programme_overlap

GROUPS = ("youth", "refugees", "long_term_unemployed")
KINDS = ("counselling", "qualification")


def fact(
    actor: str,
    funder: str,
    group: str = "youth",
    kind: str = "counselling",
    budget: float = 1000.0,
    places: int = 10,
) -> ProgrammeFact:
    return ProgrammeFact(actor, funder, group, kind, budget, places)


def landscape() -> list[ProgrammeFact]:
    return [
        # youth × counselling: city and Jobcenter both pay, two providers.
        fact("provider-a", "city", budget=120_000.0, places=40),
        fact("provider-b", "jobcenter", budget=80_000.0, places=25),
        fact("provider-a", "jobcenter", budget=0.5, places=1),
        # youth × qualification: three funders.
        fact("provider-c", "state", kind="qualification", budget=300_000.0, places=30),
        fact("provider-c", "jobcenter", kind="qualification", budget=50_000.0, places=5),
        fact("provider-d", "agency", kind="qualification", budget=70_000.0, places=12),
        # refugees × counselling: the city alone, twice.
        fact("civic-1", "city", group="refugees", budget=10_000.0, places=0),
        fact("civic-2", "city", group="refugees", budget=0.0, places=15),
        # long-term unemployed × qualification: the Jobcenter alone; the rest is empty.
        fact("provider-b", "jobcenter", group="long_term_unemployed", kind="qualification"),
    ]


def test_every_cell_of_the_given_rows_and_columns_is_present_in_their_order() -> None:
    report = programme_overlap(landscape(), GROUPS, KINDS)

    assert report.rows == GROUPS
    assert report.columns == KINDS
    assert list(report.cells) == [(g, k) for g in GROUPS for k in KINDS]
    assert [c.offer_kind for c in report.row("refugees")] == list(KINDS)


def test_a_cell_served_by_two_funders_is_an_overlap_with_summed_money_and_places() -> None:
    cell = programme_overlap(landscape(), GROUPS, KINDS).cell("youth", "counselling")

    assert cell.status == "overlap"
    assert cell.funders == ("city", "jobcenter")
    assert cell.actors == ("provider-a", "provider-b")
    assert cell.budget_eur == 200_000.5
    assert cell.places == 66
    assert cell.programmes == 3


def test_one_funder_with_several_programmes_is_a_single_cell() -> None:
    cell = programme_overlap(landscape(), GROUPS, KINDS).cell("refugees", "counselling")

    assert cell.status == "single"
    assert cell.funders == ("city",)
    assert cell.actors == ("civic-1", "civic-2")
    assert (cell.budget_eur, cell.places) == (10_000.0, 15)


def test_a_cell_nobody_serves_is_a_gap_with_nothing_in_it() -> None:
    report = programme_overlap(landscape(), GROUPS, KINDS)

    cell = report.cell("refugees", "qualification")
    assert cell.status == "none"
    assert (cell.funders, cell.actors, cell.budget_eur, cell.places) == ((), (), 0.0, 0)
    assert [(c.target_group, c.offer_kind) for c in report.gaps] == [
        ("refugees", "qualification"),
        ("long_term_unemployed", "counselling"),
    ]


def test_the_summary_counts_cells_by_status() -> None:
    report = programme_overlap(landscape(), GROUPS, KINDS)

    assert report.summary == {"none": 2, "single": 2, "overlap": 2}
    assert report.funders == ("agency", "city", "jobcenter", "state")
    assert report.places == 66 + 47 + 15 + 10
    assert report.budget_eur == 200_000.5 + 420_000.0 + 10_000.0 + 1000.0


def test_overlaps_come_with_the_most_funders_first() -> None:
    report = programme_overlap(landscape(), GROUPS, KINDS)

    assert [(c.target_group, c.offer_kind, len(c.funders)) for c in report.overlaps] == [
        ("youth", "qualification", 3),
        ("youth", "counselling", 2),
    ]


def test_without_facts_every_cell_is_a_gap() -> None:
    report = programme_overlap([], GROUPS, KINDS)

    assert report.summary == {"none": 6, "single": 0, "overlap": 0}
    assert len(report.gaps) == 6
    assert report.overlaps == ()


def test_the_report_is_json_ready_and_independent_of_the_order_of_facts() -> None:
    facts = landscape()
    shuffled = facts[:]
    random.Random(7).shuffle(shuffled)

    first = programme_overlap(facts, GROUPS, KINDS).to_dict()

    assert json.dumps(first) == json.dumps(programme_overlap(shuffled, GROUPS, KINDS).to_dict())
    assert first["cells"][1] == {
        "target_group": "youth",
        "offer_kind": "qualification",
        "funders": ["agency", "jobcenter", "state"],
        "actors": ["provider-c", "provider-d"],
        "budget_eur": 420_000.0,
        "places": 47,
        "programmes": 3,
        "status": "overlap",
    }
    assert first["gaps"] == [["refugees", "qualification"], ["long_term_unemployed", "counselling"]]
    assert first["overlaps"] == [["youth", "qualification"], ["youth", "counselling"]]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (fact("p", "city", group="pensioners"), "unknown target group 'pensioners'"),
        (fact("p", "city", kind="sailing"), "unknown offer kind 'sailing'"),
        (fact("p", "city", budget=-1.0), "budget_eur -1.0"),
        (fact("p", "city", budget=float("inf")), "budget_eur inf"),
        (fact("p", "city", places=-2), "places -2"),
    ],
)
def test_a_fact_outside_the_lists_or_with_negative_figures_is_refused(
    bad: ProgrammeFact, message: str
) -> None:
    with pytest.raises(ValueError, match=message) as refused:
        programme_overlap([*landscape(), bad], GROUPS, KINDS)

    assert "programme of 'p' (funder 'city')" in str(refused.value)


def test_a_row_or_column_given_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="target group 'youth' is listed twice"):
        programme_overlap([], ("youth", "youth"), KINDS)
    with pytest.raises(ValueError, match="offer kind 'counselling' is listed twice"):
        programme_overlap([], GROUPS, ("counselling", "counselling"))
