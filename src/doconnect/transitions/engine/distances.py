"""Pairwise distances between sequences of equal length, as defined by TraMineR's
``seqdist`` and sequenzo's ``get_distance_matrix``:

- ``HAM``: Hamming, the sum over periods of the substitution cost between the two
  states (constant 1 unless a cost matrix is given);
- ``OM``: Optimal Matching, the cheapest sequence of insertions/deletions (``indel``
  each) and substitutions turning one sequence into the other.

Substitution costs are ``CONSTANT`` (``cval``, 2 by default, between any two different
states) or ``TRATE``: ``cval - p(i|j) - p(j|i)`` from the pooled transition rates
(``describe.transition_rates``). ``indel="auto"`` is half the largest substitution cost.
A missing period is one more state that costs ``cval`` against every other
(TraMineR's and sequenzo's "missing as a state"); transition rates for ``TRATE`` are
counted among observed periods only.

Identical sequences are aligned once. OM runs in compiled, parallel code: see
``kernels.om_matrix`` for the exact band that spares most of the work.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from doconnect.transitions.engine import kernels
from doconnect.transitions.engine.buffers import hamming_cval
from doconnect.transitions.engine.data import Sequences

Method = Literal["OM", "HAM"]
CostMethod = Literal["TRATE", "CONSTANT"]


def substitution_costs(
    seqs: Sequences, method: CostMethod = "TRATE", cval: float = 2.0, weighted: bool = True
) -> np.ndarray:
    """``(states, states)`` substitution costs, zero on the diagonal."""
    n_states = len(seqs.states)
    if method == "CONSTANT":
        costs = np.full((n_states, n_states), float(cval))
    elif method == "TRATE":
        # here: Hamming with its default costs needs no describe (start-up, issue #21)
        from doconnect.transitions.engine.describe import transition_rates

        rates = transition_rates(seqs, weighted)
        costs = cval - rates - rates.T
    else:
        raise ValueError(f"unknown substitution-cost method {method!r} (TRATE or CONSTANT)")
    np.fill_diagonal(costs, 0.0)
    return costs


def auto_indel(costs: np.ndarray) -> float:
    """Half the largest substitution cost (TraMineR's and sequenzo's ``indel="auto"``)."""
    return 0.5 * float(np.max(costs)) if costs.size else 1.0


def _with_missing_state(
    seqs: Sequences, costs: np.ndarray, miss_cost: float
) -> tuple[np.ndarray, np.ndarray]:
    """Codes with missing periods as state ``S`` and costs grown by that state."""
    n_states = len(seqs.states)
    if not seqs.has_missing:
        return seqs.codes, costs
    codes = seqs.codes.astype(np.int16)
    codes[codes < 0] = n_states
    grown = np.full((n_states + 1, n_states + 1), float(miss_cost))
    grown[:n_states, :n_states] = costs
    grown[n_states, n_states] = 0.0
    return codes, grown


def _distinct(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """The distinct rows in the order they first appear, and each row's index among
    them — None when all rows are distinct (the matrix is then already in row order)."""
    rows = np.ascontiguousarray(codes)
    keys = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    if len(first) == len(rows):
        return rows, None
    order = np.argsort(first)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rows[first[order]], rank[inverse.ravel()]


def _expanded(matrix: np.ndarray, inverse: np.ndarray | None) -> np.ndarray:
    if inverse is None:
        return matrix
    return np.ascontiguousarray(matrix[np.ix_(inverse, inverse)])


def hamming(seqs: Sequences, costs: np.ndarray | None = None, miss_cost: float = 1.0) -> np.ndarray:
    """``(n, n)`` Hamming distances; ``costs`` default to 1 between different states."""
    if costs is None:
        costs = substitution_costs(seqs, "CONSTANT", 1.0)
    codes, sm = _with_missing_state(seqs, _checked(costs, seqs), miss_cost)
    distinct, inverse = _distinct(codes)
    return _expanded(kernels.hamming_matrix(distinct, sm), inverse)


def optimal_matching(
    seqs: Sequences, costs: np.ndarray, indel: float, miss_cost: float = 2.0
) -> np.ndarray:
    """``(n, n)`` OM distances with substitution ``costs`` and a single ``indel`` cost."""
    if not np.isfinite(indel) or indel <= 0:
        raise ValueError(f"indel must be a positive number, not {indel}")
    codes, sm = _with_missing_state(seqs, _checked(costs, seqs), miss_cost)
    distinct, inverse = _distinct(codes)
    matrix = kernels.om_matrix(distinct, np.ascontiguousarray(sm, dtype=np.float64), float(indel))
    return _expanded(matrix, inverse)


def _checked(costs: np.ndarray, seqs: Sequences) -> np.ndarray:
    costs = np.asarray(costs, dtype=np.float64)
    n_states = len(seqs.states)
    if costs.shape != (n_states, n_states):
        raise ValueError(f"costs must be {n_states} x {n_states}, not {costs.shape}")
    if not np.all(np.isfinite(costs)) or np.any(costs < 0):
        raise ValueError("substitution costs must be finite and non-negative")
    return costs


def distance_matrix(
    seqs: Sequences,
    method: Method = "OM",
    sm: CostMethod | None = None,
    indel: float | Literal["auto"] = "auto",
    weighted: bool = True,
) -> np.ndarray:
    """``(n, n)`` distances in the row order of ``seqs``, with sequenzo's defaults:
    OM needs ``sm`` (``TRATE`` or ``CONSTANT``, both with ``cval`` 2); HAM uses cost 1
    without ``sm`` and ``cval`` 2 with it. Missing periods cost ``cval``."""
    if seqs.n == 0:
        return np.zeros((0, 0))
    if method == "HAM":
        cval = hamming_cval(sm)
        costs = None if sm is None else substitution_costs(seqs, sm, cval, weighted)
        return hamming(seqs, costs, miss_cost=cval)
    if method != "OM":
        raise ValueError(f"unknown method {method!r} (OM or HAM)")
    if sm is None:
        raise ValueError("OM needs substitution costs: sm='TRATE' or sm='CONSTANT'")
    costs = substitution_costs(seqs, sm, 2.0, weighted)
    if indel == "auto":
        grown = _with_missing_state(seqs, costs, 2.0)[1]
        indel_cost = auto_indel(grown)
    else:
        indel_cost = float(indel)
    return optimal_matching(seqs, costs, indel_cost, miss_cost=2.0)
