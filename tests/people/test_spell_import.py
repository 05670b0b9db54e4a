"""Importing and exporting biography spells: all or nothing, line by line, in bulk."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from doconnect.files.importing import ImportFailed
from doconnect.people.models import Person, Spell, SpellState
from doconnect.people.services import spell_create
from doconnect.people.spell_import import (
    EXPORT_COLUMNS,
    SPELL_COLUMNS,
    read_spells_csv,
    spell_chunks,
)
from doconnect.people.spell_services import spells_import_chunks
from tests.conftest import City, make_person

HEADER = ",".join(SPELL_COLUMNS)
HEADER_KLDB = ",".join(EXPORT_COLUMNS)
STATES = tuple(SpellState.values)


class _Out:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def csv_file(tmp_path: Path, *lines: str, name: str = "spells.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def import_spells(path: Path) -> str:
    out = _Out()
    call_command("import", "spells", str(path), stdout=out)
    return out.text


def refused(tmp_path: Path, *lines: str, data: bytes | None = None) -> list[str]:
    """Import, expect failure with nothing written, return the problem lines with the
    directory cut off."""
    path = tmp_path / "spells.csv"
    if data is None:
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        path.write_bytes(data)
    before = Spell.objects.count()
    with pytest.raises(CommandError) as excinfo:
        import_spells(path)
    assert Spell.objects.count() == before
    first, *problems = str(excinfo.value).replace(f"{tmp_path}/", "").splitlines()
    assert first.startswith("spells.csv: nothing imported")
    return problems


@pytest.fixture
def alex(city: City) -> Person:
    return make_person(city, given_name="Alex")


@pytest.fixture
def kim(city: City) -> Person:
    return make_person(city, given_name="Kim")


def test_a_valid_file_adds_its_spells_with_organisation_and_offer(
    city: City, alex: Person, kim: Person, tmp_path: Path
) -> None:
    path = csv_file(
        tmp_path,
        HEADER,
        f"{alex.public_id},school,2019-08-01,2022-07-31,,",
        f"{alex.public_id},unemployed,2022-08-01,,jc,",
        f"{alex.public_id},offer,2022-10-01,2023-03-31,p-a,o-a",
        f"{kim.public_id},employment,2024-01-01,,,",
    )
    assert import_spells(path) == f"{path}: imported (spells created: 4, persons: 2)\n"
    spells = list(Spell.objects.filter(person=alex).order_by("start"))
    assert [(s.state, s.start, s.end) for s in spells] == [
        ("school", dt.date(2019, 8, 1), dt.date(2022, 7, 31)),
        ("unemployed", dt.date(2022, 8, 1), None),
        ("offer", dt.date(2022, 10, 1), dt.date(2023, 3, 31)),
    ]
    assert spells[1].source_organisation == city.jobcenter
    assert spells[2].offer == city.offer_a and spells[2].source_organisation == city.provider_a


def test_columns_may_come_in_any_order_and_a_byte_order_mark_is_fine(
    alex: Person, tmp_path: Path
) -> None:
    text = (
        f"state,person_id,start,end,offer_id,organisation\nschool,{alex.public_id},2019-08-01,,,\n"
    )
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    import_spells(path)
    assert Spell.objects.get(person=alex).state == "school"


def test_an_unknown_person_is_refused(alex: Person, tmp_path: Path) -> None:
    assert refused(
        tmp_path,
        HEADER,
        f"{alex.public_id},school,2019-08-01,,,",
        "P-NOBODY00,school,2019-08-01,,,",
    ) == ['spells.csv:3: person_id: unknown person "P-NOBODY00"']


def test_unknown_organisation_offer_and_state_are_refused(alex: Person, tmp_path: Path) -> None:
    assert refused(
        tmp_path,
        HEADER,
        f"{alex.public_id},schooling,2019-08-01,,,",
        f"{alex.public_id},offer,2019-08-01,,p-zz,o-zz",
    ) == [
        'spells.csv:2: state: unknown state "schooling"; expected one of: ' + ", ".join(STATES),
        'spells.csv:3: organisation: unknown organisation "p-zz"',
        'spells.csv:3: offer_id: unknown offer "o-zz"',
    ]


def test_a_wrong_header_names_missing_and_unexpected_columns(tmp_path: Path, db: None) -> None:
    assert refused(tmp_path, "person,state,start,end,organisation", "x,school,2020-01-01,,") == [
        "spells.csv:1: header: missing column(s): person_id, offer_id; unexpected column(s): "
        "'person' (expected: person_id,state,start,end,organisation,offer_id)"
    ]


def test_an_empty_file_is_refused(tmp_path: Path, db: None) -> None:
    assert refused(tmp_path, data=b"") == ["spells.csv:1: header: the file is empty"]


def test_a_row_with_the_wrong_number_of_columns_is_refused(alex: Person, tmp_path: Path) -> None:
    assert refused(
        tmp_path,
        HEADER,
        f"{alex.public_id},school,2019-08-01,,",
        f"{alex.public_id},employment,2023-08-01,,,,",
    ) == [
        "spells.csv:2: row: expected 6 columns, found 5",
        "spells.csv:3: row: expected 6 columns, found 7",
    ]


def test_a_file_that_is_not_utf8_is_refused_naming_the_line(alex: Person, tmp_path: Path) -> None:
    data = f"{HEADER}\n{alex.public_id},school,2019-08-01,,Schule Hörde,\n".encode("cp1252")
    assert refused(tmp_path, data=data) == [
        f"spells.csv:2: not valid UTF-8 (byte 0xf6 at offset {data.index(0xF6)}); "
        "save the file as UTF-8"
    ]


def test_a_bad_date_is_refused(alex: Person, tmp_path: Path) -> None:
    assert refused(
        tmp_path,
        HEADER,
        f"{alex.public_id},school,01.08.2019,,,",
        f"{alex.public_id},employment,,2024-13-01,,",
    ) == [
        'spells.csv:2: start: expected a date as YYYY-MM-DD, found "01.08.2019"',
        "spells.csv:3: start: is required",
        'spells.csv:3: end: expected a date as YYYY-MM-DD or empty, found "2024-13-01"',
    ]


def test_a_spell_ending_before_it_starts_is_refused(alex: Person, tmp_path: Path) -> None:
    assert refused(tmp_path, HEADER, f"{alex.public_id},school,2019-08-01,2019-07-31,,") == [
        "spells.csv:2: end: 2019-07-31 is before start 2019-08-01"
    ]


def test_overlapping_spells_within_the_file_are_refused_naming_both_lines(
    alex: Person, tmp_path: Path
) -> None:
    pid = alex.public_id
    assert refused(
        tmp_path,
        HEADER,
        f"{pid},employment,2024-01-01,2024-12-31,,",
        f"{pid},marginal_employment,2024-03-01,,,",  # a side state may overlap
        f"{pid},unemployed,2024-06-01,,,",
    ) == [
        f"spells.csv:4: start: unemployed 2024-06-01–open of {pid} overlaps line 2 "
        "(employment 2024-01-01–2024-12-31); only care, further_training, "
        "marginal_employment, offer may overlap other spells"
    ]


def test_a_spell_overlapping_a_stored_spell_is_refused(alex: Person, tmp_path: Path) -> None:
    spell_create(person=alex, state="employment", start=dt.date(2024, 1, 1), end=None)
    pid = alex.public_id
    assert refused(tmp_path, HEADER, f"{pid},school,2010-08-01,2024-01-01,,") == [
        f"spells.csv:2: start: school 2010-08-01–2024-01-01 of {pid} overlaps a stored spell "
        "(employment 2024-01-01–open); only care, further_training, marginal_employment, "
        "offer may overlap other spells"
    ]


def test_a_spell_already_stored_is_refused_as_a_copy_not_silently_doubled(
    city: City, alex: Person, tmp_path: Path
) -> None:
    spell_create(
        person=alex, state="offer", start=dt.date(2024, 1, 1), end=None, offer_id=city.offer_a.pk
    )
    pid = alex.public_id
    assert refused(
        tmp_path, HEADER, f"{pid},offer,2024-01-01,,,o-a", f"{pid},offer,2024-01-01,,,o-a"
    ) == [
        f"spells.csv:2: start: the same spell of {pid} is already a stored spell "
        "(offer 2024-01-01–open)",
        f"spells.csv:3: start: the same spell of {pid} is already a stored spell "
        "(offer 2024-01-01–open)",
    ]


def test_lines_are_physical_lines_even_after_a_quoted_line_break(
    alex: Person, tmp_path: Path
) -> None:
    pid = alex.public_id
    problems = refused(
        tmp_path,
        HEADER,
        f'{pid},school,2010-08-01,2019-07-31,"Schule\nam Hafen",',
        f"{pid},school,2020-08-01,2019-07-31,,",
    )
    assert problems[-1] == "spells.csv:4: end: 2019-07-31 is before start 2020-08-01"


def test_every_problem_is_listed_and_nothing_is_written(
    city: City, alex: Person, kim: Person, tmp_path: Path
) -> None:
    problems = refused(
        tmp_path,
        HEADER,
        f"{alex.public_id},school,2019-08-01,,,",
        f"{kim.public_id},school,2019-08-01,2018-01-01,,",
        "P-NOBODY00,school,2019-08-01,,,",
        f"{kim.public_id},retired,2019-08-01,,,",
    )
    assert [p.split(": ")[0] for p in problems] == [
        "spells.csv:3",
        "spells.csv:4",
        "spells.csv:5",
    ]


def test_the_reader_keeps_good_rows_and_collects_problems_without_a_database() -> None:
    data = f"{HEADER}\nP-1,school,2019-08-01,,,\nP-1,nap,2019-08-01,,,\n".encode()
    rows = read_spells_csv(data, file="s.csv", states=STATES)
    assert [r.line for r in rows.rows] == [2]
    assert [(p.line, p.field) for p in rows.problems] == [(3, "state")]


def test_five_thousand_rows_import_correctly(city: City, tmp_path: Path) -> None:
    persons = Person.objects.bulk_create(Person() for _ in range(1_000))
    lines = [HEADER]
    for person in persons:
        for year in range(2015, 2020):
            state = "employment" if year % 2 else "unemployed"
            lines.append(f"{person.public_id},{state},{year}-01-01,{year}-12-31,jc,")
    path = csv_file(tmp_path, *lines)
    assert "spells created: 5000, persons: 1000" in import_spells(path)
    assert Spell.objects.count() == 5_000
    assert Spell.objects.filter(source_organisation=city.jobcenter).count() == 5_000
    one = persons[123]
    assert [(s.state, s.start.year) for s in one.spells.order_by("start")] == [
        ("employment", 2015),
        ("unemployed", 2016),
        ("employment", 2017),
        ("unemployed", 2018),
        ("employment", 2019),
    ]


def test_export_then_import_gives_back_the_same_file(
    city: City, alex: Person, kim: Person, tmp_path: Path
) -> None:
    path = csv_file(
        tmp_path,
        HEADER_KLDB,
        f"{kim.public_id},employment,2024-01-01,,,,81302",
        f"{alex.public_id},school,2019-08-01,2022-07-31,,,",
        f"{alex.public_id},offer,2022-10-01,2023-03-31,p-a,o-a,",
        f"{alex.public_id},unemployed,2022-08-01,,jc,,51311",
    )
    import_spells(path)
    first = tmp_path / "first.csv"
    call_command("export", "spells", out=str(first), stdout=_Out())
    text = first.read_text(encoding="utf-8")
    assert text.splitlines()[0] == HEADER_KLDB
    assert sorted(text.splitlines()[1:]) == sorted(path.read_text().splitlines()[1:])

    Spell.objects.all().delete()
    import_spells(first)
    second = tmp_path / "second.csv"
    call_command("export", "spells", out=str(second), stdout=_Out())
    assert second.read_text(encoding="utf-8") == text


def test_a_semicolon_separated_file_as_german_excel_saves_it_is_read(
    alex: Person, tmp_path: Path
) -> None:
    path = csv_file(
        tmp_path,
        HEADER.replace(",", ";"),
        f"{alex.public_id};unemployed;2025-01-01;;jc;",
    )
    import_spells(path)
    assert Spell.objects.get(person=alex).source_organisation is not None


def test_a_row_overlapping_many_spells_is_one_problem_naming_the_first_three(
    alex: Person, tmp_path: Path
) -> None:
    pid = alex.public_id
    for year in (2020, 2021, 2022, 2023):
        spell_create(
            person=alex, state="employment", start=dt.date(year, 1, 1), end=dt.date(year, 6, 30)
        )
    assert refused(tmp_path, HEADER, f"{pid},unemployed,2019-01-01,,,") == [
        f"spells.csv:2: start: unemployed 2019-01-01–open of {pid} overlaps "
        "a stored spell (employment 2020-01-01–2020-06-30), "
        "a stored spell (employment 2021-01-01–2021-06-30), "
        "a stored spell (employment 2022-01-01–2022-06-30), and 1 more; "
        "only care, further_training, marginal_employment, offer may overlap other spells"
    ]


def test_a_file_without_the_kldb_column_exports_with_an_empty_one(
    alex: Person, tmp_path: Path
) -> None:
    import_spells(csv_file(tmp_path, HEADER, f"{alex.public_id},unemployed,2025-01-01,,jc,"))
    out = tmp_path / "out.csv"
    call_command("export", "spells", out=str(out), stdout=_Out())
    assert out.read_text(encoding="utf-8").splitlines() == [
        HEADER_KLDB,
        f"{alex.public_id},unemployed,2025-01-01,,jc,,",
    ]
    assert Spell.objects.get(person=alex).kldb == ""


def test_the_occupation_is_imported_in_any_column_position(alex: Person, tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "kldb,person_id,state,start,end,organisation,offer_id",
        f"29302,{alex.public_id},employment,2024-01-01,2024-12-31,,",
        f",{alex.public_id},unemployed,2025-01-01,,jc,",
    )
    import_spells(path)
    assert list(Spell.objects.filter(person=alex).order_by("start").values_list("kldb")) == [
        ("29302",),
        ("",),
    ]


def test_an_occupation_that_is_not_five_digits_is_refused_naming_the_line(
    alex: Person, tmp_path: Path
) -> None:
    problems = refused(
        tmp_path,
        HEADER_KLDB,
        f"{alex.public_id},employment,2024-01-01,2024-06-30,,,2930",
        f"{alex.public_id},employment,2024-07-01,2024-12-31,,,Koch",
        f"{alex.public_id},unemployed,2025-01-01,,jc,,51311",
    )
    assert problems == [
        'spells.csv:2: kldb: expected a KldB 2010 code of 5 digits or empty, found "2930"',
        'spells.csv:3: kldb: expected a KldB 2010 code of 5 digits or empty, found "Koch"',
    ]


def test_a_file_read_in_small_chunks_still_finds_overlaps_across_them_and_writes_nothing(
    city: City, alex: Person, kim: Person, tmp_path: Path
) -> None:
    """The command reads a file a chunk at a time and inserts each chunk while it
    reads (issue #20: a 50 MB file no longer sits in memory); an overlap between rows in
    different chunks, or a bad row in the last one, still refuses the whole file."""
    lines = [
        HEADER,
        f"{alex.public_id},school,2010-08-01,2016-07-31,,",
        f"{kim.public_id},school,2011-08-01,2017-07-31,,",
        f"{kim.public_id},unemployed,2017-08-01,2018-01-31,,",
        f"{alex.public_id},unemployed,2016-01-01,2016-12-31,,",  # overlaps line 2
        f"{kim.public_id},employment,2018-02-01,,,",
    ]
    data = ("\n".join(lines) + "\n").encode()

    with pytest.raises(ImportFailed) as refused_file:
        spells_import_chunks(
            spell_chunks(io.BytesIO(data), file="s.csv", states=STATES, chunk_rows=2), file="s.csv"
        )
    assert [(p.line, p.field) for p in refused_file.value.problems] == [(5, "start")]
    assert "overlaps line 2" in refused_file.value.problems[0].message
    assert Spell.objects.count() == 0  # the chunks inserted before were rolled back

    good = data.replace(b"2016-01-01,2016-12-31", b"2016-08-01,2016-12-31")
    result = spells_import_chunks(
        spell_chunks(io.BytesIO(good), file="s.csv", states=STATES, chunk_rows=2), file="s.csv"
    )
    assert result.counts == {"spells_created": 5, "persons": 2}
    assert Spell.objects.filter(person=kim).count() == 3
