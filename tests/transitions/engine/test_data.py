"""Reading wide CSV files, and the errors that name file, line and column."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from doconnect.transitions.engine import SequenceFileError, Sequences, data, read_wide_csv

GOOD = "id,w,m1,m2,m3\np1,1.5,A,B,B\np2,0.5,B,,A\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.csv"
    path.write_text(text)
    return path


def test_a_wide_file_is_read_with_missing_cells_and_weights(tmp_path: Path) -> None:
    seqs = read_wide_csv(write(tmp_path, GOOD), "id", "m1:m3", weights_column="w")

    assert seqs.states == ("A", "B")
    assert seqs.ids == ("p1", "p2")
    assert seqs.codes.tolist() == [[0, 1, 1], [1, -1, 0]]
    assert seqs.weights is not None and seqs.weights.tolist() == [1.5, 0.5]


def test_given_states_set_the_order(tmp_path: Path) -> None:
    seqs = read_wide_csv(write(tmp_path, GOOD), "id", "m1:m3", states=["B", "A"])

    assert seqs.codes.tolist() == [[1, 0, 0], [0, -1, 1]]


@pytest.mark.parametrize(
    ("text", "columns", "states", "message"),
    [
        ("", "m1:m3", None, "empty"),
        ("id,m1,m2,m3\n", "m1:m3", None, "no sequences"),
        (GOOD, "m1:m9", None, "s.csv:1: column 'm9'"),
        (GOOD, "m3:m1", None, "comes after"),
        (GOOD, "m1", None, "FIRST:LAST"),
        (GOOD, "m1:m3", ["A"], "s.csv:2: column 'm2': state 'B'"),
        ("id,m1,m2\np1,A,B\np2,A\n", "m1:m2", None, "s.csv:3: 2 fields"),
        ("id,m1,m2\np1,A,B\np1,A,A\n", "m1:m2", None, "already on line 2"),
    ],
)
def test_bad_files_are_refused_with_file_line_and_column(
    tmp_path: Path, text: str, columns: str, states: list[str] | None, message: str
) -> None:
    with pytest.raises(SequenceFileError, match=re.escape(message)):
        read_wide_csv(write(tmp_path, text), "id", columns, states=states)


def test_a_bad_weight_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SequenceFileError, match=re.escape("s.csv:3: column 'w'")):
        read_wide_csv(write(tmp_path, GOOD.replace("0.5", "x")), "id", "m1:m3", weights_column="w")


def test_a_large_file_reads_as_the_same_labels_cell_by_cell(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    labels = rng.choice(["", "job", "school", "training"], size=(300, 24), p=[0.1, 0.3, 0.3, 0.3])
    lines = ["id," + ",".join(f"m{t}" for t in range(24))]
    lines += [f"P{i}," + ",".join(row) for i, row in enumerate(labels.tolist())]

    seqs = read_wide_csv(write(tmp_path, "\n".join(lines) + "\n"), "id", "m0:m23")

    expected = Sequences.from_labels(labels.tolist(), ids=[f"P{i}" for i in range(300)])
    assert seqs.states == expected.states == ("job", "school", "training")
    assert seqs.codes.dtype == expected.codes.dtype
    np.testing.assert_array_equal(seqs.codes, expected.codes)
    assert seqs.ids == expected.ids


def test_quoted_cells_are_read_as_csv_and_plain_ones_the_same_way(tmp_path: Path) -> None:
    quoted = read_wide_csv(write(tmp_path, 'id,m1,m2\n"P,1",A,"B"\nP2,,A\n'), "id", "m1:m2")
    plain = read_wide_csv(write(tmp_path, "id,m1,m2\nP1,A,B\n\nP2,,A\n"), "id", "m1:m2")

    assert quoted.ids == ("P,1", "P2")
    assert plain.ids == ("P1", "P2")  # the empty line is skipped, as csv.reader does
    assert quoted.codes.tolist() == plain.codes.tolist() == [[0, 1], [-1, 0]]


# Cells of a plain file, and every character that makes a file not plain: a comma or a
# quote (csv), NUL, and each line break str.splitlines knows besides "\n".
PLAIN_CELLS = ["", "A", "B", "Bé", " A", "A ", "x" * 20, "AB"]
ODD_CELLS = [",", '"', "\0", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x85", "\u2028"]


def outcome(read: Callable[[], Sequences]) -> Sequences | str:
    try:
        return read()
    except SequenceFileError as exc:
        return str(exc)


def assert_same(a: Sequences | str, b: Sequences | str) -> None:
    if isinstance(a, str) or isinstance(b, str):
        assert a == b
        return
    assert (a.states, a.ids, a.codes.dtype) == (b.states, b.ids, b.codes.dtype)
    np.testing.assert_array_equal(a.codes, b.codes)


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(
        st.lists(st.sampled_from(PLAIN_CELLS + ODD_CELLS), min_size=3, max_size=3), max_size=6
    ),
    ids=st.lists(st.sampled_from(["p1", "p2", " p3 ", "", "p,4"]), min_size=6, max_size=6),
    empty_lines=st.sets(st.integers(0, 6), max_size=2),
    bom=st.booleans(),
    final_newline=st.booleans(),
    states=st.sampled_from([None, ["A", "B"], ["B", "A", "Bé", "x" * 20], ["A", "A"]]),
)
def test_the_compiled_reading_gives_the_python_readings_sequences_or_leaves_the_file_to_it(
    tmp_path_factory, rows, ids, empty_lines, bom, final_newline, states
) -> None:
    lines = ["id,m1,m2,m3"]
    for r, row in enumerate(rows):
        lines += [""] if r in empty_lines else []
        lines.append(",".join([ids[r], *row]))
    text = ("\ufeff" if bom else "") + "\n".join(lines) + ("\n" if final_newline else "")
    path = tmp_path_factory.mktemp("wide") / "s.csv"
    path.write_bytes(text.encode("utf-8"))
    options = (path, "id", "m1:m3", states, None, ("",))

    read = outcome(lambda: read_wide_csv(path, "id", "m1:m3", states=states))
    plain = data._read_plain(*options)
    by_rows = outcome(lambda: data._read_rows(*options))

    assert_same(read, by_rows)  # the same sequences, or the same refusal
    if plain is not None:  # the compiled pass reads only files the Python one accepts
        assert_same(plain, by_rows)
    odd = any(cell in ODD_CELLS for row in rows for cell in row)
    if isinstance(by_rows, Sequences) and not odd:
        assert plain is not None, "a plain file went the slow way"


@pytest.mark.parametrize("given", [False, True])
def test_more_states_than_a_byte_holds_are_read_as_int16_codes(tmp_path: Path, given) -> None:
    names = [f"s{k:03d}" for k in range(200)]
    lines = ["id,m1,m2"] + [f"p{k},{names[k]},{names[199 - k]}" for k in range(200)]
    path = write(tmp_path, "\n".join(lines) + "\n")

    seqs = read_wide_csv(path, "id", "m1:m2", states=names if given else None)

    assert data._read_plain(path, "id", "m1:m2", None, None, ("",)) is None  # not in a byte
    assert seqs.codes.dtype == np.int16
    assert seqs.codes[:, 0].tolist() == list(range(200))
    assert seqs.codes[:, 1].tolist() == list(range(199, -1, -1))
