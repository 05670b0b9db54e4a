"""Small hand-made sequences with answers worked out on paper."""

from __future__ import annotations

import numpy as np
import pytest

from doconnect.transitions.engine import Sequences, describe, distances, outcomes, typology


def seqs(*rows: str, weights: list[float] | None = None) -> Sequences:
    return Sequences.from_labels(
        [[c if c != "." else "" for c in r] for r in rows], weights=weights
    )


def test_the_distribution_counts_only_observed_persons_per_period() -> None:
    s = seqs("AB", "A.", "BB")

    assert describe.state_distribution(s).tolist() == [[2 / 3, 1 / 3], [0.0, 1.0]]


def test_weights_shift_the_distribution() -> None:
    s = seqs("A", "B", weights=[3, 1])

    assert describe.state_distribution(s).tolist() == [[0.75, 0.25]]
    assert describe.state_distribution(s, weighted=False).tolist() == [[0.5, 0.5]]


def test_entropy_is_zero_for_one_state_and_one_for_an_even_split() -> None:
    s = seqs("AA", "AB")

    assert describe.entropy(s).tolist() == pytest.approx([0.0, 1.0])


def test_transitions_are_pooled_over_periods_and_skip_missing_periods() -> None:
    s = seqs("AAB", "A.B", "BBA")

    assert describe.transition_counts(s).tolist() == [[1, 1], [1, 1]]
    assert describe.transition_rates(s).tolist() == [[0.5, 0.5], [0.5, 0.5]]


def test_mean_time_and_spell_duration() -> None:
    s = seqs("AAAB", "ABAB")

    assert describe.mean_time_in_state(s).tolist() == [2.5, 1.5]
    assert describe.mean_spell_duration(s).tolist() == [5 / 3, 1.0]


def test_the_most_frequent_sequences_come_first() -> None:
    s = seqs("AB", "BB", "BB", "AB", "BB")

    top = describe.frequent_sequences(s, top=2)
    assert [t.count for t in top] == [3, 2]
    assert [t.first_row for t in top] == [1, 0]


def test_hamming_counts_differing_periods() -> None:
    assert distances.distance_matrix(seqs("AAB", "ABA"), "HAM")[0, 1] == 2


def test_om_shifts_cheaper_than_it_substitutes() -> None:
    # ABBB -> BBBA: delete the A in front, insert one at the end: 2 indels.
    s = seqs("ABBB", "BBBA")
    costs = distances.substitution_costs(s, "CONSTANT")

    assert distances.optimal_matching(s, costs, indel=1.0)[0, 1] == 2.0
    assert distances.optimal_matching(s, costs, indel=5.0)[0, 1] == 4.0  # two substitutions


def test_trate_costs_follow_two_minus_both_rates() -> None:
    s = seqs("AAB", "BBA")  # p(B|A) = 1/2, p(A|B) = 1/2
    costs = distances.substitution_costs(s, "TRATE")

    assert costs.tolist() == [[0.0, 1.0], [1.0, 0.0]]
    assert distances.auto_indel(costs) == 0.5


def test_missing_periods_cost_as_much_as_a_substitution() -> None:
    s = seqs("AB", "A.")

    assert distances.distance_matrix(s, "OM", "CONSTANT", 1.0)[0, 1] == 2.0


def test_om_agrees_with_a_plain_dynamic_programme_on_random_sequences() -> None:
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 4, size=(40, 15)).astype(np.int8)
    s = Sequences(codes, ("a", "b", "c", "d"))
    costs = rng.uniform(0.5, 3, (4, 4))
    costs = np.triu(costs, 1) + np.triu(costs, 1).T
    ours = distances.optimal_matching(s, costs, indel=0.9)

    def plain(x: np.ndarray, y: np.ndarray) -> float:
        d = np.zeros((len(x) + 1, len(y) + 1))
        d[:, 0] = np.arange(len(x) + 1) * 0.9
        d[0, :] = np.arange(len(y) + 1) * 0.9
        for i in range(1, len(x) + 1):
            for j in range(1, len(y) + 1):
                sub = 0.0 if x[i - 1] == y[j - 1] else costs[x[i - 1], y[j - 1]]
                d[i, j] = min(d[i - 1, j] + 0.9, d[i, j - 1] + 0.9, d[i - 1, j - 1] + sub)
        return float(d[-1, -1])

    for i in range(0, 40, 7):
        for j in range(40):
            assert ours[i, j] == pytest.approx(plain(codes[i], codes[j]), abs=1e-12)


def test_the_typology_puts_alike_sequences_together_around_a_medoid() -> None:
    s = seqs("AAAA", "AAAB", "AABB", "BBBB", "BBBA")
    d = distances.distance_matrix(s, "HAM")

    types = typology.typology(s, d, 2)
    assert types.labels.tolist() == [1, 1, 1, 2, 2]
    assert types.medoids.tolist() == [1, 3]
    assert types.sizes.tolist() == [3, 2]
    assert types.distributions[1, 0].tolist() == [0.0, 1.0]


def test_outcomes_count_each_leaver_once_k_periods_after_the_last_origin_period() -> None:
    s = seqs("XXAAB", "XAAAB", "XXXXX", "XXAB.", "XXXXA")
    table = outcomes.outcome_table(s, ["X"], window=(0, 4), horizon=2, min_count=0)

    assert table.columns == ("A", "B", "X", "missing")
    # person 1: last X in period 1, state in period 3 = A; person 2: period 0 -> 2 = A;
    # person 4: period 1 -> 3 = B; person 5: period 3 -> 5 beyond the data.
    assert table.rows[0].cells == (2.0, 1.0, 0.0, 0.0)
    assert table.leavers == 4
    assert table.not_yet_observable == 1


def test_small_cells_are_suppressed_with_a_second_cell_so_the_total_reveals_nothing() -> None:
    cells, totals, hidden = outcomes.suppress(
        np.array([[2.0, 10.0, 7.0], [1.0, 1.0, 0.0], [12.0, 0.0, 0.0], [0.0, 0.0, 3.0]]),
        np.array([[2, 10, 7], [1, 1, 0], [12, 0, 0], [0, 0, 3]]),
        min_count=3,
    )

    assert cells[0] == [None, 10.0, None] and totals[0] == 19.0
    assert cells[1] == [None, None, 0.0] and totals[1] is None
    assert cells[2] == [12.0, 0.0, 0.0] and totals[2] == 12.0
    assert cells[3] == [0.0, 0.0, 3.0] and totals[3] == 3.0
    assert hidden == 5


def test_outcomes_are_split_by_groups() -> None:
    s = seqs("XA", "XA", "XB")
    table = outcomes.outcome_table(
        s, ["X"], (0, 1), 1, groups={"gender": ["f", "m", "f"]}, min_count=0
    )

    assert [r.group for r in table.rows] == [("f",), ("m",)]
    assert [r.cells[:2] for r in table.rows] == [(1.0, 1.0), (1.0, 0.0)]
