"""The spells CSV: one spell per row, ``person_id,state,start,end,organisation,offer_id``
and optionally ``kldb`` (the occupation as a five-digit KldB 2010 code; for an
unemployment spell the occupation sought).
Pure (no Django): reading checks everything a row can say about itself and the
overlaps between spells; the service adds what only the database knows.

Line numbers are physical lines (the header is line 1), so a quoted field running over
several lines still points at the line an editor shows.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, TextIO

from doconnect.files.importing import (
    EARLIEST_DATE,
    ImportFailed,
    ImportProblem,
    csv_records,
    date_window_problem,
    header_problem,
    latest_date,
    parse_iso_date,
)
from doconnect.files.tables import TableWriter
from doconnect.people.biography import SIDE_STATES, SpellSpan, overlap_conflicts

SPELL_COLUMNS: tuple[str, ...] = ("person_id", "state", "start", "end", "organisation", "offer_id")
# Columns a file may have; the export always writes them.
OPTIONAL_SPELL_COLUMNS: tuple[str, ...] = ("kldb",)
EXPORT_COLUMNS: tuple[str, ...] = (*SPELL_COLUMNS, *OPTIONAL_SPELL_COLUMNS)
_KLDB = re.compile(r"\d{5}")


@dataclass(slots=True)
class SpellRow:
    person_id: str
    state: str
    start: dt.date
    end: dt.date | None
    organisation: str = ""
    offer_id: str = ""
    kldb: str = ""  # KldB 2010 Berufsgattung (5 digits) or empty
    line: int = field(default=0, compare=False)  # in the file; 0 when read from the database


@dataclass(frozen=True)
class SpellRows:
    """A read spells file. Rows with problems are left out of ``rows``."""

    file: str
    rows: tuple[SpellRow, ...] = ()
    problems: tuple[ImportProblem, ...] = ()


@dataclass(frozen=True)
class ExistingSpell:
    """A spell already in the database, as the overlap check needs it."""

    state: str
    start: dt.date
    end: dt.date | None
    organisation: str = ""
    offer_id: str = ""


def _row_problems(
    file: str,
    line: int,
    values: Sequence[str],
    states: Collection[str],
) -> list[ImportProblem]:
    """Why a row was refused; only called for rows that failed the quick check."""
    person_id, state, start_text, end_text = values[:4]
    kldb = values[6]
    found: list[ImportProblem] = []

    def problem(name: str, message: str) -> None:
        found.append(ImportProblem(file, line, name, message))

    if not person_id:
        problem("person_id", "is required")
    if not state:
        problem("state", "is required")
    elif state not in states:
        problem("state", f'unknown state "{state}"; expected one of: {", ".join(states)}')
    start = parse_iso_date(start_text)
    if start is None:
        problem(
            "start",
            f'expected a date as YYYY-MM-DD, found "{start_text}"' if start_text else "is required",
        )
    elif outside := date_window_problem(start):
        problem("start", outside)
    end = parse_iso_date(end_text) if end_text else None
    if end_text and end is None:
        problem("end", f'expected a date as YYYY-MM-DD or empty, found "{end_text}"')
    elif end is not None and (outside := date_window_problem(end)):
        problem("end", outside)
    if start is not None and end is not None and end < start:
        problem("end", f"{end} is before start {start}")
    if kldb and not _KLDB.fullmatch(kldb):
        problem("kldb", f'expected a KldB 2010 code of 5 digits or empty, found "{kldb}"')
    return found


# Rows checked and handed on at a time: a large file is read as it is imported, not
# held whole (a 50 MB file once took 675 MB).
CHUNK_ROWS = 20_000


def read_spells_csv(data: bytes, *, file: str, states: Collection[str]) -> SpellRows:
    """Read and check a whole spells file held in memory (see ``spell_chunks``)."""
    rows: list[SpellRow] = []
    problems: list[ImportProblem] = []
    for chunk in spell_chunks(io.BytesIO(data), file=file, states=states):
        rows.extend(chunk.rows)
        problems.extend(chunk.problems)
    return SpellRows(file=file, rows=tuple(rows), problems=tuple(problems))


def spell_chunks(
    stream: IO[bytes], *, file: str, states: Collection[str], chunk_rows: int = CHUNK_ROWS
) -> Iterator[SpellRows]:
    """Read and check a spells file from ``stream``, ``chunk_rows`` rows at a time. A bad
    encoding, an empty file or a wrong header raise ImportFailed at once (no row can be
    read); every row problem is collected in ``SpellRows.problems`` of its chunk. The
    columns may come in any order, separated by commas or semicolons; the ``kldb``
    column may be left out."""
    records = csv_records(stream, file=file, row_field="row")
    first = next(records, None)
    if first is None:
        raise ImportFailed([ImportProblem(file, 1, "header", "the file is empty")])
    header = first[1]
    names = [name.strip() for name in header]
    expected = SPELL_COLUMNS + tuple(c for c in OPTIONAL_SPELL_COLUMNS if c in names)
    problem = header_problem(file, names, expected)
    if problem is not None:
        raise ImportFailed([problem])
    position = {name: i for i, name in enumerate(names)}
    columns = [position[c] for c in expected]
    has_kldb = "kldb" in position
    width = len(header)
    allowed_states = frozenset(states)
    earliest, latest = EARLIEST_DATE, latest_date()

    rows: list[SpellRow] = []
    problems: list[ImportProblem] = []
    while True:
        if len(rows) >= chunk_rows:
            yield SpellRows(file=file, rows=tuple(rows), problems=tuple(problems))
            rows, problems = [], []
        try:
            line, record = next(records)
        except StopIteration:
            break
        except ImportFailed as exc:  # a malformed record ends the file, with the rest
            problems.extend(exc.problems)
            break
        if not record or (len(record) == 1 and not record[0].strip()):
            continue  # blank lines, e.g. at the end of a hand-edited file
        if len(record) != width:
            problems.append(
                ImportProblem(file, line, "row", f"expected {width} columns, found {len(record)}")
            )
            continue
        values = [record[i].strip() for i in columns]
        if not has_kldb:
            values.append("")
        person_id, state, start_text, end_text, organisation, offer_id, kldb = values
        start = parse_iso_date(start_text)
        end = parse_iso_date(end_text) if end_text else None
        # The quick check every good row passes; messages are only built for the rest.
        if (
            person_id
            and state in allowed_states
            and start is not None
            and earliest <= start <= latest
            and (end is None or end <= latest)
            and (end is None) == (not end_text)
            and (end is None or end >= start)
            and (not kldb or _KLDB.fullmatch(kldb))
        ):
            rows.append(SpellRow(person_id, state, start, end, organisation, offer_id, kldb, line))
        else:
            problems.extend(_row_problems(file, line, values, states))
    yield SpellRows(file=file, rows=tuple(rows), problems=tuple(problems))


def _describe(state: str, start: dt.date, end: dt.date | None) -> str:
    return f"{state} {start}–{end or 'open'}"


def overlap_problems(
    spells: SpellRows, existing: Mapping[str, Sequence[ExistingSpell]]
) -> list[ImportProblem]:
    """Rows that may not join their person's biography: an exact copy of a spell already
    there (in the database or earlier in the file), or an overlap the biography rules
    forbid (people/biography.py). A problem stands on the later row and names the
    earlier line or the stored spell. ``existing`` maps a person id to the stored
    spells."""
    by_person: dict[str, list[SpellRow]] = defaultdict(list)
    for row in spells.rows:
        by_person[row.person_id].append(row)
    problems: list[ImportProblem] = []
    for person_id, person_rows in by_person.items():
        stored = existing.get(person_id, ())
        seen: dict[tuple[object, ...], str] = {
            (s.state, s.start, s.end, s.organisation, s.offer_id): "a stored spell" for s in stored
        }
        spans = [SpellSpan(s.state, s.start, s.end, ref=None) for s in stored]
        for row in person_rows:
            key = (row.state, row.start, row.end, row.organisation, row.offer_id)
            if key in seen:
                problems.append(
                    ImportProblem(
                        spells.file,
                        row.line,
                        "start",
                        f"the same spell of {person_id} is already {seen[key]} "
                        f"({_describe(row.state, row.start, row.end)})",
                    )
                )
                continue
            seen[key] = f"in line {row.line}"
            spans.append(SpellSpan(row.state, row.start, row.end, ref=row))
        # One problem per refused row, naming everything it overlaps.
        overlapped: dict[int, tuple[SpellSpan, list[SpellSpan]]] = {}
        for first, second in overlap_conflicts(spans):
            later, earlier = _later_in_file(first, second)
            if later is not None:  # two stored spells that overlap are not this file's doing
                overlapped.setdefault(id(later), (later, []))[1].append(earlier)
        problems.extend(
            _overlap_problem(spells.file, person_id, span, others)
            for span, others in overlapped.values()
        )
    return problems


def _later_in_file(a: SpellSpan, b: SpellSpan) -> tuple[SpellSpan | None, SpellSpan]:
    """The span of the two whose row comes later in the file (a stored spell, ref None,
    counts as earlier than every row), and the other one."""
    a_line = a.ref.line if isinstance(a.ref, SpellRow) else 0
    b_line = b.ref.line if isinstance(b.ref, SpellRow) else 0
    if not (a_line or b_line):
        return None, b
    return (a, b) if a_line > b_line else (b, a)


_LIST_AT_MOST = 3


def _overlap_problem(
    file: str, person_id: str, span: SpellSpan, others: list[SpellSpan]
) -> ImportProblem:
    assert isinstance(span.ref, SpellRow)
    named = [
        f"{f'line {o.ref.line}' if isinstance(o.ref, SpellRow) else 'a stored spell'} "
        f"({_describe(o.state, o.start, o.end)})"
        for o in others[:_LIST_AT_MOST]
    ]
    if len(others) > _LIST_AT_MOST:
        named.append(f"and {len(others) - _LIST_AT_MOST} more")
    return ImportProblem(
        file,
        span.ref.line,
        "start",
        f"{_describe(span.state, span.start, span.end)} of {person_id} overlaps "
        f"{', '.join(named)}; only {', '.join(sorted(SIDE_STATES))} may overlap other spells",
    )


def write_spells_csv(rows: Iterable[SpellRow], out: TextIO) -> int:
    """Write rows in the import format, with the kldb column; returns how many."""
    writer = TableWriter(out)
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for row in rows:
        writer.writerow(
            [
                row.person_id,
                row.state,
                row.start.isoformat(),
                row.end.isoformat() if row.end else "",
                row.organisation,
                row.offer_id,
                row.kldb,
            ]
        )
        count += 1
    return count
