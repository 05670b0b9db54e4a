"""The compiled Hamming kernel and the thread pool over plain buffers, without NumPy.

The C kernels take any buffer (``bytearray``, ``array.array``, a NumPy array) through
the buffer protocol. ``kernels.hamming_matrix`` (NumPy arrays) and the Hamming command
on a plain file (``bytearray`` codes, an ``array('d')`` matrix, issue #21: the command
then starts in the time Python takes, not Python and NumPy) both call ``hamming_into``:
one Hamming computation, one thread pool.
"""

from __future__ import annotations

import os
import threading
from array import array
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

try:
    from doconnect.transitions.engine import _kernels
except ImportError as exc:  # pragma: no cover - only on a tree that was never installed
    raise ImportError(
        "doconnect's compiled sequence kernels are missing: install the package with "
        "`pip install -e .` (or `make install`); it needs a C compiler and the Python headers"
    ) from exc

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


def hamming_into(codes: Any, n: int, periods: int, sm: Any, n_states: int, out: Any) -> None:
    """Write all pairwise Hamming distances of the ``n`` sequences in ``codes`` (C order,
    ``n x periods`` codes ``0 .. n_states - 1``: one byte each, or ``int16``) into
    ``out`` (``n x n`` float64, zero-filled), with the ``n_states x n_states`` float64
    costs ``sm``: ``hamming_blocks`` of ``_kernels.c``, ``HAMMING_BLOCK`` rows at a time
    on every core. The caller checks the codes (the kernel trusts them)."""
    if n < 2 or periods == 0:
        return

    def run(blocks: array[int]) -> None:
        _kernels.hamming_blocks(codes, periods, sm, n_states, out, blocks, HAMMING_BLOCK)

    balanced(-(-n // HAMMING_BLOCK), run)


def balanced(count: int, run: Callable[[array[int]], None]) -> None:
    """``run`` over ``0 .. count - 1`` (rows, or blocks of rows, of the upper triangle:
    unit ``k`` holds about ``count - k`` units of work) on every core, in small tasks
    (``int64`` buffers of units).

    Unit k and unit count-1-k together hold an even share of the work. Small tasks, taken
    by whichever thread is free, keep the cores evenly busy."""
    half = (count + 1) // 2
    pairs = [(k, count - 1 - k) if count - 1 - k != k else (k,) for k in range(half)]
    per_task = max(1, half // (16 * threads()))
    tasks = [
        array("q", [r for pair in pairs[s : s + per_task] for r in pair])
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


def hamming_cval(sm: str | None) -> float:
    """sequenzo's Hamming costs between two different states: 1 without substitution
    costs ``sm``, ``cval`` 2 with them (``CONSTANT``: 2 everywhere; ``TRATE``: 2 minus the
    transition rates); a missing period costs the same against any state."""
    return 1.0 if sm is None else 2.0


def constant_hamming(
    codes: bytearray, n: int, periods: int, n_states: int, cost: float
) -> array[float]:
    """The ``n x n`` Hamming distances (row after row, float64) of one-byte ``codes``
    (``0 .. n_states - 1``, 255 for a missing period), ``cost`` between any two
    different states: a missing period is one more state at the same ``cost``, as
    ``distances.hamming`` counts it. All rows are compared, duplicates too: with one
    cost the kernel counts differing periods and looks the count up, so a pair's
    distance is the same number wherever it stands (``distances`` aligns distinct rows
    once and copies; this path spares NumPy instead)."""
    if n_states > 126:
        raise ValueError(f"at most 126 states fit one byte with the missing state, not {n_states}")
    states = n_states
    if b"\xff" in codes:  # missing periods: state n_states
        codes = codes.translate(bytes(range(255)) + bytes([n_states]))
        states += 1
    sm = array("d", [0.0 if s == u else cost for s in range(states) for u in range(states)])
    out = array("d", bytes(8 * n * n))
    hamming_into(codes, n, periods, sm, states, out)
    return out
