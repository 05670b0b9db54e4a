"""A plain wide CSV file read by compiled code into plain buffers, without NumPy, and the
``.npy`` header: what the Hamming command on such a file needs (issue #21: it then
starts in the time Python takes; NumPy's import alone took longer than the distances of
2,000 sequences). ``data.read_wide_csv`` reads plain files through ``read_plain`` too.

A plain file: UTF-8, no quotes, lines ending in ``\\n``, no other line break, every line
with the header's number of fields, at most 126 states, ids present and distinct, at
least one state. Any other file is read (or refused, naming the problem) by ``data``.
"""

from __future__ import annotations

import codecs
from array import array
from collections.abc import Sequence
from typing import NamedTuple

from doconnect.transitions.engine import _kernels


class SequenceFileError(ValueError):
    """A wide sequence file that cannot be read; the message names file, line and column."""


class PlainCodes(NamedTuple):
    """The sequences of a plain file: ``codes`` one byte per period, row after row
    (``-1`` = 255 for a missing period, else the index in ``states``); ``states`` as
    given, or in the order first met in the file (not sorted)."""

    codes: bytearray
    n: int
    periods: int
    ids: list[str]
    states: list[str]


def column_range(path: str, header: list[str], columns: str, id_column: str) -> tuple[int, int]:
    """The period columns ``FIRST:LAST`` as a slice of ``header``, or the refusal."""
    first, sep, last = columns.partition(":")
    if not sep or not first or not last:
        raise SequenceFileError(f"{path}: --columns must be FIRST:LAST, not {columns!r}")
    positions = {}
    for name in (first, last):
        if name not in header:
            raise SequenceFileError(f"{path}:1: column {name!r} is not in the header")
        positions[name] = header.index(name)
    start, end = positions[first], positions[last]
    if start > end:
        raise SequenceFileError(
            f"{path}:1: columns {first}:{last}: {first!r} comes after {last!r} in the header"
        )
    if start <= header.index(id_column) <= end:
        raise SequenceFileError(
            f"{path}:1: columns {first}:{last} include the id column {id_column!r}"
        )
    return start, end + 1


def read_plain(
    path: str, id_column: str, columns: str, states: Sequence[str] | None
) -> PlainCodes | None:
    """The codes of a plain file in one pass of ``wide_codes`` (``_kernels.c``), or None
    for any other file (the caller's row-by-row reading then reads or refuses it)."""
    try:
        with open(path, "rb") as file:
            raw = file.read()
        raw.decode("utf-8")  # the encoding the Python reading checks
    except (OSError, UnicodeDecodeError):
        return None
    raw = raw.removeprefix(codecs.BOM_UTF8)
    end = raw.find(b"\n")
    line = raw[: max(end, 0)].decode("utf-8")
    if end < 0 or len(line.splitlines()) != 1 or '"' in line or "\0" in line:
        return None
    header = [name.strip() for name in line.split(",")]
    if id_column not in header:
        return None
    try:
        start, stop = column_range(path, header, columns, id_column)
    except SequenceFileError:
        return None
    given = None if states is None else [s.encode("utf-8") for s in states]
    if given is not None and (not given or len(set(given)) != len(given)):
        return None
    body = raw[end + 1 :]
    capacity, periods = body.count(b"\n") + 1, stop - start
    codes = bytearray(capacity * periods)
    spans = array("q", bytes(capacity * 16))  # the byte offsets of each row's id
    read = _kernels.wide_codes(
        body, len(header), header.index(id_column), start, stop, given, codes, spans
    )
    if read is None or read[0] == 0 or not read[1]:
        return None
    rows, found = read
    ids = [body[spans[2 * r] : spans[2 * r + 1]].decode("utf-8").strip() for r in range(rows)]
    if not all(ids) or len(set(ids)) != len(ids):
        return None
    del codes[rows * periods :]
    names = list(states) if states is not None else [name.decode("utf-8") for name in found]
    return PlainCodes(codes, rows, periods, ids, names)


def npy_header(rows: int, columns: int) -> bytes:
    """The header ``numpy.save`` writes before a C-ordered ``rows x columns`` float64
    array (format 1.0: magic, version, header length, the dictionary padded with spaces
    to a multiple of 64 bytes, ``\\n``); the raw little-endian doubles follow it."""
    shape = f"({rows}, {columns})"
    text = f"{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}"
    text += " " * (21 - len(str(rows)))  # numpy's room for the first axis to grow
    size = len(text) + 1  # the final "\n"
    size += -(10 + size) % 64
    return b"\x93NUMPY\x01\x00" + size.to_bytes(2, "little") + text.ljust(size - 1).encode() + b"\n"
