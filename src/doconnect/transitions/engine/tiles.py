"""The full distance matrix computed in tiles (issue #22): the same numbers as
``distances.distance_matrix``, bit for bit, from independent calls that a ``mapper``
runs in this process or on a Dask cluster (``cluster.py``).

The distinct sequences are cut into blocks of ``tile`` rows; tile ``(i, j)`` with
``i <= j`` holds the distances of block ``i`` to block ``j`` (the lower triangle is its
mirror). Every tile runs today's compiled kernels (``om_rows`` / ``hamming_rows``)
unchanged:

- a diagonal tile is ``kernels.om_matrix`` / ``hamming_matrix`` of its block;
- an off-diagonal tile stacks a few rows of block ``i`` (``_STRIP``) on top of block
  ``j`` and asks the kernel for those rows: each is aligned with every later row, i.e.
  with the rest of the strip (a little wasted work, ``_STRIP / 2`` of ``tile``) and with
  all of block ``j`` — which is the tile's part.

Why the numbers are identical: a distance is always computed with the earlier sequence
(in the order of the distinct sequences) as the kernel's row and the later one as its
column, as in the full matrix (costs are symmetric only up to rounding, so this order
matters); a pair's OM band comes from the pair alone, and a wider band in a block of
lanes adds only alignments that cost more than the optimum by at least two indels, so
the minimum is the same number; Hamming sums the periods in the same order.

Memory: the caller holds the ``(n, n)`` result (as locally); at most ``batch_bytes`` of
finished tiles wait to be copied into it at any time.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from doconnect.transitions.engine import _kernels, kernels
from doconnect.transitions.engine.clara import Mapper, Metric, local_map, metric, pairwise
from doconnect.transitions.engine.data import Sequences
from doconnect.transitions.engine.distances import CostMethod, Method, _distinct, _expanded

TILE = 2_000  # rows (distinct sequences) of a block; a tile is TILE x TILE distances
BATCH_BYTES = 1 << 29  # finished tiles waiting at most (512 MiB) before they are copied
_STRIP = 64  # rows of block i stacked on block j per kernel call (wasted: _STRIP / 2)


def tile_distances(rows: np.ndarray, columns: np.ndarray | None, how: Metric) -> np.ndarray:
    """Distances of the sequences ``rows`` (kernel codes) to ``columns`` (a later block),
    ``(len(rows), len(columns))``; ``columns=None``: ``rows`` among themselves (a
    diagonal tile, ``(len(rows), len(rows))``)."""
    if columns is None:
        return pairwise(rows, how)
    result = np.empty((len(rows), len(columns)))
    width = len(columns)

    def run(start: int) -> None:
        strip = rows[start : start + _STRIP]
        s = len(strip)
        stacked = np.ascontiguousarray(np.vstack([strip, columns]), dtype=np.int16)
        size, periods = stacked.shape
        # Zeroed lazily by the OS: only the strip's rows and columns are ever touched.
        out = np.zeros((size, size))
        which = np.arange(s, dtype=np.int64)
        if how.indel is None:
            _kernels.hamming_rows(stacked, periods, how.sm, how.sm.shape[0], out, which)
        else:
            _kernels.om_rows(stacked, periods, how.sm, how.sm.shape[0], how.indel, out, which)
        result[start : start + s] = out[:s, s : s + width]

    starts = list(range(0, len(rows), _STRIP))
    kernels.in_threads(run, starts)
    return result


def tiled_matrix(
    codes: np.ndarray,
    how: Metric,
    *,
    tile: int = TILE,
    mapper: Mapper = local_map,
    batch_bytes: int = BATCH_BYTES,
) -> np.ndarray:
    """``(n, n)`` distances of ``codes`` (distinct kernel codes), tile by tile."""
    if tile < 1:
        raise ValueError(f"tile must be at least 1, not {tile}")
    n = len(codes)
    out = np.zeros((n, n))
    if n < 2:
        return out
    # One array per block, shared by every call that needs it (a cluster sends it once).
    blocks = [np.ascontiguousarray(codes[s : s + tile]) for s in range(0, n, tile)]
    starts = list(range(0, n, tile))
    pairs = [(i, j) for i in range(len(blocks)) for j in range(i, len(blocks))]
    per_batch = max(1, batch_bytes // (8 * tile * tile))
    for b in range(0, len(pairs), per_batch):
        batch = pairs[b : b + per_batch]
        calls = [(blocks[i], None if i == j else blocks[j], how) for i, j in batch]
        for (i, j), part in zip(batch, mapper(tile_distances, calls), strict=True):
            r, c = starts[i], starts[j]
            out[r : r + part.shape[0], c : c + part.shape[1]] = part
            if i != j:
                out[c : c + part.shape[1], r : r + part.shape[0]] = part.T
    return out


def distance_matrix(
    seqs: Sequences,
    method: Method = "OM",
    sm: CostMethod | None = None,
    indel: float | Literal["auto"] = "auto",
    weighted: bool = True,
    *,
    tile: int = TILE,
    mapper: Mapper = local_map,
) -> np.ndarray:
    """``distances.distance_matrix`` (same arguments, defaults and numbers) computed in
    tiles run by ``mapper``: ``local_map`` here, ``cluster.mapper`` on Dask."""
    if seqs.n == 0:
        return np.zeros((0, 0))
    codes, how = metric(seqs, method, sm, indel, weighted)
    distinct, inverse = _distinct(codes)
    return _expanded(tiled_matrix(distinct, how, tile=tile, mapper=mapper), inverse)
