"""A typology of many sequences by CLARA (Clustering LARge Applications; Kaufman and
Rousseeuw 1990), as WeightedCluster's ``seqclararange`` and sequenzo's ``clara`` do it
for sequences, beside the Ward typology of ``typology.py`` that needs all n² distances.

1. Identical sequences are aggregated: each distinct sequence counts as often as it
   occurs (case weights are not used, as in both anchors).
2. ``samples`` random samples of ``sample_size`` persons, drawn with replacement (so a
   distinct sequence is drawn in proportion to its frequency); a sample with fewer than
   ``k`` distinct sequences gets ``k`` distinct ones in its first draws.
3. Per sample: the distances among its distinct sequences (the compiled OM or Hamming
   kernels) and PAM (BUILD, then the best swap while it improves; Kaufman and
   Rousseeuw's original, from the ``kmedoids`` package) on the sample with its
   repetitions, i.e. weighted by how often each sequence was drawn.
4. Every distinct sequence is assigned to its nearest medoid of every sample (ties: the
   first medoid); the sample whose medoids give the least mean distance over all
   persons is kept (ties: the first sample).
5. Quality of the kept partition, with the anchors' definitions: ``mean_distance``
   (their "Avg dist"), ``pbm``, ``db`` (Davies-Bouldin on the medoids), ``xb``
   (Xie-Beni) and ``ams`` (average medoid silhouette: ``(b - a) / max(a, b)`` with ``a``
   and ``b`` the distances to the nearest and second nearest medoid).

Costs are those of ``distances.distance_matrix`` (same ``method``, ``sm`` and ``indel``)
computed once on all sequences, not per sample. Memory grows with the number of
distinct sequences, never with its square: only a sample's matrix is ever held.

The work is a list of independent calls of two module-level functions,
``sample_medoids`` (one per sample) and ``nearest_medoids`` (one per sample and block
of sequences), handed to a ``mapper``: locally they run in this process (the kernels
use every core); ``doconnect.transitions.engine.dask`` runs them on a Dask cluster.
Either way the numbers are the same, bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from doconnect.transitions.engine import _kernels, kernels
from doconnect.transitions.engine.data import Sequences
from doconnect.transitions.engine.distances import (
    CostMethod,
    Method,
    _distinct,
    _with_missing_state,
    auto_indel,
    substitution_costs,
)
from doconnect.transitions.engine.typology import Typology

Mapper = Callable[[Callable[..., Any], list[tuple[Any, ...]]], list[Any]]

BLOCK = 50_000  # sequences per call of nearest_medoids (a task on a cluster)
_CHUNK = 2_048  # sequences per kernel call inside nearest_medoids


@dataclass(frozen=True)
class Metric:
    """How the kernels compare sequences: costs ``(S, S)`` (with missing periods as the
    last state where there are any) and the OM indel (None: Hamming)."""

    sm: np.ndarray
    indel: float | None


@dataclass(frozen=True)
class Clara:
    typology: Typology  # labels 1 .. k (type 1 holds the first sequence), medoids, sizes
    mean_distance: float  # mean distance of a person to the nearest kept medoid
    pbm: float
    db: float
    xb: float
    ams: float
    best_sample: int  # index of the kept sample
    sample_mean_distances: np.ndarray  # the mean distance each sample's medoids give
    sample_medoids: list[np.ndarray] = field(repr=False)  # per sample: rows of its medoids


def local_map(function: Callable[..., Any], calls: list[tuple[Any, ...]]) -> list[Any]:
    """Run the calls one after the other in this process (the kernels use the cores)."""
    return [function(*args) for args in calls]


def metric(
    seqs: Sequences,
    method: Method = "OM",
    sm: CostMethod | None = None,
    indel: float | Literal["auto"] = "auto",
    weighted: bool = True,
) -> tuple[np.ndarray, Metric]:
    """Kernel codes and costs of ``seqs`` with the defaults of ``distance_matrix``."""
    if method == "HAM":
        if sm is None:
            costs, miss = substitution_costs(seqs, "CONSTANT", 1.0), 1.0
        else:
            costs, miss = substitution_costs(seqs, sm, 2.0, weighted), 2.0
        codes, grown = _with_missing_state(seqs, costs, miss)
        return _int16(codes), Metric(np.ascontiguousarray(grown, dtype=np.float64), None)
    if method != "OM":
        raise ValueError(f"unknown method {method!r} (OM or HAM)")
    if sm is None:
        raise ValueError("OM needs substitution costs: sm='TRATE' or sm='CONSTANT'")
    codes, grown = _with_missing_state(seqs, substitution_costs(seqs, sm, 2.0, weighted), 2.0)
    cost = auto_indel(grown) if indel == "auto" else float(indel)
    if not np.isfinite(cost) or cost <= 0:
        raise ValueError(f"indel must be a positive number, not {indel}")
    return _int16(codes), Metric(np.ascontiguousarray(grown, dtype=np.float64), cost)


def _int16(codes: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(codes, dtype=np.int16)


def pairwise(codes: np.ndarray, how: Metric) -> np.ndarray:
    """All pairwise distances of ``codes`` (a sample's distinct sequences)."""
    if how.indel is None:
        return kernels.hamming_matrix(codes, how.sm)
    return kernels.om_matrix(codes, how.sm, how.indel)


def to_references(codes: np.ndarray, references: np.ndarray, how: Metric) -> np.ndarray:
    """``(len(codes), len(references))`` distances of each sequence to each reference.

    The compiled kernels align a row with every later row; with the references first,
    their rows are exactly these distances (the square ``out`` they need is allocated
    lazily and touched only in its first rows and columns)."""
    k = len(references)
    result = np.empty((len(codes), k))

    def run(start: int) -> None:
        chunk = codes[start : start + _CHUNK]
        stacked = np.ascontiguousarray(np.vstack([references, chunk]), dtype=np.int16)
        size, periods = stacked.shape
        out = np.zeros((size, size))
        rows = np.arange(k, dtype=np.int64)
        if how.indel is None:
            _kernels.hamming_rows(stacked, periods, how.sm, how.sm.shape[0], out, rows)
        else:
            _kernels.om_rows(stacked, periods, how.sm, how.sm.shape[0], how.indel, out, rows)
        result[start : start + len(chunk)] = out[k:, :k]

    starts = list(range(0, len(codes), _CHUNK))
    kernels.in_threads(run, starts)
    return result


def sample_medoids(codes: np.ndarray, counts: np.ndarray, how: Metric, k: int) -> np.ndarray:
    """Positions (in ``codes``, a sample's distinct sequences drawn ``counts`` times) of
    the ``k`` medoids of weighted PAM: PAM on the sample with its repetitions."""
    import kmedoids  # only CLARA needs it

    distances = pairwise(codes, how)
    position = np.repeat(np.arange(len(codes)), counts)
    found = kmedoids.pam(distances[np.ix_(position, position)], k, init="build")
    return position[np.asarray(found.medoids, dtype=np.int64)]


def nearest_medoids(
    codes: np.ndarray, medoids: np.ndarray, how: Metric
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per sequence its nearest medoid (ties: the first), the distance to it and the
    distance to the second nearest."""
    d = to_references(codes, medoids, how)
    nearest = np.argmin(d, axis=1)
    ordered = np.sort(d, axis=1)
    second = ordered[:, 1] if d.shape[1] > 1 else ordered[:, 0]
    return nearest, ordered[:, 0], second


def draw_samples(n: int, samples: int, sample_size: int, seed: int) -> list[np.ndarray]:
    """``samples`` arrays of ``sample_size`` person rows drawn with replacement; the
    same seed gives the same samples."""
    rng = np.random.default_rng(seed)
    return [rng.integers(0, n, size=sample_size) for _ in range(samples)]


def clara(
    seqs: Sequences,
    k: int,
    *,
    samples: int = 10,
    sample_size: int | None = None,
    seed: int = 0,
    method: Method = "OM",
    sm: CostMethod | None = None,
    indel: float | Literal["auto"] = "auto",
    drawn: Sequence[np.ndarray] | None = None,
    mapper: Mapper = local_map,
    block: int = BLOCK,
) -> Clara:
    """CLARA of ``seqs`` into ``k`` types (module text). ``sample_size`` defaults to
    ``40 + 2 k`` (the anchors' default); ``drawn`` gives the samples (person rows)
    instead of drawing them from ``seed``; ``mapper`` runs the per-sample work (see
    ``cluster.py`` for Dask), ``block`` sequences at a time for the assignment."""
    if seqs.n == 0:
        raise ValueError("no sequences to type")
    size = 40 + 2 * k if sample_size is None else sample_size
    if drawn is None:
        if samples < 1:
            raise ValueError(f"samples must be at least 1, not {samples}")
        if size < k:
            raise ValueError(f"the sample size ({size}) must be at least k ({k})")
    if block < 1:
        raise ValueError(f"block must be at least 1, not {block}")
    codes, how = metric(seqs, method, sm, indel)
    distinct, inverse = _distinct(codes)
    index = np.arange(seqs.n) if inverse is None else inverse
    n_distinct = len(distinct)
    if not 1 <= k <= n_distinct:
        raise ValueError(f"k must be between 1 and the distinct sequences ({n_distinct}), not {k}")
    counts = np.bincount(index, minlength=n_distinct).astype(np.float64)
    first_row = np.unique(index, return_index=True)[1]
    rng = np.random.default_rng(seed)
    if drawn is None:
        drawn = draw_samples(seqs.n, samples, size, seed)
        rng = np.random.default_rng([seed, 1])  # distinct stream for the top-ups below

    sample_cases: list[tuple[np.ndarray, np.ndarray]] = []
    for rows in drawn:
        cases = index[np.asarray(rows, dtype=np.int64)]
        if len(np.unique(cases)) < k:
            cases = cases.copy()
            cases[:k] = rng.choice(n_distinct, size=k, replace=False)
        unique, drawn_count = np.unique(cases, return_counts=True)
        sample_cases.append((unique, drawn_count))

    positions = mapper(
        sample_medoids,
        [(distinct[unique], drawn_count, how, k) for unique, drawn_count in sample_cases],
    )
    medoid_cases = [unique[pos] for (unique, _), pos in zip(sample_cases, positions, strict=True)]

    # One array per block, shared by the calls of all samples (a cluster sends it once).
    blocks = [distinct[start : start + block] for start in range(0, n_distinct, block)]
    calls = [
        (codes_block, distinct[cases], how) for cases in medoid_cases for codes_block in blocks
    ]
    found = mapper(nearest_medoids, calls)
    total = float(seqs.n)
    means = np.empty(len(medoid_cases))
    for s in range(len(medoid_cases)):
        parts = found[s * len(blocks) : (s + 1) * len(blocks)]
        means[s] = float(np.dot(counts, np.concatenate([p[1] for p in parts]))) / total
    best = int(np.argmin(means))
    parts = found[best * len(blocks) : (best + 1) * len(blocks)]
    nearest = np.concatenate([p[0] for p in parts])
    first = np.concatenate([p[1] for p in parts])
    second = np.concatenate([p[2] for p in parts])
    kept = medoid_cases[best]
    between = pairwise(distinct[kept], how) if k > 1 else np.zeros((1, 1))
    quality = _quality(nearest, first, second, counts, between, total)

    # Types numbered by the first sequence in each, as the Ward typology numbers them.
    person_type = nearest[index]
    order: dict[int, int] = {}
    for t in person_type.tolist():
        order.setdefault(t, len(order))
        if len(order) == k:
            break
    renumber = np.array([order[t] for t in range(k)], dtype=np.int64)
    labels = renumber[person_type] + 1
    medoid_rows = np.empty(k, dtype=np.int64)
    medoid_rows[renumber] = first_row[kept]
    sizes = np.bincount(labels, minlength=k + 1)[1:]
    distributions = np.stack([_distribution(seqs, labels == t) for t in range(1, k + 1)])
    return Clara(
        typology=Typology(labels, medoid_rows, sizes, distributions),
        mean_distance=float(means[best]),
        best_sample=best,
        sample_mean_distances=means,
        sample_medoids=[first_row[cases] for cases in medoid_cases],
        **quality,
    )


def _distribution(seqs: Sequences, members: np.ndarray) -> np.ndarray:
    from doconnect.transitions.engine.describe import state_distribution

    weights = None if seqs.weights is None else seqs.weights[members]
    return state_distribution(Sequences(seqs.codes[members], seqs.states, weights=weights))


def _quality(
    nearest: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    counts: np.ndarray,
    between: np.ndarray,
    total: float,
) -> dict[str, float]:
    """The anchors' quality figures of a crisp partition around medoids (module text);
    ``between`` holds the distances among the medoids."""
    k = len(between)
    mean = float(np.dot(counts, first)) / total
    larger = np.maximum(first, second)
    with np.errstate(invalid="ignore", divide="ignore"):
        silhouette = np.where(larger > 0, (second - first) / larger, 0.0)
        ams = float(np.dot(counts, silhouette)) / total
        if k == 1:
            return {"pbm": np.nan, "db": np.nan, "xb": np.nan, "ams": ams}
        weight = np.bincount(nearest, weights=counts, minlength=k)
        spread = np.bincount(nearest, weights=counts * first, minlength=k) / weight
        ratios = (spread[:, None] + spread[None, :]) / between
        db = float(np.mean([np.max(row[np.isfinite(row)]) for row in ratios]))
    pbm = ((1.0 / k) * (float(np.max(between)) / mean)) ** 2
    xb = mean / float(np.min(between[np.triu_indices(k, 1)]))
    return {"pbm": pbm, "db": db, "xb": xb, "ams": ams}
