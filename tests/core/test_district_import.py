"""`doconnect import districts`: a city's boundaries from its open-data GeoJSON, in its
own coordinate system, checked, all or nothing, updated by key."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from doconnect.core.geo import crs_from, point_to_wgs84
from doconnect.core.models import District
from doconnect.labourmarket.charts import geometry_of
from tests.conftest import logged_in

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
EXAMPLE = json.loads((EXAMPLES / "districts.geojson").read_text(encoding="utf-8"))
PROPERTIES = ("--name-property", "bezeichnung", "--key-property", "nummer")


class _Out:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def write(tmp_path: Path, data: dict[str, Any], name: str = "bezirke.geojson") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    return path


def import_districts(path: Path, *options: str) -> str:
    out = _Out()
    call_command("import", "districts", str(path), *options, stdout=out)
    return out.text


def stored() -> list[tuple[str, str, Any]]:
    return list(District.objects.values_list("official_key", "name", "boundary"))


def refused(path: Path, *options: str) -> str:
    """The import fails, nothing changed; the message without the directory."""
    before = stored()
    with pytest.raises(CommandError) as excinfo:
        import_districts(path, *options)
    assert stored() == before
    return str(excinfo.value).replace(f"{path.parent}/", "")


@pytest.mark.django_db
def test_the_example_city_s_districts_are_imported_in_wgs_84(tmp_path: Path) -> None:
    out = import_districts(EXAMPLES / "districts.geojson", *PROPERTIES)
    assert "districts created: 4, districts updated: 0, districts unchanged: 0" in out
    assert [(key, name) for key, name, _b in stored()] == [
        ("01", "Mitte"),
        ("02", "Nord"),
        ("03", "Ost"),
        ("04", "Süd"),
    ]
    mitte = District.objects.get(official_key="01")
    assert mitte.boundary["type"] == "Polygon"
    # The corner 390000/5708000 (EPSG:25832), where pyproj puts it, to 7 decimals.
    lon, lat = point_to_wgs84(390_000, 5_708_000, crs_from("EPSG:25832"))
    assert [round(lon, 7), round(lat, 7)] in mitte.boundary["coordinates"][0]
    sued = District.objects.get(official_key="04")
    assert sued.boundary["type"] == "MultiPolygon" and len(sued.boundary["coordinates"]) == 2
    # What the labour-market maps read from a district.
    assert all(geometry_of(d.boundary) is not None for d in District.objects.all())


@pytest.mark.django_db
def test_importing_again_changes_nothing_and_a_changed_feature_updates_by_key(
    tmp_path: Path,
) -> None:
    import_districts(EXAMPLES / "districts.geojson", *PROPERTIES)
    ids = dict(District.objects.values_list("official_key", "id"))
    again = import_districts(EXAMPLES / "districts.geojson", *PROPERTIES)
    assert "districts created: 0, districts updated: 0, districts unchanged: 4" in again
    renamed = copy.deepcopy(EXAMPLE)
    renamed["features"][0]["properties"]["bezeichnung"] = "Innenstadt"
    out = import_districts(write(tmp_path, renamed), *PROPERTIES)
    assert "districts created: 0, districts updated: 1, districts unchanged: 3" in out
    assert District.objects.get(official_key="01").name == "Innenstadt"
    assert dict(District.objects.values_list("official_key", "id")) == ids


@pytest.mark.django_db
def test_two_districts_may_trade_names_in_one_import(tmp_path: Path) -> None:
    import_districts(EXAMPLES / "districts.geojson", *PROPERTIES)
    traded = copy.deepcopy(EXAMPLE)
    traded["features"][0]["properties"]["bezeichnung"] = "Nord"
    traded["features"][1]["properties"]["bezeichnung"] = "Mitte"
    import_districts(write(tmp_path, traded), *PROPERTIES)
    assert District.objects.get(official_key="01").name == "Nord"
    assert District.objects.get(official_key="02").name == "Mitte"


@pytest.mark.django_db
def test_a_self_intersecting_boundary_is_refused_naming_the_feature(tmp_path: Path) -> None:
    import_districts(EXAMPLES / "districts.geojson", *PROPERTIES)
    broken = copy.deepcopy(EXAMPLE)
    broken["features"][2]["properties"]["bezeichnung"] = "Ost (neu)"  # would update
    ring = broken["features"][1]["geometry"]["coordinates"][0]
    ring[1], ring[2] = ring[2], ring[1]  # the outline crosses itself: a bow tie
    message = refused(write(tmp_path, broken), *PROPERTIES)
    assert "nothing imported, 1 problem" in message
    assert "bezirke.geojson:" in message
    assert "features[1].geometry: Nord: the boundary is not a valid polygon: " in message
    assert "Self-intersection" in message


@pytest.mark.django_db
def test_a_key_or_name_given_twice_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    import_districts(EXAMPLES / "districts.geojson", *PROPERTIES)
    twice = copy.deepcopy(EXAMPLE)
    twice["features"][0]["properties"]["bezeichnung"] = "Mitte (neu)"
    twice["features"][3]["properties"]["nummer"] = "02"
    twice["features"][2]["properties"]["bezeichnung"] = "Nord"
    message = refused(write(tmp_path, twice), *PROPERTIES)
    assert 'features[2].properties.bezeichnung: "Nord" given twice (first in features[1]' in (
        message
    )
    assert 'features[3].properties.nummer: "02" given twice (first in features[1]' in message


@pytest.mark.django_db
def test_overlapping_districts_are_refused_with_the_share(tmp_path: Path) -> None:
    overlapping = copy.deepcopy(EXAMPLE)
    # Ost reaches 1 km into Mitte: half of Mitte.
    for corner in overlapping["features"][2]["geometry"]["coordinates"][0]:
        if corner[0] == 392000:
            corner[0] = 391000
    message = refused(write(tmp_path, overlapping), *PROPERTIES)
    assert 'features[0].geometry: "Mitte" overlaps "Ost" (in the file) by 50.0% of the ' in (
        message
    )
    assert District.objects.count() == 0


@pytest.mark.django_db
def test_a_new_district_may_not_overlap_one_already_stored(tmp_path: Path) -> None:
    import_districts(EXAMPLES / "districts.geojson", *PROPERTIES)
    newcomer = copy.deepcopy(EXAMPLE)
    newcomer["features"] = [newcomer["features"][0]]
    newcomer["features"][0]["properties"] = {"bezeichnung": "Altstadt", "nummer": "09"}
    message = refused(write(tmp_path, newcomer), *PROPERTIES)
    assert '"Altstadt" overlaps "Mitte" (already stored) by 100.0%' in message


@pytest.mark.django_db
def test_a_file_without_crs_is_read_in_the_coordinate_system_given(tmp_path: Path) -> None:
    bare = copy.deepcopy(EXAMPLE)
    del bare["crs"]
    message = refused(write(tmp_path, bare), *PROPERTIES)
    assert "the coordinates are not longitude/latitude (e.g. 390000, 5708000); give the " in (
        message
    )
    assert "--crs, e.g. EPSG:25832" in message
    out = import_districts(write(tmp_path, bare), *PROPERTIES, "--crs", "EPSG:25832")
    assert "districts created: 4" in out


@pytest.mark.django_db
def test_a_crs_option_contradicting_the_file_is_refused(tmp_path: Path) -> None:
    message = refused(EXAMPLES / "districts.geojson", *PROPERTIES, "--crs", "EPSG:4326")
    assert "districts.geojson:4: crs: the file says EPSG:25832, --crs says EPSG:4326" in message


@pytest.mark.django_db
def test_a_missing_property_names_what_the_feature_has(tmp_path: Path) -> None:
    message = refused(EXAMPLES / "districts.geojson")
    assert (
        "districts.geojson:8: features[0].properties.name: is missing or empty (the feature "
        "has: bezeichnung, nummer); name another with --name-property"
    ) in message


@pytest.mark.django_db
def test_a_name_of_a_district_not_in_the_file_is_refused(tmp_path: Path) -> None:
    District.objects.create(name="Mitte", official_key="99")
    message = refused(EXAMPLES / "districts.geojson", *PROPERTIES)
    assert 'the name "Mitte" belongs to the district with key 99' in message


@pytest.mark.django_db
def test_a_point_or_a_line_is_not_a_district(tmp_path: Path) -> None:
    pointy = copy.deepcopy(EXAMPLE)
    pointy["features"][3]["geometry"] = {"type": "Point", "coordinates": [391000, 5707000]}
    message = refused(write(tmp_path, pointy), *PROPERTIES)
    assert "features[3].geometry: Süd: expected a Polygon or MultiPolygon, found 'Point'" in (
        message
    )


@pytest.mark.django_db
def test_the_labour_market_map_draws_the_imported_boundaries(
    coordinator: User, tmp_path: Path
) -> None:
    import_districts(EXAMPLES / "districts.geojson", *PROPERTIES)
    figures = tmp_path / "arbeitslose.csv"
    figures.write_text(
        "region,period,indicator,value\n"
        + "".join(
            f"{name},2026-10,unemployed,{n}\n"
            for n, name in enumerate(["Mitte", "Nord", "Ost", "Süd"], start=100)
        ),
        encoding="utf-8",
    )
    call_command("import", "statistics", str(figures), stdout=_Out())

    html = logged_in(coordinator).get(reverse("web:labour_market")).content.decode()

    assert "geoshape" in html and "Schematische Karte" not in html
    assert reverse("web:labour_market_district", args=["04"]) in html
