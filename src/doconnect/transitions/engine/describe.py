"""Descriptions of a set of sequences: the state distribution per period (chronogram
data) and its entropy, transitions and transition rates, time spent in each state, the
most frequent sequences. Weighted when the sequences carry weights; missing periods
are left out of every denominator."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from doconnect.transitions.engine import kernels
from doconnect.transitions.engine.data import Sequences


def _weights(seqs: Sequences, weighted: bool) -> np.ndarray:
    return seqs.weight_vector() if weighted else np.ones(seqs.n)


def state_counts(seqs: Sequences, weighted: bool = True) -> np.ndarray:
    """``(periods, states)``: the (weighted) number of persons in each state."""
    return kernels.state_counts(seqs.codes, _weights(seqs, weighted), len(seqs.states))


def state_distribution(seqs: Sequences, weighted: bool = True) -> np.ndarray:
    """``(periods, states)``: the share of each state among the persons observed in the
    period (rows sum to 1; a period nobody is observed in is all zeros). Equals
    TraMineR's ``seqstatd`` and sequenzo's ``get_cross_sectional_entropy`` frequencies."""
    counts = state_counts(seqs, weighted)
    totals = counts.sum(axis=1, keepdims=True)
    return np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)


def entropy(seqs: Sequences, weighted: bool = True, normalised: bool = True) -> np.ndarray:
    """Shannon entropy (natural log) of each period's state distribution; divided by
    ``log(number of states)`` when ``normalised`` (0 = everybody in one state, 1 = all
    states equally common)."""
    shares = state_distribution(seqs, weighted)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(shares > 0, -shares * np.log(shares), 0.0)
    values = terms.sum(axis=1)
    if normalised and len(seqs.states) > 1:
        values = values / np.log(len(seqs.states))
    return values


def transition_counts(seqs: Sequences, weighted: bool = True) -> np.ndarray:
    """``(states, states)``: (weighted) moves from the row state in one period to the
    column state in the next, pooled over all pairs of consecutive periods (staying in
    a state counts on the diagonal); pairs with a missing period are not counted."""
    return kernels.transition_counts(seqs.codes, _weights(seqs, weighted), len(seqs.states))


def transition_rates(seqs: Sequences, weighted: bool = True) -> np.ndarray:
    """``(states, states)``: ``p(j | i)``, the share of the periods in state ``i``
    followed by state ``j`` (rows sum to 1; a state never followed by an observed
    period has a row of zeros). TraMineR's ``seqtrate`` and sequenzo's
    transition matrix behind the ``TRATE`` costs."""
    counts = transition_counts(seqs, weighted)
    totals = counts.sum(axis=1, keepdims=True)
    return np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)


def mean_time_in_state(seqs: Sequences, weighted: bool = True) -> np.ndarray:
    """Per state, the (weighted) mean number of periods a person spends in it (TraMineR's
    ``seqmeant``); over all persons, so the values add up to the mean number of observed
    periods."""
    w = _weights(seqs, weighted)
    total = w.sum()
    if total == 0:
        return np.zeros(len(seqs.states))
    return state_counts(seqs, weighted).sum(axis=0) / total


def mean_spell_duration(seqs: Sequences, weighted: bool = True) -> np.ndarray:
    """Per state, the mean length of a spell (an uninterrupted run) in it, in periods
    (spells cut by the observation window count as they are seen); 0 for states never
    entered."""
    w = _weights(seqs, weighted)
    periods = state_counts(seqs, weighted).sum(axis=0)
    spells = kernels.spell_counts(seqs.codes, w, len(seqs.states))
    return np.divide(periods, spells, out=np.zeros_like(periods), where=spells > 0)


@dataclass(frozen=True)
class FrequentSequence:
    codes: np.ndarray
    count: float
    share: float
    first_row: int  # the first person with this sequence


def frequent_sequences(
    seqs: Sequences, top: int = 10, weighted: bool = True
) -> list[FrequentSequence]:
    """The ``top`` most frequent distinct sequences (missing periods compared as such),
    most frequent first; ties by first appearance."""
    if seqs.n == 0:
        return []
    w = _weights(seqs, weighted)
    rows = np.ascontiguousarray(seqs.codes)
    keys = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    counts = np.bincount(inverse, weights=w, minlength=len(first))
    order = np.lexsort((first, -counts))[:top]
    total = w.sum()
    return [
        FrequentSequence(
            codes=rows[first[k]].copy(),
            count=float(counts[k]),
            share=float(counts[k] / total) if total else 0.0,
            first_row=int(first[k]),
        )
        for k in order
    ]
