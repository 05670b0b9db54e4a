"""The NumPy-free route of the Hamming command (issue #21): a plain file read into a
``bytearray``, the C Hamming kernel writing into an ``array('d')``, and the ``.npy``
header — the same numbers and the same bytes as the NumPy route."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from doconnect.transitions.engine import buffers, plain
from doconnect.transitions.engine.data import read_wide_csv
from doconnect.transitions.engine.distances import distance_matrix


@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (2000, 2000), (12345, 12345), (7, 3)])
def test_the_npy_header_is_the_one_numpy_save_writes(shape: tuple[int, int]) -> None:
    saved = io.BytesIO()
    np.save(saved, np.zeros(shape))

    header = plain.npy_header(*shape)

    assert saved.getvalue()[: len(header)] == header
    assert len(saved.getvalue()) == len(header) + 8 * shape[0] * shape[1]


def wide_file(tmp_path: Path, n: int, periods: int, states: int, seed: int) -> Path:
    """Random sequences with long spells, a few missing periods and duplicate rows."""
    rng = np.random.default_rng(seed)
    names = [f"s{k}" for k in range(states)]
    lines = ["id," + ",".join(f"m{t + 1}" for t in range(periods))]
    for i in range(n):
        state, row = int(rng.integers(states)), []
        for _t in range(periods):
            if rng.random() < 0.1:
                state = int(rng.integers(states))
            row.append("" if rng.random() < 0.02 else names[state])
        lines.append(f"p{i}," + ",".join(row))
    lines += [f"q{i}," + lines[1 + i].split(",", 1)[1] for i in range(min(n, 5))]
    path = tmp_path / "wide.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("sm", [None, "CONSTANT"])
@pytest.mark.parametrize(("n", "periods", "states"), [(2, 1, 1), (40, 72, 5), (300, 37, 9)])
def test_hamming_over_buffers_equals_the_numpy_route(
    tmp_path: Path, sm: str | None, n: int, periods: int, states: int
) -> None:
    path = wide_file(tmp_path, n, periods, states, seed=n)
    columns = f"m1:m{periods}"

    read = plain.read_plain(str(path), "id", columns, None)
    assert read is not None
    cost = buffers.hamming_cval(sm)
    matrix = buffers.constant_hamming(read.codes, read.n, read.periods, len(read.states), cost)

    expected = distance_matrix(read_wide_csv(path, "id", columns), "HAM", sm)  # type: ignore[arg-type]
    assert read.n == n + min(n, 5)
    assert np.array_equal(np.frombuffer(matrix).reshape(read.n, read.n), expected)


def test_a_file_that_is_not_plain_is_left_to_the_general_reader(tmp_path: Path) -> None:
    quoted = tmp_path / "quoted.csv"
    quoted.write_text('id,m1,m2\n"a",x,y\nb,y,x\n', encoding="utf-8")
    repeated = tmp_path / "repeated.csv"
    repeated.write_text("id,m1,m2\na,x,y\na,y,x\n", encoding="utf-8")

    assert plain.read_plain(str(quoted), "id", "m1:m2", None) is None
    assert plain.read_plain(str(repeated), "id", "m1:m2", None) is None
    assert plain.read_plain(str(repeated), "id", "m1:m2", ["x"]) is None  # y not given
