"""Importing and exporting the offer catalogue: all or nothing, by id, and lossless."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from doconnect.core.models import Organisation, TargetGroup
from doconnect.files.importing import ImportFailed
from doconnect.offers.catalogue import read_catalogue
from doconnect.offers.models import FollowOn, FundingLine, Offer
from doconnect.offers.selectors import catalogue_export, catalogue_vocabulary
from doconnect.offers.services import offer_catalogue_import
from tests.conftest import City
from tests.offers.catalogue_files import VALID, line_of, write


def snapshot() -> dict[str, Any]:
    """Everything an offer import may touch."""
    return {
        "organisations": Organisation.objects.count(),
        "offers": Offer.objects.count(),
        "funding": FundingLine.objects.count(),
        "follow_ons": FollowOn.objects.count(),
        "target_groups": TargetGroup.objects.count(),
        "catalogue": catalogue_export(),
    }


def import_file(path: Path) -> str:
    out = _Out()
    call_command("import", "offers", str(path), stdout=out)
    return out.text


class _Out:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def refused(tmp_path: Path, text: str) -> str:
    """Import ``text``, expect the command to fail, check nothing changed and return the
    message with the file's directory cut off."""
    before = snapshot()
    path = write(tmp_path, text)
    with pytest.raises(CommandError) as excinfo:
        import_file(path)
    assert snapshot() == before
    message = str(excinfo.value)
    assert message.startswith(f"{path}: nothing imported")
    # Messages name the file as it was given; the tests read better with the bare name.
    return message.replace(f"{tmp_path}/", "")


def export(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    call_command("export", "offers", out=str(path), stdout=_Out())
    return path


def test_a_valid_catalogue_creates_providers_offers_funding_and_follow_ons(
    city: City, tmp_path: Path
) -> None:
    summary = import_file(write(tmp_path, VALID))
    assert "providers created: 2" in summary and "offers created: 3" in summary
    assert "follow ons: 4" in summary and "funding lines: 2" in summary

    provider = Organisation.objects.get(external_id="p-hoerde-1")
    assert provider.kind == "provider" and provider.district == city.other_district
    offer = Offer.objects.get(external_id="o-1")
    assert offer.provider.external_id == "p-eving-1" and offer.district == city.district
    assert offer.capacity == 12 and offer.status == "active"
    assert offer.legal_branches == ["SGB II"] and offer.other_rules == "Wohnsitz in Dortmund"
    assert [f.reference for f in offer.follow_ons.all()] == [
        "o-2",
        "o-a",
        "destination:apprenticeship",
    ]
    assert sorted((f.funder, f.amount_eur) for f in offer.funding.all()) == [
        ("city", 30000.5),
        ("jobcenter", 120000),
    ]
    assert Offer.objects.get(external_id="o-2").capacity is None  # unknown, not zero


def test_an_offer_may_name_a_provider_that_is_only_in_the_database(
    city: City, tmp_path: Path
) -> None:
    import_file(write(tmp_path, VALID))
    assert Offer.objects.get(external_id="o-3").provider == city.provider_b


def test_an_unknown_target_group_is_added_to_the_city_s_list_with_its_code_as_label(
    city: City, tmp_path: Path
) -> None:
    summary = import_file(write(tmp_path, VALID))
    assert "target groups created: 1" in summary
    assert TargetGroup.objects.get(code="young_parents").label == "young_parents"
    assert TargetGroup.objects.get(code="youth_difficult_start").label == "Jugendliche"


def test_importing_the_same_file_again_creates_no_duplicates_and_changes_nothing(
    city: City, tmp_path: Path
) -> None:
    path = write(tmp_path, VALID)
    import_file(path)
    before = snapshot()
    updated_at = Offer.objects.get(external_id="o-1").updated_at
    summary = import_file(path)
    assert snapshot() == before
    assert "offers created: 0, offers updated: 0, offers unchanged: 3" in summary
    assert Offer.objects.get(external_id="o-1").updated_at == updated_at


def test_a_re_import_updates_by_id_and_replaces_funding_and_follow_ons(
    city: City, tmp_path: Path
) -> None:
    import_file(write(tmp_path, VALID))
    changed = (
        VALID.replace("Werkstatt am Nollendorfplatz", "Werkstatt Nord")
        .replace('"amount_eur": 30000.5', '"amount_eur": 45000')
        .replace('["o-2", "o-a", "destination:apprenticeship"]', '["destination:employment"]')
        .replace('"name": "Lernwerk Hörde"', '"name": "Lernwerk Hörde gGmbH"')
    )
    summary = import_file(write(tmp_path, changed, "changed.json"))
    assert "offers created: 0, offers updated: 1, offers unchanged: 2" in summary
    assert "providers created: 0, providers updated: 1" in summary
    offer = Offer.objects.get(external_id="o-1")
    assert offer.title == "Werkstatt Nord"
    assert Offer.objects.filter(external_id="o-1").count() == 1
    assert sorted(f.amount_eur for f in offer.funding.all()) == [45000, 120000]
    assert [f.reference for f in offer.follow_ons.all()] == ["destination:employment"]
    assert Organisation.objects.get(external_id="p-hoerde-1").name == "Lernwerk Hörde gGmbH"


def test_an_omitted_optional_field_is_cleared_on_re_import(city: City, tmp_path: Path) -> None:
    import_file(write(tmp_path, VALID))
    without = VALID.replace('"capacity": 12, ', "").replace(
        '"other_rules": "Wohnsitz in Dortmund",', ""
    )
    import_file(write(tmp_path, without, "without.json"))
    offer = Offer.objects.get(external_id="o-1")
    assert offer.capacity is None and offer.other_rules == ""


def test_offers_not_in_the_file_are_left_alone(city: City, tmp_path: Path) -> None:
    import_file(write(tmp_path, VALID))
    assert Offer.objects.get(external_id="o-a").title == "Werkstatt A"


# --- refusals: every one leaves the database as it was ------------------------------


def test_malformed_json_is_refused_with_line_and_column(city: City, tmp_path: Path) -> None:
    broken = VALID.replace('"kind": "counselling"}', '"kind": "counselling",}')
    message = refused(tmp_path, broken)
    line = line_of(VALID, '"kind": "counselling"}')
    assert f"offers.json:{line}: malformed JSON: Expecting property name" in message


def test_an_unknown_kind_is_refused(city: City, tmp_path: Path) -> None:
    message = refused(tmp_path, VALID.replace('"vocational_preparation"', '"course"'))
    line = line_of(VALID, '{"id": "o-2"')
    assert f'offers.json:{line}: offers[1].kind: unknown kind "course"' in message


def test_an_unknown_follow_on_offer_is_refused_naming_both_ids(city: City, tmp_path: Path) -> None:
    message = refused(tmp_path, VALID.replace('"o-a", "destination', '"o-99", "destination'))
    line = line_of(VALID, '{"id": "o-1"')
    assert (
        f'offers.json:{line}: offers[0].follow_ons[1]: unknown offer "o-99" '
        '(follow-on of "o-1")' in message
    )


def test_a_follow_on_may_be_an_offer_later_in_the_same_file(city: City, tmp_path: Path) -> None:
    text = VALID.replace('["destination:employment"]', '["o-3", "o-1"]')
    import_file(write(tmp_path, text))
    offer = Offer.objects.get(external_id="o-2")
    assert [f.reference for f in offer.follow_ons.all()] == ["o-3", "o-1"]


def test_a_bad_date_is_refused(city: City, tmp_path: Path) -> None:
    message = refused(
        tmp_path, VALID.replace('"start": "2026-01-01", "end"', '"start": "1.1.26", "end"')
    )
    line = line_of(VALID, '{"id": "o-1"')
    assert (
        f'offers.json:{line}: offers[0].start: expected a date as YYYY-MM-DD, found "1.1.26"'
        in message
    )


def test_an_offer_ending_before_it_starts_is_refused(city: City, tmp_path: Path) -> None:
    text = VALID.replace(
        '"start": "2026-01-01", "end": "2026-12-31",\n     "desc',
        '"start": "2026-01-01", "end": "2025-12-31",\n     "desc',
    )
    message = refused(tmp_path, text)
    line = line_of(VALID, '{"id": "o-1"')
    assert f"offers.json:{line}: offers[0].end: 2025-12-31 is before start 2026-01-01" in message


def test_a_funding_line_ending_before_it_starts_is_refused(city: City, tmp_path: Path) -> None:
    text = VALID.replace(
        '"start": "2026-07-01", "end": "2026-12-31"', '"start": "2026-07-01", "end": "2026-06-30"'
    )
    message = refused(tmp_path, text)
    line = line_of(VALID, '{"id": "o-1"')
    assert (
        f"offers.json:{line}: offers[0].funding[0].end: 2026-06-30 is before start 2026-07-01"
        in message
    )


def test_a_duplicate_offer_id_is_refused(city: City, tmp_path: Path) -> None:
    message = refused(tmp_path, VALID.replace('{"id": "o-3"', '{"id": "o-1"'))
    line, first = line_of(VALID, '{"id": "o-3"'), line_of(VALID, '{"id": "o-1"')
    assert (
        f'offers.json:{line}: offers[2].id: duplicate offer id "o-1" (first at line {first})'
        in message
    )


def test_a_duplicate_provider_id_is_refused(city: City, tmp_path: Path) -> None:
    message = refused(tmp_path, VALID.replace('{"id": "p-hoerde-1"', '{"id": "p-eving-1"'))
    assert (
        'offers.json:4: providers[1].id: duplicate provider id "p-eving-1" (first at line 3)'
        in message
    )


def test_an_unknown_district_is_refused_naming_it(city: City, tmp_path: Path) -> None:
    message = refused(
        tmp_path,
        VALID.replace('"district": "Hörde", "capacity"', '"district": "Hoerde", "capacity"'),
    )
    line = line_of(VALID, '{"id": "o-2"')
    assert (
        f'offers.json:{line}: offers[1].district: unknown district "Hoerde"; known: Eving, Hörde'
        in message
    )


def test_an_unknown_provider_is_refused(city: City, tmp_path: Path) -> None:
    message = refused(tmp_path, VALID.replace('"provider": "p-b"', '"provider": "p-zz"'))
    line = line_of(VALID, '{"id": "o-3"')
    assert f'offers.json:{line}: offers[2].provider: unknown provider "p-zz"' in message


def test_a_provider_id_that_belongs_to_another_kind_of_organisation_is_refused(
    city: City, tmp_path: Path
) -> None:
    message = refused(tmp_path, VALID.replace('{"id": "p-hoerde-1"', '{"id": "jc"'))
    assert (
        'offers.json:4: providers[1].id: "jc" is an existing organisation of kind jobcenter'
        in message
    )


def test_a_wrongly_typed_capacity_is_refused(city: City, tmp_path: Path) -> None:
    message = refused(tmp_path, VALID.replace('"capacity": 12', '"capacity": "twelve"'))
    assert 'offers[0].capacity: expected a whole number, found a string ("twelve")' in message


def test_a_top_level_that_is_not_an_object_is_refused(city: City, tmp_path: Path) -> None:
    message = refused(tmp_path, "[]\n")
    assert "offers.json:1: the catalogue must be a JSON object" in message


def test_one_bad_offer_among_good_ones_imports_nothing_and_every_problem_is_listed(
    city: City, tmp_path: Path
) -> None:
    text = (
        VALID.replace('"capacity": 12', '"capacity": -12')
        .replace('"kind": "counselling"', '"kind": "chat"')
        .replace('"district": "Eving"}', '"district": "Atlantis"}')
    )
    message = refused(tmp_path, text)
    assert message.splitlines()[0].endswith("nothing imported, 3 problems:")
    assert [line.split(": ", 1)[1].split(":")[0] for line in message.splitlines()[1:]] == [
        "providers[0].district",
        "offers[0].capacity",
        "offers[2].kind",
    ]


def test_an_offer_with_a_bad_value_still_has_its_unknown_names_reported(
    city: City, tmp_path: Path
) -> None:
    text = VALID.replace(
        '"kind": "counselling"}',
        '"kind": "counselling", "start": "soon", "district": "Atlantis", "follow_ons": ["o-99"]}',
    )
    message = refused(tmp_path, text)
    line = line_of(VALID, '{"id": "o-3"')
    assert message.splitlines()[1:] == [
        f'offers.json:{line}: offers[2].start: expected a date as YYYY-MM-DD, found "soon"',
        f'offers.json:{line}: offers[2].district: unknown district "Atlantis"; known: Eving, Hörde',
        f'offers.json:{line}: offers[2].follow_ons[0]: unknown offer "o-99" (follow-on of "o-3")',
    ]


@override_settings(IMPORT_MAX_ERRORS=2)
def test_a_long_problem_list_stops_at_the_configured_maximum(city: City, tmp_path: Path) -> None:
    offers = ",\n".join(
        f'{{"id": "o-{i}", "provider": "p-a", "title": "T", "kind": "bad"}}' for i in range(5)
    )
    message = refused(tmp_path, '{"offers": [\n' + offers + "\n]}")
    assert message.splitlines()[1:] == [
        'offers.json:2: offers[0].kind: unknown kind "bad"; expected one of: '
        + ", ".join(catalogue_vocabulary().kinds),
        'offers.json:3: offers[1].kind: unknown kind "bad"; expected one of: '
        + ", ".join(catalogue_vocabulary().kinds),
        "… and 3 more",
    ]


def test_the_service_refuses_a_catalogue_that_carries_problems(city: City) -> None:
    catalogue = read_catalogue(
        VALID.replace('"counselling"', '"x"').encode(),
        file="offers.json",
        vocabulary=catalogue_vocabulary(),
    )
    with pytest.raises(ImportFailed) as excinfo:
        offer_catalogue_import(catalogue=catalogue)
    assert [p.field for p in excinfo.value.problems] == ["offers[2].kind"]
    assert not Offer.objects.filter(external_id="o-1").exists()


# --- export and round trip --------------------------------------------------------------


def test_the_export_writes_every_field_sorted_by_id(city: City, tmp_path: Path) -> None:
    import_file(write(tmp_path, VALID))
    data = json.loads(export(tmp_path, "export.json").read_text(encoding="utf-8"))
    assert [p["id"] for p in data["providers"]] == ["p-a", "p-b", "p-eving-1", "p-hoerde-1"]
    assert [o["id"] for o in data["offers"]] == ["o-1", "o-2", "o-3", "o-a", "o-b"]
    o3 = data["offers"][2]
    assert o3 == {
        "id": "o-3",
        "provider": "p-b",
        "title": "Beratung im Stadtteil",
        "kind": "counselling",
        "occupations": [],
        "description": "",
        "district": None,
        "capacity": None,
        "status": "active",
        "target_groups": [],
        "min_age": None,
        "max_age": None,
        "legal_branches": [],
        "other_rules": "",
        "start": None,
        "end": None,
        "funding": [],
        "follow_ons": [],
    }
    amounts = [f["amount_eur"] for f in data["offers"][0]["funding"]]
    assert amounts == [120000, 30000.5] and isinstance(amounts[0], int)


def _contains(exported: Any, original: Any) -> bool:
    """Every value of ``original`` is in ``exported`` (lists: as a set, order aside)."""
    if isinstance(original, dict):
        return all(_contains(exported.get(k), v) for k, v in original.items())
    if isinstance(original, list):
        return len(exported) == len(original) and all(
            any(_contains(e, o) for e in exported) for o in original
        )
    return bool(exported == original)


def test_import_export_import_export_is_lossless(city: City, tmp_path: Path) -> None:
    import_file(write(tmp_path, VALID))
    first = export(tmp_path, "first.json")
    summary = import_file(first)
    assert "offers updated: 0" in summary and "providers updated: 0" in summary
    second = export(tmp_path, "second.json")
    assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")

    exported = json.loads(first.read_text(encoding="utf-8"))
    original = json.loads(VALID)
    by_id = {o["id"]: o for o in exported["offers"]} | {p["id"]: p for p in exported["providers"]}
    for entry in original["providers"] + original["offers"]:
        assert _contains(by_id[entry["id"]], entry), entry["id"]
    o1 = by_id["o-1"]
    assert o1["follow_ons"] == ["o-2", "o-a", "destination:apprenticeship"]  # order kept


def test_an_export_imports_into_an_empty_city_and_exports_the_same(
    city: City, tmp_path: Path
) -> None:
    import_file(write(tmp_path, VALID))
    first = export(tmp_path, "first.json").read_text(encoding="utf-8")
    FollowOn.objects.all().delete()
    Offer.objects.all().delete()
    Organisation.objects.filter(kind="provider").delete()
    import_file(write(tmp_path, first, "again.json"))
    assert export(tmp_path, "second.json").read_text(encoding="utf-8") == first


def test_the_export_goes_to_standard_output_without_out(city: City) -> None:
    out = _Out()
    call_command("export", "offers", stdout=out)
    assert [o["id"] for o in json.loads(out.text)["offers"]] == ["o-a", "o-b"]
