"""Reading scenario files: every problem with FILE:LINE and field, all at once."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from doconnect.files.importing import ImportFailed
from doconnect.scenarios.engine.scenario_file import check_spec, read_scenario
from doconnect.scenarios.engine.spec import CloseOffer, EligibilityChange, FundingChange, OpenOffer

from .build import VOCABULARY, scenario, scenario_text

GOOD = """{
  "name": "Kürzung Bildungsgutscheine 2027",
  "period": {"start": "2027-01-01", "end": "2027-12-31"},
  "changes": [
    {"type": "funding_change", "funder": "federal_agency", "percent": -30,
     "offer_kinds": ["further_training"]},
    {"type": "funding_change", "funder": "city", "amount_eur": -5000, "offers": ["o-1"]},
    {"type": "eligibility_change", "funder": "jobcenter", "target_groups": ["adults"],
     "min_age": 50},
    {"type": "close_offer", "offer": "o-2"},
    {"type": "open_offer", "offer": {"id": "o-new", "provider": "p-9", "kind": "counselling",
      "district": "Eving", "target_groups": ["youth"], "capacity": 12,
      "funding": [{"funder": "city", "amount_eur": 24000,
                   "start": "2027-01-01", "end": "2027-12-31"}],
      "follow_ons": ["o-1", "destination:employment"]}}
  ],
  "bridge_budget_eur": 200000,
  "rules": {"viability_threshold": 0.8, "bridge_weights": {"youth": 3}}
}
"""


def read(text: str) -> list[str]:
    """The problems of a file, as the command prints them."""
    with pytest.raises(ImportFailed) as caught:
        read_scenario(text.encode(), file="s.json", vocabulary=VOCABULARY)
    return [str(p) for p in caught.value.problems]


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def test_a_complete_file_reads_into_its_changes_in_order() -> None:
    spec = read_scenario(GOOD.encode(), file="s.json", vocabulary=VOCABULARY)
    assert spec.name == "Kürzung Bildungsgutscheine 2027"
    assert (spec.start, spec.end, spec.days) == (dt.date(2027, 1, 1), dt.date(2027, 12, 31), 365)
    assert [type(c) for c in spec.changes] == [
        FundingChange,
        FundingChange,
        EligibilityChange,
        CloseOffer,
        OpenOffer,
    ]
    first, second, eligibility, close, opened = spec.changes
    assert isinstance(first, FundingChange) and first.percent == -30
    assert first.offer_kinds == ("further_training",)
    assert isinstance(second, FundingChange) and second.amount_eur == -5000
    assert isinstance(eligibility, EligibilityChange)
    assert (eligibility.target_groups, eligibility.min_age) == (("adults",), 50)
    assert isinstance(close, CloseOffer) and close.offer == "o-2"
    assert close.line == line_of(GOOD, '{"type": "close_offer"')
    assert isinstance(opened, OpenOffer) and opened.capacity == 12
    assert opened.funding[0].amount_eur == 24000
    assert opened.follow_ons == ("o-1", "destination:employment")
    assert spec.bridge_budget_eur == 200000
    assert spec.rules.viability_threshold == 0.8
    assert spec.rules.weight("youth") == 3 and spec.rules.weight("adults") == 1


def test_defaults_are_a_70_percent_threshold_weight_1_and_no_bridge() -> None:
    spec = scenario([{"type": "close_offer", "offer": "o-1"}])
    assert spec.rules.viability_threshold == 0.7
    assert spec.rules.weight("youth") == 1.0
    assert spec.bridge_budget_eur == 0


def test_every_problem_of_a_file_is_reported_at_once_with_line_and_field() -> None:
    text = """{
  "name": "",
  "period": {"start": "2027-12-31", "end": "2027-01-01"},
  "changes": [
    {"type": "funding_change", "funder": "federal_agency"},
    {"type": "funding_change", "funder": "nobody", "percent": -30, "colour": "red"},
    {"type": "budget_cut", "funder": "city"},
    {"type": "close_offer", "offer": "o 1"},
    {"type": "funding_change", "funder": "city", "percent": -130, "offer_kinds": ["x"]}
  ],
  "bridge_budget_eur": -5,
  "rules": {"viability_threshold": 1.5, "bridge_weights": {"youth": "high"}},
  "extra": true
}
"""
    problems = read(text)
    joined = "\n".join(problems)
    expected = [
        (2, "name: must not be empty"),
        (3, "period.end: 2027-01-01 is before start 2027-12-31"),
        (5, "changes[0]: give exactly one of percent or amount_eur"),
        (6, 'changes[1].funder: unknown funder "nobody"'),
        (6, "changes[1].colour: unknown field"),
        (7, 'changes[2].type: unknown change type "budget_cut"'),
        (8, "changes[3].offer: \"o 1\" may contain only letters, digits, '-' and '_'"),
        (9, "changes[4].percent: must be at least -100, found -130"),
        (9, 'changes[4].offer_kinds[0]: unknown offer kind "x"'),
        (11, "bridge_budget_eur: must be at least 0, found -5"),
        (12, "rules.viability_threshold: must be at most 1, found 1.5"),
        (12, 'rules.bridge_weights.youth: expected a number, found a string ("high")'),
        (13, "extra: unknown field; expected one of"),
    ]
    for line, message in expected:
        assert f"s.json:{line}: {message}" in joined, (line, message, joined)
    assert len(problems) == len(expected)


def test_a_file_that_is_not_json_or_not_an_object_is_refused_on_its_line() -> None:
    assert read('{\n  "name": "x",\n  "period": \n}') == [
        "s.json:4: malformed JSON: Expecting value (column 1)"
    ]
    assert read("[1, 2]") == [
        's.json:1: a scenario must be a JSON object with "name", "period" and "changes", '
        "found an array"
    ]


def test_name_period_and_changes_are_required() -> None:
    assert read("{}") == [
        "s.json:1: name: is missing",
        "s.json:1: period: is missing",
        "s.json:1: changes: is missing",
    ]


def test_an_eligibility_change_must_say_whom_it_excludes() -> None:
    text = scenario_text([{"type": "eligibility_change", "funder": "city"}])
    change_line = line_of(text, '"changes"') + 1
    assert read(text) == [
        f"s.json:{change_line}: changes[0]: name the target_groups and/or the ages "
        "(min_age, max_age) excluded"
    ]


def test_an_offer_closed_or_opened_twice_names_the_first_line() -> None:
    text = scenario_text(
        [{"type": "close_offer", "offer": "o-1"}, {"type": "close_offer", "offer": "o-1"}]
    )
    (problem,) = read(text)
    first = line_of(text, '"close_offer"') - 1
    assert problem.endswith(
        f'changes[1].offer: offer "o-1" is closed twice (first at line {first})'
    )


def test_names_the_inputs_do_not_know_are_problems_on_their_change_s_line() -> None:
    spec = read_scenario(GOOD.encode(), file="s.json", vocabulary=VOCABULARY)
    problems = check_spec(spec, offer_ids={"o-new"}, target_groups={"adults"}, districts={"Hörde"})
    amount = line_of(GOOD, '"amount_eur": -5000')
    close = line_of(GOOD, '"type": "close_offer"')
    opened = line_of(GOOD, '"type": "open_offer"')
    weight = line_of(GOOD, '"youth": 3')
    assert [str(p) for p in problems] == [
        f's.json:{amount}: changes[1].offers[0]: unknown offer "o-1"',
        f's.json:{close}: changes[3].offer: unknown offer "o-2"',
        f's.json:{opened}: changes[4].offer.id: offer "o-new" exists already',
        f's.json:{opened}: changes[4].offer.district: unknown district "Eving"',
        f's.json:{opened}: changes[4].offer.target_groups[0]: unknown target group "youth"',
        f's.json:{opened}: changes[4].offer.follow_ons[0]: unknown offer "o-1"',
        f's.json:{weight}: rules.bridge_weights.youth: unknown target group "youth"',
    ]


def test_the_canonical_form_reads_back_to_the_same_scenario() -> None:
    spec = read_scenario(GOOD.encode(), file="s.json", vocabulary=VOCABULARY)
    text = json.dumps(spec.to_dict(), ensure_ascii=False)
    assert read_scenario(text.encode(), file="again.json", vocabulary=VOCABULARY) == spec
