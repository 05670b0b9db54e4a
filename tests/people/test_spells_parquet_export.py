"""``doconnect export spells --format parquet --out DIR``: a Parquet dataset partitioned by
district, pseudonymous only, written all or nothing; read back with pyarrow it holds
exactly the database's spells."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from doconnect.people.models import PERSONAL_FIELDS, Person, PersonalDetails, Spell
from doconnect.people.services import person_create, spell_create
from doconnect.transitions.engine.spells_dataset import COLUMNS, NO_DISTRICT
from tests.conftest import City, make_person

# Whatever could identify a person beyond the pseudonym, under any name.
PERSONAL = {*PERSONAL_FIELDS, "name", "notes", "note", "address", "gender", "birth_year"}


class _Out:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text


def export(directory: Path) -> str:
    out = _Out()
    call_command("export", "spells", file_format="parquet", out=str(directory), stdout=out)
    return out.text


@pytest.fixture
def biographies(city: City) -> list[Person]:
    alex = make_person(city, given_name="Alex", family_name="Beispiel")
    kim = make_person(city, given_name="Kim", family_name="Muster")
    kim.district = city.other_district  # Hörde: a name to percent-encode
    kim.save()
    nowhere = person_create(
        gender="male",
        birth_date=dt.date(1990, 1, 2),
        district=None,
        given_name="Ohne",
        family_name="Bezirk",
        legal_branch="SGB II",
        target_groups=[],
    )
    spell_create(person=alex, state="school", start=dt.date(2019, 8, 1), end=dt.date(2022, 7, 31))
    spell_create(
        person=alex,
        state="offer",
        start=dt.date(2022, 10, 1),
        end=dt.date(2023, 3, 31),
        offer_id=city.offer_a.pk,
        source_organisation=city.provider_a,
    )
    spell_create(person=kim, state="employment", start=dt.date(2024, 1, 1), end=None, kldb="81302")
    spell_create(person=nowhere, state="unemployed", start=dt.date(2025, 1, 1), end=None)
    return [alex, kim, nowhere]


def database_rows() -> set[tuple[object, ...]]:
    return {
        (
            s.person.district.name if s.person.district else None,
            s.person.public_id,
            s.state,
            s.start,
            s.end,
            s.source_organisation.external_id if s.source_organisation else "",
            s.offer.external_id if s.offer else "",
            s.kldb,
        )
        for s in Spell.objects.select_related("person__district", "source_organisation", "offer")
    }


def test_the_dataset_read_back_holds_exactly_the_databases_spells(
    biographies: list[Person], tmp_path: Path
) -> None:
    target = tmp_path / "spells"
    assert export(target) == f"{target}: exported 4 spells in 3 districts\n"
    assert sorted(p.name for p in target.iterdir()) == [
        "district=Eving",
        "district=H%C3%B6rde",
        f"district={NO_DISTRICT}",
    ]
    table = ds.dataset(target, format="parquet", partitioning="hive").to_table()
    rows = {
        (r["district"], r["person_id"], r["state"], r["start"], r["end"], r["organisation"],
         r["offer_id"], r["kldb"])
        for r in table.to_pylist()
    }  # fmt: skip
    assert rows == database_rows()
    assert len(rows) == Spell.objects.count() == 4


def test_no_column_holds_a_personal_detail(biographies: list[Person], tmp_path: Path) -> None:
    export(tmp_path / "spells")
    files = sorted((tmp_path / "spells").rglob("*.parquet"))
    assert len(files) == 3
    for path in files:
        names = pq.read_schema(path).names
        assert tuple(names) == COLUMNS
        assert not PERSONAL & set(names)
        values = {str(v) for column in pq.read_table(path).columns for v in column.to_pylist()}
        for details in PersonalDetails.objects.all():
            assert not {details.given_name, details.family_name, str(details.birth_date)} & values


def test_an_earlier_dataset_is_replaced_as_a_whole(
    biographies: list[Person], tmp_path: Path
) -> None:
    target = tmp_path / "spells"
    export(target)
    Spell.objects.filter(person=biographies[1]).delete()  # Hörde's only spell
    export(target)
    assert sorted(p.name for p in target.iterdir()) == ["district=Eving", f"district={NO_DISTRICT}"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spells"]  # no temporary left


def test_a_directory_holding_other_files_is_refused_and_left_alone(
    biographies: list[Person], tmp_path: Path
) -> None:
    (tmp_path / "report.pdf").write_bytes(b"%PDF")
    with pytest.raises(CommandError, match="exists and is not a spells dataset"):
        export(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]


def test_parquet_needs_a_directory_and_only_spells_have_it(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="writes a directory: give --out DIR"):
        call_command("export", "spells", file_format="parquet", stdout=_Out())
    with pytest.raises(CommandError, match="offers is exported as json"):
        call_command("export", "offers", file_format="parquet", out=str(tmp_path / "x"))
    assert list(tmp_path.iterdir()) == []


def test_the_import_format_stays_the_default(biographies: list[Person], tmp_path: Path) -> None:
    plain, named = tmp_path / "plain.csv", tmp_path / "named.csv"
    call_command("export", "spells", out=str(plain), stdout=_Out())
    call_command("export", "spells", file_format="csv", out=str(named), stdout=_Out())
    assert plain.read_text() == named.read_text()
    assert (
        plain.read_text().splitlines()[0] == "person_id,state,start,end,organisation,offer_id,kldb"
    )
