"""The compiled loops (Numba) behind ``describe``, ``outcomes`` and ``distances``: one
pass over the codes each, no temporary arrays of the data's size. Internal; the typed
functions in the other modules check their input and call these."""

from __future__ import annotations

import numpy as np
from numba import njit, prange

LANES = 8  # pairs aligned at once in the OM dynamic programme (one AVX2 register pair)
INF = np.inf


@njit(cache=True)
def state_counts(codes: np.ndarray, weights: np.ndarray, n_states: int) -> np.ndarray:
    """Weighted count of each state in each period: ``(periods, states)``."""
    n, periods = codes.shape
    out = np.zeros((periods, n_states))
    for i in range(n):
        w = weights[i]
        for t in range(periods):
            c = codes[i, t]
            if c >= 0:
                out[t, c] += w
    return out


@njit(cache=True)
def transition_counts(codes: np.ndarray, weights: np.ndarray, n_states: int) -> np.ndarray:
    """Weighted count of the moves from state ``a`` in a period to state ``b`` in the
    next one, pooled over all periods; periods with a missing state on either side are
    not counted."""
    n, periods = codes.shape
    out = np.zeros((n_states, n_states))
    for i in range(n):
        w = weights[i]
        for t in range(periods - 1):
            a = codes[i, t]
            b = codes[i, t + 1]
            if a >= 0 and b >= 0:
                out[a, b] += w
    return out


@njit(cache=True)
def spell_counts(codes: np.ndarray, weights: np.ndarray, n_states: int) -> np.ndarray:
    """Weighted number of spells (maximal runs of one state) per state."""
    n, periods = codes.shape
    out = np.zeros(n_states)
    for i in range(n):
        w = weights[i]
        previous = -1
        for t in range(periods):
            c = codes[i, t]
            if c >= 0 and c != previous:
                out[c] += w
            previous = c
    return out


@njit(cache=True)
def first_exits(
    codes: np.ndarray, origin: np.ndarray, first: int, last: int, horizon: int
) -> tuple[np.ndarray, np.ndarray]:
    """For each person the first period ``e`` in ``first .. last`` with the state before
    it in ``origin`` and the state at ``e`` observed and not in ``origin`` (an exit), and
    the state ``horizon`` periods after the last period in the origin state
    (``e - 1 + horizon``). ``-1`` for persons without an exit; outcome ``-2`` when the
    outcome period lies beyond the data, ``-1`` when it is missing."""
    n, periods = codes.shape
    exit_at = np.full(n, -1, np.int64)
    outcome = np.full(n, -1, np.int64)
    start = max(first, 1)
    stop = min(last, periods - 1)
    for i in range(n):
        for e in range(start, stop + 1):
            before = codes[i, e - 1]
            after = codes[i, e]
            if before >= 0 and after >= 0 and origin[before] and not origin[after]:
                exit_at[i] = e
                at = e - 1 + horizon
                if at >= periods:
                    outcome[i] = -2
                else:
                    outcome[i] = codes[i, at]
                    if outcome[i] < 0:
                        outcome[i] = -1
                break
    return exit_at, outcome


@njit(parallel=True, cache=True, fastmath=False)
def hamming_matrix(codes: np.ndarray, sm: np.ndarray) -> np.ndarray:
    n, periods = codes.shape
    out = np.zeros((n, n))
    for i in prange(n):
        for j in range(i + 1, n):
            cost = 0.0
            for t in range(periods):
                a = codes[i, t]
                b = codes[j, t]
                if a != b:
                    cost += sm[a, b]
            out[i, j] = cost
            out[j, i] = cost
    return out


@njit(cache=True, fastmath=False, boundscheck=False)
def _om_block(
    a: np.ndarray,
    others: np.ndarray,
    sm: np.ndarray,
    indel: float,
    band: int,
    profile: np.ndarray,
    prev: np.ndarray,
    curr: np.ndarray,
    row: np.ndarray,
    where: np.ndarray,
) -> None:
    """OM distances of sequence ``a`` to up to ``LANES`` sequences ``others`` at once
    (one SIMD lane each), only the cells within ``band`` of the diagonal."""
    lanes = others.shape[0]
    periods = a.shape[0]
    n_states = sm.shape[0]
    # profile[s, j, l]: the cost of substituting state s by others[l, j]
    for s in range(n_states):
        for j in range(periods):
            for lane in range(LANES):
                if lane < lanes:
                    b = others[lane, j]
                    profile[s, j, lane] = 0.0 if b == s else sm[s, b]
                else:
                    profile[s, j, lane] = 0.0
    for j in range(min(periods, band) + 1):
        for lane in range(LANES):
            prev[j, lane] = j * indel
    if band + 1 <= periods:
        for lane in range(LANES):
            prev[band + 1, lane] = INF
    for i in range(1, periods + 1):
        low = max(1, i - band)
        high = min(periods, i + band)
        if low == 1:
            edge = i * indel
            for lane in range(LANES):
                curr[0, lane] = edge
        else:
            for lane in range(LANES):
                curr[low - 1, lane] = INF
        ai = a[i - 1]
        for j in range(low, high + 1):
            for lane in range(LANES):
                deletion = prev[j, lane] + indel
                insertion = curr[j - 1, lane] + indel
                substitution = prev[j - 1, lane] + profile[ai, j - 1, lane]
                best = deletion if deletion < insertion else insertion
                curr[j, lane] = best if best < substitution else substitution
        if high + 1 <= periods:
            for lane in range(LANES):
                curr[high + 1, lane] = INF
        prev, curr = curr, prev
    for lane in range(lanes):
        row[where[lane]] = prev[periods, lane]


@njit(cache=True, fastmath=False, boundscheck=False)
def _om_row(
    r: int,
    codes: np.ndarray,
    sm: np.ndarray,
    indel: float,
    out: np.ndarray,
    profile: np.ndarray,
    prev: np.ndarray,
    curr: np.ndarray,
    others: np.ndarray,
) -> None:
    """Distances of sequence ``r`` to every later sequence, into ``out`` (both halves).

    Exact band: the diagonal alignment with each substitution capped at two indels costs
    ``bound``, an upper bound of the distance. An alignment through a cell ``k`` off the
    diagonal of two sequences of equal length has at least ``2 k`` indels, so cells with
    ``2 k indel > bound`` lie on no optimal alignment and are left out. The pairs of a
    row are sorted by their band and aligned ``LANES`` at a time."""
    n, periods = codes.shape
    cap = 2.0 * indel
    a = codes[r]
    m = n - 1 - r
    if m <= 0:
        return
    bands = np.empty(m, np.int64)
    for q in range(m):
        b = codes[r + 1 + q]
        bound = 0.0
        for t in range(periods):
            if a[t] != b[t]:
                c = sm[a[t], b[t]]
                bound += c if c < cap else cap
        band = int(bound / cap) + 1  # one more than needed: safe against rounding
        bands[q] = band if band < periods else periods
    order = np.argsort(bands)
    row = np.empty(m)
    where = np.empty(LANES, np.int64)
    for start in range(0, m, LANES):
        lanes = min(LANES, m - start)
        for lane in range(lanes):
            q = order[start + lane]
            others[lane] = codes[r + 1 + q]
            where[lane] = q
        band = bands[order[start + lanes - 1]]
        _om_block(a, others[:lanes], sm, indel, band, profile, prev, curr, row, where)
    for q in range(m):
        out[r, r + 1 + q] = row[q]
        out[r + 1 + q, r] = row[q]


@njit(parallel=True, cache=True, fastmath=False)
def om_matrix(codes: np.ndarray, sm: np.ndarray, indel: float) -> np.ndarray:
    """All pairwise OM distances of equal-length sequences (codes ``0 .. S-1``)."""
    n, periods = codes.shape
    n_states = sm.shape[0]
    out = np.zeros((n, n))
    # Row k and row n-1-k together hold n-1 pairs: even work per parallel iteration.
    for k in prange((n + 1) // 2):
        profile = np.empty((n_states, periods, LANES))
        prev = np.empty((periods + 2, LANES))
        curr = np.empty((periods + 2, LANES))
        others = np.empty((LANES, periods), codes.dtype)
        _om_row(k, codes, sm, indel, out, profile, prev, curr, others)
        if n - 1 - k != k:
            _om_row(n - 1 - k, codes, sm, indel, out, profile, prev, curr, others)
    return out
