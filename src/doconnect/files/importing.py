"""What every importer reports: problems that name file, line and field, and the
all-or-nothing failure that carries them. Pure: the file readers under the apps use it
without Django."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    import _csv

# Strictly YYYY-MM-DD: date.fromisoformat alone would also take "20260101" or "2026-W01-1",
# which a city's files never mean and a round trip would not give back.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, order=True)
class ImportProblem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class ImportFailed(Exception):
    """Nothing was imported; ``problems`` says why, in file order."""

    def __init__(self, problems: Sequence[ImportProblem]) -> None:
        # A stable sort keeps the order in which problems on one line were found.
        self.problems: list[ImportProblem] = sorted(problems, key=lambda p: (p.file, p.line))
        super().__init__(self.format())

    def format(self, limit: int | None = None) -> str:
        shown = self.problems if limit is None else self.problems[: max(limit, 0)]
        lines = [str(p) for p in shown]
        hidden = len(self.problems) - len(shown)
        if hidden:
            lines.append(f"… and {hidden} more")
        return "\n".join(lines)


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote. ``counts`` keeps its insertion order for the summary."""

    file: str
    counts: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        parts = ", ".join(f"{name.replace('_', ' ')}: {n}" for name, n in self.counts.items())
        return f"{self.file}: imported ({parts})"


def raise_if_any(problems: Iterable[ImportProblem]) -> None:
    found = list(problems)
    if found:
        raise ImportFailed(found)


# Cached: a file of 100,000 spells holds a few thousand distinct dates.
@functools.lru_cache(maxsize=65_536)
def parse_iso_date(value: str) -> dt.date | None:
    """The date written as YYYY-MM-DD, or None when it is not a real date in that form."""
    if not _ISO_DATE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


# A date in a city's file lies between 1900 and ten years ahead; the years 1 and 9999
# are typing mistakes that would otherwise stretch every timeline and statistic.
EARLIEST_DATE = dt.date(1900, 1, 1)
FUTURE_YEARS = 10


def latest_date(today: dt.date | None = None) -> dt.date:
    """The last plausible date: ``FUTURE_YEARS`` after today (28 February for 29th)."""
    today = today or dt.date.today()
    try:
        return today.replace(year=today.year + FUTURE_YEARS)
    except ValueError:
        return today.replace(year=today.year + FUTURE_YEARS, day=28)


def date_window_problem(day: dt.date) -> str | None:
    """Why ``day`` is not a plausible date for an import, or None when it is."""
    latest = latest_date()
    if EARLIEST_DATE <= day <= latest:
        return None
    return f"{day.isoformat()} is outside the plausible dates {EARLIEST_DATE} to {latest}"


def decode_utf8(data: bytes, *, file: str) -> str:
    """The text of a UTF-8 file (a byte order mark is dropped); a bad byte is reported on
    its line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ImportFailed(
            [
                ImportProblem(
                    file,
                    line,
                    "",
                    f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                    "save the file as UTF-8",
                )
            ]
        ) from exc


def utf8_lines(stream: IO[bytes], *, file: str) -> Iterator[str]:
    """The lines of a UTF-8 file read from ``stream`` one at a time (with their line
    ends, as ``csv.reader`` wants them), so a large file is never held whole; a byte
    order mark is dropped, a bad byte is reported on its line with its offset in the
    file, like ``decode_utf8``."""
    offset = 0
    for number, raw in enumerate(stream, start=1):
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise ImportFailed(
                [
                    ImportProblem(
                        file,
                        number,
                        "",
                        f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset "
                        f"{offset + exc.start}); save the file as UTF-8",
                    )
                ]
            ) from exc
        offset += len(raw)
        yield text


def csv_records(
    stream: IO[bytes], *, file: str, row_field: str = "", empty_field: str = "header"
) -> Iterator[tuple[int, list[str]]]:
    """The records of a UTF-8 CSV file read from ``stream`` a line at a time, each with
    the physical line it starts on (the header is line 1, yielded first), so a large
    file is never held whole and a quoted field over several lines still points at the
    line an editor shows. Separated by semicolons when the first line has more of them
    than commas (German Excel), else by commas: the header is known, so its first line
    tells the separator without guessing from the data. An empty file, a bad byte or a
    malformed record raise ImportFailed on their line (``row_field`` names the field of
    a malformed record's problem, ``header`` on line 1; ``empty_field`` that of an empty
    file, so a reader keeps the message it has always given)."""
    lines = utf8_lines(stream, file=file)
    first_line = next(lines, None)
    if first_line is None:
        raise ImportFailed([ImportProblem(file, 1, empty_field, "the file is empty")])
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(itertools.chain([first_line], lines), delimiter=delimiter, strict=True)
    line_end = 0
    while True:
        line = line_end + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            field_name = "header" if reader.line_num <= 1 else row_field
            raise ImportFailed(
                [ImportProblem(file, reader.line_num, field_name, f"malformed CSV: {exc}")]
            ) from exc
        line_end = reader.line_num
        yield line, record


class _Semicolon(csv.excel):
    delimiter = ";"


def csv_reader(text: str) -> _csv.Reader:
    """A CSV reader of ``text``, separated by semicolons when its first line has some and
    no comma (German Excel writes semicolons), else by commas."""
    first_line = text.split("\n", 1)[0]
    dialect = _Semicolon if ";" in first_line and "," not in first_line else csv.excel
    return csv.reader(io.StringIO(text), dialect)


def header_problem(
    file: str, names: Sequence[str], expected: Sequence[str]
) -> ImportProblem | None:
    """The problem with a CSV header line (line 1): missing, unexpected or repeated
    columns, all named at once; None when it has exactly the expected columns."""
    missing = [c for c in expected if c not in names]
    unexpected = [n for n in names if n not in expected]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if not (missing or unexpected or repeated):
        return None
    parts = []
    if missing:
        parts.append(f"missing column(s): {', '.join(missing)}")
    if unexpected:
        parts.append(f"unexpected column(s): {', '.join(repr(u) for u in unexpected)}")
    if repeated:
        parts.append(f"repeated column(s): {', '.join(repeated)}")
    return ImportProblem(file, 1, "header", "; ".join(parts) + f" (expected: {','.join(expected)})")
