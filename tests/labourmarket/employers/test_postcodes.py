"""The city's postcode -> district table: its import, its refusal of a postcode in two
districts, and the demo city's table."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps

from doconnect.demo.districts import DISTRICTS
from doconnect.demo.generator import CityGenerator
from doconnect.files.importing import ImportFailed
from doconnect.labourmarket.employers.models import PostcodeDistrict
from doconnect.labourmarket.employers.services import postcodes_import, read_postcodes_csv
from tests.conftest import City


def load(text: str) -> dict[str, int]:
    rows = read_postcodes_csv(text.encode(), file="plz.csv")
    return postcodes_import(rows=rows, file="plz.csv").counts


def problems(text: str) -> list[str]:
    with pytest.raises(ImportFailed) as caught:
        load(text)
    return [str(p) for p in caught.value.problems]


@pytest.mark.django_db
def test_postcodes_by_district_name_or_official_key_upserted(city: City) -> None:
    assert load("postcode,district\n44339,Eving\n44263,05913008\n") == {
        "postcodes_created": 2,
        "postcodes_changed": 0,
        "postcodes_unchanged": 0,
    }
    assert load("postcode;district\n44339;Hörde\n44263;Hörde\n") == {
        "postcodes_created": 0,
        "postcodes_changed": 1,
        "postcodes_unchanged": 1,
    }
    assert dict(PostcodeDistrict.objects.values_list("postcode", "district__name")) == {
        "44339": "Hörde",
        "44263": "Hörde",
    }


@pytest.mark.django_db
def test_bad_rows_are_all_named_and_nothing_is_written(city: City) -> None:
    assert problems(
        "postcode,district\n4433,Eving\n44339,Eving\n44339,Hörde\n44137,\n44141,Mars\n"
    ) == [
        'plz.csv:2: postcode: "4433" is not five digits',
        "plz.csv:4: postcode: 44339 given twice (first at line 3); a postcode in several "
        "districts is left out of the table",
        "plz.csv:5: district: is empty",
    ]
    (unknown,) = problems("postcode,district\n44141,Mars\n")
    assert unknown.startswith('plz.csv:2: district: unknown district "Mars"')
    assert "known: Eving, Hörde" in unknown
    assert problems("plz,bezirk\n") == [
        "plz.csv:1: header: missing column(s): postcode, district; unexpected column(s): "
        "'plz', 'bezirk' (expected: postcode,district)"
    ]
    assert not PostcodeDistrict.objects.exists()


def test_the_demo_city_ships_dortmunds_postcodes() -> None:
    tables = {t.label: t for t in CityGenerator(seed=1, scale=0.05).tables()}
    table = tables["employers.PostcodeDistrict"]
    expected = {p: n + 1 for n, d in enumerate(DISTRICTS) for p in d.postcodes}
    assert {postcode: district for _id, postcode, district in table.rows} == expected
    assert len(table.rows) == len(expected) >= 12


@pytest.mark.django_db
def test_the_loaded_demo_city_has_the_table_filled() -> None:
    from doconnect.demo.services import load_demo_city

    load_demo_city(seed=3, scale=0.05)
    assert PostcodeDistrict.objects.get(postcode="44339").district.name == "Eving"
    assert PostcodeDistrict.objects.count() == sum(len(d.postcodes) for d in DISTRICTS)
    table = dict(PostcodeDistrict.objects.values_list("postcode", "district_id"))

    # A demo city loaded before the table existed gets it from the migration.
    migration = importlib.import_module(
        "doconnect.labourmarket.employers.migrations.0003_demo_postcodes"
    )
    PostcodeDistrict.objects.all().delete()
    migration.fill_demo_postcodes(django_apps, None)
    assert dict(PostcodeDistrict.objects.values_list("postcode", "district_id")) == table


@pytest.mark.django_db
def test_the_migration_leaves_a_real_citys_table_alone(city: City) -> None:
    migration = importlib.import_module(
        "doconnect.labourmarket.employers.migrations.0003_demo_postcodes"
    )
    migration.fill_demo_postcodes(django_apps, None)  # no demo run: nothing
    assert not PostcodeDistrict.objects.exists()
