"""A typology of sequences: Ward's hierarchical clustering of a distance matrix into
``k`` types, each with its medoid (the member with the least summed distance to the
other members) and its state distribution per period."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from doconnect.transitions.engine.data import Sequences
from doconnect.transitions.engine.describe import state_distribution


@dataclass(frozen=True)
class Typology:
    labels: np.ndarray  # the type of each sequence, 1 .. k
    medoids: np.ndarray  # row index of each type's medoid (type t at position t - 1)
    sizes: np.ndarray  # persons per type
    distributions: np.ndarray  # (k, periods, states): each type's state distribution

    @property
    def k(self) -> int:
        return len(self.medoids)


def ward_labels(distances: np.ndarray, k: int) -> np.ndarray:
    """Types ``1 .. k`` from Ward's linkage on the condensed ``distances``, numbered by
    the first sequence in each (the first sequence is in type 1)."""
    n = distances.shape[0]
    if distances.shape != (n, n):
        raise ValueError("distances must be a square matrix")
    if not 1 <= k <= max(n, 1):
        raise ValueError(f"k must be between 1 and the number of sequences ({n}), not {k}")
    if n == 1 or k == 1:
        return np.ones(n, dtype=np.int64)
    # SciPy's clustering takes most of a second to import: only the typology needs it,
    # not every start of the command line.
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    tree = linkage(squareform(distances, checks=False), method="ward")
    raw = fcluster(tree, t=k, criterion="maxclust")
    renumber: dict[int, int] = {}
    for label in raw.tolist():
        renumber.setdefault(label, len(renumber) + 1)
    return np.array([renumber[label] for label in raw.tolist()], dtype=np.int64)


def medoids(distances: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """For each type ``1 .. max(labels)`` the row index of its medoid (ties: the first)."""
    found = []
    for t in range(1, int(labels.max()) + 1):
        members = np.flatnonzero(labels == t)
        sums = distances[np.ix_(members, members)].sum(axis=1)
        found.append(int(members[int(np.argmin(sums))]))
    return np.array(found, dtype=np.int64)


def typology(seqs: Sequences, distances: np.ndarray, k: int) -> Typology:
    """Ward clustering of ``distances`` (in the row order of ``seqs``) into ``k`` types."""
    if distances.shape != (seqs.n, seqs.n):
        raise ValueError(f"distances are {distances.shape}, the sequences {seqs.n}")
    labels = ward_labels(distances, k)
    centres = medoids(distances, labels)
    k_found = len(centres)
    sizes = np.bincount(labels, minlength=k_found + 1)[1:]
    distributions = np.stack(
        [
            state_distribution(
                Sequences(
                    seqs.codes[labels == t],
                    seqs.states,
                    weights=None if seqs.weights is None else seqs.weights[labels == t],
                )
            )
            for t in range(1, k_found + 1)
        ]
    )
    return Typology(labels, centres, sizes, distributions)
