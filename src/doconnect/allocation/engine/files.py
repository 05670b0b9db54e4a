"""The allocation's CSV files: reading (checked, line-numbered problems), writing (atomic)
and the whole file-mode run that ``doconnect allocate`` calls.

Files (UTF-8, with or without BOM; commas or semicolons; header in line 1, columns in
any order; blank lines are skipped)::

    persons     person_id,priority           priority an integer >= 1
    places      place_id,capacity            capacity an integer >= 0
    candidates  person_id,place_id,cost      cost an integer >= 0; ids must be known,
                                             each (person, place) pair at most once
    out         person_id,place_id,cost      the assigned persons, in the persons' order

Pure (NumPy, no Django). Speed: a candidates file of 3,000,000 lines is read in chunks of
a few megabytes; a chunk whose bytes have the regular shape (no quotes, no blanks, the
right number of separators on every line — checked with NumPy) is split with ``str.split``
and converted column by column in C (``map(int)``, dict lookups into ``np.fromiter``);
any other chunk, and any value the fast conversion refuses, is read again line by line to
say exactly what is wrong where. Both ways give the same result.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from doconnect.allocation.engine.greedy import greedy
from doconnect.allocation.engine.optimal import network, solve
from doconnect.allocation.engine.problem import AllocationProblem, duplicate_pairs
from doconnect.allocation.engine.result import Allocation, advantage
from doconnect.files.atomic import write_atomically
from doconnect.files.importing import ImportFailed, ImportProblem, header_problem

PERSON_COLUMNS: tuple[str, ...] = ("person_id", "priority")
PLACE_COLUMNS: tuple[str, ...] = ("place_id", "capacity")
CANDIDATE_COLUMNS: tuple[str, ...] = ("person_id", "place_id", "cost")
OUT_COLUMNS: tuple[str, ...] = ("person_id", "place_id", "cost")

# Upper limits of the numbers in the files; the engine checks the exact 64-bit limit of
# their combination (see ``engine.network``).
MAX_PRIORITY = 1_000_000
MAX_CAPACITY = 1_000_000_000
MAX_COST = 1_000_000_000
# Problems kept per file: a file with a wrong column can have millions.
LISTED_PROBLEMS = 1_000
CHUNK_BYTES = 1 << 23

Progress = Callable[[str], None]
IntArray = npt.NDArray[np.int64]
_INTEGER = re.compile(r"-?[0-9]+")
_TOO_LONG = re.compile(r"[0-9]{19}")  # could overflow int64
_NEWLINE = 10


# --------------------------------------------------------------------------- reading


@dataclass
class _Problems:
    """Problems of one file, at most ``LISTED_PROBLEMS`` kept (the first by line)."""

    file: str
    found: list[ImportProblem] = field(default_factory=list)
    count: int = 0

    def add(self, line: int, field_name: str, message: str) -> None:
        self.count += 1
        self.found.append(ImportProblem(self.file, line, field_name, message))
        if len(self.found) > 4 * LISTED_PROBLEMS:
            self.found = sorted(self.found)[:LISTED_PROBLEMS]

    def listed(self) -> list[ImportProblem]:
        shown = sorted(self.found)[:LISTED_PROBLEMS]
        if self.count > len(shown):
            more = self.count - len(shown)
            shown.append(
                ImportProblem(self.file, shown[-1].line, "", f"… {more:,} more problems here")
            )
        return shown


@dataclass
class _Chunk:
    """Some rows of a file: the values of each wanted column and each row's line."""

    columns: list[list[str]]
    lines: IntArray


class _Irregular(Exception):
    """This chunk needs the careful line-by-line reading."""


def _header(data: bytes, file: str, expected: Sequence[str]) -> tuple[bytes, list[int], int, int]:
    """``(delimiter, positions of the expected columns, width, offset of line 2)`` of a
    file without its byte order mark."""
    end = data.find(b"\n")
    first = data[: end if end >= 0 else len(data)]
    try:
        text = first.decode("utf-8").strip("\r\n")
    except UnicodeDecodeError:
        raise ImportFailed([ImportProblem(file, 1, "header", "not valid UTF-8")]) from None
    if not text.strip():
        raise ImportFailed([ImportProblem(file, 1, "header", "the file is empty")])
    delimiter = ";" if text.count(";") > text.count(",") else ","
    names = [name.strip().strip('"') for name in text.split(delimiter)]
    problem = header_problem(file, names, expected)
    if problem is not None:
        raise ImportFailed([problem])
    offset = end + 1 if end >= 0 else len(data)
    return delimiter.encode(), [names.index(c) for c in expected], len(names), offset


def _chunks(body: bytes, first_line: int) -> Iterator[tuple[bytes, int]]:
    """Slices of ``body`` ending at line ends, each with the number of its first line."""
    start, line = 0, first_line
    while start < len(body):
        end = body.find(b"\n", min(start + CHUNK_BYTES, len(body)) - 1)
        end = len(body) if end < 0 else end + 1
        piece = body[start:end]
        yield piece, line
        line += piece.count(b"\n")
        start = end


def _fast_chunk(piece: bytes, line: int, delimiter: bytes, take: list[int], width: int) -> _Chunk:
    """Split a chunk of regular shape at C speed, or raise :class:`_Irregular`."""
    if b"\r" in piece:
        piece = piece.replace(b"\r\n", b"\n")
        if b"\r" in piece:
            raise _Irregular
    if not piece.endswith(b"\n"):
        piece += b"\n"
    raw = np.frombuffer(piece, dtype=np.uint8)
    separators = raw[np.flatnonzero((raw == delimiter[0]) | (raw == _NEWLINE))]
    rows = len(separators) // width
    if len(separators) != rows * width:
        raise _Irregular
    shape = separators.reshape(rows, width)
    if not ((shape[:, -1] == _NEWLINE).all() and (shape[:, :-1] == delimiter[0]).all()):
        raise _Irregular
    if b" " in piece or b"\t" in piece or b"\n\n" in piece or piece.startswith(b"\n"):
        raise _Irregular  # spaces to strip or blank lines: the careful way
    try:
        text = piece.decode("utf-8")
    except UnicodeDecodeError:
        raise _Irregular from None
    fields = text.replace("\n", delimiter.decode()).split(delimiter.decode())
    fields.pop()  # after the last line end
    return _Chunk(
        columns=[fields[i::width] for i in take],
        lines=np.arange(line, line + rows, dtype=np.int64),
    )


def _careful_chunk(
    piece: bytes, line: int, delimiter: bytes, take: list[int], width: int, problems: _Problems
) -> _Chunk:
    """Line by line: strip spaces, skip blank lines, report wrong lines."""
    columns: list[list[str]] = [[] for _ in take]
    lines: list[int] = []
    sep = delimiter.decode()
    for number, raw in enumerate(piece.split(b"\n"), start=line):
        try:
            text = raw.decode("utf-8").rstrip("\r")
        except UnicodeDecodeError as exc:
            problems.add(
                number, "row", f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save as UTF-8"
            )
            continue
        if not text.strip():
            continue
        values = text.split(sep)
        if len(values) != width:
            problems.add(number, "row", f"expected {width} columns, found {len(values)}")
            continue
        for column, i in zip(columns, take, strict=True):
            column.append(values[i].strip())
        lines.append(number)
    return _Chunk(columns, np.array(lines, dtype=np.int64))


def _quoted_rows(
    body: bytes, line: int, delimiter: bytes, take: list[int], width: int, problems: _Problems
) -> Iterator[_Chunk]:
    """A file with quotes: Python's csv module, which knows quoting (slower)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        number = line + body.count(b"\n", 0, exc.start)
        problems.add(
            number, "row", f"not valid UTF-8 (byte 0x{body[exc.start]:02x}); save as UTF-8"
        )
        return
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter.decode(), strict=True)
    columns: list[list[str]] = [[] for _ in take]
    lines: list[int] = []
    line_end = 0
    while True:
        number = line + line_end
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.add(line + reader.line_num - 1, "row", f"malformed CSV: {exc}")
            break
        line_end = reader.line_num
        if not record or all(not v.strip() for v in record):
            continue
        if len(record) != width:
            problems.add(number, "row", f"expected {width} columns, found {len(record)}")
            continue
        for column, i in zip(columns, take, strict=True):
            column.append(record[i].strip())
        lines.append(number)
    yield _Chunk(columns, np.array(lines, dtype=np.int64))


def _rows(data: bytes, file: str, expected: Sequence[str], problems: _Problems) -> Iterator[_Chunk]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    delimiter, take, width, offset = _header(data, file, expected)
    body = data[offset:]
    if b'"' in body:
        yield from _quoted_rows(body, 2, delimiter, take, width, problems)
        return
    for piece, line in _chunks(body, 2):
        try:
            yield _fast_chunk(piece, line, delimiter, take, width)
        except _Irregular:
            yield _careful_chunk(piece, line, delimiter, take, width, problems)


def _integers(
    values: list[str],
    lines: IntArray,
    name: str,
    low: int,
    high: int,
    problems: _Problems,
) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """The column as int64 and a mask of the good values (the rest are reported)."""
    joined = "\n".join(values)
    if (
        joined.isascii()
        and joined.replace("\n", "").isdigit()
        and "\n\n" not in joined
        and not joined.startswith("\n")
        and not joined.endswith("\n")
        and not _TOO_LONG.search(joined)
    ):
        # Only ASCII digits, one number per line, none longer than 18 digits: NumPy's C
        # parser reads them exactly (three times faster than int() per value).
        numbers = np.fromstring(joined, dtype=np.int64, sep="\n")
        if len(numbers) == len(values):
            good = (numbers >= low) & (numbers <= high)
            for i in np.flatnonzero(~good).tolist():
                _range_problem(problems, int(lines[i]), name, int(numbers[i]), low, high)
            return numbers, good
    numbers = np.zeros(len(values), dtype=np.int64)
    good = np.zeros(len(values), dtype=bool)
    for i, value in enumerate(values):
        if not _INTEGER.fullmatch(value):
            problems.add(int(lines[i]), name, f"not an integer: {value!r}")
            continue
        number = int(value)
        if low <= number <= high:
            numbers[i], good[i] = number, True
        else:
            _range_problem(problems, int(lines[i]), name, number, low, high)
    return numbers, good


def _range_problem(
    problems: _Problems, line: int, name: str, value: int, low: int, high: int
) -> None:
    if value < low:
        problems.add(line, name, f"must be at least {low}, got {value}")
    else:
        problems.add(line, name, f"too large: {value} (at most {high:,})")


def _lookup(
    values: list[str], index: dict[str, int], lines: IntArray, name: str, problems: _Problems
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.bool_]]:
    """Indices of the ids (unknown ones are reported, their mask entry is False)."""
    try:
        found = np.fromiter(map(index.__getitem__, values), dtype=np.int32, count=len(values))
        return found, np.ones(len(values), dtype=bool)
    except KeyError:
        pass
    found = np.fromiter((index.get(v, -1) for v in values), dtype=np.int32, count=len(values))
    good = found >= 0
    kind = name.removesuffix("_id")
    for i in np.flatnonzero(~good).tolist():
        value = values[i]
        message = f"empty {kind} id" if not value else f"unknown {kind} id {value!r}"
        problems.add(int(lines[i]), name, message)
    return found, good


@dataclass
class _Table:
    """A persons or places file: ids, one integer per id, and the ids' index."""

    ids: list[str]
    values: IntArray
    index: dict[str, int]


def _read_table(
    data: bytes, file: str, columns: tuple[str, str], low: int, high: int, problems: _Problems
) -> _Table:
    id_name, value_name = columns
    ids: list[str] = []
    values: list[IntArray] = []
    lines: list[IntArray] = []
    for chunk in _rows(data, file, columns, problems):
        chunk_ids, texts = chunk.columns
        numbers, _ = _integers(texts, chunk.lines, value_name, low, high, problems)
        ids += chunk_ids
        values.append(numbers)
        lines.append(chunk.lines)
    all_lines = np.concatenate(lines) if lines else np.empty(0, dtype=np.int64)
    # The first line of each id wins (later ones are reported as duplicates).
    index = dict(zip(reversed(ids), range(len(ids) - 1, -1, -1), strict=True))
    if len(index) != len(ids) or "" in index:
        for i, value in enumerate(ids):
            if not value:
                kind = id_name.removesuffix("_id")
                problems.add(int(all_lines[i]), id_name, f"empty {kind} id")
            elif (first := index[value]) != i:
                problems.add(
                    int(all_lines[i]),
                    id_name,
                    f"duplicate {id_name} {value!r} (first on line {int(all_lines[first])})",
                )
    index.pop("", None)
    return _Table(
        ids=ids,
        values=np.concatenate(values) if values else np.empty(0, dtype=np.int64),
        index=index,
    )


def _read_candidates(
    data: bytes,
    file: str,
    persons: dict[str, int],
    places: dict[str, int],
    problems: _Problems,
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], IntArray, IntArray]:
    person_parts: list[npt.NDArray[np.int32]] = []
    place_parts: list[npt.NDArray[np.int32]] = []
    cost_parts: list[IntArray] = []
    line_parts: list[IntArray] = []
    for chunk in _rows(data, file, CANDIDATE_COLUMNS, problems):
        person_ids, place_ids, costs = chunk.columns
        person, ok_person = _lookup(person_ids, persons, chunk.lines, "person_id", problems)
        place, ok_place = _lookup(place_ids, places, chunk.lines, "place_id", problems)
        cost, _ = _integers(costs, chunk.lines, "cost", 0, MAX_COST, problems)
        # Rows with a bad cost stay for the duplicate check (any problem fails the run).
        good = ok_person & ok_place
        if not good.all():
            person, place, cost, lines = person[good], place[good], cost[good], chunk.lines[good]
        else:
            lines = chunk.lines
        person_parts.append(person)
        place_parts.append(place)
        cost_parts.append(cost)
        line_parts.append(lines)

    def joined(parts: list[Any], dtype: Any) -> Any:
        return np.concatenate(parts) if parts else np.empty(0, dtype=dtype)

    pair_person = joined(person_parts, np.int32)
    pair_place = joined(place_parts, np.int32)
    lines = joined(line_parts, np.int64)
    repeated = duplicate_pairs(pair_person, pair_place, max(len(places), 1))
    if len(repeated):
        key = pair_person.astype(np.int64) * max(len(places), 1) + pair_place
        firsts: dict[int, int] = {}
        for position in np.flatnonzero(np.isin(key, key[repeated])).tolist():
            firsts.setdefault(int(key[position]), int(lines[position]))
        person_names = {i: p for p, i in persons.items()}
        place_names = {j: o for o, j in places.items()}
        for position in repeated.tolist():
            problems.add(
                int(lines[position]),
                "place_id",
                f"duplicate pair ({person_names[int(pair_person[position])]!r}, "
                f"{place_names[int(pair_place[position])]!r}) "
                f"(first on line {firsts[int(key[position])]})",
            )
    return pair_person, pair_place, joined(cost_parts, np.int64), lines


def read_problem(
    persons: bytes, places: bytes, candidates: bytes, *, files: tuple[str, str, str]
) -> AllocationProblem:
    """The allocation problem the three files describe. Every problem in all three files
    is collected (at most ``LISTED_PROBLEMS`` per file); any raises
    :class:`ImportFailed`. Candidate lines naming an id whose own line is wrong (say,
    with a bad priority) are not reported again."""
    person_file, place_file, candidate_file = files
    found = [_Problems(person_file), _Problems(place_file), _Problems(candidate_file)]
    failed: list[ImportProblem] = []
    tables: list[_Table] = []
    for data, file, columns, low, high, problems in (
        (persons, person_file, PERSON_COLUMNS, 1, MAX_PRIORITY, found[0]),
        (places, place_file, PLACE_COLUMNS, 0, MAX_CAPACITY, found[1]),
    ):
        try:
            tables.append(_read_table(data, file, (columns[0], columns[1]), low, high, problems))
        except ImportFailed as exc:  # header: the file cannot be read at all
            failed += exc.problems
    if failed:
        raise ImportFailed(failed + found[0].listed() + found[1].listed())
    person_table, place_table = tables
    pair_person, pair_place, pair_cost, _ = _read_candidates(
        candidates, candidate_file, person_table.index, place_table.index, found[2]
    )
    listed = [p for problems in found for p in problems.listed()]
    if listed:
        raise ImportFailed(listed)
    return AllocationProblem(
        person_ids=person_table.ids,
        priority=person_table.values,
        place_ids=place_table.ids,
        capacity=place_table.values,
        pair_person=pair_person,
        pair_place=pair_place,
        pair_cost=pair_cost,
        check_duplicates=False,  # done above, with line numbers
    )


# --------------------------------------------------------------------------- writing


def assignments_csv(allocation: Allocation) -> str:
    """The output file's text: ``person_id,place_id,cost`` for each assigned person, in
    the persons' order."""
    problem = allocation.problem
    persons = np.flatnonzero(allocation.place >= 0)
    person_ids = problem.person_ids
    place_ids = problem.place_ids
    rows = zip(
        persons.tolist(),
        allocation.place[persons].tolist(),
        problem.pair_cost[allocation.pair[persons]].tolist(),
        strict=True,
    )
    body = "".join(f"{person_ids[i]},{place_ids[j]},{c}\n" for i, j, c in rows)
    return ",".join(OUT_COLUMNS) + "\n" + body


def summary(optimum: Allocation, baseline: Allocation) -> dict[str, Any]:
    """What the summary JSON holds (without timings)."""
    problem = optimum.problem
    reasons = optimum.reason_counts()
    return {
        "persons": problem.person_count,
        "places": problem.place_count,
        "candidates": problem.pair_count,
        "capacity": int(problem.capacity.sum(dtype=np.int64)),
        **optimum.totals(),
        "unassigned_by_reason": {r: c for r, c in reasons.items() if r != "assigned"},
        "greedy": baseline.totals(),
        "advantage_over_greedy": advantage(optimum, baseline),
    }


# --------------------------------------------------------------------------- the run


PHASES = ("reading", "building", "solving", "comparing", "writing")


@dataclass
class _Clock:
    progress: Progress | None
    started: float = field(default_factory=time.perf_counter)
    seconds: dict[str, float] = field(default_factory=dict)

    def phase(self, name: str, started: float, what: str = "") -> None:
        now = time.perf_counter()
        self.seconds[name] = round(now - started, 3)
        if self.progress is not None:
            step = PHASES.index(name) + 1
            self.progress(
                f"[{step}/{len(PHASES)}] {name:<9} {now - started:7.2f} s"
                f"  (total {now - self.started:6.2f} s){'  ' + what if what else ''}"
            )


@dataclass(frozen=True)
class FileRun:
    optimum: Allocation
    baseline: Allocation
    summary: dict[str, Any]


def allocate_files(
    persons: str | Path,
    places: str | Path,
    candidates: str | Path,
    out: str | Path,
    summary_path: str | Path | None = None,
    *,
    progress: Progress | None = None,
) -> FileRun:
    """The file mode of ``doconnect allocate``: read and check the three files, solve,
    run the greedy baseline, write the assignments (and the summary). Raises
    :class:`ImportFailed` for bad files and ``OSError`` for unreadable ones; writes
    nothing unless everything succeeded."""
    clock = _Clock(progress)
    started = time.perf_counter()
    paths = (Path(persons), Path(places), Path(candidates))
    data = [path.read_bytes() for path in paths]
    problem = read_problem(*data, files=(str(paths[0]), str(paths[1]), str(paths[2])))
    del data
    clock.phase(
        "reading",
        started,
        f"{problem.person_count:,} persons, {problem.place_count:,} places, "
        f"{problem.pair_count:,} candidate pairs",
    )
    started = time.perf_counter()
    net = network(problem) if problem.pair_count and problem.person_count else None
    clock.phase(
        "building",
        started,
        f"{problem.pair_count + problem.person_count + problem.place_count:,} arcs",
    )
    started = time.perf_counter()
    optimum = solve(problem, net)
    del net
    clock.phase("solving", started, f"{optimum.assigned:,} placed")
    started = time.perf_counter()
    baseline = greedy(problem)
    clock.phase("comparing", started, f"greedy baseline places {baseline.assigned:,}")
    started = time.perf_counter()
    figures = summary(optimum, baseline)
    outputs = [(Path(out), assignments_csv(optimum))]
    if summary_path is not None:
        figures["seconds"] = clock.seconds
        outputs.append((Path(summary_path), json.dumps(figures, indent=2) + "\n"))
    write_atomically(outputs)
    clock.phase("writing", started, str(out))
    figures["seconds"] = clock.seconds
    return FileRun(optimum=optimum, baseline=baseline, summary=figures)
