"""The example scenario on the demo city: the training-voucher cut breaks providers and
pathways, groups lose places, and the bridge budget protects some of them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from doconnect.demo.services import load_demo_city
from doconnect.scenarios.engine.scenario_file import read_scenario
from doconnect.scenarios.engine.simulate import run_scenario
from doconnect.scenarios.inputs import scenario_inputs_from_db, scenario_vocabulary

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "scenario-voucher-cut.json"
TODAY = dt.date(2026, 11, 23)


@pytest.mark.django_db
def test_the_voucher_cut_has_visible_consequences_in_the_demo_city() -> None:
    load_demo_city()
    spec = read_scenario(EXAMPLE.read_bytes(), file=str(EXAMPLE), vocabulary=scenario_vocabulary())
    result = run_scenario(spec, scenario_inputs_from_db(TODAY)).to_dict()
    summary = result["summary"]
    assert result["providers_not_viable"], "no provider falls below the threshold"
    assert all(p["share"] < 0.7 for p in result["providers"] if not p["viable"])
    assert result["new_dead_ends"] and result["broken_bridges"]
    assert summary["places_after"] < summary["places_before"]
    losing = [
        group
        for group, covered in summary["demand_covered_before"].items()
        if summary["demand_covered_after"][group] < covered
    ]
    assert "youth_difficult_start" in losing and "returners" in losing
    bridge = result["bridge"]
    assert bridge["status"] == "optimal"
    assert 0 < bridge["spent_eur"] <= 200_000
    assert bridge["shadow_prices"][0]["text"].startswith("Weitere 10.000 € Brückenbudget würden")
    youth = "youth_difficult_start"
    assert summary["demand_covered_after_bridge"][youth] > summary["demand_covered_after"][youth]
