"""The statistics import reads a large file a chunk at a time
(`statistics_file.CHUNK_ROWS`) and writes each chunk as it goes, inside one transaction:
a problem anywhere, even in the last line, leaves nothing written; a figure given twice
in two chunks is found as in a file read whole."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from doconnect.labourmarket import statistics_file
from doconnect.labourmarket.models import Statistic
from doconnect.labourmarket.statistics_file import statistic_chunks
from tests.conftest import City

HEADER = "region,period,indicator,value"

pytestmark = pytest.mark.django_db


def line(number: int, *, value: str = "") -> str:
    """A good figure: Eving's unemployed in month ``number`` of the 2000s."""
    year, month = divmod(number, 12)
    return f"Eving,{2000 + year}-{month + 1:02d},unemployed,{value or number}"


def csv_file(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "figures.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def two_rows_a_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of two rows, so a file of a few lines is read and written in several."""
    monkeypatch.setattr(statistics_file, "CHUNK_ROWS", 2)


def refused(path: Path) -> list[str]:
    """The import must be refused with no figure written; the problem lines."""
    with pytest.raises(CommandError) as excinfo:
        call_command("import", "statistics", str(path), stdout=io.StringIO())
    assert not Statistic.objects.exists()
    first, *problems = str(excinfo.value).replace(f"{path.parent}/", "").splitlines()
    assert first.startswith(f"{path.name}: nothing imported")
    return problems


@pytest.mark.usefixtures("two_rows_a_chunk")
def test_a_file_of_several_chunks_writes_every_figure(city: City, tmp_path: Path) -> None:
    out = io.StringIO()

    call_command("import", "statistics", str(csv_file(tmp_path, *map(line, range(7)))), stdout=out)

    assert "figures created: 7" in out.getvalue()
    assert sorted(Statistic.objects.values_list("value", flat=True)) == list(range(7))
    assert Statistic.objects.filter(district=city.district).count() == 7


@pytest.mark.usefixtures("two_rows_a_chunk")
def test_a_bad_row_near_the_end_writes_nothing(city: City, tmp_path: Path) -> None:
    lines = [*map(line, range(7)), line(7, value="1.234.567")]  # three chunks come before

    assert refused(csv_file(tmp_path, *lines)) == [
        'figures.csv:9: value: "1.234.567" is neither a number (e.g. 1234 or 12,5; no '
        "thousands separators) nor one of the signs * - . x"
    ]


@pytest.mark.usefixtures("two_rows_a_chunk")
def test_a_malformed_record_at_the_end_rolls_back_the_chunks_written_before(
    city: City, tmp_path: Path
) -> None:
    problems = refused(csv_file(tmp_path, *map(line, range(5)), 'Eving,"2026-01,unemployed,1'))

    assert len(problems) == 1
    assert problems[0].startswith("figures.csv:7: malformed CSV")


@pytest.mark.usefixtures("two_rows_a_chunk")
def test_the_same_figure_in_two_chunks_is_refused_naming_the_first_line(
    city: City, tmp_path: Path
) -> None:
    lines = [*map(line, range(6)), line(1, value="99")]

    assert refused(csv_file(tmp_path, *lines)) == [
        "figures.csv:8: the same figure is given twice (first at line 3)"
    ]


@pytest.mark.usefixtures("two_rows_a_chunk")
def test_a_workbook_of_several_chunks_with_a_bad_last_row_writes_nothing(
    city: City, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    for i in range(6):
        sheet.append([*line(i).split(",")[:3], i])
    sheet.append(["Eving", "2026-13", "unemployed", 5])
    path = tmp_path / "figures.xlsx"
    book.save(path)

    problems = refused(path)

    assert problems == ['figures.xlsx:8: period: "2026-13" is not YYYY, YYYY-MM or YYYY-MM-DD']


def test_the_reader_hands_on_the_first_chunk_before_the_file_is_read_to_its_end() -> None:
    data = ("\n".join([HEADER, *map(line, range(2000))]) + "\n").encode()
    stream = io.BytesIO(data)

    chunks = statistic_chunks(stream, file="figures.csv", chunk_rows=100)
    first = next(chunks)

    assert [row.line for row in first.rows] == list(range(2, 102))
    assert stream.tell() < len(data) // 10  # the other 1,900 lines are still unread
