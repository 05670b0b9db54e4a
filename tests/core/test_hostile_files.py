"""Hostile files (issue #20): exported cells never run as spreadsheet formulas, a zip
bomb and deeply nested JSON are refused quickly with a located message and nothing
written, dates outside a plausible window are named by line, and the server refuses
request bodies over its limit."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given, settings
from hypothesis import strategies as st

from doconnect.charts.chart import table_chart, table_csv, table_xlsx
from doconnect.files.importing import ImportFailed, latest_date
from doconnect.files.jsonfile import Fields, Problems, read_json
from doconnect.files.tables import FORMULA_STARTS, TableWriter, neutralise
from doconnect.labourmarket.employers.services import write_vacancies_csv
from doconnect.offers.models import Offer
from doconnect.people.models import Person
from doconnect.people.spell_import import read_spells_csv
from tests.conftest import City, logged_in

NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?(?:e[-+]?\d+)?")
HOSTILE = ["=cmd|' /C calc'!A0", '+HYPERLINK("http://x")', "-2+3", "@SUM(A1)", "\tx", "\rx"]

cells = st.one_of(
    st.text(),
    st.sampled_from(HOSTILE),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.none(),
    st.dates(),
)


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.lists(cells, min_size=1, max_size=6), max_size=8))
def test_an_exported_csv_cell_never_starts_with_a_formula_character(
    rows: list[list[object]],
) -> None:
    out = io.StringIO()
    TableWriter(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    for row in csv.reader(io.StringIO(out.getvalue(), newline=""), delimiter=";"):
        for cell in row:
            # Only a number written from a number may start with "-": Excel reads it as
            # that number, never as a formula.
            assert not cell.startswith(FORMULA_STARTS) or NUMBER.fullmatch(cell), cell


def test_a_negative_number_stays_a_number_and_a_formula_text_becomes_text() -> None:
    out = io.StringIO()
    TableWriter(out).writerow([-5, -1.5, "-5", "=1+1", "Hörde"])
    assert out.getvalue() == "-5,-1.5,'-5,'=1+1,Hörde\n"


def test_a_hostile_vacancy_title_reaches_the_vacancy_export_as_text() -> None:
    out = io.StringIO()
    write_vacancies_csv([{"reference": "1", "title": HOSTILE[0], "employer": HOSTILE[1]}], out)
    row = next(iter(csv.DictReader(io.StringIO(out.getvalue()))))
    assert row["title"] == "'" + HOSTILE[0]
    assert row["employer"] == "'" + HOSTILE[1]


def test_a_chart_table_exports_hostile_labels_as_text_in_csv_and_xlsx() -> None:
    chart = table_chart(
        slug="t",
        title="=Titel",
        description="",
        columns=["Träger", "Plätze"],
        rows=[[HOSTILE[0], -3], ["@x", 2.5]],
    )
    text = table_csv(chart).decode("utf-8-sig")
    assert "'=cmd" in text and "'@x" in text and ";-3\r\n" in text
    sheet = openpyxl.load_workbook(io.BytesIO(table_xlsx(chart))).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "'=Titel"
    assert values[2] == ["'" + HOSTILE[0], -3]
    # Stored as text, not as a formula openpyxl would write for a leading "=".
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_neutralise_leaves_ordinary_text_alone() -> None:
    assert neutralise("Werkstatt A") == "Werkstatt A"
    assert neutralise("") == ""


# --- zipped input -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workbook of about 0.2 MB whose sheet unpacks to 200 MB."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.xlsx"
    chunk = b"<c/>" * 2**18  # 1 MB
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for _ in range(200):
                sheet.write(chunk)
    return path


@pytest.mark.django_db(transaction=True)
def test_a_zip_bomb_of_persons_is_refused_quickly_naming_the_file_and_nothing_is_written(
    city: City, coordinator: User, zip_bomb: Path
) -> None:
    persons = Person.objects.count()
    started = time.monotonic()
    with pytest.raises(CommandError) as refused:
        call_command("import", "persons", str(zip_bomb), "--as", coordinator.username)
    assert time.monotonic() - started < 5
    assert f"{zip_bomb}:1: the workbook unpacks to " in str(refused.value)
    assert "times its size (at most 100 is plausible for a spreadsheet): a zip bomb; " in str(
        refused.value
    )
    assert Person.objects.count() == persons


@pytest.mark.django_db(transaction=True)
def test_a_zip_bomb_of_statistics_is_refused_quickly(city: City, zip_bomb: Path) -> None:
    from doconnect.labourmarket.models import Statistic

    started = time.monotonic()
    with pytest.raises(CommandError) as refused:
        call_command("import", "statistics", str(zip_bomb))
    assert time.monotonic() - started < 5
    assert f"{zip_bomb}:1:" in str(refused.value) and "zip bomb" in str(refused.value)
    assert not Statistic.objects.exists()


# --- deep JSON ------------------------------------------------------------------------


DEEP = b'{"offers":\n' + b"[" * 100_000 + b"]" * 100_000 + b"}"


def test_deep_json_is_refused_at_its_line_before_python_recurses() -> None:
    started = time.monotonic()
    with pytest.raises(ImportFailed) as refused:
        read_json(DEEP, file="deep.json")
    assert time.monotonic() - started < 5
    assert str(refused.value) == (
        "deep.json:2: nested deeper than 64 levels (column 64); "
        "no file of the platform nests that deep"
    )


def test_json_as_deep_as_allowed_is_read() -> None:
    node = read_json(b"[" * 64 + b"]" * 64, file="ok.json")
    assert node.value is not None


@pytest.mark.django_db(transaction=True)
def test_deep_json_on_the_command_line_is_a_located_error_and_nothing_is_written(
    city: City, tmp_path: Path
) -> None:
    path = tmp_path / "deep.json"
    path.write_bytes(DEEP)
    offers = Offer.objects.count()
    started = time.monotonic()
    with pytest.raises(CommandError) as refused:
        call_command("import", "offers", str(path))
    assert time.monotonic() - started < 5
    assert f"{path}:2: nested deeper than 64 levels" in str(refused.value)
    assert Offer.objects.count() == offers


def test_deep_json_on_the_scenario_upload_is_a_located_error_not_a_500(
    city: City, coordinator: User
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from doconnect.scenarios.models import Scenario

    upload = SimpleUploadedFile("deep.json", DEEP)
    response = logged_in(coordinator).post(
        "/scenarios/", {"name": "Tief", "start": "2027-01-01", "end": "2027-12-31", "file": upload}
    )
    assert response.status_code == 400
    assert "deep.json:2: nested deeper than 64 levels" in response.content.decode()
    assert not Scenario.objects.exists()


# --- dates ----------------------------------------------------------------------------


def test_spells_in_the_years_1_and_9999_are_named_by_line() -> None:
    data = (
        b"person_id,state,start,end,organisation,offer_id\n"
        b"p-1,unemployed,0001-01-01,,,\n"
        b"p-2,unemployed,2020-01-01,9999-12-31,,\n"
        b"p-3,unemployed,2020-01-01,2021-01-01,,\n"
    )
    rows = read_spells_csv(data, file="spells.csv", states=("unemployed",))
    latest = latest_date()
    assert [str(p) for p in rows.problems] == [
        f"spells.csv:2: start: 0001-01-01 is outside the plausible dates 1900-01-01 to {latest}",
        f"spells.csv:3: end: 9999-12-31 is outside the plausible dates 1900-01-01 to {latest}",
    ]
    assert [row.person_id for row in rows.rows] == ["p-3"]


def test_a_json_date_outside_the_window_is_named_by_line_and_path() -> None:
    node = read_json(b'{"a": "2020-01-01",\n "b": "1899-12-31"}', file="f.json")
    problems = Problems("f.json")
    fields = Fields(node, problems)
    assert fields.date("a") == dt.date(2020, 1, 1)
    assert fields.date("b") is None
    assert [str(p) for p in problems.found] == [
        f"f.json:2: b: 1899-12-31 is outside the plausible dates 1900-01-01 to {latest_date()}"
    ]


def test_ten_years_ahead_is_the_last_plausible_day() -> None:
    assert latest_date(dt.date(2026, 12, 6)) == dt.date(2036, 12, 6)
    assert latest_date(dt.date(2028, 2, 29)) == dt.date(2038, 2, 28)


# --- request bodies -------------------------------------------------------------------


def test_a_request_body_over_the_limit_is_refused_with_413_before_it_is_read(
    city: City, coordinator: User, settings: object
) -> None:
    settings.MAX_REQUEST_BYTES = 2**20  # type: ignore[attr-defined]
    response = logged_in(coordinator).post(
        "/scenarios/", data=b"x" * (2**20 + 1), content_type="application/octet-stream"
    )
    assert response.status_code == 413
    assert "höchstens 1 MB" in response.content.decode()


def test_an_api_body_over_the_limit_is_a_json_413(city: City, settings: object) -> None:
    from django.test import Client

    settings.MAX_REQUEST_BYTES = 2**20  # type: ignore[attr-defined]
    response = Client().post(
        "/api/referrals/1/send", data=b"{" * (2**20 + 1), content_type="application/json"
    )
    assert response.status_code == 413
    assert "detail" in response.json()


def test_form_fields_over_the_data_limit_are_a_400(
    city: City, coordinator: User, settings: object
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000  # type: ignore[attr-defined]
    response = logged_in(coordinator).post("/scenarios/", {"name": "x" * 2000})
    assert response.status_code == 400


def test_a_json_file_over_the_size_limit_is_refused_by_its_size_before_it_is_read(
    db: None, city: City, tmp_path: Path
) -> None:
    big = tmp_path / "catalogue.json"
    with big.open("wb") as sparse:  # 201 MB on paper, nothing on the disk
        sparse.truncate(201 * 2**20)
    started = time.perf_counter()
    with pytest.raises(CommandError) as refused:
        call_command("import", "offers", str(big))
    assert time.perf_counter() - started < 5
    assert f"{big}:1" in str(refused.value)
    assert "201 MB, more than 200 MB" in str(refused.value)
    assert "nothing imported" in str(refused.value)
