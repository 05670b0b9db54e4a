"""The persons file another organisation's system delivers: one person per row, as CSV
(UTF-8 with or without BOM, comma or semicolon) or XLSX (the first sheet), with exactly
the columns of ``PERSON_COLUMNS``. Pure (no Django): reading checks everything a row can
say about itself and finds the same person twice in one file; the service
(``person_import_services``) adds what only the database knows.

Line numbers are physical lines (the header is line 1) for CSV and row numbers for
XLSX, so a problem points at the line an editor or a spreadsheet shows.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import IO

from doconnect.files.importing import (
    ImportFailed,
    ImportProblem,
    csv_records,
    date_window_problem,
    header_problem,
    parse_iso_date,
)
from doconnect.files.zipped import check_zip
from doconnect.people.matching import normalised_name

PERSON_COLUMNS: tuple[str, ...] = (
    "source_id",
    "given_name",
    "family_name",
    "birth_date",
    "gender",
    "postcode",
    "street",
    "district",
    "legal_branch",
    "school_qualification",
    "vocational_qualification",
    "target_groups",
    "consent_purpose",
    "consent_organisations",
    "consent_valid_from",
    "consent_valid_until",
)

# One file is one delivery, not a migration of a whole country: a city of 600,000 has
# some tens of thousands of persons in support. Anything bigger is refused before it
# fills the memory (an XLSX sheet can claim a million rows in a few kilobytes).
MAX_PERSON_ROWS = 100_000
# Uncompressed, the XML of 100,000 rows of 16 cells is well under this; a workbook that
# unpacks to more (or far more than its own size) is refused before openpyxl parses it
# (a "zip bomb", files.zipped).
MAX_XLSX_UNPACKED_BYTES = 512 * 1024 * 1024

# The lengths of the model fields (people/models.py); checked here so a long value is
# a line in the report, not a database error after half the file.
SOURCE_ID_MAX = 64
NAME_MAX = 100
STREET_MAX = 200
DISTRICT_MAX = 100
CODE_MAX = 60  # target group codes (TargetGroup.code)
ORGANISATION_MAX = 80  # Organisation.external_id
PURPOSE_MAX = 30  # a consent purpose code (people.models.ConsentPurpose)

_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_POSTCODE = re.compile(r"\d{5}")
_GERMAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_OLDEST_BIRTH = dt.date(1900, 1, 1)


@dataclass(frozen=True)
class PersonVocabulary:
    """The allowed codes, from the model choices (the caller passes them, so this
    module stays pure). An empty cell means the default."""

    genders: Collection[str]
    legal_branches: Collection[str]
    school_qualifications: Collection[str]
    vocational_qualifications: Collection[str]
    consent_purposes: Collection[str]
    default_gender: str = "unspecified"
    default_legal_branch: str = "none"
    default_qualification: str = "unknown"


@dataclass(frozen=True, slots=True)
class PersonRow:
    line: int
    source_id: str
    given_name: str
    family_name: str
    birth_date: dt.date
    gender: str
    postcode: str
    street: str
    district: str  # the district's official key or name, or empty
    legal_branch: str
    school_qualification: str
    vocational_qualification: str
    target_groups: tuple[str, ...]  # codes, sorted
    consent_purposes: tuple[str, ...]  # the column consent_purpose: codes, sorted
    consent_organisations: tuple[str, ...]  # organisation ids, sorted
    consent_valid_from: dt.date
    consent_valid_until: dt.date | None  # None: until withdrawn


@dataclass(frozen=True)
class PersonRows:
    """A read persons file. Rows with problems are left out of ``rows``."""

    file: str
    rows: tuple[PersonRow, ...] = ()
    problems: tuple[ImportProblem, ...] = ()


def same_person_key(row: PersonRow) -> tuple[str, dt.date]:
    """Two rows of one file with this key are the same person under two source ids: the
    name normalised as the duplicate check does it (case, umlauts, accents and the order
    of the name parts do not count) and the birth date."""
    return (normalised_name(row.given_name, row.family_name), row.birth_date)


def parse_date(text: str) -> dt.date | None:
    """YYYY-MM-DD, or DD.MM.YYYY as German spreadsheets write it; None otherwise."""
    found = parse_iso_date(text)
    if found is not None:
        return found
    match = _GERMAN_DATE.fullmatch(text)
    if match is None:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


# ---------------------------------------------------------------- the two file types


def is_xlsx(stream: IO[bytes], file: str) -> bool:
    """An XLSX workbook by its name or its first bytes (a zip archive); the stream is
    left at its start."""
    if file.lower().endswith(".xlsx"):
        return True
    start = stream.read(4)
    stream.seek(0)
    return start == b"PK\x03\x04"


def _too_many(file: str, line: int) -> ImportFailed:
    return ImportFailed(
        [
            ImportProblem(
                file,
                line,
                "",
                f"more than {MAX_PERSON_ROWS:,} persons in one file; split it into several files",
            )
        ]
    )


def _cell_text(value: object, column: str) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and column == "postcode":
        # A postcode typed into a number cell lost its leading zero (01067 → 1067).
        return str(value).zfill(5)
    return str(value).strip()


def _xlsx_records(stream: IO[bytes], file: str) -> Iterator[tuple[int, list[str]]]:
    import openpyxl  # only needed for XLSX files

    def refused(message: str) -> ImportFailed:
        return ImportFailed([ImportProblem(file, 1, "", message)])

    check_zip(
        stream,
        file=file,
        max_unpacked=MAX_XLSX_UNPACKED_BYTES,
        advice="save only the persons sheet",
    )
    try:
        # Read-only: openpyxl parses the sheet's XML as the rows are asked for.
        book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise refused(f"not a readable XLSX workbook ({exc})") from exc
    try:
        sheet = book.worksheets[0]
        # The sheet's stated size, when it has one, refuses a huge sheet before a row is
        # read; the count below catches a sheet that does not state it.
        stated = sheet.max_row if isinstance(sheet.max_row, int) else 0
        if stated > MAX_PERSON_ROWS + 1:
            raise _too_many(file, MAX_PERSON_ROWS + 2)
        # A spreadsheet may be formatted far to the right; cells past the known columns
        # (and a few to report a wrong header or row) are not read.
        rows = sheet.iter_rows(values_only=True, max_col=len(PERSON_COLUMNS) + 8)
        header = next(rows, None)
        if header is None:
            return
        names = [_cell_text(cell, "") for cell in header]
        yield 1, names
        columns = [name.strip() for name in names]
        for number, row in enumerate(rows, start=2):
            yield (
                number,
                [
                    _cell_text(cell, columns[i] if i < len(columns) else "")
                    for i, cell in enumerate(row)
                ],
            )
    finally:
        book.close()


# ---------------------------------------------------------------- rows


def _codes(text: str) -> list[str]:
    return text.split()


def _row_problems(
    file: str,
    line: int,
    values: dict[str, str],
    vocabulary: PersonVocabulary,
    today: dt.date,
) -> tuple[list[ImportProblem], PersonRow | None]:
    """The row's problems, and the row when it has none."""
    found: list[ImportProblem] = []

    def problem(column: str, message: str) -> None:
        found.append(ImportProblem(file, line, column, message))

    def text(column: str, maximum: int, *, required: bool) -> str:
        value = values[column]
        if not value:
            if required:
                problem(column, "is required")
        elif len(value) > maximum:
            problem(column, f"longer than {maximum} characters")
        elif _CONTROL.search(value):
            problem(column, "contains a control character (a line break or tab?)")
        return value

    def code(column: str, allowed: Collection[str], default: str) -> str:
        value = values[column] or default
        if value not in allowed:
            options = ", ".join(f'"{a}"' for a in allowed)
            problem(column, f'unknown value "{value}"; expected one of: {options} (or empty)')
        return value

    def date(column: str, *, required: bool) -> dt.date | None:
        value = values[column]
        if not value:
            if required:
                problem(column, "is required")
            return None
        day = parse_date(value)
        if day is None:
            problem(column, f'expected a date as YYYY-MM-DD (or DD.MM.YYYY), found "{value}"')
        elif column != "birth_date" and (outside := date_window_problem(day)):
            # The birth date has its own, narrower window below (1900 to today).
            problem(column, outside)
            return None
        return day

    def code_list(column: str, maximum: int, what: str) -> tuple[str, ...]:
        codes = _codes(values[column])
        for item in codes:
            if not _SLUG.fullmatch(item) or len(item) > maximum:
                problem(
                    column,
                    f'{what} "{item}" may contain only letters, digits, "-" and "_" '
                    f"(at most {maximum}); separate several by spaces",
                )
        repeated = sorted({c for c in codes if codes.count(c) > 1})
        if repeated:
            problem(column, f"{what} listed twice: {', '.join(repeated)}")
        return tuple(sorted(set(codes)))

    source_id = text("source_id", SOURCE_ID_MAX, required=True)
    given_name = text("given_name", NAME_MAX, required=True)
    family_name = text("family_name", NAME_MAX, required=True)
    birth_date = date("birth_date", required=True)
    if birth_date is not None and not _OLDEST_BIRTH <= birth_date <= today:
        problem("birth_date", f"{birth_date} is not a possible birth date (1900 to today)")
    gender = code("gender", vocabulary.genders, vocabulary.default_gender)
    postcode = values["postcode"]
    if postcode and not _POSTCODE.fullmatch(postcode):
        problem("postcode", f'expected five digits or empty, found "{postcode}"')
    street = text("street", STREET_MAX, required=False)
    district = text("district", DISTRICT_MAX, required=False)
    legal_branch = code("legal_branch", vocabulary.legal_branches, vocabulary.default_legal_branch)
    school = code(
        "school_qualification",
        vocabulary.school_qualifications,
        vocabulary.default_qualification,
    )
    vocational = code(
        "vocational_qualification",
        vocabulary.vocational_qualifications,
        vocabulary.default_qualification,
    )
    target_groups = code_list("target_groups", CODE_MAX, "target group")
    # One consent may be given for several purposes, separated by spaces.
    purposes = code_list("consent_purpose", PURPOSE_MAX, "purpose")
    if not values["consent_purpose"]:
        problem("consent_purpose", "is required")
    for purpose in purposes:
        if purpose not in vocabulary.consent_purposes:
            options = ", ".join(f'"{p}"' for p in vocabulary.consent_purposes)
            problem(
                "consent_purpose",
                f'unknown purpose "{purpose}"; expected one or more of: {options}',
            )
    organisations = code_list("consent_organisations", ORGANISATION_MAX, "organisation id")
    if not values["consent_organisations"]:
        problem("consent_organisations", "is required: the ids of the organisations it covers")
    valid_from = date("consent_valid_from", required=True)
    valid_until = date("consent_valid_until", required=False)
    if valid_from and valid_until and valid_until < valid_from:
        problem("consent_valid_until", f"{valid_until} is before consent_valid_from {valid_from}")
    if found:
        return found, None
    assert birth_date is not None and valid_from is not None
    return [], PersonRow(
        line=line,
        source_id=source_id,
        given_name=given_name,
        family_name=family_name,
        birth_date=birth_date,
        gender=gender,
        postcode=postcode,
        street=street,
        district=district,
        legal_branch=legal_branch,
        school_qualification=school,
        vocational_qualification=vocational,
        target_groups=target_groups,
        consent_purposes=purposes,
        consent_organisations=organisations,
        consent_valid_from=valid_from,
        consent_valid_until=valid_until,
    )


class _SeenBefore:
    """The same person twice in one file: by source_id, or by name and birth date under
    another source_id. Kept across the chunks of a file (a line and a source id per
    person, not the rows), so a pair far apart in a large file is found too."""

    def __init__(self) -> None:
        self.by_source: dict[str, int] = {}  # source_id → line
        self.by_person: dict[tuple[str, dt.date], tuple[int, str]] = {}  # → line, source_id

    def problem(self, file: str, row: PersonRow) -> ImportProblem | None:
        """The problem of a row seen before, on its line and naming the earlier one;
        None (and the row remembered) when it is the first."""
        earlier_line = self.by_source.get(row.source_id)
        if earlier_line is not None:
            return ImportProblem(
                file,
                row.line,
                "source_id",
                f'"{row.source_id}" is in both line {earlier_line} and line {row.line}; '
                "each person once per file",
            )
        key = same_person_key(row)
        earlier = self.by_person.get(key)
        if earlier is not None:
            line, source_id = earlier
            return ImportProblem(
                file,
                row.line,
                "given_name",
                f"{row.given_name} {row.family_name}, born {row.birth_date}, is in both "
                f'line {line} (source_id "{source_id}") and line {row.line} '
                f'(source_id "{row.source_id}"); each person once per file',
            )
        self.by_source[row.source_id] = row.line
        self.by_person[key] = (row.line, row.source_id)
        return None


# Rows checked and handed on at a time: a large file is read as it is imported, not
# held whole (as the spells import does, spell_import.CHUNK_ROWS).
CHUNK_ROWS = 10_000


def read_persons(
    data: bytes,
    *,
    file: str,
    vocabulary: PersonVocabulary,
    today: dt.date,
) -> PersonRows:
    """Read and check a whole persons file held in memory (see ``person_chunks``)."""
    rows: list[PersonRow] = []
    problems: list[ImportProblem] = []
    for chunk in person_chunks(io.BytesIO(data), file=file, vocabulary=vocabulary, today=today):
        rows.extend(chunk.rows)
        problems.extend(chunk.problems)
    return PersonRows(file=file, rows=tuple(rows), problems=tuple(problems))


def person_chunks(
    stream: IO[bytes],
    *,
    file: str,
    vocabulary: PersonVocabulary,
    today: dt.date,
    chunk_rows: int | None = None,
) -> Iterator[PersonRows]:
    """Read and check a persons file (CSV or XLSX; an XLSX stream must be seekable) from
    ``stream``, ``chunk_rows`` (``CHUNK_ROWS``) rows at a time. A bad encoding, an
    unreadable workbook, an empty file, a wrong header, a malformed CSV record or a file
    over ``MAX_PERSON_ROWS`` raise ImportFailed when they are met (an importer writing the
    chunks as they come must roll back); every row problem, and every person found
    twice, is collected in ``PersonRows.problems`` of the chunk of its line."""
    xlsx = is_xlsx(stream, file)
    records = _xlsx_records(stream, file) if xlsx else csv_records(stream, file=file)
    header = next(records, None)
    if header is None:
        raise ImportFailed([ImportProblem(file, 1, "header", "the file is empty")])
    names = [name.strip() for name in header[1]]
    while names and not names[-1]:  # a spreadsheet's empty columns on the right
        names.pop()
    bad_header = header_problem(file, names, PERSON_COLUMNS)
    if bad_header is not None:
        raise ImportFailed([bad_header])
    width = len(names)
    chunk_rows = chunk_rows or CHUNK_ROWS
    seen = _SeenBefore()
    problems: list[ImportProblem] = []
    rows: list[PersonRow] = []
    count = 0
    for line, record in records:
        if len(rows) >= chunk_rows:
            yield PersonRows(file=file, rows=tuple(rows), problems=tuple(problems))
            rows, problems = [], []
        cells = [cell.strip() for cell in record]
        if not any(cells):
            continue  # blank lines, e.g. at the end of a hand-edited file
        count += 1
        if count > MAX_PERSON_ROWS:
            raise _too_many(file, line)
        if (len(cells) > width and any(cells[width:])) or (len(cells) < width and not xlsx):
            problems.append(
                ImportProblem(file, line, "", f"expected {width} columns, found {len(cells)}")
            )
            continue
        cells += [""] * (width - len(cells))  # a spreadsheet leaves empty cells out
        values = dict(zip(names, cells, strict=False))
        found, row = _row_problems(file, line, values, vocabulary, today)
        problems.extend(found)
        if row is None:
            continue
        twice = seen.problem(file, row)
        if twice is not None:
            problems.append(twice)
        else:
            rows.append(row)
    yield PersonRows(file=file, rows=tuple(rows), problems=tuple(problems))
