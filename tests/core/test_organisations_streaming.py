"""The organisations import reads a file a chunk at a time (`directory_file.CHUNK_ROWS`)
inside one transaction: a bad line near the end of a large file leaves nothing written,
an id given twice in two chunks is found as in a file read whole, and the reader hands
on its first chunk before it has read the file to its end."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from doconnect.core import directory_file
from doconnect.core.directory_file import organisation_chunks
from doconnect.core.models import Organisation, OrganisationKind
from tests.conftest import City

HEADER = "id,name,kind,district,wz_code"

pytestmark = pytest.mark.django_db


def good(count: int) -> list[str]:
    return [f"betrieb-{i},Betrieb {i},employer,Eving,47.11" for i in range(count)]


def csv_file(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "orgs.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def two_rows_a_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(directory_file, "CHUNK_ROWS", 2)


def refused(path: Path) -> list[str]:
    before = list(Organisation.objects.values_list("external_id", flat=True))
    with pytest.raises(CommandError) as excinfo:
        call_command("import", "organisations", str(path), stdout=io.StringIO())
    assert list(Organisation.objects.values_list("external_id", flat=True)) == before
    first, *problems = str(excinfo.value).replace(f"{path.parent}/", "").splitlines()
    assert first.startswith("orgs.csv: nothing imported")
    return problems


@pytest.mark.usefixtures("two_rows_a_chunk")
def test_a_file_of_several_chunks_writes_every_organisation(city: City, tmp_path: Path) -> None:
    out = io.StringIO()

    call_command("import", "organisations", str(csv_file(tmp_path, *good(7))), stdout=out)

    assert "organisations created: 7" in out.getvalue()
    assert "district named in file: 7" in out.getvalue()
    assert Organisation.objects.filter(external_id__startswith="betrieb-").count() == 7


@pytest.mark.usefixtures("two_rows_a_chunk")
def test_a_bad_line_near_the_end_writes_nothing(city: City, tmp_path: Path) -> None:
    assert refused(csv_file(tmp_path, *good(7), "x,X,träger,Eving,")) == [
        'orgs.csv:9: kind: unknown kind "träger"; one of: ' + ", ".join(OrganisationKind.values)
    ]


@pytest.mark.usefixtures("two_rows_a_chunk")
def test_an_unknown_district_in_the_last_chunk_writes_nothing(city: City, tmp_path: Path) -> None:
    (problem,) = refused(csv_file(tmp_path, *good(7), "x,X,employer,Atlantis,"))

    assert problem.startswith('orgs.csv:9: district: unknown district "Atlantis"')


@pytest.mark.usefixtures("two_rows_a_chunk")
def test_an_id_given_twice_in_two_chunks_names_the_first_line(city: City, tmp_path: Path) -> None:
    lines = [*good(6), "BETRIEB-1,Noch einmal,employer,,"]

    assert refused(csv_file(tmp_path, *lines)) == [
        'orgs.csv:8: id: "BETRIEB-1" given twice (first at line 3)'
    ]


def test_the_reader_hands_on_the_first_chunk_before_the_file_is_read_to_its_end() -> None:
    data = ("\n".join([HEADER, *good(2000)]) + "\n").encode()
    stream = io.BytesIO(data)

    chunks = organisation_chunks(
        stream, file="orgs.csv", kinds=OrganisationKind.values, chunk_rows=100
    )
    first = next(chunks)

    assert [row.line for row in first.rows] == list(range(2, 102))
    assert stream.tell() < len(data) // 10  # the other 1,900 lines are still unread
