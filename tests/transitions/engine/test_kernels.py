"""The compiled loops (``_kernels.c``): every instruction-set version of the OM kernel
gives the same numbers as the portable one and as a plain dynamic programme, across
partial blocks, narrow and wide bands and missing periods; so does every version of
the Hamming count, at any number of periods; the counting loops read
``int8`` and ``int16`` codes alike."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np
import pytest

from doconnect.transitions.engine import _kernels, kernels


def plain_om(x: np.ndarray, y: np.ndarray, costs: np.ndarray, indel: float) -> float:
    d = np.zeros((len(x) + 1, len(y) + 1))
    d[:, 0] = np.arange(len(x) + 1) * indel
    d[0, :] = np.arange(len(y) + 1) * indel
    for i in range(1, len(x) + 1):
        for j in range(1, len(y) + 1):
            sub = costs[x[i - 1], y[j - 1]]
            d[i, j] = min(d[i - 1, j] + indel, d[i, j - 1] + indel, d[i - 1, j - 1] + sub)
    return float(d[-1, -1])


def mixed_codes(n: int, periods: int, states: int, seed: int) -> np.ndarray:
    """Random sequences, long spells (shifted copies of a few biographies, which give
    narrow bands) and identical ones."""
    rng = np.random.default_rng(seed)
    random = rng.integers(0, states, (n // 2, periods))
    base = np.repeat(rng.integers(0, states, (4, periods // 6 + 1)), 6, axis=1)[:, :periods]
    spells = np.array([np.roll(base[k % 4], rng.integers(-3, 4)) for k in range(n - n // 2)])
    spells[::5] = spells[0]
    return np.ascontiguousarray(np.vstack([random, spells]), dtype=np.int16)


def trate_like_costs(states: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    costs = 2.0 - rng.uniform(0.0, 0.3, (states, states))
    costs = (costs + costs.T) / 2
    np.fill_diagonal(costs, 0.0)
    return costs


@pytest.fixture
def restore_isa() -> Iterator[None]:
    widest = _kernels.isa()
    yield
    _kernels.use_isa(widest)


@pytest.mark.parametrize("indel", [0.4, 1.0, 2.5])
def test_every_instruction_set_gives_the_portable_kernels_numbers(restore_isa, indel) -> None:
    codes = mixed_codes(53, 30, 6, seed=7)  # 52 pairs in the first row: 3 full blocks + 4
    costs = trate_like_costs(6, seed=8)

    assert _kernels.use_isa("scalar")
    portable = kernels.om_matrix(codes, costs, indel)
    tried = []
    for isa in ("sse2", "avx2", "avx512"):
        if _kernels.use_isa(isa):
            tried.append(isa)
            np.testing.assert_array_equal(kernels.om_matrix(codes, costs, indel), portable)

    assert tried, "no vector version ran on this CPU"
    for i in (0, 13, 26, 40, 52):
        for j in range(0, 53, 3):
            assert portable[i, j] == pytest.approx(
                plain_om(codes[i], codes[j], costs, indel), abs=1e-12
            )


def test_the_band_keeps_the_exact_distance_when_substitutions_cost_more_than_two_indels() -> None:
    codes = mixed_codes(40, 24, 4, seed=3)
    costs = trate_like_costs(4, seed=4) * 3  # substitutions near 6, indel 1: capped bound
    matrix = kernels.om_matrix(codes, costs, 1.0)

    for i in range(0, 40, 9):
        for j in range(40):
            assert matrix[i, j] == pytest.approx(
                plain_om(codes[i], codes[j], costs, 1.0), abs=1e-12
            )
    np.testing.assert_array_equal(matrix, matrix.T)
    assert np.all(np.diag(matrix) == 0)


def test_hamming_sums_the_costs_of_the_differing_periods() -> None:
    codes = mixed_codes(37, 20, 5, seed=5)
    costs = trate_like_costs(5, seed=6)
    expected = costs[codes[:, None, :], codes[None, :, :]].sum(axis=2)

    np.testing.assert_allclose(kernels.hamming_matrix(codes, costs), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.int8, np.int16])
def test_the_counting_loops_read_int8_and_int16_codes(dtype) -> None:
    rng = np.random.default_rng(9)
    codes = rng.integers(-1, 3, (50, 8)).astype(dtype)  # -1: a missing period
    weights = rng.uniform(0.5, 2.0, 50)

    counts = kernels.state_counts(codes, weights, 3)
    moves = kernels.transition_counts(codes, weights, 3)

    for t in range(8):
        for s in range(3):
            assert counts[t, s] == pytest.approx(weights[codes[:, t] == s].sum())
    a, b = codes[:, :-1], codes[:, 1:]
    for s in range(3):
        for u in range(3):
            pairs = ((a == s) & (b == u)).sum(axis=1)
            assert moves[s, u] == pytest.approx((pairs * weights).sum())


def hamming_by_rows(codes: np.ndarray, costs: np.ndarray) -> np.ndarray:
    """The row-by-row kernel (``hamming_rows``, which CLARA and the tiles use)."""
    n, periods = codes.shape
    out = np.zeros((n, n))
    rows = np.arange(n, dtype=np.int64)
    _kernels.hamming_rows(
        np.ascontiguousarray(codes, np.int16), periods, costs, len(costs), out, rows
    )
    return out


@pytest.mark.parametrize("n", [1, 2, 31, 32, 33, 70, 129])
@pytest.mark.parametrize("costs", ["one", "constant 0.1", "trate", "diagonal not zero"])
def test_the_hamming_matrix_equals_the_row_kernel_bit_for_bit(n: int, costs: str) -> None:
    rng = np.random.default_rng(n)
    codes = rng.integers(0, 6, (n, 72)).astype(np.int8)
    codes[n // 2 :: 3] = codes[0]  # identical sequences: distance 0
    sm = {
        "one": np.ones((6, 6)) - np.eye(6),
        "constant 0.1": 0.1 * (np.ones((6, 6)) - np.eye(6)),  # 0.1 + 0.1 + … is not k * 0.1
        "trate": trate_like_costs(6, seed=n) + np.triu(np.full((6, 6), 1e-3), 1),  # asymmetric
        "diagonal not zero": np.full((6, 6), 0.7),
    }[costs]
    expected = hamming_by_rows(codes, sm)

    for narrow in (np.int8, np.uint8, np.int16):
        matrix = kernels.hamming_matrix(codes.astype(narrow), sm)
        assert matrix.tobytes() == expected.tobytes()  # bit for bit, both halves
    wide = kernels.hamming_matrix(codes.astype(np.int16), np.pad(sm, (0, 300)))  # 306 states
    assert wide.tobytes() == expected.tobytes()


@pytest.mark.parametrize("periods", [1, 7, 8, 31, 32, 33, 72, 100])
def test_every_instruction_set_counts_the_same_hamming_distances(restore_isa, periods) -> None:
    rng = np.random.default_rng(periods)
    codes = rng.integers(0, 200, (45, periods)).astype(np.uint8)  # codes above 127 too
    codes[5::4] = codes[0]  # identical sequences
    codes[6::9, : periods // 2] = codes[1, : periods // 2]  # half the periods equal
    one = np.ones((200, 200)) - np.eye(200)

    assert _kernels.use_isa("scalar")
    portable = kernels.hamming_matrix(codes, one)
    tried = []
    for isa in ("sse2", "avx2", "avx512"):
        if _kernels.use_isa(isa):
            tried.append(isa)
            assert kernels.hamming_matrix(codes, one).tobytes() == portable.tobytes()

    assert tried, "no vector version ran on this CPU"
    differing = (codes[:, None, :] != codes[None, :, :]).sum(axis=2)
    np.testing.assert_array_equal(portable, differing.astype(np.float64))


@pytest.mark.parametrize("block", [1, 5, 32, 200])
def test_any_block_size_gives_the_same_hamming_matrix(block: int) -> None:
    codes = mixed_codes(90, 30, 5, seed=11).astype(np.uint8)
    costs = trate_like_costs(5, seed=12)
    out = np.zeros((90, 90))
    blocks = np.arange(-(-90 // block), dtype=np.int64)[::-1].copy()  # any order

    _kernels.hamming_blocks(codes, 30, costs, 5, out, blocks, block)

    assert out.tobytes() == hamming_by_rows(codes, costs).tobytes()


def test_the_hamming_matrix_refuses_codes_without_a_cost() -> None:
    codes = np.array([[0, 1], [2, 0]], dtype=np.int8)

    with pytest.raises(ValueError, match=r"codes must lie in 0 \.\. 1"):
        kernels.hamming_matrix(codes, np.ones((2, 2)) - np.eye(2))
    with pytest.raises(ValueError, match=r"codes must lie in 0 \.\. 2"):
        kernels.hamming_matrix(-codes, np.ones((3, 3)) - np.eye(3))


def test_in_threads_runs_every_task_once_and_hands_on_a_tasks_error() -> None:
    done: list[int] = []
    kernels.in_threads(done.append, list(range(50)))
    assert sorted(done) == list(range(50))

    def seventh_fails(k: int) -> None:
        if k == 7:
            raise ValueError("task 7 failed")

    with pytest.raises(ValueError, match="task 7 failed"):
        kernels.in_threads(seventh_fails, list(range(20)))


def test_in_threads_runs_tasks_at_the_same_time_on_every_core() -> None:
    if kernels.threads() < 2:
        pytest.skip("one core: the tasks run one after the other in this thread")
    meeting = threading.Barrier(2, timeout=30)  # broken unless two tasks run at once

    kernels.in_threads(lambda _k: meeting.wait(), [0, 1])

    assert not meeting.broken
