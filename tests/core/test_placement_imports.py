"""Vacancies and BA training offers are placed by their coordinates inside the
districts' boundaries first, by the postcode table second, and never guessed; each
import's summary says how many were placed how."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from doconnect.labourmarket.employers.models import Vacancy
from doconnect.offers.models import Offer

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
# Points of the example city (EPSG:25832 393000/5709000 and 391000/5711000), and one
# east of it.
OST = {"lat": 51.5216, "lon": 7.4579}
NORD = {"lat": 51.5396, "lon": 7.4286}
OUTSIDE = {"lat": 51.5225, "lon": 7.5009}


class _Out:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def run(*argv: str) -> str:
    out = _Out()
    call_command(*argv, stdout=out)
    return out.text


@pytest.fixture
def example_city(db: None) -> None:
    run(
        "import",
        "districts",
        str(EXAMPLES / "districts.geojson"),
        "--name-property",
        "bezeichnung",
        "--key-property",
        "nummer",
    )
    run("import", "postcodes", str(EXAMPLES / "postcodes.csv"))


def write(tmp_path: Path, data: dict[str, Any], name: str) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


def v6_vacancy(reference: str, *places: dict[str, Any]) -> dict[str, Any]:
    return {
        "referenznummer": reference,
        "stellenangebotsTitel": "Fachkraft",
        "firma": "Beispiel GmbH",
        "stellenlokationen": list(places),
    }


def place(postcode: str, point: dict[str, float] | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"adresse": {"plz": postcode, "ort": "Musterstadt"}}
    if point is not None:
        found["koordinaten"] = {"breite": point["lat"], "laenge": point["lon"]}
    return found


def district_of_vacancy(reference: str) -> str | None:
    district = Vacancy.objects.get(reference=reference).district
    return district.name if district else None


def test_v6_vacancies_are_placed_by_breite_and_laenge_before_the_postcode(
    example_city: None, tmp_path: Path
) -> None:
    answer = {
        "ergebnisliste": [
            # 12301 is Mitte in the table; the coordinates say Ost, and they win.
            v6_vacancy("A", place("12301", OST)),
            # First place outside the city, second in Nord: the one in a boundary wins.
            v6_vacancy("B", place("12399", OUTSIDE), place("12399", NORD)),
            # Outside every boundary: the postcode table decides.
            v6_vacancy("C", place("12304", OUTSIDE)),
            # Outside, and a postcode the table does not hold: no district.
            v6_vacancy("D", place("12399", OUTSIDE)),
        ]
    }
    out = run("import", "jobsuche", str(write(tmp_path, answer, "v6.json")))
    assert "placed by coordinates: 2, placed by postcode: 1, not placed: 1" in out
    assert {r: district_of_vacancy(r) for r in "ABCD"} == {
        "A": "Ost",
        "B": "Nord",
        "C": "Süd",
        "D": None,
    }
    assert Vacancy.objects.get(reference="B").postcode == "12399"  # the place it chose


def test_coordinates_off_the_earth_are_a_problem_on_their_line(
    example_city: None, tmp_path: Path
) -> None:
    answer = {"ergebnisliste": [v6_vacancy("A", place("12301", {"lat": 95.0, "lon": 7.4}))]}
    path = write(tmp_path, answer, "v6.json")
    text = path.read_text(encoding="utf-8")
    line = text[: text.index('"koordinaten"')].count("\n") + 1
    with pytest.raises(CommandError) as excinfo:
        run("import", "jobsuche", str(path))
    assert (
        f"v6.json:{line}: ergebnisliste[0].stellenlokationen[0].koordinaten: latitude 95.0 "
        "is outside -90..90"
    ) in str(excinfo.value)
    assert Vacancy.objects.count() == 0


def test_ba_training_offers_are_placed_by_their_address_coordinates(
    example_city: None, tmp_path: Path
) -> None:
    def termin(reference: int, postcode: str, point: dict[str, float] | None) -> dict[str, Any]:
        address: dict[str, Any] = {"ortStrasse": {"plz": postcode, "name": "Musterstadt"}}
        if point is not None:
            address["koordinaten"] = point
        return {
            "id": reference,
            "angebot": {"titel": "Kurs", "bildungsanbieter": {"id": 1, "name": "Bildung e. V."}},
            "adresse": address,
        }

    answer = {
        "_embedded": {
            "termine": [
                termin(1, "12301", OST),
                termin(2, "12302", None),
                termin(3, "12399", OUTSIDE),
            ]
        }
    }
    out = run("import", "weiterbildung", str(write(tmp_path, answer, "wb.json")))
    assert "placed by coordinates: 1, placed by postcode: 1, not placed: 1" in out
    placed = {
        o.source_reference: o.district.name if o.district else None for o in Offer.objects.all()
    }
    assert placed == {"1": "Ost", "2": "Nord", "3": None}
