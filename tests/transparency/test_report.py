"""The yearly report of the small test year (see conftest.py), checked by hand."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import override_settings

from doconnect.decisions.services import decision_publish, decision_record
from doconnect.people.models import Person
from doconnect.transitions.cohorts import STATES
from doconnect.transparency.render import figures_csv, table_by_key
from doconnect.transparency.selectors import outcome_category, year_figures
from doconnect.transparency.services import PublishRefused, yearly_report_build
from tests.conftest import TODAY, City
from tests.decisions.conftest import REASONS, worked_decision

pytestmark = pytest.mark.usefixtures("fixed_today")


def _table(content: dict[str, Any], key: str) -> dict[str, Any]:
    table = table_by_key(content, key)
    assert table is not None
    return table


def _cells(table: dict[str, Any]) -> list[list[int | None]]:
    return [row["cells"] for row in table["rows"]]


def test_every_spell_state_has_a_public_outcome_category() -> None:
    assert {outcome_category(code) for code in range(len(STATES))} <= {
        "work",
        "training",
        "support",
        "unemployed",
        "other",
    }
    assert outcome_category(STATES.index("employment")) == "work"
    assert outcome_category(-1) == "other"


def test_the_raw_figures_of_2026(year_city: City) -> None:
    figures = year_figures(2026, today=TODAY)
    assert figures.providers == 2
    assert figures.offers_by_kind == {"low_threshold": 1, "qualification": 1}
    assert figures.places_by_kind == {"low_threshold": 10, "qualification": 10}
    assert figures.participants == 11
    assert figures.participants_by_district_group == {
        ("Eving", "youth_difficult_start"): 6,
        ("Hörde", ""): 5,
    }
    assert figures.leavers == 6
    assert figures.leavers_not_yet_observable == 0
    assert figures.outcomes_by_group == {
        ("youth_difficult_start", "work"): 4,
        ("youth_difficult_start", "unemployed"): 2,
    }
    assert figures.funding_by_funder_kind[("city", "low_threshold")] == 120000
    # 181 of the line's 365 days lie in 2026
    assert round(figures.funding_by_funder_kind[("esf", "qualification")]) == 29753


def test_the_2025_leavers_are_counted_in_the_year_their_offer_ended(year_city: City) -> None:
    figures = year_figures(2025, today=TODAY)
    assert figures.participants == 5
    assert figures.leavers == 5
    assert figures.outcomes_by_group == {
        ("youth_difficult_start", "work"): 3,
        ("youth_difficult_start", "other"): 2,
    }


def test_the_published_tables_of_2026(year_city: City) -> None:
    content = yearly_report_build(year=2026)
    assert content["threshold"] == 5

    offers = _table(content, "offers_by_kind")
    assert [row["label"] for row in offers["rows"]] == [
        "Niedrigschwelliger Einstieg",
        "Qualifizierung",
    ]
    # two offers in all: too few to show; 20 places are shown
    assert _cells(offers) == [[None, 10], [None, 10]]
    assert offers["totals"]["cells"] == [None, 20]

    participants = _table(content, "participants")
    assert participants["columns"] == ["Jugendliche", "ohne Zielgruppe"]
    assert _cells(participants) == [[6, 0], [0, 5]]
    assert participants["totals"] == {"cells": [6, 5], "total": 11}

    outcomes = _table(content, "outcomes_by_group")
    # one group only: its cells would equal the column totals, so the small ones hide
    assert _cells(outcomes) == [[None, 0, 0, None, 0]]
    assert outcomes["rows"][0]["total"] == 6
    assert outcomes["totals"] == {"cells": [None, 0, 0, None, 0], "total": 6}

    funding = _table(content, "funding")
    assert funding["columns"] == ["Stadt", "Europäischer Sozialfonds"]
    assert _cells(funding) == [[120, 0], [0, 30]]
    assert funding["totals"]["total"] == 150


def test_the_text_says_only_what_the_tables_show(year_city: City) -> None:
    content = yearly_report_build(year=2026)
    offers = content["sections"][0]["paragraphs"][0]
    assert offers == (
        "Im Jahr 2026 boten weniger als 5 Träger weniger als 5 Angebote mit 20 Plätzen an."
    )
    assert "11 Menschen nahmen im Jahr 2026" in content["sections"][1]["paragraphs"][0]
    assert (
        "6 Menschen haben im Jahr 2026 ein Angebot beendet." in content["sections"][2]["paragraphs"]
    )
    assert (
        "Das Jahr ist noch nicht zu Ende. Die Zahlen zeigen den Stand vom 23.11.2026."
        in (content["summary"])
    )
    assert "rund 150 Tausend Euro" in content["sections"][3]["paragraphs"][0]


def test_the_report_holds_no_person_identifier(year_city: City) -> None:
    text = json.dumps(yearly_report_build(year=2026), ensure_ascii=False)
    persons = list(Person.objects.values_list("public_id", flat=True))
    assert persons
    for public_id in persons:
        assert public_id not in text
    for name in ("Eving0", "Hoerde0", "Frueher0"):
        assert name not in text


@override_settings(SMALL_NUMBER=3)
def test_the_threshold_comes_from_the_settings(year_city: City) -> None:
    content = yearly_report_build(year=2026)
    assert content["threshold"] == 3
    assert _table(content, "offers_by_kind")["totals"]["cells"] == [None, 20]  # 1 and 1


@override_settings(DEMO_MODE=True)
def test_a_demo_report_says_its_data_are_synthetic(year_city: City) -> None:
    content = yearly_report_build(year=2026)
    assert content["demo"] is True
    assert any("synthetischen" in paragraph for paragraph in content["summary"])


def test_a_future_year_has_no_report(city: City) -> None:
    with pytest.raises(PublishRefused):
        yearly_report_build(year=TODAY.year + 1)


def test_the_csv_lists_every_figure_with_stars(year_city: City) -> None:
    lines = figures_csv(yearly_report_build(year=2026)).splitlines()
    assert lines[0] == "table,row,column,value"
    caption = "Angebote und Plätze im Jahr 2026 nach Angebotsart"
    assert f"{caption},Qualifizierung,Angebote,*" in lines
    assert f"{caption},Qualifizierung,Plätze,10" in lines
    assert f"{caption},Summe,Plätze,20" in lines
    assert "Teilnehmende im Jahr 2026 nach Stadtbezirk und Zielgruppe,Summe,Summe,11" in lines


def _section(content: dict[str, Any], key: str) -> dict[str, Any]:
    return next(s for s in content["sections"] if s["key"] == key)


def test_the_report_tells_the_published_priority_decisions_of_its_year(
    year_city: City, coordinator: User
) -> None:
    published, unpublished = worked_decision(coordinator), worked_decision(coordinator)
    for decision in (published, unpublished):
        decision_record(
            decision=decision,
            chosen=decision.options.get(label="Option C"),
            reasons=REASONS,
            actor=coordinator,
        )
    decision_publish(decision=published, actor=coordinator)
    decided_on = published.record.decided_at.date()

    paragraphs = _section(yearly_report_build(year=decided_on.year), "decisions")["paragraphs"]
    assert len(paragraphs) == 2  # the introduction and the one published decision
    assert "Brückenbudget 2027" in paragraphs[1] and "„Option C“" in paragraphs[1]
    assert REASONS in paragraphs[1]

    earlier = _section(yearly_report_build(year=decided_on.year - 1), "decisions")
    assert earlier["paragraphs"] == [
        f"Im Jahr {decided_on.year - 1} hat die Stadt keine Prioritätsentscheidung veröffentlicht."
    ]
