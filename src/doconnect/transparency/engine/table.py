"""Two-way tables from long rows, the CSV files of ``doconnect disclose`` and the
protected table as CSV.

Input (UTF-8, with or without BOM; commas or semicolons; a header line; other columns
are ignored; blank lines are skipped): one line per (row label, column label, value),
value a whole number ≥ 0. Lines with the same (row, column) pair are **summed**, so a
file of individual records with value 1 gives the counts. Labels keep the order of
their first appearance; pairs that never appear are 0.

Output (UTF-8, commas): a header line (the rows' column name, the column labels,
``total``), one line per row label with its cells (``*`` for suppressed) and the row
total, and a last line ``total`` with the column totals and the grand total.

Pure (NumPy, no Django).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from doconnect.files.importing import ImportFailed, ImportProblem, decode_utf8
from doconnect.files.tables import TableWriter
from doconnect.transparency.engine.suppress import Protection

TOTAL = "total"
SUPPRESSED = "*"
MAX_VALUE = 10**15  # far below the int64 limit, also for sums
_INTEGER = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True)
class TwoWayTable:
    """Counts by row label × column label."""

    row_labels: tuple[str, ...]
    col_labels: tuple[str, ...]
    cells: npt.NDArray[np.int64]


def two_way(rows: Iterable[tuple[str, str, int]]) -> TwoWayTable:
    """The table of ``(row label, column label, value)`` triples; repeated pairs are
    summed, missing pairs are 0, labels in the order they first appear."""
    row_index: dict[str, int] = {}
    col_index: dict[str, int] = {}
    sums: dict[tuple[int, int], int] = {}
    for row, col, value in rows:
        if value < 0:
            raise ValueError(f"negative value {value} for ({row!r}, {col!r})")
        i = row_index.setdefault(row, len(row_index))
        j = col_index.setdefault(col, len(col_index))
        sums[(i, j)] = sums.get((i, j), 0) + int(value)
    cells = np.zeros((len(row_index), len(col_index)), dtype=np.int64)
    for (i, j), value in sums.items():
        cells[i, j] = value
    return TwoWayTable(tuple(row_index), tuple(col_index), cells)


def _delimiter(header: str) -> str:
    return ";" if header.count(";") > header.count(",") else ","


def read_long_csv(path: str | Path, rows: str, cols: str, value: str) -> TwoWayTable:
    """Read ``path`` into a two-way table; every problem as FILE:LINE: column: message
    in one :class:`ImportFailed`."""
    file = str(path)
    text = decode_utf8(Path(path).read_bytes(), file=file)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise ImportFailed([ImportProblem(file, 1, "", "the file is empty (no header line)")])
    delimiter = _delimiter(lines[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip() for name in next(reader)]
    wanted = {"--rows": rows, "--cols": cols, "--value": value}
    problems: list[ImportProblem] = []
    missing = [f"{name} ({option})" for option, name in wanted.items() if name not in header]
    if missing:
        problems.append(
            ImportProblem(
                file,
                1,
                "header",
                f"missing column(s): {', '.join(missing)}; the file has: {', '.join(header)}",
            )
        )
    repeated = sorted({name for name in wanted.values() if header.count(name) > 1})
    if repeated:
        problems.append(
            ImportProblem(file, 1, "header", f"repeated column(s): {', '.join(repeated)}")
        )
    if len({rows, cols}) < 2:
        problems.append(ImportProblem(file, 1, "header", "--rows and --cols must differ"))
    if problems:
        raise ImportFailed(problems)
    at = {name: header.index(name) for name in (rows, cols, value)}
    triples: list[tuple[str, str, int]] = []
    for record in reader:
        line = reader.line_num
        if not any(field.strip() for field in record):
            continue
        if len(record) != len(header):
            problems.append(
                ImportProblem(file, line, "", f"{len(record)} fields, the header has {len(header)}")
            )
            continue
        row_label, col_label = record[at[rows]].strip(), record[at[cols]].strip()
        raw = record[at[value]].strip()
        bad = False
        for name, label in ((rows, row_label), (cols, col_label)):
            if not label:
                problems.append(ImportProblem(file, line, name, "empty label"))
                bad = True
            elif label == TOTAL:
                problems.append(
                    ImportProblem(file, line, name, f"the label {TOTAL!r} is kept for totals")
                )
                bad = True
        if not _INTEGER.fullmatch(raw):
            problems.append(ImportProblem(file, line, value, f"{raw!r} is not a whole number"))
            continue
        number = int(raw)
        if number < 0:
            problems.append(ImportProblem(file, line, value, f"{number} is negative"))
        elif number > MAX_VALUE:
            problems.append(ImportProblem(file, line, value, f"{number} is too large"))
        elif not bad:
            triples.append((row_label, col_label, number))
    if problems:
        raise ImportFailed(problems)
    if not triples:
        raise ImportFailed([ImportProblem(file, 1, "", "no data lines after the header")])
    table = two_way(triples)
    if int(table.cells.sum()) > MAX_VALUE:
        raise ImportFailed([ImportProblem(file, 1, value, "the grand total is too large")])
    return table


def format_protected(table: TwoWayTable, protection: Protection, rows_name: str) -> str:
    """The published table as CSV text: cells, ``*`` where suppressed, totals."""
    out = io.StringIO()
    writer = TableWriter(out)
    writer.writerow([rows_name, *table.col_labels, TOTAL])
    for i, label in enumerate(table.row_labels):
        cells = [
            SUPPRESSED if protection.suppressed[i, j] else str(int(protection.table[i, j]))
            for j in range(len(table.col_labels))
        ]
        writer.writerow([label, *cells, str(int(protection.row_totals[i]))])
    writer.writerow(
        [TOTAL, *(str(int(t)) for t in protection.col_totals), str(protection.grand_total)]
    )
    return out.getvalue()
