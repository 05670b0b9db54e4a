"""The transitions report never shows a figure about fewer persons than the
small-number threshold, comes out the same for the same inputs, and its typology
accounts for every person it clustered."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest

from doconnect.people.models import Person, Spell
from doconnect.people.services import person_create
from doconnect.transitions.cohorts import STATES, CohortSpec
from doconnect.transitions.services import transitions_report
from tests.conftest import TODAY, City

D = dt.date
SPEC = CohortSpec(kind="school_leavers", year=2024)


def leaver(city: City, then: str, *, gender: str = "female") -> Person:
    person = person_create(
        gender=gender,
        birth_date=D(2007, 1, 1),
        district=city.district,
        given_name="Kim",
        family_name="Muster",
        target_groups=[city.youth],
    )
    Spell.objects.create(person=person, state="school", start=D(2021, 8, 1), end=D(2024, 7, 31))
    Spell.objects.create(person=person, state=then, start=D(2024, 8, 1), end=None)
    return person


@pytest.fixture
def cohort(city: City) -> None:
    """Eight school leavers go into an apprenticeship, three into unemployment, one
    into work."""
    for _ in range(8):
        leaver(city, "apprenticeship")
    for _ in range(3):
        leaver(city, "unemployed", gender="male")
    leaver(city, "employment")


def counts(report: dict[str, Any]) -> Iterator[int]:
    """Every person count the report holds."""
    for month in report["chronogram"]:
        yield from (c for c in month["cells"] if c is not None)
    transitions = report["transitions"]
    for row in transitions["cells"]:
        yield from (c for c in row if c is not None)
    for table in report["outcomes"]["tables"]:
        for row in table["rows"]:
            yield from (c for c in row["cells"] if c is not None)
            if row["total"] is not None:
                yield row["total"]
    for kind in report["typology"]["types"]:
        if kind["size"] is not None:
            yield kind["size"]
        for month in kind["chronogram"]:
            yield from (c for c in month["cells"] if c is not None)


def test_no_count_under_the_threshold_appears_as_a_number(cohort: None) -> None:
    report = transitions_report(SPEC, months=12, k=2, min_count=5, today=TODAY)

    assert report["n"] == 12
    assert [c for c in counts(report) if 0 < c < 5] == []
    first = report["chronogram"][0]
    apprenticeship, unemployed, employment = (
        STATES.index(s) for s in ("apprenticeship", "unemployed", "employment")
    )
    assert first["cells"][apprenticeship] == 8
    assert first["cells"][unemployed] is None and first["cells"][employment] is None
    assert first["shares"][unemployed] is None
    assert report["suppressed"] > 0


def test_the_outcomes_count_the_leavers_by_group_under_the_rule(cohort: None) -> None:
    report = transitions_report(SPEC, months=12, k=2, min_count=5, today=TODAY)
    outcomes = report["outcomes"]
    overall_at_6 = next(t for t in outcomes["tables"] if t["by"] == "overall" and t["horizon"] == 6)
    by_gender = next(t for t in outcomes["tables"] if t["by"] == "gender" and t["horizon"] == 6)
    apprenticeship = STATES.index("apprenticeship")

    assert outcomes["origin"] == "school" and outcomes["leavers"] == 12
    assert overall_at_6["rows"][0]["cells"][apprenticeship] == 8
    assert overall_at_6["rows"][0]["total"] == 12
    male = next(r for r in by_gender["rows"] if r["group"] == "male")
    assert male["total"] is None and all(c in (0, None) for c in male["cells"])


def test_with_a_threshold_of_one_every_figure_is_shown(cohort: None) -> None:
    report = transitions_report(SPEC, months=12, k=2, min_count=1, today=TODAY)

    assert report["suppressed"] == 0
    assert report["chronogram"][0]["cells"][STATES.index("employment")] == 1


def test_the_report_is_the_same_for_the_same_inputs(cohort: None) -> None:
    first = transitions_report(SPEC, months=12, k=3, min_count=5, today=TODAY)
    second = transitions_report(SPEC, months=12, k=3, min_count=5, today=TODAY)

    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


def test_the_typology_sizes_add_up_to_the_persons_clustered(cohort: None) -> None:
    report = transitions_report(SPEC, months=12, k=3, min_count=1, today=TODAY)
    typology = report["typology"]

    assert typology["sampled"] is False and typology["n"] == 12
    assert sum(t["size"] for t in typology["types"]) == 12
    assert len(typology["types"]) == 3
    for kind in typology["types"]:
        assert kind["medoid"].startswith("P-")
        assert kind["medoid"] not in kind["examples"] and len(kind["examples"]) <= 5


def test_a_large_cohort_is_typed_on_a_seeded_sample_and_says_so(cohort: None) -> None:
    report = transitions_report(SPEC, months=12, k=2, min_count=1, today=TODAY, typology_cap=6)
    again = transitions_report(SPEC, months=12, k=2, min_count=1, today=TODAY, typology_cap=6)
    typology = report["typology"]

    assert typology["sampled"] is True and typology["n"] == 6 and typology["seed"] is not None
    assert sum(t["size"] for t in typology["types"]) == 6
    assert typology == again["typology"]


def test_a_cohort_under_the_threshold_gets_no_figures(city: City) -> None:
    for _ in range(3):
        leaver(city, "apprenticeship")

    report = transitions_report(SPEC, months=12, k=2, min_count=5, today=TODAY)

    assert report["too_small"] is True and report["n"] is None
    assert report["chronogram"] == [] and report["typology"] is None


def test_the_report_is_plain_json(cohort: None) -> None:
    report = transitions_report(SPEC, months=12, k=2, min_count=5, today=TODAY)

    assert json.loads(json.dumps(report)) == report
