"""On sequenzo's own mvad data (712 persons, 72 months), every figure equals what the
installed sequenzo computes in the test, to 1e-9. Each is taken from sequenzo's public
API (see ``peer.py``), nothing is hard-coded:

- transition rates, weighted and unweighted: ``sequenzo.visualization.
  compute_transition_matrix`` and, as TRATE uses them, ``sequenzo.dissimilarity_measures.
  get_sm_trate_substitution_cost_matrix`` (both must agree with ours);
- state distribution per month and its normalised entropy:
  ``get_cross_sectional_entropy`` (unrounded);
- mean time in each state: ``get_mean_time_by_state``;
- TRATE substitution costs and the automatic indel: ``get_substitution_cost_matrix``;
- Hamming and OM (TRATE with indel 1 and auto, CONSTANT with indel 1) distances of all
  pairs: ``get_distance_matrix`` with the method, ``sm`` and ``indel`` given by name,
  exactly as a sequenzo user would call it.

Every quantity compared here has a sequenzo function; none needs an independent
computation.
"""

from __future__ import annotations

import numpy as np
import pytest

from doconnect.transitions.engine import describe, distances

TOLERANCE = 1e-9


def close(ours, theirs) -> None:
    np.testing.assert_allclose(
        np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64),
        rtol=0, atol=TOLERANCE,
    )  # fmt: skip


@pytest.mark.parametrize("weighted", [True, False])
def test_the_transition_rates_equal_sequenzos(sequenzo, mvad_sequenzo, mvad, weighted) -> None:
    from sequenzo.dissimilarity_measures import get_sm_trate_substitution_cost_matrix
    from sequenzo.visualization import compute_transition_matrix

    matrix = compute_transition_matrix(mvad_sequenzo, weights="auto" if weighted else None)
    trate = get_sm_trate_substitution_cost_matrix(
        mvad_sequenzo, time_varying=False, weighted=weighted
    )

    ours = describe.transition_rates(mvad, weighted=weighted)
    assert ours.shape == (6, 6)
    close(ours, matrix)
    close(ours, trate[1:, 1:])


def test_the_weights_matter_for_the_transition_rates(mvad) -> None:
    weighted = describe.transition_rates(mvad)
    unweighted = describe.transition_rates(mvad, weighted=False)

    assert np.abs(weighted - unweighted).max() > 1e-3


@pytest.mark.filterwarnings("ignore:'where' used without 'out':UserWarning")
def test_the_state_distribution_and_entropy_equal_sequenzos(sequenzo, mvad_sequenzo, mvad) -> None:
    theirs = sequenzo.get_cross_sectional_entropy(
        mvad_sequenzo, return_format="dict", round_decimals=17
    )

    frequencies = theirs["Frequencies"].to_numpy(dtype=np.float64).T  # periods x states
    assert frequencies.shape == (72, 6)
    close(describe.state_distribution(mvad), frequencies)
    close(describe.entropy(mvad), theirs["per_time_entropy_norm"])


def test_the_mean_time_in_each_state_equals_sequenzos(sequenzo, mvad_sequenzo, mvad) -> None:
    theirs = sequenzo.get_mean_time_by_state(mvad_sequenzo)

    close(describe.mean_time_in_state(mvad), theirs.iloc[:, 0])


def test_the_trate_costs_and_auto_indel_equal_sequenzos(sequenzo, mvad_sequenzo, mvad) -> None:
    theirs = sequenzo.get_substitution_cost_matrix(mvad_sequenzo, "TRATE", cval=2, miss_cost=2)

    costs = distances.substitution_costs(mvad, "TRATE")
    close(costs, theirs["sm"].to_numpy()[1:, 1:])
    assert distances.auto_indel(costs) == pytest.approx(theirs["indel"], abs=TOLERANCE)


def test_hamming_distances_equal_sequenzos(sequenzo, mvad_sequenzo, mvad) -> None:
    theirs = sequenzo.get_distance_matrix(mvad_sequenzo, method="HAM")

    ours = distances.distance_matrix(mvad, "HAM")
    assert ours.shape == (712, 712)
    close(ours, theirs)


@pytest.mark.slow
@pytest.mark.parametrize(("sm", "indel"), [("TRATE", 1.0), ("TRATE", "auto"), ("CONSTANT", 1.0)])
def test_om_distances_of_all_pairs_equal_sequenzos(
    sequenzo, mvad_sequenzo, mvad, sm, indel
) -> None:
    theirs = sequenzo.get_distance_matrix(mvad_sequenzo, method="OM", sm=sm, indel=indel)

    ours = distances.distance_matrix(mvad, "OM", sm, indel)
    assert ours.shape == (712, 712)
    assert np.asarray(theirs).max() > 0
    close(ours, theirs)
