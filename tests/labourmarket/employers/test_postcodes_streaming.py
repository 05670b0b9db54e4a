"""The postcode table is imported a chunk at a time (`services.CHUNK_ROWS`) inside one
transaction: a bad row near the end of a large file leaves nothing written, and the
reader hands on its first chunk before it has read the file to its end."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from doconnect.labourmarket.employers import services
from doconnect.labourmarket.employers.models import PostcodeDistrict
from doconnect.labourmarket.employers.services import postcode_chunks
from tests.conftest import City

pytestmark = pytest.mark.django_db


def csv_file(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "plz.csv"
    path.write_text("\n".join(["postcode,district", *lines]) + "\n", encoding="utf-8")
    return path


def good(count: int) -> list[str]:
    return [f"{44100 + i},Eving" for i in range(count)]


@pytest.fixture
def two_rows_a_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "CHUNK_ROWS", 2)


def refused(path: Path) -> list[str]:
    with pytest.raises(CommandError) as excinfo:
        call_command("import", "postcodes", str(path), stdout=io.StringIO())
    assert not PostcodeDistrict.objects.exists()
    first, *problems = str(excinfo.value).replace(f"{path.parent}/", "").splitlines()
    assert first.startswith("plz.csv: nothing imported")
    return problems


@pytest.mark.usefixtures("two_rows_a_chunk")
def test_a_file_of_several_chunks_writes_every_postcode(city: City, tmp_path: Path) -> None:
    out = io.StringIO()

    call_command("import", "postcodes", str(csv_file(tmp_path, *good(7))), stdout=out)

    assert "postcodes created: 7" in out.getvalue()
    assert PostcodeDistrict.objects.filter(district=city.district).count() == 7


@pytest.mark.usefixtures("two_rows_a_chunk")
def test_a_bad_row_near_the_end_writes_nothing(city: City, tmp_path: Path) -> None:
    assert refused(csv_file(tmp_path, *good(7), "4410,Eving")) == [
        'plz.csv:9: postcode: "4410" is not five digits'
    ]


@pytest.mark.usefixtures("two_rows_a_chunk")
def test_an_unknown_district_in_the_last_chunk_writes_nothing(city: City, tmp_path: Path) -> None:
    (problem,) = refused(csv_file(tmp_path, *good(7), "44999,Atlantis"))

    assert problem.startswith('plz.csv:9: district: unknown district "Atlantis"')


@pytest.mark.usefixtures("two_rows_a_chunk")
def test_a_postcode_in_two_chunks_for_two_districts_is_refused(city: City, tmp_path: Path) -> None:
    assert refused(csv_file(tmp_path, *good(6), "44101,Hörde")) == [
        "plz.csv:8: postcode: 44101 given twice (first at line 3); a postcode in several "
        "districts is left out of the table"
    ]


def test_the_reader_hands_on_the_first_chunk_before_the_file_is_read_to_its_end() -> None:
    data = ("\n".join(["postcode,district", *good(2000)]) + "\n").encode()
    stream = io.BytesIO(data)

    first = next(postcode_chunks(stream, file="plz.csv", chunk_rows=100))

    assert [row.line for row in first.rows] == list(range(2, 102))
    assert stream.tell() < len(data) // 10  # the other 1,900 lines are still unread
