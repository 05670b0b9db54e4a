"""The compiled loops behind ``describe``, ``outcomes`` and ``distances``: one pass over
the codes each, no temporary arrays of the data's size. Internal; the typed functions in
the other modules check their input and call these.

The loops are C (``_kernels.c``), compiled by ``pip install`` (setup.py): nothing is
compiled when a function is first called. These wrappers allocate the results, fix the
dtypes the C code expects and run OM and Hamming on every core: the C functions release
the GIL, so threads over interleaved rows keep both cores busy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

# The NumPy-free part (buffers.py): the Hamming call and the thread pool, re-exported
# for CLARA, the tiles and the benchmark; _kernels imported there with the message for
# a tree that was never installed.
from doconnect.transitions.engine.buffers import HAMMING_BLOCK as HAMMING_BLOCK
from doconnect.transitions.engine.buffers import _kernels, balanced, hamming_into
from doconnect.transitions.engine.buffers import in_threads as in_threads
from doconnect.transitions.engine.buffers import threads as threads

LANES: int = _kernels.lanes()  # pairs aligned at once in the OM dynamic programme
ISA: str = _kernels.isa()  # the instruction set of the OM kernel (avx512, avx2, sse2, scalar)


def state_counts(codes: np.ndarray, weights: np.ndarray, n_states: int) -> np.ndarray:
    """Weighted count of each state in each period: ``(periods, states)``."""
    codes = np.ascontiguousarray(codes)
    out = np.zeros((codes.shape[1], n_states))
    _kernels.state_counts(codes, codes.shape[1], _f64(weights), out, n_states)
    return out


def transition_counts(codes: np.ndarray, weights: np.ndarray, n_states: int) -> np.ndarray:
    """Weighted count of the moves from state ``a`` in a period to state ``b`` in the
    next one, pooled over all periods; periods with a missing state on either side are
    not counted."""
    codes = np.ascontiguousarray(codes)
    out = np.zeros((n_states, n_states))
    _kernels.transition_counts(codes, codes.shape[1], _f64(weights), out, n_states)
    return out


def spell_counts(codes: np.ndarray, weights: np.ndarray, n_states: int) -> np.ndarray:
    """Weighted number of spells (maximal runs of one state) per state."""
    codes = np.ascontiguousarray(codes)
    out = np.zeros(n_states)
    _kernels.spell_counts(codes, codes.shape[1], _f64(weights), out)
    return out


def first_exits(
    codes: np.ndarray, origin: np.ndarray, first: int, last: int, horizon: int
) -> tuple[np.ndarray, np.ndarray]:
    """For each person the first period ``e`` in ``first .. last`` with the state before
    it in ``origin`` and the state at ``e`` observed and not in ``origin`` (an exit), and
    the state ``horizon`` periods after the last period in the origin state
    (``e - 1 + horizon``). ``-1`` for persons without an exit; outcome ``-2`` when the
    outcome period lies beyond the data, ``-1`` when it is missing."""
    codes = np.ascontiguousarray(codes)
    n, periods = codes.shape
    exit_at = np.full(n, -1, np.int64)
    outcome = np.full(n, -1, np.int64)
    flags = np.ascontiguousarray(origin, dtype=np.uint8)
    _kernels.first_exits(codes, periods, flags, first, last, horizon, exit_at, outcome)
    return exit_at, outcome


def hamming_matrix(codes: np.ndarray, sm: np.ndarray) -> np.ndarray:
    """All pairwise Hamming distances of equal-length sequences (codes ``0 .. S-1``):
    ``hamming_blocks`` of ``_kernels.c``, ``HAMMING_BLOCK`` rows at a time, over one byte
    a period when the codes fit (a view of the caller's ``int8`` codes, no copy)."""
    sm = _f64(sm)
    codes = _narrow(codes, sm.shape[0])
    n, periods = codes.shape
    out = np.zeros((n, n))
    hamming_into(codes, n, periods, sm, sm.shape[0], out)
    return out


def om_matrix(codes: np.ndarray, sm: np.ndarray, indel: float) -> np.ndarray:
    """All pairwise OM distances of equal-length sequences (codes ``0 .. S-1``), aligned
    ``LANES`` pairs at a time within the exact band described in ``_kernels.c``
    (``om_row``)."""
    return _pairwise(_kernels.om_rows, codes, sm, float(indel))


def _pairwise(
    kernel: Callable[..., None], codes: np.ndarray, sm: np.ndarray, *extra: float
) -> np.ndarray:
    codes = np.ascontiguousarray(codes, dtype=np.int16)
    sm = _f64(sm)
    n, periods = codes.shape
    out = np.zeros((n, n))
    if n < 2:
        return out

    def run(rows: Sequence[int]) -> None:
        kernel(codes, periods, sm, sm.shape[0], *extra, out, rows)

    balanced(n, run)
    return out


def _narrow(codes: np.ndarray, n_states: int) -> np.ndarray:
    """The codes as ``uint8`` when every state fits a byte (non-negative ``int8`` codes
    are only viewed so), else ``int16``; a code outside ``0 .. n_states - 1`` is an error
    (the kernels trust their input)."""
    codes = np.asarray(codes)
    if codes.size and (int(codes.min()) < 0 or int(codes.max()) >= n_states):
        raise ValueError(f"codes must lie in 0 .. {n_states - 1}")
    if n_states > 256:
        return np.ascontiguousarray(codes, dtype=np.int16)
    if codes.dtype == np.int8:
        return np.ascontiguousarray(codes).view(np.uint8)
    return np.ascontiguousarray(codes, dtype=np.uint8)


def _f64(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=np.float64)
