"""The force layout of a network in ``[0, 1]²`` (``y`` downwards, as in SVG): a seeded
Fruchterman–Reingold layout of the connected nodes above, isolated nodes in rows at the
bottom, so they stay visible. Same input (in any order) → same layout. Pure, no
Django."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

FloatArray = npt.NDArray[np.float64]

LAYOUT_SEED = 20030
LAYOUT_ITERATIONS = 60
# Margin around the drawing, and the rows of isolated actors at its bottom.
MARGIN = 0.05
ISOLATED_PER_ROW = 20
ISOLATED_ROW_GAP = 0.05
ISOLATED_BAND_MAX = 0.3
DECIMALS = 4


def spread_layout(adjacency: sp.csr_array) -> FloatArray:
    """Positions in ``[0, 1]²`` (``y`` downwards): connected nodes by a seeded
    Fruchterman–Reingold layout above, isolated nodes in rows at the bottom.

    Written with NumPy over all pairs rather than ``networkx.spring_layout``, whose
    sparse variant (used above 500 nodes) loops in Python and took 14 s for 2,000 actors.
    Nodes arrive sorted by id, so the seeded start and thus the result depend only on the
    input's content, not its order."""
    n = adjacency.shape[0]
    positions = np.zeros((n, 2))
    degree = np.diff(adjacency.indptr)
    isolated = np.flatnonzero(degree == 0)
    connected = np.flatnonzero(degree > 0)
    rows, height = isolated_rows(len(isolated))
    for v, spot in zip(isolated.tolist(), rows, strict=True):
        positions[v] = spot
    if len(connected):
        sub = sp.csr_array(adjacency[connected][:, connected])
        drawn = _fruchterman_reingold(sub)
        span = drawn.max(axis=0) - drawn.min(axis=0)
        span[span == 0] = 1.0
        unit = (drawn - drawn.min(axis=0)) / span
        positions[connected, 0] = MARGIN + unit[:, 0] * (1 - 2 * MARGIN)
        positions[connected, 1] = MARGIN + unit[:, 1] * height
    return positions.round(DECIMALS)


def isolated_rows(count: int) -> tuple[list[tuple[float, float]], float]:
    """Spots for ``count`` isolated nodes in rows at the bottom of ``[0, 1]²``, and the
    height left above them for the connected ones (starting at ``MARGIN``)."""
    rows = math.ceil(count / ISOLATED_PER_ROW)
    if not rows:
        return [], 1.0 - 2 * MARGIN
    gap = min(ISOLATED_ROW_GAP, ISOLATED_BAND_MAX / rows)
    spots = []
    for k in range(count):
        row, column = divmod(k, ISOLATED_PER_ROW)
        in_row = min(ISOLATED_PER_ROW, count - row * ISOLATED_PER_ROW)
        spots.append(
            (
                MARGIN + (1 - 2 * MARGIN) * (column + 0.5) / in_row,
                1.0 - MARGIN - (rows - 1 - row) * gap,
            )
        )
    bottom = 1.0 - MARGIN - rows * gap
    return spots, max(bottom - gap - MARGIN, 0.1)


def _fruchterman_reingold(adjacency: sp.csr_array) -> FloatArray:
    """Fruchterman–Reingold as in NetworkX's dense variant: every pair repels with
    ``k² / d``, every tie attracts with ``d² / k``, moves cooled linearly to zero."""
    n = adjacency.shape[0]
    rng = np.random.default_rng(LAYOUT_SEED)
    pos = rng.random((n, 2))
    if n == 1:
        return pos
    k = math.sqrt(1.0 / n)
    temperature = 0.1
    cooling = temperature / (LAYOUT_ITERATIONS + 1)
    coo = sp.triu(adjacency, k=1).tocoo()
    first, second = coo.row, coo.col
    for _ in range(LAYOUT_ITERATIONS):
        # Squared distances of all pairs from one matrix product (BLAS), then the
        # repulsion summed over j of (p_i - p_j) r_ij as p_i Σ_j r_ij - (R p)_i. The
        # n × n part runs in float32 (half the memory traffic; distances below 0.01 are
        # clipped anyway), positions stay float64.
        single = pos.astype(np.float32)
        norms = (single * single).sum(axis=1)
        square = single @ (-2.0 * single.T)
        square += norms[:, None]
        square += norms[None, :]
        np.maximum(square, np.float32(1e-4), out=square)
        repulse = np.divide(np.float32(k * k), square, out=square)  # k² / d along the unit
        np.fill_diagonal(repulse, 0.0)
        force = pos * repulse.sum(axis=1, dtype=np.float64)[:, None] - repulse @ single
        along = pos[first] - pos[second]
        length = np.maximum(np.hypot(along[:, 0], along[:, 1]), 0.01)
        pull = along * (length / k)[:, None]  # d² / k along the unit vector
        np.subtract.at(force, first, pull)
        np.add.at(force, second, pull)
        moved = np.hypot(force[:, 0], force[:, 1])
        moved[moved < 0.01] = 0.1
        pos += force * (temperature / moved)[:, None]
        temperature -= cooling
    return pos
