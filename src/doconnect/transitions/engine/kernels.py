"""The compiled loops behind ``describe``, ``outcomes`` and ``distances``: one pass over
the codes each, no temporary arrays of the data's size. Internal; the typed functions in
the other modules check their input and call these.

The loops are C (``_kernels.c``), compiled by ``pip install`` (setup.py): nothing is
compiled when a function is first called. These wrappers allocate the results, fix the
dtypes the C code expects and run OM and Hamming on every core: the C functions release
the GIL, so threads over interleaved rows keep both cores busy.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np

try:
    from doconnect.transitions.engine import _kernels
except ImportError as exc:  # pragma: no cover - only on a tree that was never installed
    raise ImportError(
        "doconnect's compiled sequence kernels are missing: install the package with "
        "`pip install -e .` (or `make install`); it needs a C compiler and the Python headers"
    ) from exc

LANES: int = _kernels.lanes()  # pairs aligned at once in the OM dynamic programme
ISA: str = _kernels.isa()  # the instruction set of the OM kernel (avx512, avx2, sse2, scalar)
# Rows of a block of the Hamming matrix, and columns of its tiles: a 32 x 32 tile of
# distances (8 KiB) is mirrored through the cache into the lower half.
HAMMING_BLOCK = 32


T = TypeVar("T")


def threads() -> int:
    """The cores this process may run on (the CPU affinity where the OS tells it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


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
    if n < 2 or periods == 0:
        return out

    def run(blocks: np.ndarray) -> None:
        _kernels.hamming_blocks(codes, periods, sm, sm.shape[0], out, blocks, HAMMING_BLOCK)

    _balanced(-(-n // HAMMING_BLOCK), run)
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

    def run(rows: np.ndarray) -> None:
        kernel(codes, periods, sm, sm.shape[0], *extra, out, rows)

    _balanced(n, run)
    return out


def _balanced(count: int, run: Callable[[np.ndarray], None]) -> None:
    """``run`` over ``0 .. count - 1`` (rows, or blocks of rows, of the upper triangle:
    unit ``k`` holds about ``count - k`` units of work) on every core, in small tasks.

    Unit k and unit count-1-k together hold an even share of the work. Small tasks, taken
    by whichever thread is free, keep the cores evenly busy."""
    half = (count + 1) // 2
    pairs = [(k, count - 1 - k) if count - 1 - k != k else (k,) for k in range(half)]
    per_task = max(1, half // (16 * threads()))
    tasks = [
        np.array([r for pair in pairs[s : s + per_task] for r in pair], dtype=np.int64)
        for s in range(0, half, per_task)
    ]
    in_threads(run, tasks)


def in_threads(run: Callable[[T], object], tasks: Sequence[T]) -> None:
    """``run`` each task, on as many threads as there are cores and tasks (the kernels
    release the GIL), this thread one of them; in this thread alone when one would do.
    The first exception of a task is raised here once every thread has stopped.

    Plain threads taking the next task, not ``concurrent.futures``: importing that
    (logging and more) took about 5 ms, a tenth of what the Hamming command on 2,000
    sequences spends beyond Python and NumPy (issue #21)."""
    workers = min(threads(), len(tasks))
    if workers <= 1:
        for task in tasks:
            run(task)
        return
    pending = iter(range(len(tasks)))
    lock = threading.Lock()
    failures: list[BaseException] = []

    def work() -> None:
        while not failures:
            with lock:
                k = next(pending, None)
            if k is None:
                return
            try:
                run(tasks[k])
            except BaseException as exc:  # handed to the calling thread
                failures.append(exc)

    helpers = [threading.Thread(target=work, daemon=True) for _ in range(workers - 1)]
    for helper in helpers:
        helper.start()
    work()
    for helper in helpers:
        helper.join()
    if failures:
        raise failures[0]


def wide_codes(
    body: bytes,
    width: int,
    id_at: int,
    columns: tuple[int, int],
    states: Sequence[bytes] | None,
) -> tuple[np.ndarray, np.ndarray, list[bytes]] | None:
    """The lines of a plain wide CSV file below its header (``width`` fields each, the
    id in field ``id_at``, the periods in fields ``columns``) in one pass of
    ``wide_codes`` (``_kernels.c``): the ``int8`` codes (``-1`` for an empty cell), the
    byte offsets of each id in ``body``, and the states — ``states`` when given, else
    those met in the order they first appear. None when the file is not plain (quotes,
    other line breaks, a line with another number of fields, a state not given, more
    than 126 states): the caller's row-by-row reading then names the problem."""
    start, stop = columns
    capacity = body.count(b"\n") + 1
    codes = np.empty((capacity, stop - start), dtype=np.int8)
    spans = np.empty((capacity, 2), dtype=np.int64)
    given = None if states is None else list(states)
    result = _kernels.wide_codes(body, width, id_at, start, stop, given, codes, spans)
    if result is None:
        return None
    rows, found = result
    return codes[:rows], spans[:rows], found


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
