"""Labour-market statistics in the long format, from CSV and XLSX: the BA's signs are
kept as signs and never read as zero, bad files write nothing, re-imports replace."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from doconnect.files.importing import ImportFailed
from doconnect.labourmarket.models import Statistic
from doconnect.labourmarket.services import statistics_import
from doconnect.labourmarket.statistics_file import read_statistics
from tests.conftest import City

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "ba" / "statistik"
SAMPLE = SAMPLES / "arbeitsmarkt-dortmund.csv"


def as_xlsx(csv_text: str, *, numbers: bool = True) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in csv.reader(io.StringIO(csv_text)):
        # Keys stay text (a region key keeps its leading zero); values become numbers,
        # as a spreadsheet holds them.
        *keys, value = row
        cells: list[object] = [cell or None for cell in keys]
        if numbers and value.isdigit():
            cells.append(int(value))
        elif numbers and value.replace(",", "").isdigit():
            cells.append(float(value.replace(",", ".")))
        else:
            cells.append(value or None)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def figures() -> dict[tuple[str, ...], tuple[Decimal | None, str]]:
    return {
        (s.region, s.period, s.indicator, s.age_band, s.gender, s.duration, s.legal_branch):
        (s.value, s.marker)
        for s in Statistic.objects.all()
    }  # fmt: skip


def test_signs_are_kept_and_never_read_as_zero() -> None:
    rows = read_statistics(SAMPLE.read_bytes(), file="a.csv").rows
    by_line = {r.line: (r.value, r.marker) for r in rows}
    assert by_line == {
        2: (Decimal(2154), ""),
        3: (Decimal(87), ""),
        4: (None, "*"),
        5: (None, "-"),
        6: (None, ""),
        7: (Decimal(3911), ""),
        8: (Decimal("11.8"), ""),  # German decimal comma
        9: (Decimal(41250), ""),
        10: (Decimal(3120), ""),
        11: (None, "x"),
    }
    assert not any(r.value == 0 for r in rows)
    row = rows[1]
    assert dict(row.dimensions) == {
        "age_band": "15-24",
        "gender": "female",
        "duration": "",
        "legal_branch": "SGB II",
        "kldb": "",
        "wz": "",
    }


def test_every_problem_is_named_by_line_and_column() -> None:
    with pytest.raises(ImportFailed) as caught:
        read_statistics((SAMPLES / "malformed.csv").read_bytes(), file="m.csv")
    assert [str(p) for p in caught.value.problems] == [
        "m.csv:3: the same figure is given twice (first at line 2)",
        "m.csv:4: region: is empty",
        'm.csv:4: period: "2026-13" is not YYYY, YYYY-MM or YYYY-MM-DD',
        'm.csv:4: indicator: unknown indicator "arbeitslose"; known: unemployed, '
        "job_seekers, employed, unemployment_rate, vacancies",
        'm.csv:4: gender: "w" is not female, male or diverse',
        'm.csv:4: value: "1.234.567" is neither a number (e.g. 1234 or 12,5; no thousands '
        "separators) nor one of the signs * - . x",
        'm.csv:5: value: "-5" is neither a number (e.g. 1234 or 12,5; no thousands '
        "separators) nor one of the signs * - . x",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("region,period,value\n", "missing column(s): indicator"),
        ("region,period,indicator,sex,value\n", "unexpected column(s): 'sex'"),
        ("region,period,indicator,value,value\n", "repeated column(s): value"),
        ("", "the file is empty"),
        ("region,period,indicator,value\n", "the file holds no figures"),
        ("region,period,indicator,value\nEving,2026,unemployed,1,2\n", "expected 4 columns"),
        (
            "region,period,indicator,kldb,wz,value\nEving,2026,employed,123456,Z,1\n",
            '"123456" is not a KldB 2010 code',
        ),
    ],
)
def test_broken_files(text: str, message: str) -> None:
    with pytest.raises(ImportFailed, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_statistics(text.encode(), file="x.csv")


def test_semicolons_as_german_excel_writes_them() -> None:
    text = "region;period;indicator;value\nEving;2026-10;unemployment_rate;12,4\n"
    (row,) = read_statistics(text.encode(), file="x.csv").rows
    assert row.value == Decimal("12.4")


def test_xlsx_reads_like_the_csv() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    from_csv = read_statistics(text.encode(), file="a.csv").rows
    from_xlsx = read_statistics(as_xlsx(text), file="a.xlsx").rows
    assert [(r.key, r.value, r.marker) for r in from_xlsx] == [
        (r.key, r.value, r.marker) for r in from_csv
    ]


def test_a_broken_xlsx_is_reported() -> None:
    with pytest.raises(ImportFailed, match="not a readable XLSX workbook"):
        read_statistics(b"PK\x03\x04 not really", file="a.xlsx")


@pytest.mark.django_db
def test_import_links_districts_and_keeps_signs(city: City) -> None:
    counts = statistics_import(statistics=read_statistics(SAMPLE.read_bytes(), file="a.csv")).counts
    assert counts == {
        "figures_created": 10,
        "figures_changed": 0,
        "figures_unchanged": 0,
        "without_value": 4,
    }
    suppressed = Statistic.objects.get(marker="*")
    assert suppressed.value is None and suppressed.district == city.district
    assert Statistic.objects.filter(district=city.district).count() == 5
    assert not Statistic.objects.filter(region="Dortmund", district__isnull=False).exists()
    assert Statistic.objects.filter(value=0).count() == 0


@pytest.mark.django_db
def test_a_re_import_replaces_figures_and_a_bad_file_writes_nothing(city: City) -> None:
    statistics_import(statistics=read_statistics(SAMPLE.read_bytes(), file="a.csv"))
    revised = "region,period,indicator,age_band,gender,legal_branch,value\n" \
        "Eving,2026-10,unemployed,15-24,male,SGB II,12\n"  # fmt: skip
    counts = statistics_import(statistics=read_statistics(revised.encode(), file="b.csv")).counts
    assert counts["figures_changed"] == 1 and counts["figures_created"] == 0
    key = ("Eving", "2026-10", "unemployed", "15-24", "male", "", "SGB II")
    assert figures()[key] == (Decimal(12), "")
    before = figures()
    with pytest.raises(ImportFailed):
        read_statistics((SAMPLES / "malformed.csv").read_bytes(), file="m.csv")
    assert figures() == before and Statistic.objects.count() == 10
