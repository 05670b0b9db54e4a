"""An independent lexicographic optimum with HiGHS: a 0/1 integer programme over the
candidate pairs, solved twice (most weight first; then least cost at that weight). It
shares nothing with the engine's flow model or its big-M."""

from __future__ import annotations

import highspy
import numpy as np

from doconnect.allocation.engine.problem import AllocationProblem


def highs_optimum(problem: AllocationProblem) -> tuple[int, int]:
    """``(weighted_assigned, total_cost)`` of the lexicographic optimum."""
    k = problem.pair_count
    if k == 0:
        return 0, 0
    weight = problem.priority[problem.pair_person].astype(float)
    cost = problem.pair_cost.astype(float)
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("mip_rel_gap", 0.0)
    inf = highspy.kHighsInf
    columns = np.arange(k, dtype=np.int32)
    highs.addCols(k, -weight, np.zeros(k), np.ones(k), 0, [], [], [])
    highs.changeColsIntegrality(
        k, columns, np.full(k, highspy.HighsVarType.kInteger, dtype=np.uint8)
    )
    # One row per person (at most one place) and one per place (at most its capacity).
    for owner, bound in (
        (problem.pair_person, np.ones(problem.person_count)),
        (problem.pair_place, problem.capacity.astype(float)),
    ):
        for row in range(len(bound)):
            members = np.flatnonzero(owner == row).astype(np.int32)
            if len(members):
                highs.addRow(-inf, float(bound[row]), len(members), members, np.ones(len(members)))
    highs.run()
    assert highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    best_weight = round(-highs.getInfo().objective_function_value)
    # Stage two: keep that weight, minimise the cost.
    highs.addRow(best_weight - 0.5, inf, k, columns, weight)
    highs.changeColsCost(k, columns, cost)
    highs.run()
    assert highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    values = np.round(np.asarray(highs.getSolution().col_value)).astype(np.int64)
    chosen = values > 0
    assert int(weight[chosen].sum()) == best_weight
    return best_weight, int(problem.pair_cost[chosen].sum())
