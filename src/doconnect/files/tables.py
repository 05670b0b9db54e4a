"""Writing tables (CSV and XLSX) that a spreadsheet cannot mistake for formulas. Pure
(no Django): every CSV or XLSX export of the platform writes its cells through here.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
run as a formula by Excel and LibreOffice (OWASP "CSV injection": a vacancy title
``=cmd|' /C calc'!A0`` from a BA file would start a program on a case worker's PC). Such
a text gets a ``'`` in front, which the spreadsheet shows as text. Numbers are written
by the exporter's own format (a Python number's text is never a formula; ``-5`` stays a
number), dates as YYYY-MM-DD.

- ``neutralise(text)``: the text safe for a spreadsheet cell.
- ``TableWriter(out, delimiter=, lineterminator=, number=)``: ``csv.writer`` whose
  ``writerow`` makes every cell safe.
- ``xlsx_value(value)``: a value for an openpyxl cell (openpyxl stores a text starting
  with ``=`` as a formula).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Number = int | float | Decimal


def neutralise(text: str) -> str:
    """``text`` with a ``'`` in front when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _plain_number(value: Number) -> str:
    return str(value)


class TableWriter:
    """A ``csv.writer`` whose cells are safe: None is empty, a number is written by
    ``number`` (default ``str``), a date as YYYY-MM-DD, everything else as neutralised
    text."""

    def __init__(
        self,
        out: TextIO,
        *,
        delimiter: str = ",",
        lineterminator: str = "\n",
        number: Callable[[Number], str] = _plain_number,
    ) -> None:
        self._writer = csv.writer(out, delimiter=delimiter, lineterminator=lineterminator)
        self._number = number

    def cell(self, value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, int | float | Decimal):
            return self._number(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        return neutralise(str(value))

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([self.cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def xlsx_value(value: object) -> object:
    """A value for an openpyxl cell: numbers, dates and None as they are (so they stay
    numbers and dates in the sheet), any other value as neutralised text."""
    if value is None or isinstance(value, int | float | Decimal | dt.date):
        return value
    return neutralise(str(value))
