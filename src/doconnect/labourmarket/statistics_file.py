"""The long statistics format, as CSV or XLSX (first sheet): one figure per row,
``region,period,indicator,<dimension columns…>,value``. Pure (no Django); see the app's
README for the format. The BA's signs for a cell without a number (``*`` kept secret,
``-`` nothing there, ``.`` unknown, ``x`` not meaningful) and an empty cell become no
value with the sign kept, never a zero.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO

from doconnect.files.importing import ImportFailed, ImportProblem, csv_records
from doconnect.files.zipped import check_zip

REQUIRED_COLUMNS: tuple[str, ...] = ("region", "period", "indicator", "value")
DIMENSIONS: tuple[str, ...] = ("age_band", "gender", "duration", "legal_branch", "kldb", "wz")
INDICATORS: tuple[str, ...] = (
    "unemployed",
    "job_seekers",
    "employed",
    "unemployment_rate",
    "vacancies",
)
MARKERS: tuple[str, ...] = ("*", "-", ".", "x")

_PATTERNS: dict[str, tuple[re.Pattern[str], str]] = {
    "age_band": (re.compile(r"\d{1,2}-\d{1,2}|\d{1,2}\+"), "years from-to, e.g. 15-24, or 55+"),
    "gender": (re.compile(r"female|male|diverse"), "female, male or diverse"),
    "duration": (
        re.compile(r"under_3m|3_to_6m|6_to_12m|under_1y|1_to_2y|1y_plus|2y_plus"),
        "under_3m, 3_to_6m, 6_to_12m, under_1y, 1_to_2y, 1y_plus or 2y_plus",
    ),
    "legal_branch": (re.compile(r"SGB II|SGB III"), '"SGB II" or "SGB III"'),
    "kldb": (re.compile(r"\d{1,5}"), "a KldB 2010 code of 1 to 5 digits"),
    "wz": (
        re.compile(r"[A-U]|\d{2}(\.\d{1,2}(\.\d)?)?"),
        "a WZ 2008 section (A-U) or code (e.g. 47, 47.1, 47.11, 47.11.1)",
    ),
}
_PERIOD = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_NUMBER = re.compile(r"\d+(?:[.,]\d{1,3})?")
_REGION_MAX = 100
_VALUE_LIMIT = Decimal(10) ** 12


@dataclass(frozen=True)
class StatisticRow:
    region: str
    period: str
    indicator: str
    dimensions: tuple[tuple[str, str], ...]  # (name, value) for every dimension, "" = all
    value: Decimal | None
    marker: str  # one of MARKERS, or "" (a number, or an empty cell)
    line: int

    @property
    def key(self) -> tuple[str, ...]:
        return (self.region, self.period, self.indicator, *(v for _n, v in self.dimensions))


@dataclass(frozen=True)
class StatisticRows:
    """A read statistics file, or a chunk of one. Rows with problems are left out."""

    file: str
    rows: tuple[StatisticRow, ...]
    problems: tuple[ImportProblem, ...] = ()


def _period_ok(text: str) -> bool:
    match = _PERIOD.fullmatch(text)
    if not match:
        return False
    _year, month, day = match.groups()
    if month is not None and not 1 <= int(month) <= 12:
        return False
    return day is None or 1 <= int(day) <= 31


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _value(text: str) -> Decimal | None:
    """A number as statistics offices write it: digits with a decimal point or a
    German decimal comma, no thousands separators."""
    if not _NUMBER.fullmatch(text):
        return None
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None
    return number if number < _VALUE_LIMIT else None


def _xlsx_records(stream: IO[bytes], file: str) -> Iterator[tuple[int, list[str]]]:
    import openpyxl  # only needed for XLSX files

    check_zip(stream, file=file)
    try:
        # Read-only: openpyxl parses the sheet's XML as the rows are asked for.
        book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportFailed(
            [ImportProblem(file, 1, "", f"not a readable XLSX workbook ({exc})")]
        ) from exc
    try:
        sheet = book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(cell) for cell in row]
    finally:
        book.close()


def is_xlsx(stream: IO[bytes], file: str) -> bool:
    """An XLSX workbook by its name or its first bytes (a zip archive); the stream is
    left at its start."""
    if file.lower().endswith(".xlsx"):
        return True
    start = stream.read(4)
    stream.seek(0)
    return start == b"PK\x03\x04"


def _header(file: str, names: Sequence[str]) -> tuple[list[str], ImportProblem | None]:
    # Trailing empty columns (spreadsheets) do not count.
    names = list(names)
    while names and not names[-1]:
        names.pop()
    allowed = (*REQUIRED_COLUMNS, *DIMENSIONS)
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    unexpected = [n for n in names if n not in allowed]
    repeated = sorted({n for n in names if names.count(n) > 1})
    parts = []
    if missing:
        parts.append(f"missing column(s): {', '.join(missing)}")
    if unexpected:
        parts.append(f"unexpected column(s): {', '.join(repr(u) for u in unexpected)}")
    if repeated:
        parts.append(f"repeated column(s): {', '.join(repeated)}")
    if not parts:
        return names, None
    return names, ImportProblem(
        file,
        1,
        "header",
        "; ".join(parts)
        + f" (expected: region,period,indicator, any of {','.join(DIMENSIONS)}, value)",
    )


# Rows checked and handed on at a time: a large file is read as it is imported, not
# held whole (as the persons and spells imports do).
CHUNK_ROWS = 10_000


def read_statistics(data: bytes, *, file: str) -> StatisticRows:
    """Read and check a whole statistics file held in memory (see ``statistic_chunks``).
    Raises ImportFailed with every problem, each naming file, line and column."""
    rows: list[StatisticRow] = []
    problems: list[ImportProblem] = []
    for chunk in statistic_chunks(io.BytesIO(data), file=file):
        rows.extend(chunk.rows)
        problems.extend(chunk.problems)
    raise_unless_complete(file, problems, len(rows))
    return StatisticRows(file=file, rows=tuple(rows))


def raise_unless_complete(file: str, problems: Sequence[ImportProblem], figures: int) -> None:
    """The end of a file: ImportFailed with its problems, or because it holds no figure."""
    if problems:
        raise ImportFailed(problems)
    if not figures:
        raise ImportFailed([ImportProblem(file, 1, "", "the file holds no figures")])


def statistic_chunks(
    stream: IO[bytes], *, file: str, chunk_rows: int | None = None
) -> Iterator[StatisticRows]:
    """Read and check a statistics file (CSV, comma or semicolon, or XLSX; an XLSX stream
    must be seekable) from ``stream``, ``chunk_rows`` (``CHUNK_ROWS``) rows at a time. A
    bad encoding, an unreadable workbook, an empty file, a wrong header or a malformed
    CSV record raise ImportFailed when they are met (an importer writing the chunks as
    they come must roll back); every row problem, and a figure given twice, is in
    ``StatisticRows.problems`` of the chunk of its line. Across chunks only each
    figure's key and first line are kept, to find one given twice."""
    records = (
        _xlsx_records(stream, file)
        if is_xlsx(stream, file)
        else csv_records(stream, file=file, empty_field="")
    )
    header = next(records, None)
    if header is None:
        raise ImportFailed([ImportProblem(file, 1, "", "the file is empty")])
    names, bad = _header(file, [n.strip() for n in header[1]])
    if bad is not None:
        raise ImportFailed([bad])
    chunk_rows = chunk_rows or CHUNK_ROWS
    problems: list[ImportProblem] = []
    rows: list[StatisticRow] = []
    first: dict[bytes, int] = {}  # _key_digest(row) → the line the figure was first on
    for line, record in records:
        if len(rows) >= chunk_rows:
            yield StatisticRows(file=file, rows=tuple(rows), problems=tuple(problems))
            rows, problems = [], []
        row = _row(file, line, names, record, problems)
        if row is None:
            continue
        digest = _key_digest(row)
        if digest in first:
            problems.append(
                ImportProblem(
                    file,
                    line,
                    "",
                    f"the same figure is given twice (first at line {first[digest]})",
                )
            )
            continue
        first[digest] = line
        rows.append(row)
    yield StatisticRows(file=file, rows=tuple(rows), problems=tuple(problems))


def _key_digest(row: StatisticRow) -> bytes:
    """A figure's key in 16 bytes. Kept for every row of a file, so a key of nine strings
    (about 600 bytes a row as a tuple, 1 M rows: 600 MB) would undo the streaming; a
    128-bit digest makes two different keys taken for one practically impossible."""
    return hashlib.blake2b("\x1f".join(row.key).encode(), digest_size=16).digest()


def _row(
    file: str, line: int, names: Sequence[str], record: Sequence[str], problems: list[ImportProblem]
) -> StatisticRow | None:
    """The figure of one record, or None when it is blank or has problems (added to
    ``problems``)."""
    cells = [c.strip() for c in record]
    if not any(cells):
        return None
    if len(cells) > len(names) and any(cells[len(names) :]):
        problems.append(
            ImportProblem(file, line, "", f"expected {len(names)} columns, found {len(cells)}")
        )
        return None
    values = dict(zip(names, [*cells, *[""] * (len(names) - len(cells))], strict=False))
    found_before = len(problems)

    def problem(column: str, message: str) -> None:
        problems.append(ImportProblem(file, line, column, message))

    region = values["region"]
    if not region:
        problem("region", "is empty")
    elif len(region) > _REGION_MAX:
        problem("region", f"longer than {_REGION_MAX} characters")
    period = values["period"]
    if not _period_ok(period):
        problem("period", f'"{period}" is not YYYY, YYYY-MM or YYYY-MM-DD')
    indicator = values["indicator"]
    if indicator not in INDICATORS:
        problem("indicator", f'unknown indicator "{indicator}"; known: {", ".join(INDICATORS)}')
    dimensions = []
    for name in DIMENSIONS:
        text = values.get(name, "")
        pattern, expected = _PATTERNS[name]
        if text and not pattern.fullmatch(text):
            problem(name, f'"{text}" is not {expected}')
        dimensions.append((name, text))
    raw = values["value"]
    value: Decimal | None = None
    marker = ""
    if raw in MARKERS:
        marker = raw
    elif raw:
        value = _value(raw)
        if value is None:
            problem(
                "value",
                f'"{raw}" is neither a number (e.g. 1234 or 12,5; no thousands '
                f"separators) nor one of the signs {' '.join(MARKERS)}",
            )
    if len(problems) > found_before:
        return None
    return StatisticRow(region, period, indicator, tuple(dimensions), value, marker, line)
