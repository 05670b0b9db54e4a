"""The scenario engine on small landscapes whose results are computed by hand."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest

from doconnect.files.importing import ImportFailed
from doconnect.pathways.engine.inputs import FollowOn
from doconnect.scenarios.engine.baseline import DemandCell, FundingLine, ScenarioInputs
from doconnect.scenarios.engine.funding import capacity_after, period_amount
from doconnect.scenarios.engine.results import (
    CAPACITY_RULE,
    CLOSED_BY_SCENARIO,
    PROVIDER_NOT_VIABLE,
)
from doconnect.scenarios.engine.simulate import run_scenario

from .build import cut, inputs, offer, scenario, year

FT = "further_training"


def by_offer(result: dict[str, object]) -> dict[str, dict[str, object]]:
    offers = result["offers"]
    assert isinstance(offers, list)
    return {o["offer"]: o for o in offers}


def test_a_funding_line_counts_by_its_days_in_the_period() -> None:
    line = FundingLine("city", 73_000.0, dt.date(2026, 7, 1), dt.date(2027, 6, 30))
    assert period_amount(line, dt.date(2027, 1, 1), dt.date(2027, 12, 31)) == pytest.approx(
        73_000 * 181 / 365
    )
    assert period_amount(line, dt.date(2028, 1, 1), dt.date(2028, 12, 31)) == 0.0


def test_capacity_scales_down_with_funding_and_rounds_down() -> None:
    assert capacity_after(20, 100_000, 70_000) == 14
    assert capacity_after(10, 1.0, 0.7) == 7  # not 6: 10 × 0.7 is 6.999… in floats
    assert capacity_after(3, 90, 50) == 1
    assert capacity_after(10, 0, 5_000) == 10  # no funding before: keeps its capacity
    assert capacity_after(None, 100, 50) is None


def test_a_30_percent_cut_of_one_funder_and_kind_takes_30_percent_of_its_places() -> None:
    landscape = inputs(
        [
            offer("o-1", "p-1", year("federal_agency", 100_000), capacity=20),
            offer("o-2", "p-1", year("federal_agency", 50_000), year("city", 50_000)),
            offer("o-3", "p-2", year("federal_agency", 40_000), kind="qualification"),
        ]
    )
    result = run_scenario(scenario([cut("federal_agency", -30, FT)]), landscape).to_dict()
    offers = by_offer(result)
    assert (offers["o-1"]["capacity_before"], offers["o-1"]["capacity_after"]) == (20, 14)
    assert offers["o-1"]["funding_after_eur"] == 70_000.0
    # 85,000 of 100,000 left: floor(10 × 0.85) = 8.
    assert (offers["o-2"]["funding_after_eur"], offers["o-2"]["capacity_after"]) == (85_000.0, 8)
    assert offers["o-3"]["capacity_after"] == 10  # another kind
    assert (
        result["rules"]["capacity_rule"]
        == CAPACITY_RULE
        == ("floor(capacity × funding after ÷ funding before)")
    )
    providers = {p["provider"]: p for p in result["providers"]}
    assert providers["p-1"]["funding_before_eur"] == 200_000.0
    assert providers["p-1"]["funding_after_eur"] == 155_000.0
    assert providers["p-1"]["share"] == 0.775 and providers["p-1"]["viable"]
    assert result["summary"]["places_before"] == 40
    assert result["summary"]["places_after"] == 32
    assert result["summary"]["places_lost"] == 8


def test_a_provider_below_the_threshold_closes_all_its_offers_exactly_70_percent_does_not() -> None:
    landscape = inputs(
        [
            # p-1: 70,000 of 100,000 from further training; a 50 % cut leaves 65 %.
            offer("o-1", "p-1", year("federal_agency", 70_000)),
            offer("o-2", "p-1", year("city", 30_000), kind="counselling"),
            # p-2: all from further training; a 30 % cut leaves exactly 70 %.
            offer("o-3", "p-2", year("federal_agency", 10_000)),
        ]
    )
    changes = [
        {"type": "funding_change", "funder": "federal_agency", "percent": -50, "offers": ["o-1"]},
        {"type": "funding_change", "funder": "federal_agency", "percent": -30, "offers": ["o-3"]},
    ]
    half = run_scenario(scenario(changes), landscape).to_dict()
    offers = by_offer(half)
    assert half["providers_not_viable"] == ["p-1"]
    for closed in ("o-1", "o-2"):
        assert offers[closed]["closed"] and offers[closed]["capacity_after"] == 0
        assert offers[closed]["closed_code"] == PROVIDER_NOT_VIABLE
        assert offers[closed]["closed_because"] == (
            "provider p-1 not viable: funding at 65.0% of the baseline (threshold 70%)"
        )
    assert not offers["o-3"]["closed"] and offers["o-3"]["capacity_after"] == 7
    assert {p["provider"]: p["share"] for p in half["providers"]} == {"p-1": 0.65, "p-2": 0.7}


def test_the_city_sets_the_threshold() -> None:
    landscape = inputs([offer("o-3", "p-2", year("federal_agency", 10_000))])
    spec = scenario([cut("federal_agency", -30)], rules={"viability_threshold": 0.75})
    assert run_scenario(spec, landscape).providers_not_viable == ["p-2"]


def test_a_cut_in_euros_is_spread_over_the_lines_it_hits_in_proportion() -> None:
    landscape = inputs(
        [
            offer("o-1", "p-1", year("federal_agency", 100_000)),
            offer("o-2", "p-2", year("federal_agency", 50_000)),
        ]
    )
    spec = scenario([{"type": "funding_change", "funder": "federal_agency", "amount_eur": -30_000}])
    offers = by_offer(run_scenario(spec, landscape).to_dict())
    assert offers["o-1"]["funding_after_eur"] == 80_000.0
    assert offers["o-2"]["funding_after_eur"] == 40_000.0
    assert offers["o-1"]["capacity_after"] == offers["o-2"]["capacity_after"] == 8


def test_an_eligibility_change_takes_the_share_of_the_excluded_groups_and_ages() -> None:
    landscape = inputs(
        [
            offer("o-1", "p-1", year("jobcenter", 10_000), groups=("adults", "youth")),
            offer("o-2", "p-2", year("jobcenter", 10_000), ages=(18, 67)),
            offer("o-3", "p-3", year("jobcenter", 10_000)),  # open to all, any age
        ]
    )
    everybody_viable = {"viability_threshold": 0}
    groups = scenario(
        [{"type": "eligibility_change", "funder": "jobcenter", "target_groups": ["adults"]}],
        rules=everybody_viable,
    )
    offers = by_offer(run_scenario(groups, landscape).to_dict())
    assert (offers["o-1"]["funding_after_eur"], offers["o-1"]["capacity_after"]) == (5_000.0, 5)
    assert offers["o-3"]["funding_after_eur"] == 10_000.0
    ages = scenario(
        [{"type": "eligibility_change", "funder": "jobcenter", "min_age": 50}],
        rules=everybody_viable,
    )
    offers = by_offer(run_scenario(ages, landscape).to_dict())
    # 50–67 of 18–67: 18 of 50 years.
    assert offers["o-2"]["funding_after_eur"] == 6_400.0
    assert offers["o-2"]["capacity_after"] == 6


def test_closing_and_opening_offers() -> None:
    landscape = inputs(
        [
            offer("o-1", "p-1", year("city", 10_000)),
            offer("o-2", "p-1", year("city", 90_000), kind="counselling"),
        ]
    )
    spec = scenario(
        [
            {"type": "close_offer", "offer": "o-1"},
            {
                "type": "open_offer",
                "offer": {
                    "id": "o-new",
                    "provider": "p-9",
                    "kind": FT,
                    "district": "Hörde",
                    "target_groups": ["youth"],
                    "capacity": 12,
                    "funding": [
                        {
                            "funder": "city",
                            "amount_eur": 24_000,
                            "start": "2027-01-01",
                            "end": "2027-12-31",
                        }
                    ],
                    "follow_ons": ["destination:employment"],
                },
            },
        ]
    )
    result = run_scenario(spec, landscape).to_dict()
    offers = by_offer(result)
    assert offers["o-1"]["closed_code"] == CLOSED_BY_SCENARIO
    assert offers["o-1"]["funding_after_eur"] == 0.0
    assert offers["o-new"]["new"] and offers["o-new"]["capacity_before"] == 0
    assert offers["o-new"]["capacity_after"] == 12
    assert result["providers_not_viable"] == []  # 90 % of p-1's funding stays
    assert result["summary"]["places_after"] == 22


def test_closed_offers_leave_new_dead_ends_and_broken_bridges() -> None:
    landscape = inputs(
        [
            offer("o-a", "p-x", year("city", 1_000), kind="low_threshold"),
            offer("o-c", "p-x", year("city", 1_000), kind="low_threshold"),
            offer("o-b", "p-y", year("federal_agency", 10_000)),
            offer("o-d", "p-z", year("city", 1_000), kind="low_threshold"),
        ],
        links=[
            FollowOn("o-a", to_offer="o-b"),
            FollowOn("o-c", to_offer="o-b"),
            FollowOn("o-b", destination="employment"),
        ],
    )
    result = run_scenario(scenario([cut("federal_agency", -50)]), landscape).to_dict()
    assert result["providers_not_viable"] == ["p-y"]
    # o-d was a dead end before already: not new.
    assert [d["offer"] for d in result["new_dead_ends"]] == ["o-a", "o-c"]
    assert result["new_dead_ends"][0]["reason"] == "only path runs through ended offer o-b"
    (bridge,) = result["broken_bridges"]
    assert (bridge["offer"], bridge["stranded"]) == ("o-b", ["o-a", "o-c"])
    assert result["summary"]["new_dead_ends"] == 2


def test_places_are_shared_among_the_cells_an_offer_serves_by_their_demand() -> None:
    landscape = inputs(
        [
            offer("o-open", "p-1", year("city", 10_000)),  # Eving, open to all
            offer(
                "o-wide",
                "p-2",
                year("city", 12_000),
                district=None,
                groups=("youth",),
                capacity=12,
                kind="qualification",
            ),
            offer(
                "o-none",
                "p-3",
                year("city", 1_000),
                district=None,
                groups=("adults",),
                kind="counselling",
            ),
        ],
        demand=[
            DemandCell("youth", "Eving", FT, 30),
            DemandCell("adults", "Eving", FT, 10),
            DemandCell("youth", "Eving", "qualification", 6),
        ],
    )
    result = run_scenario(scenario([cut("city", -30, FT)]), landscape).to_dict()
    cells = {(c["target_group"], c["district"], c["offer_kind"]): c for c in result["coverage"]}
    assert cells[("youth", "Eving", FT)]["places_before"] == 7.5
    assert cells[("adults", "Eving", FT)]["places_before"] == 2.5
    assert cells[("youth", "Eving", FT)]["places_after"] == 5.25  # 7 places after the cut
    # The city-wide youth offer: all of its 12 places where the demand is.
    assert cells[("youth", "Eving", "qualification")]["places_before"] == 12.0
    assert cells[("youth", "Eving", "qualification")]["covered_before"] == 6.0
    assert ("youth", "Hörde", "qualification") not in cells
    # Nobody needs counselling: its places are split evenly over Eving and Hörde.
    assert cells[("adults", "Hörde", "counselling")]["places_before"] == 5.0
    summary = result["summary"]
    assert summary["demand_covered_before"] == {"adults": 2.5, "youth": 13.5}
    assert summary["demand_covered_after"] == {"adults": 1.75, "youth": 11.25}


def test_the_bridge_buys_back_places_where_the_weighted_demand_is() -> None:
    landscape = inputs(
        [
            offer("o-y", "p-1", year("federal_agency", 100_000), groups=("youth",), capacity=20),
            offer("o-a", "p-2", year("federal_agency", 50_000), groups=("adults",)),
        ],
        demand=[DemandCell("youth", "Eving", FT, 40), DemandCell("adults", "Eving", FT, 40)],
    )
    spec = scenario(
        [cut("federal_agency", -30)],
        bridge_budget_eur=20_000,
        rules={"bridge_weights": {"youth": 3}},
    )
    bridge = run_scenario(spec, landscape).to_dict()["bridge"]
    # A youth place costs 5,000 € (100,000 ÷ 20) and counts 3; an adult place 5,000 € and 1.
    assert bridge["status"] == "optimal"
    assert bridge["allocations"] == [
        {
            "offer": "o-y",
            "eur": 20_000.0,
            "places_kept": 4,
            "reopened": False,
            "provider_kept": None,
        }
    ]
    assert bridge["spent_eur"] == 20_000.0
    assert bridge["places_kept_by_target_group"] == {"youth": 4.0}
    budget = bridge["shadow_prices"][0]
    assert budget["constraint"] == "budget"
    assert budget["value"] == pytest.approx(3 / 5_000)
    assert budget["text"] == (
        "Weitere 10.000 € Brückenbudget würden etwa 2 Plätze für Jugendliche in Eving erhalten."
    )


def test_unknown_names_in_the_file_stop_the_run_with_their_lines() -> None:
    spec = scenario([{"type": "close_offer", "offer": "o-404"}])
    with pytest.raises(ImportFailed) as caught:
        run_scenario(spec, inputs([offer("o-1", "p-1")]))
    assert [str(p) for p in caught.value.problems] == [
        'scenario.json:8: changes[0].offer: unknown offer "o-404"'
    ]


def test_a_change_that_hits_nothing_is_a_warning() -> None:
    result = run_scenario(scenario([cut("esf", -30)]), inputs([offer("o-1", "p-1")]))
    assert result.warnings == (
        "line 8: esf funds none of the offers named in the period; the change has no effect",
    )
    # the code and params a page says it again with, in the reader's language
    assert result.warning_details == (
        {
            "code": "funding_change_no_effect",
            "params": {"line": 8, "type": "funding_change", "funder": "esf"},
        },
    )


def test_the_same_inputs_in_any_order_give_the_identical_result() -> None:
    offers = [
        offer(
            f"o-{i}",
            f"p-{i % 3}",
            year("federal_agency", 10_000 + i),
            year("city", 5_000),
            groups=("youth",) if i % 2 else (),
            district=None if i % 4 == 0 else "Eving",
        )
        for i in range(12)
    ]
    links = [FollowOn(f"o-{i}", to_offer=f"o-{i + 1}") for i in range(11)]
    links.append(FollowOn("o-11", destination="employment"))
    demand = [DemandCell("youth", "Eving", FT, 7), DemandCell("adults", "Hörde", FT, 3)]
    spec = scenario([cut("federal_agency", -45)], bridge_budget_eur=30_000)
    first = run_scenario(spec, inputs(offers, links, demand)).to_dict()
    shuffled = random.Random(3)
    offers_again, links_again, demand_again = offers[:], links[:], demand[:]
    for items in (offers_again, links_again, demand_again):
        shuffled.shuffle(items)
    again = run_scenario(spec, inputs(offers_again, links_again, demand_again)).to_dict()
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)
    assert first["inputs_digest"] == again["inputs_digest"]
    assert len(first["inputs_digest"]) == 64


def test_the_digest_changes_with_the_inputs() -> None:
    one = ScenarioInputs(offers=(offer("o-1", "p-1", year("city", 1.0)),))
    other = ScenarioInputs(offers=(offer("o-1", "p-1", year("city", 2.0)),))
    assert one.digest() != other.digest()
    assert one.digest() == ScenarioInputs(offers=(offer("o-1", "p-1", year("city", 1.0)),)).digest()
