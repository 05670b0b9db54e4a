"""The persons import reads a large file a chunk at a time (`person_import.CHUNK_ROWS`)
and writes each chunk as it goes, inside one transaction: a problem anywhere, even in
the last line, leaves nothing written; what spans chunks (the same person twice, a near
duplicate of an earlier line) is found as in a file read whole."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from doconnect.core.models import AuditAction, AuditEvent, TargetGroup
from doconnect.people import person_import
from doconnect.people.models import Consent, DuplicateCandidate, Person, PersonalDetails
from doconnect.people.person_import import PERSON_COLUMNS, person_chunks
from doconnect.people.person_import_services import person_vocabulary
from tests.conftest import City

HEADER = ",".join(PERSON_COLUMNS)
NAMES = [
    ("Anna", "Schmidt"),
    ("Ben", "Öztürk"),
    ("Clara", "Wagner"),
    ("Deniz", "Yilmaz"),
    ("Emil", "Becker"),
    ("Fatma", "Kaya"),
    ("Gustav", "Hoffmann"),
    ("Hanna", "Nowak"),
]

pytestmark = pytest.mark.usefixtures("fixed_today")


def line(number: int, *, birth: str = "", district: str = "Eving", orgs: str = "jc") -> str:
    """A good line of the Jobcenter's delivery; the tests' today is 23 November 2026."""
    given, family = NAMES[number % len(NAMES)]
    birth = birth or f"199{number % 10}-0{number % 9 + 1}-1{number % 10}"
    return (
        f"JC-{number},{given},{family},{birth},female,,,{district},SGB II,,,"
        f"youth_difficult_start,counselling,{orgs},2026-11-01,"
    )


def csv_file(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "persons.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def two_rows_a_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of two rows, so a file of a few lines is read and written in several."""
    monkeypatch.setattr(person_import, "CHUNK_ROWS", 2)


def written() -> tuple[int, ...]:
    return (
        Person.objects.count(),
        PersonalDetails.objects.count(),
        Consent.objects.count(),
        TargetGroup.objects.count(),
        DuplicateCandidate.objects.count(),
        AuditEvent.objects.count(),
    )


def refused(path: Path) -> list[str]:
    """Import as the case worker; the file must be refused with nothing written. The
    problem lines, the folder cut off."""
    before = written()
    with pytest.raises(CommandError) as excinfo:
        call_command("import", "persons", str(path), "--as", "case_worker", stdout=io.StringIO())
    assert written() == before
    first, *problems = str(excinfo.value).replace(f"{path.parent}/", "").splitlines()
    assert first.startswith(f"{path.name}: nothing imported")
    return problems


@pytest.mark.usefixtures("two_rows_a_chunk")
def test_a_file_of_several_chunks_registers_every_person_and_audits_each_once(
    city: City, case_worker: User, tmp_path: Path
) -> None:
    out = io.StringIO()
    path = csv_file(tmp_path, *(line(i) for i in range(1, 8)))

    call_command("import", "persons", str(path), "--as", "case_worker", stdout=out)

    assert "created: 7" in out.getvalue()
    imported = Person.objects.filter(source_id__startswith="JC-")
    assert sorted(imported.values_list("source_id", flat=True)) == [f"JC-{i}" for i in range(1, 8)]
    assert Consent.objects.filter(person__in=imported).count() == 7
    changes = AuditEvent.objects.filter(action=AuditAction.CHANGE, view="cli:import persons")
    assert changes.count() == 7


@pytest.mark.usefixtures("two_rows_a_chunk")
def test_a_bad_row_near_the_end_writes_nothing(
    city: City, case_worker: User, tmp_path: Path
) -> None:
    good = [line(i) for i in range(1, 8)]  # four chunks are written before line 9 is read

    problems = refused(csv_file(tmp_path, *good, line(8, birth="1890-01-01")))

    assert problems == [
        "persons.csv:9: birth_date: 1890-01-01 is not a possible birth date (1900 to today)"
    ]


@pytest.mark.usefixtures("two_rows_a_chunk")
def test_a_problem_only_the_database_knows_in_the_last_chunk_writes_nothing(
    city: City, case_worker: User, tmp_path: Path
) -> None:
    lines = [*(line(i) for i in range(1, 7)), line(7, district="Atlantis"), line(8, orgs="nowhere")]

    assert refused(csv_file(tmp_path, *lines)) == [
        'persons.csv:8: district: unknown district "Atlantis" (give its official key or name)',
        'persons.csv:9: consent_organisations: unknown organisation "nowhere"',
    ]


@pytest.mark.usefixtures("two_rows_a_chunk")
def test_a_malformed_record_at_the_end_rolls_back_the_chunks_written_before(
    city: City, case_worker: User, tmp_path: Path
) -> None:
    path = csv_file(tmp_path, *(line(i) for i in range(1, 6)), 'JC-9,"Ida,Unclosed')

    problems = refused(path)

    assert len(problems) == 1
    assert problems[0].startswith("persons.csv:7: malformed CSV")


@pytest.mark.usefixtures("two_rows_a_chunk")
def test_the_same_person_in_two_chunks_is_refused_naming_both_lines(
    city: City, case_worker: User, tmp_path: Path
) -> None:
    again = line(1).replace("JC-1,", "JC-77,")  # same name and birth date, another id
    lines = [*(line(i) for i in range(1, 6)), again, line(1)]

    assert refused(csv_file(tmp_path, *lines)) == [
        "persons.csv:7: given_name: Ben Öztürk, born 1991-02-11, is in both line 2 "
        '(source_id "JC-1") and line 7 (source_id "JC-77"); each person once per file',
        'persons.csv:8: source_id: "JC-1" is in both line 2 and line 8; each person once per file',
    ]


@pytest.mark.usefixtures("two_rows_a_chunk")
def test_a_near_duplicate_of_a_line_in_an_earlier_chunk_is_queued_with_that_person(
    city: City, case_worker: User, tmp_path: Path
) -> None:
    near = line(1).replace("JC-1,Ben,Öztürk", "JC-50,Ben,Öztürkk")
    path = csv_file(tmp_path, *(line(i) for i in range(1, 6)), near)
    out = io.StringIO()

    call_command("import", "persons", str(path), "--as", "case_worker", stdout=out)

    assert "line 7" in out.getvalue()
    pair = DuplicateCandidate.objects.get()
    assert {pair.first.source_id, pair.second.source_id} == {"JC-1", "JC-50"}


@pytest.mark.usefixtures("two_rows_a_chunk")
def test_a_workbook_of_several_chunks_with_a_bad_last_row_writes_nothing(
    city: City, case_worker: User, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(PERSON_COLUMNS))
    for i in range(1, 7):
        sheet.append(line(i).split(","))
    sheet.append(line(7, birth="31.02.1990").split(","))
    path = tmp_path / "persons.xlsx"
    book.save(path)

    assert refused(path) == [
        "persons.xlsx:8: birth_date: expected a date as YYYY-MM-DD (or DD.MM.YYYY), "
        'found "31.02.1990"'
    ]


def test_the_reader_hands_on_the_first_chunk_before_the_file_is_read_to_its_end(
    city: City,
) -> None:
    data = ("\n".join([HEADER, *(line(i) for i in range(1, 2001))]) + "\n").encode()
    stream = io.BytesIO(data)

    chunks = person_chunks(
        stream,
        file="persons.csv",
        vocabulary=person_vocabulary(),
        today=dt.date(2026, 11, 23),
        chunk_rows=100,
    )
    first = next(chunks)

    assert [row.line for row in first.rows] == list(range(2, 102))
    assert stream.tell() < len(data) // 10  # the other 1,900 lines are still unread
