"""`doconnect scenario run FILE.json`: on the database or a catalogue file, as JSON or
text, to the terminal or a file; a bad file exits with status 1 and writes nothing."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from doconnect.cli import main
from doconnect.offers.models import FollowOn, FundingLine
from tests.conftest import City, waiting

CUT = """{
  "name": "Kürzung Bildungsgutscheine 2027",
  "period": {"start": "2027-01-01", "end": "2027-12-31"},
  "changes": [
    {"type": "funding_change", "funder": "federal_agency", "percent": -50,
     "offer_kinds": ["qualification"]}
  ],
  "bridge_budget_eur": 16000,
  "rules": {"bridge_weights": {"youth_difficult_start": 3}}
}
"""

CATALOGUE = """{
  "providers": [{"id": "p-new", "name": "Neuer Träger"}],
  "offers": [
    {"id": "o-x", "provider": "p-new", "title": "Kurs X", "kind": "qualification",
     "district": "Eving", "capacity": 20,
     "funding": [{"funder": "federal_agency", "amount_eur": 100000,
                  "start": "2027-01-01", "end": "2027-12-31"}],
     "follow_ons": ["destination:employment"]}
  ]
}
"""


def scenario(*argv: str) -> str:
    """A successful run (through call_command: ``main`` closes the test's connection)."""
    out = io.StringIO()
    call_command("scenario", *argv, stdout=out)
    return out.getvalue()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """A run as from the shell: exit status, stdout, stderr."""
    try:
        main(["scenario", *argv])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def funded(city: City) -> City:
    """o-a (low threshold, p-a) leads only to o-b (qualification, p-b, federal agency
    80,000 € in 2027, 10 places), which leads to employment; one young person waits for
    a qualification in Hörde."""
    FundingLine.objects.create(
        offer=city.offer_b,
        funder="federal_agency",
        amount_eur=Decimal("80000"),
        start=dt.date(2027, 1, 1),
        end=dt.date(2027, 12, 31),
    )
    FundingLine.objects.create(
        offer=city.offer_a,
        funder="city",
        amount_eur=Decimal("5000"),
        start=dt.date(2027, 1, 1),
        end=dt.date(2027, 12, 31),
    )
    FollowOn.objects.create(from_offer=city.offer_a, to_offer=city.offer_b)
    FollowOn.objects.create(from_offer=city.offer_b, destination="employment")
    for name in ("Ada", "Bea", "Cem"):
        person = waiting(city, name)
        person.district = city.other_district
        person.preferred_offer_kinds = ["qualification"]
        person.save()
    return city


def scenario_file(tmp_path: Path, text: str = CUT) -> str:
    path = tmp_path / "cut.json"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_run_on_the_database_prints_the_contract_s_json(funded: City, tmp_path: Path) -> None:
    data: dict[str, Any] = json.loads(scenario("run", scenario_file(tmp_path), "--format", "json"))
    assert {
        "name",
        "period",
        "rules",
        "offers",
        "providers",
        "providers_not_viable",
        "new_dead_ends",
        "broken_bridges",
        "coverage",
        "bridge",
        "summary",
        "inputs_digest",
    } <= set(data)
    offers = {o["offer"]: o for o in data["offers"]}
    # p-b loses half its funding: not viable, o-b closes and o-a becomes a dead end.
    assert data["providers_not_viable"] == ["p-b"]
    assert (offers["o-b"]["capacity_before"], offers["o-b"]["capacity_after"]) == (10, 0)
    assert [d["offer"] for d in data["new_dead_ends"]] == ["o-a"]
    assert [b["offer"] for b in data["broken_bridges"]] == ["o-b"]
    (cell,) = [c for c in data["coverage"] if c["offer_kind"] == "qualification"]
    assert (cell["target_group"], cell["district"], cell["demand"]) == (
        "youth_difficult_start",
        "Hörde",
        3,
    )
    assert (cell["places_before"], cell["places_after"]) == (10.0, 0.0)
    # Keeping p-b takes 16,000 € (back to 70 % of 80,000 €: two places at 8,000 €); its
    # offer then reopens with the 5 places its funding pays for plus the 2 bought back.
    bridge = data["bridge"]
    assert bridge["status"] == "optimal" and bridge["providers_kept"] == ["p-b"]
    assert bridge["allocations"] == [
        {"offer": "o-b", "eur": 16000.0, "places_kept": 7, "reopened": True, "provider_kept": "p-b"}
    ]
    assert data["summary"]["demand_covered_after_bridge"]["youth_difficult_start"] == 3.0
    assert bridge["shadow_prices"][0]["constraint"] == "budget"


def test_the_text_summary_is_readable(funded: City, tmp_path: Path) -> None:
    out = scenario("run", scenario_file(tmp_path))
    assert "Szenario / scenario: Kürzung Bildungsgutscheine 2027 (2027-01-01 – 2027-12-31)" in out
    assert "Träger unter der Schwelle / providers not viable: 1 von/of 2" in out
    assert "p-b: 80.000 € → 40.000 € (50%), 1 Angebot geschlossen / offers closed" in out
    assert "o-b: 16.000 € → 7 Plätze (Träger erhalten / provider kept)" in out
    assert "Neue Sackgassen / new dead ends: 1" in out
    assert "o-a: only path runs through ended offer o-b" in out


def test_out_writes_the_result_to_a_file(funded: City, tmp_path: Path) -> None:
    target = tmp_path / "result.json"
    out = scenario("run", scenario_file(tmp_path), "--format", "json", "--out", str(target))
    assert out.strip() == f"{target}: scenario 'Kürzung Bildungsgutscheine 2027' written"
    assert json.loads(target.read_text(encoding="utf-8"))["providers_not_viable"] == ["p-b"]


def test_the_same_database_and_file_give_the_identical_output(funded: City, tmp_path: Path) -> None:
    file = scenario_file(tmp_path)
    first = scenario("run", file, "--format", "json")
    assert scenario("run", file, "--format", "json") == first


def test_a_bad_file_exits_1_with_every_problem_and_writes_nothing(
    funded: City, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = CUT.replace('"percent": -50', '"percent": "half"').replace(
        '"period": {"start": "2027-01-01", ', '"period": {"start": "2027-13-01", '
    )
    file = scenario_file(tmp_path, bad)
    target = tmp_path / "result.json"
    code, out, err = run(capsys, "run", file, "--out", str(target))
    assert code == 1 and out == ""
    assert "nothing written, 2 problems:" in err
    assert f"{file}:3: period.start: expected a date as YYYY-MM-DD" in err
    assert f'{file}:5: changes[0].percent: expected a number, found a string ("half")' in err
    assert not target.exists()


def test_an_offer_the_database_does_not_know_exits_1_naming_its_line(
    funded: City, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = CUT.replace(
        '"changes": [\n', '"changes": [\n    {"type": "close_offer", "offer": "o-404"},\n'
    )
    file = scenario_file(tmp_path, text)
    code, _, err = run(capsys, "run", file)
    assert code == 1
    assert f'{file}:5: changes[0].offer: unknown offer "o-404"' in err


def test_with_a_catalogue_the_file_s_offers_meet_the_database_s_demand(
    funded: City, tmp_path: Path
) -> None:
    catalogue = tmp_path / "offers.json"
    catalogue.write_text(CATALOGUE, encoding="utf-8")
    data = json.loads(
        scenario(
            "run", scenario_file(tmp_path), "--catalogue", str(catalogue), "--with-database",
            "--format", "json",
        )
    )  # fmt: skip
    assert [o["offer"] for o in data["offers"]] == ["o-x"]
    assert data["providers_not_viable"] == ["p-new"]
    assert data["offers"][0]["capacity_after"] == 0
    assert {c["district"] for c in data["coverage"] if c["demand"]} == {"Hörde"}


def test_a_bad_catalogue_exits_1_with_its_problems(
    funded: City, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalogue = tmp_path / "offers.json"
    catalogue.write_text(CATALOGUE.replace('"capacity": 20', '"capacity": -1'), encoding="utf-8")
    code, _, err = run(capsys, "run", scenario_file(tmp_path), "--catalogue", str(catalogue))
    assert code == 1
    assert f"{catalogue}:4: offers[0].capacity: must not be negative, found -1" in err
