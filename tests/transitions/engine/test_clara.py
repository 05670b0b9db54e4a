"""CLARA for sequences on sequenzo's mvad data (712 persons, 72 months), checked against
independent computations:

- every person's type is its nearest kept medoid, and the mean distance is the mean of
  those distances, both taken from the full OM matrix of ``distance_matrix`` (a
  different path through the kernels than CLARA's distances to the medoids);
- each sample's medoids equal an independent weighted PAM of the same sample
  (sequenzo's ``KMedoids`` with ``method="PAM"``: BUILD, then swaps, on the distinct
  sequences of the sample weighted by how often each was drawn);
- the whole result equals sequenzo's ``clara`` given the same samples. Its interface
  takes no samples: it draws them with NumPy's global generator, in parallel with
  joblib. Run with joblib's sequential backend (``joblib.parallel_config``, public API)
  after ``np.random.seed``, its draws can be repeated here exactly and handed to ours.
  It goes no further than that: sequenzo starts each sample's PAM from a Ward tree (of
  the rows of the weighted distance matrix), ours from PAM's BUILD, so a sample's
  medoids may be another local optimum of PAM (on this seed one sample of six is);
  the kept sample, its medoids, the partition and every quality figure are equal.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from doconnect.transitions.engine import Sequences, distances
from doconnect.transitions.engine.clara import clara, metric
from tests.transitions.engine import peer

TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def mvad_unweighted(mvad: Sequences) -> Sequences:
    return Sequences(mvad.codes, mvad.states, ids=mvad.ids)


@pytest.fixture(scope="module")
def full_om(mvad_unweighted: Sequences) -> np.ndarray:
    return distances.distance_matrix(mvad_unweighted, "OM", "TRATE")


def test_every_person_is_typed_by_the_nearest_medoid_of_the_best_sample(
    mvad_unweighted, full_om
) -> None:
    result = clara(mvad_unweighted, 4, samples=5, sample_size=120, seed=3, sm="TRATE")

    types = result.typology
    to_medoids = full_om[:, types.medoids]
    assert types.labels.shape == (712,)
    assert set(types.labels.tolist()) == {1, 2, 3, 4}
    assert types.labels[0] == 1
    np.testing.assert_array_equal(types.labels, np.argmin(to_medoids, axis=1) + 1)
    assert types.labels[types.medoids].tolist() == [1, 2, 3, 4]
    assert types.sizes.sum() == 712
    assert result.mean_distance == pytest.approx(to_medoids.min(axis=1).mean(), abs=TOLERANCE)
    for s, rows in enumerate(result.sample_medoids):
        expected = full_om[:, rows].min(axis=1).mean()
        assert result.sample_mean_distances[s] == pytest.approx(expected, abs=TOLERANCE)
    assert result.best_sample == int(np.argmin(result.sample_mean_distances))


def test_the_same_seed_gives_the_same_typology_and_another_seed_other_samples(
    mvad_unweighted,
) -> None:
    first = clara(mvad_unweighted, 3, samples=3, sample_size=80, seed=11, sm="TRATE")
    again = clara(mvad_unweighted, 3, samples=3, sample_size=80, seed=11, sm="TRATE")
    other = clara(mvad_unweighted, 3, samples=3, sample_size=80, seed=12, sm="TRATE")

    np.testing.assert_array_equal(first.typology.labels, again.typology.labels)
    np.testing.assert_array_equal(first.sample_mean_distances, again.sample_mean_distances)
    assert not np.array_equal(first.sample_mean_distances, other.sample_mean_distances)


def test_hamming_typology_assigns_by_the_hamming_matrix(mvad_unweighted) -> None:
    result = clara(mvad_unweighted, 3, samples=2, seed=5, method="HAM")

    full = distances.distance_matrix(mvad_unweighted, "HAM")
    to_medoids = full[:, result.typology.medoids]
    own = to_medoids[np.arange(712), result.typology.labels - 1]
    # Hamming distances are whole numbers: a tie goes to the sample's first medoid.
    np.testing.assert_array_equal(own, to_medoids.min(axis=1))
    assert result.mean_distance == pytest.approx(own.mean(), abs=TOLERANCE)


def test_more_types_than_distinct_sequences_is_refused() -> None:
    seqs = Sequences.from_labels([["A", "B"], ["A", "B"], ["B", "B"]], ids=["a", "b", "c"])

    with pytest.raises(ValueError, match="distinct sequences \\(2\\)"):
        clara(seqs, 3, sm="CONSTANT")


def _sequenzo_samples(mvad_sequenzo, seed: int, samples: int, size: int) -> list[np.ndarray]:
    """The person rows sequenzo's ``clara`` draws after ``np.random.seed(seed)`` when
    run sequentially: the same calls on its own aggregation of the cases."""
    from sequenzo.big_data.clara.utils.aggregatecases import DataFrameAggregator

    cases = DataFrameAggregator().aggregate(mvad_sequenzo.seqdata)
    first_rows = np.asarray(cases["aggIndex"], dtype=np.int64) - 1
    probs = np.asarray(cases["aggWeights"], dtype=np.float64) / len(mvad_sequenzo.seqdata)
    np.random.seed(seed)
    return [
        first_rows[np.random.choice(len(first_rows), size=size, p=probs, replace=True)]
        for _ in range(samples)
    ]


def test_each_samples_medoids_equal_an_independent_weighted_pam(
    sequenzo, mvad_sequenzo, mvad_unweighted, full_om
) -> None:
    from sequenzo.clustering.k_medoids import KMedoids
    from sequenzo.clustering.sequences_to_variables.helske_regression_variables import (
        medoid_indices_from_kmedoids_result,
    )

    drawn = _sequenzo_samples(mvad_sequenzo, seed=21, samples=4, size=150)
    result = clara(mvad_unweighted, 5, drawn=drawn, sm="TRATE")

    codes = mvad_unweighted.codes
    for rows, ours in zip(drawn, result.sample_medoids, strict=True):
        _, first, inverse = np.unique(codes[rows], axis=0, return_index=True, return_inverse=True)
        weights = np.bincount(inverse.ravel()).astype(np.float64)
        distinct_rows = rows[first]
        with peer.quiet():
            found = KMedoids(
                full_om[np.ix_(distinct_rows, distinct_rows)], 5, weights=weights,
                method="PAM", verbose=False,
            )  # fmt: skip
        theirs = distinct_rows[np.asarray(medoid_indices_from_kmedoids_result(found))]
        assert sorted(codes[ours].tolist()) == sorted(codes[theirs].tolist())


def test_clara_equals_sequenzos_clara_on_the_same_samples(
    sequenzo, mvad_frame, mvad_columns, mvad_unweighted
) -> None:
    import joblib
    from sequenzo.big_data.clara.clara import clara as sequenzo_clara

    samples, size, k, seed = 6, 100, 4, 7
    data = peer.sequence_data(mvad_frame, mvad_columns, list(mvad_unweighted.states))
    _, how = metric(mvad_unweighted, "OM", "TRATE")
    with joblib.parallel_config(backend="sequential"), peer.quiet():
        np.random.seed(seed)
        theirs = sequenzo_clara(
            data, R=samples, kvals=[k], sample_size=size,
            dist_args={"method": "OM", "sm": how.sm, "indel": how.indel},
        )  # fmt: skip
    drawn = _sequenzo_samples(data, seed, samples, size)

    ours = clara(mvad_unweighted, k, drawn=drawn, sm="TRATE")

    best = theirs["clara"][0]
    stats = theirs["stats"].iloc[0]
    assert ours.best_sample == int(best["iteration"])
    assert sorted(ours.typology.medoids.tolist()) == sorted(np.asarray(best["medoids"]).tolist())
    crossed = pd.crosstab(np.asarray(best["clustering"]), ours.typology.labels)
    assert ((crossed > 0).sum(axis=1) == 1).all() and ((crossed > 0).sum(axis=0) == 1).all()
    for ours_value, column in [
        (ours.mean_distance, "Avg dist"), (ours.pbm, "PBM"), (ours.db, "DB"),
        (ours.xb, "XB"), (ours.ams, "AMS"),
    ]:  # fmt: skip
        assert ours_value == pytest.approx(float(stats[column]), abs=TOLERANCE), column
    agree = np.isclose(ours.sample_mean_distances, best["iter_objective"], rtol=0, atol=TOLERANCE)
    assert agree[ours.best_sample]
    assert agree.sum() >= samples - 1  # see the module text: PAM's starts differ
