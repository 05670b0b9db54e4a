"""The input of every analysis: one state per person per period, integer-coded.

``Sequences.codes`` is an ``(n_persons, n_periods)`` array of ``int8`` or ``int16`` state
codes, ``0 .. len(states) - 1`` indexing ``states``; a negative code is a missing period.
The Django side turns spells into this array; ``read_wide_csv`` reads it from a wide CSV
file (one row per person, one column per period)."""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from doconnect.transitions.engine import plain
from doconnect.transitions.engine.plain import SequenceFileError, column_range

__all__ = ["MISSING", "SequenceFileError", "Sequences", "read_wide_csv"]

MISSING = -1


@dataclass(frozen=True)
class Sequences:
    codes: np.ndarray
    states: tuple[str, ...]
    ids: tuple[str, ...] = ()
    weights: np.ndarray | None = None

    def __post_init__(self) -> None:
        codes = np.asarray(self.codes)
        if codes.ndim != 2:
            raise ValueError(f"codes must be 2-dimensional (persons x periods), not {codes.ndim}")
        if codes.dtype not in (np.int8, np.int16):
            if codes.size and (codes.min() < -(2**15) or codes.max() >= 2**15):
                raise ValueError("codes must fit int16")
            codes = codes.astype(np.int16)
        if len(self.states) == 0 and codes.size:
            raise ValueError("states must name at least one state")
        if len(set(self.states)) != len(self.states):
            raise ValueError("states must be distinct")
        if codes.size and codes.max() >= len(self.states):
            raise ValueError(f"code {int(codes.max())} has no state (there are {len(self.states)})")
        object.__setattr__(self, "codes", np.ascontiguousarray(codes))
        object.__setattr__(self, "states", tuple(self.states))
        ids = tuple(self.ids) if self.ids else tuple(str(i + 1) for i in range(len(codes)))
        if len(ids) != len(codes):
            raise ValueError(f"{len(ids)} ids for {len(codes)} sequences")
        object.__setattr__(self, "ids", ids)
        if self.weights is not None:
            weights = np.asarray(self.weights, dtype=np.float64)
            if weights.shape != (len(codes),):
                raise ValueError(f"{weights.shape[0]} weights for {len(codes)} sequences")
            if not np.all(np.isfinite(weights)) or np.any(weights < 0):
                raise ValueError("weights must be finite and non-negative")
            object.__setattr__(self, "weights", weights)

    @property
    def n(self) -> int:
        return int(self.codes.shape[0])

    @property
    def periods(self) -> int:
        return int(self.codes.shape[1])

    @property
    def has_missing(self) -> bool:
        return bool(self.codes.size) and bool((self.codes < 0).any())

    def weight_vector(self) -> np.ndarray:
        """The weights, or ones when the sequences are unweighted."""
        if self.weights is None:
            return np.ones(self.n)
        return self.weights

    @classmethod
    def from_labels(
        cls,
        rows: Sequence[Sequence[str | None]],
        states: Sequence[str] | None = None,
        ids: Sequence[str] = (),
        weights: Sequence[float] | np.ndarray | None = None,
    ) -> Sequences:
        """From state labels (``None`` or ``""`` = missing); ``states`` default to the
        sorted distinct labels."""
        if states is None:
            states = sorted({s for row in rows for s in row if s})
        index = {s: i for i, s in enumerate(states)}
        dtype = np.int8 if len(states) < 127 else np.int16
        codes = np.full((len(rows), len(rows[0]) if rows else 0), MISSING, dtype=dtype)
        for i, row in enumerate(rows):
            for t, label in enumerate(row):
                if label:
                    if label not in index:
                        raise ValueError(f"unknown state {label!r}")
                    codes[i, t] = index[label]
        w = None if weights is None else np.asarray(weights, dtype=np.float64)
        return cls(codes, tuple(states), tuple(ids), w)


def _quick_codes(
    data: list[tuple[int, list[str]]],
    width: int,
    id_at: int,
    columns: tuple[int, int],
    index: dict[str, int],
    missing: set[str],
    dtype: type[np.signedinteger],
) -> tuple[np.ndarray, list[str]] | None:
    """The codes and ids of a file without problems, at C speed (one ``map`` over all
    cells, no Python loop per cell), or None when a row needs a closer look (a wrong
    number of fields, an empty or repeated id, an unknown state): the row-by-row reading
    then names the first problem in the file."""
    if any(len(row) != width for _line, row in data):
        return None
    ids = [row[id_at].strip() for _line, row in data]
    if not all(ids) or len(set(ids)) != len(ids):
        return None
    lookup = {**index, **dict.fromkeys(missing, MISSING)}  # missing wins, as below
    start, stop = columns
    cells = itertools.chain.from_iterable(row[start:stop] for _line, row in data)
    try:
        flat = np.fromiter(map(lookup.__getitem__, cells), dtype, len(data) * (stop - start))
    except KeyError:
        return None
    return flat.reshape(len(data), stop - start), ids


def _read_plain(
    path: str,
    id_column: str,
    columns: str,
    states: Sequence[str] | None,
    weights_column: str | None,
    missing: Sequence[str],
) -> Sequences | None:
    """What ``read_wide_csv`` returns, for a plain file (UTF-8, no quotes, no weights,
    only empty cells missing, lines ending in ``\\n``, no problem), read in one pass of
    compiled code (``plain.read_plain``): the Python reading takes a few times as
    long as the Hamming distances of 2,000 sequences (issue #21). None for any other
    file, which the row-by-row reading below then reads or refuses with its message."""
    if weights_column is not None or tuple(missing) != ("",):
        return None
    read = plain.read_plain(path, id_column, columns, states)
    if read is None:
        return None
    codes = np.frombuffer(read.codes, dtype=np.int8).reshape(read.n, read.periods)
    if states is not None:
        return Sequences(codes, tuple(states), tuple(read.ids))
    known = sorted(read.states)
    # codes number the states in the order met; -1 (missing) picks the last entry
    renumber = np.array([known.index(name) for name in read.states] + [MISSING], dtype=np.int8)
    return Sequences(renumber[codes], tuple(known), tuple(read.ids))


def read_wide_csv(
    path: str | os.PathLike[str],
    id_column: str,
    columns: str,
    states: Sequence[str] | None = None,
    weights_column: str | None = None,
    missing: Sequence[str] = ("",),
) -> Sequences:
    """Read one row per person: ``id_column``, the periods ``FIRST:LAST`` (a range of
    header names, inclusive), optionally a weight. Cells in ``missing`` are missing
    periods. ``states`` default to the sorted distinct values; given, any other value
    is an error. Raises ``SequenceFileError`` naming file, line and column."""
    # a str, not a pathlib.Path: importing pathlib costs a file command's start-up more
    # than it saves (issue #21); the messages name the file as the caller gave it
    path = os.fspath(path)
    plain = _read_plain(path, id_column, columns, states, weights_column, missing)
    if plain is not None:
        return plain
    return _read_rows(path, id_column, columns, states, weights_column, missing)


def _read_rows(
    path: str,
    id_column: str,
    columns: str,
    states: Sequence[str] | None,
    weights_column: str | None,
    missing: Sequence[str],
) -> Sequences:
    """``read_wide_csv`` for any file, row by row in Python, naming the first problem."""
    try:
        with open(path, encoding="utf-8-sig") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise SequenceFileError(f"{path}: cannot read: {exc}") from exc
    lines = text.splitlines()
    if '"' in text or "\0" in text:
        import csv  # here: a plain file needs no csv module (start-up, issue #21)

        rows = list(csv.reader(lines))
    else:  # nothing quoted: what csv.reader would give, in half the time
        rows = [line.split(",") if line else [] for line in lines]
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise SequenceFileError(f"{path}: the file is empty (no header)")
    header = [name.strip() for name in rows[0]]
    if id_column not in header:
        raise SequenceFileError(f"{path}:1: no id column {id_column!r} in the header")
    start, stop = column_range(path, header, columns, id_column)
    id_at = header.index(id_column)
    weight_at = None
    if weights_column is not None:
        if weights_column not in header:
            raise SequenceFileError(f"{path}:1: no weight column {weights_column!r}")
        weight_at = header.index(weights_column)
    names = header[start:stop]
    missing_set = set(missing)
    data = [(line, row) for line, row in enumerate(rows[1:], start=2) if row]
    if not data:
        raise SequenceFileError(f"{path}: no sequences below the header")
    if states is not None:
        known = list(states)
        if len(set(known)) != len(known) or not known:
            raise SequenceFileError(f"{path}: --states must be distinct and not empty")
    else:
        seen = set()
        for _line, row in data:
            if len(row) == len(header):
                seen.update(row[start:stop])
        known = sorted(seen - missing_set)
    index = {s: i for i, s in enumerate(known)}
    dtype = np.int8 if len(known) < 127 else np.int16
    quick = _quick_codes(data, len(header), id_at, (start, stop), index, missing_set, dtype)
    if quick is not None and weight_at is None and known:
        return Sequences(quick[0], tuple(known), tuple(quick[1]), None)
    codes = np.full((len(data), len(names)), MISSING, dtype=dtype)
    ids: list[str] = []
    seen_ids: dict[str, int] = {}
    weights = np.ones(len(data)) if weight_at is not None else None
    for r, (line, row) in enumerate(data):
        if len(row) != len(header):
            raise SequenceFileError(
                f"{path}:{line}: {len(row)} fields, but the header has {len(header)}"
            )
        person = row[id_at].strip()
        if not person:
            raise SequenceFileError(f"{path}:{line}: column {id_column!r}: empty id")
        if person in seen_ids:
            raise SequenceFileError(
                f"{path}:{line}: column {id_column!r}: id {person!r} already on line "
                f"{seen_ids[person]}"
            )
        seen_ids[person] = line
        ids.append(person)
        for t, value in enumerate(row[start:stop]):
            if value in missing_set:
                continue
            code = index.get(value)
            if code is None:
                raise SequenceFileError(
                    f"{path}:{line}: column {names[t]!r}: state {value!r} is not one of "
                    f"--states ({', '.join(known)})"
                )
            codes[r, t] = code
        if weights is not None and weight_at is not None:
            cell = row[weight_at].strip()
            try:
                weight = float(cell)
            except ValueError:
                weight = math.nan
            if not math.isfinite(weight) or weight < 0:
                raise SequenceFileError(
                    f"{path}:{line}: column {weights_column!r}: weight {cell!r} is not a "
                    "non-negative number"
                )
            weights[r] = weight
    if not known:
        raise SequenceFileError(f"{path}: columns {columns}: every period is empty")
    return Sequences(codes, tuple(known), tuple(ids), weights)
