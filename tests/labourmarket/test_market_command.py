"""``doconnect market``: every action as JSON and as a table, clear errors for bad
options and missing data."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from doconnect.core.models import Organisation
from doconnect.labourmarket.analyses import hiring_windows
from tests.labourmarket.test_analyses import (
    AS_OF,
    employment,
    potential_city,
    stat,
    two_districts,
    vacancies,
    vacancy_market,
)

pytestmark = pytest.mark.django_db


def market(*args: str) -> str:
    out = io.StringIO()
    call_command("market", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def market_json(*args: str) -> Any:
    return json.loads(market(*args))


def test_indicators_as_json_and_table() -> None:
    stat("Dortmund", "2025-10", "unemployed", 1000)
    stat("Dortmund", "2026-09", "unemployed", None)
    stat("Dortmund", "2026-10", "unemployed", 1100)
    stat("Dortmund", "2026-10", "unemployed", 600, gender="female")
    data = market_json("indicators", "--region", "Dortmund")
    last = data["points"][-1]
    assert (last["period"], last["value"], last["change"], last["yoy_change"]) == (
        "2026-10",
        1100.0,
        None,
        100.0,
    )
    assert data["points"][1]["value"] is None
    assert len(market_json("indicators", "--region", "Dortmund", "--last", "1")["points"]) == 1
    female = market_json("indicators", "--gender", "female")
    assert [p["value"] for p in female["points"]] == [600.0]
    text = market("indicators", "--region", "Dortmund", "--format", "table")
    assert "2026-09" in text and "1,100.00" in text and "–" in text


def test_shortage_as_json_and_table() -> None:
    stat("Dortmund", "2026-10", "job_seekers", 6, kldb="81102")
    stat("Dortmund", "2026-10", "job_seekers", None, kldb="83112")
    vacancy_market()
    data = market_json("shortage", "--as-of", AS_OF.isoformat())
    assert (data["source"], data["period"], data["vacancies_open"]) == ("statistics", "2026-10", 15)
    rows = {r["key"]: r for r in data["rows"]}
    assert rows["81102"]["status"] == "shortage" and rows["81102"]["ratio"] == 1.2
    assert rows["83112"]["job_seekers"] is None
    only = market_json("shortage", "--as-of", "2026-11-23", "--status", "shortage")
    assert [r["key"] for r in only["rows"]] == ["81102"]
    spells = market_json("shortage", "--as-of", "2026-11-23", "--source", "spells")
    assert spells["source"] == "spells"
    text = market("shortage", "--as-of", "2026-11-23", "--level", "3", "--format", "table")
    assert "level 3" in text and "job_seekers statistics of Dortmund, 2026-10" in text
    assert "811" in text and "shortage" in text
    skill = market_json("shortage", "--as-of", "2026-11-23", "--level", "skill")
    assert skill["level"] == "skill"


def test_regional_as_json_and_table() -> None:
    employment()
    data = market_json("regional", "--reference", "NRW", "--from", "2021", "--to", "2025")
    assert data["region"] == "Dortmund" and data["shift_share"]["total"]["change"] == 10
    assert data["location_quotients"]["A"] == pytest.approx((120 / 210) / (1100 / 4100))
    text = market("regional", "--format", "table")
    assert "Dortmund against NRW: 2021-06-30 → 2025-06-30" in text and "total" in text


def test_potentials_as_json_and_table() -> None:
    potential_city()
    data = market_json("potentials", "--as-of", "2026-11-23")
    assert data["targets"] == [{"kldb": "81102", "gap": 10}]
    assert data["total_potential"] == 10
    assert data["offers"]["training_offers_without_occupations"] == 1
    assert data["offers"]["offers_with_occupations"] == 3
    first = data["potentials"][0]
    assert (first["source"], first["moves"]) == ("81301", None)
    assert first["offers"] == [
        {"offer": "o-med", "places": 3, "match": "exact"},
        {"offer": "o-grp", "places": 2, "match": "berufsgruppe"},
    ]
    text = market("potentials", "--as-of", "2026-11-23", "--format", "table")
    assert "81102 (gap 10)" in text and "81301" in text
    generic = market_json("potentials", "--as-of", "2026-11-23", "--generic-offers")
    assert "training offers without occupations for any occupation" in generic["rules"][0]


def test_hiring_as_json_and_table() -> None:
    steady = Organisation.objects.create(external_id="steady", name="Stetig", kind="employer")
    seasonal = Organisation.objects.create(external_id="seasonal", name="Saison", kind="employer")
    for i, (first, last) in enumerate(hiring_windows(AS_OF, 12)):
        vacancies("51311", 1, first, employer=steady)
        vacancies("29301", 4 if i % 2 else 0, last, employer=seasonal)
    data = market_json("hiring", "--as-of", "2026-11-23")
    bt = data["backtest"]
    assert (bt["forecasts"], bt["naive_mae"], bt["employers_shipping_model"]) == (8, 2.0, 1)
    assert bt["fallbacks"] == {"model_not_better": 1}
    assert data["windows"][-1] == {"from": "2026-08-24", "to": "2026-11-23"}
    assert {f["employer"]: f["method"] for f in data["forecasts"]} == {
        "steady": "naive",
        "seasonal": "model",
    }
    text = market("hiring", "--as-of", "2026-11-23", "--format", "table")
    assert "MAE model 0.00, naive 2.00" in text and "model shipped for 1 of 2" in text
    assert "Saison" in text and "Stetig" in text


def test_shortage_and_hiring_for_a_district_by_name_or_official_key() -> None:
    _eving, hoerde = two_districts()
    kitchen = Organisation.objects.create(external_id="k", name="Küche", kind="employer")
    vacancies("29302", 2, dt.date(2026, 10, 1), employer=kitchen, district=hoerde)

    by_name = market_json("shortage", "--as-of", "2026-11-23", "--district", "Hörde")
    by_key = market_json("shortage", "--as-of", "2026-11-23", "--district", "05913008")
    hiring = market_json("hiring", "--as-of", "2026-11-23", "--district", "Hörde")
    text = market("hiring", "--as-of", "2026-11-23", "--district", "Hörde", "--format", "table")

    assert by_name == by_key
    assert by_name["district"] == {"name": "Hörde", "official_key": "05913008"}
    assert by_name["source"] == "spells" and by_name["vacancies_open"] == 5
    assert [f["employer"] for f in hiring["forecasts"]] == ["k"]
    assert text.startswith("hiring in Hörde on 2026-11-23: 1 employers")


def test_an_unknown_district_is_a_clear_error_listing_the_known_ones() -> None:
    two_districts()
    with pytest.raises(
        CommandError, match=r"--district 'Hoerde': no such district \(known: Eving, Hörde\)"
    ):
        market("shortage", "--district", "Hoerde")
    with pytest.raises(CommandError, match="no such district"):
        market("hiring", "--district", "05913999")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("shortage", "--as-of", "23.11.2026"), "expected YYYY-MM-DD"),
        (("shortage", "--as-of", "2026-11-23"), "no job seekers and no vacancies"),
        (("shortage", "--source", "statistics"), "no job-seeker statistics"),
        (("shortage", "--level", "4", "--min-count", "-1"), "must not be negative"),
        (("indicators", "--indicator", "jobs"), "unknown indicator"),
        (("indicators",), "no statistics"),
        (("regional", "--reference", "NRW"), "name the region"),
        (("regional", "--region", "NRW", "--reference", "NRW"), "the same"),
        (("hiring", "--as-of", "2026-11-23"), "no vacancies"),
        (("potentials", "--as-of", "2026-11-23"), "no job seekers and no vacancies"),
    ],
)
def test_bad_options_and_missing_data_are_clear_errors(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        market(*args)


def test_argument_errors_name_the_option() -> None:
    with pytest.raises(CommandError, match="--level"):
        market("shortage", "--level", "7")
    with pytest.raises(CommandError, match="ACTION"):
        market()


def test_default_day_is_today(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda: dt.date(2026, 11, 23))
    vacancy_market()
    stat("Dortmund", "2026-10", "job_seekers", 6, kldb="81102")
    assert market_json("shortage")["as_of"] == "2026-11-23"
