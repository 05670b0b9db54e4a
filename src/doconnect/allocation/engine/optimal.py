"""The allocation engine: each person at most one place, no place over its capacity, only
candidate pairs — placing the greatest priority weight, and among those placements the
cheapest. Optimal, not heuristic: one minimum-cost flow solved by OR-Tools.

Pure Python with NumPy and OR-Tools, no Django. Persons and places are indices
``0..n-1`` and ``0..m-1`` (their ids travel along for explanations); candidate pairs are
three parallel arrays (person index, place index, cost). Nothing here loops over arcs in
Python: the network goes into OR-Tools' array API in one call.

The network (nodes: persons ``0..n-1``, places ``n..n+m-1``, one sink ``n+m``)::

    person i  --(cap 1, cost c_ij)--------->  place j  --(cap capacity_j, cost 0)--> sink
    person i  --(cap 1, cost M * w_i: left behind)--------------------------------> sink

Every person supplies one unit, the sink takes ``n``: each unit either reaches the sink
through a place (an assignment costing ``c_ij``) or through the person's bypass (costing
``M * w_i``). A flow's cost is ``M * (W - weighted_assigned) + total_cost`` with
``W = sum(w)``, so minimising it maximises the weighted assignments first whenever ``M``
is larger than any cost saving could be (see :func:`big_m`).

The problem is ``problem.AllocationProblem``, the result ``result.Allocation``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from doconnect.allocation.engine.problem import (
    INT64_MAX,
    AllocationError,
    AllocationProblem,
    AllocationTooLarge,
    Int32Array,
    IntArray,
)
from doconnect.allocation.engine.result import OPTIMAL, Allocation

# Half of int64: a factor of two left for OR-Tools' own sums (potentials, residual
# costs); see ``network`` for where the limit is checked.
SAFE_INT64 = INT64_MAX // 2


@dataclass(frozen=True, eq=False)
class Network:
    """The flow network of a problem, as OR-Tools' array API takes it. Arc ``p`` for
    ``p < pair_count`` is candidate pair ``p``; then one arc per place, one per person."""

    tails: Int32Array
    heads: Int32Array
    capacities: IntArray
    unit_costs: IntArray
    nodes: Int32Array
    supplies: IntArray
    pair_count: int
    big_m: int
    cost_divisor: int
    priority_divisor: int

    def solver(self) -> Any:
        """A fresh ``SimpleMinCostFlow`` holding this network, ready to ``solve()``."""
        from ortools.graph.python import min_cost_flow

        flow = min_cost_flow.SimpleMinCostFlow()
        flow.add_arcs_with_capacity_and_unit_cost(
            self.tails, self.heads, self.capacities, self.unit_costs
        )
        flow.set_nodes_supplies(self.nodes, self.supplies)
        return flow


def big_m(problem: AllocationProblem, costs: IntArray | None = None) -> int:
    """The price of leaving one unit of priority weight behind, in cost units.

    Lexicographic optimality needs: any assignment A that places more weight than an
    assignment B has the smaller flow cost, i.e. ``M * (wA - wB) > cost(A) - cost(B)``.
    Weights are integers, so ``wA - wB >= 1``; costs are ``>= 0``, so
    ``cost(A) - cost(B) <= cost(A) <= U``, an upper bound of the cost of *any* feasible
    assignment. ``M = U + 1`` suffices. For ``U``: each assigned person pays at most its
    dearest candidate at a place with capacity, and at most ``K = min(n, total capacity)``
    persons are assigned, so ``U`` is the sum of the ``K`` largest of those per-person
    maxima — much smaller than "every pair's cost", which keeps the costs OR-Tools scales
    (and its running time, logarithmic in them) small.
    """
    cost = problem.pair_cost if costs is None else costs
    n = problem.person_count
    usable = problem.capacity[problem.pair_place] > 0
    dearest = np.zeros(n, dtype=np.int64)
    np.maximum.at(dearest, problem.pair_person[usable], cost[usable])
    assignable = int(np.minimum(problem.capacity, n).sum())
    k = min(n, assignable)
    if k == 0:
        return 1
    top = dearest if k >= n else np.partition(dearest, n - k)[n - k :]
    if int(top.max()) * k < SAFE_INT64:
        return int(top.sum(dtype=np.int64)) + 1
    return sum(top.tolist()) + 1  # exact Python integers; the caller refuses the size


def network(problem: AllocationProblem) -> Network:
    """Build the min-cost-flow network (vectorised; see the module docstring).

    Costs and priorities are first divided by their greatest common divisors (the
    optimum does not change) to keep ``M`` small. Overflow: OR-Tools works in int64 and
    multiplies every unit cost by ``num_nodes + 1`` for its cost scaling (refusing with
    BAD_COST_RANGE otherwise), and the optimal flow cost ``M * sum(w) + U`` must fit as
    well. Both are checked here with exact Python integers against half of int64 (a
    safety factor for OR-Tools' intermediate sums); beyond that the problem is refused
    with :class:`AllocationTooLarge` instead of risking a silently wrong answer. With
    city-sized data the limit is far away: a million persons with costs below 1,000
    and priorities below 100 give ``M <= 1e9``, arc costs ``<= 1e11`` and, times
    ``1e6 + 1`` nodes, ``1e17`` against the limit of ``4.6e18``.
    """
    n, m, k = problem.person_count, problem.place_count, problem.pair_count
    cost_divisor = int(np.gcd.reduce(problem.pair_cost)) if k else 0
    cost_divisor = cost_divisor or 1
    priority_divisor = int(np.gcd.reduce(problem.priority)) if n else 1
    costs = problem.pair_cost // cost_divisor if cost_divisor > 1 else problem.pair_cost
    weights = problem.priority // priority_divisor if priority_divisor > 1 else problem.priority
    m_value = big_m(problem, costs)
    max_weight = int(weights.max()) if n else 0
    max_pair_cost = int(costs.max()) if k else 0
    max_arc_cost = max(m_value * max_weight, max_pair_cost)
    nodes = n + m + 1
    total_bound = m_value * int(weights.sum(dtype=np.int64)) + m_value if n else 0
    if (max_arc_cost + 1) * (nodes + 1) > SAFE_INT64 or total_bound > SAFE_INT64:
        raise AllocationTooLarge(
            f"costs and priorities are too large for an exact solution: the weight of "
            f"leaving a person behind would be {m_value:,} x priority over {nodes:,} "
            "nodes, beyond 64-bit integers; use smaller costs (e.g. coarser units) "
            "or smaller priority weights"
        )
    sink = n + m
    person = np.arange(n, dtype=np.int32)
    place_node = np.arange(n, n + m, dtype=np.int32)
    tails = np.concatenate([problem.pair_person, place_node, person])
    heads = np.concatenate(
        [
            problem.pair_place + np.int32(n),
            np.full(m, sink, dtype=np.int32),
            np.full(n, sink, dtype=np.int32),
        ]
    )
    capacities = np.concatenate(
        [
            np.ones(k, dtype=np.int64),
            np.minimum(problem.capacity, n),  # more than n places can never be used
            np.ones(n, dtype=np.int64),
        ]
    )
    unit_costs = np.concatenate([costs, np.zeros(m, dtype=np.int64), weights * m_value])
    supplies = np.zeros(nodes, dtype=np.int64)
    supplies[:n] = 1
    supplies[sink] = -n
    return Network(
        tails=tails.astype(np.int32, copy=False),
        heads=heads.astype(np.int32, copy=False),
        capacities=capacities,
        unit_costs=unit_costs.astype(np.int64, copy=False),
        nodes=np.arange(nodes, dtype=np.int32),
        supplies=supplies,
        pair_count=k,
        big_m=m_value,
        cost_divisor=cost_divisor,
        priority_divisor=priority_divisor,
    )


def solve(problem: AllocationProblem, net: Network | None = None) -> Allocation:
    """The lexicographically optimal allocation: greatest weighted assignments, then the
    least total cost. ``net`` is the problem's :func:`network` if already built. Raises
    :class:`AllocationTooLarge` if the numbers cannot be solved exactly in 64 bits,
    :class:`AllocationError` if OR-Tools does not report optimality."""
    if problem.person_count == 0 or problem.pair_count == 0:
        return Allocation.from_pairs(problem, np.empty(0, dtype=np.int64), OPTIMAL)
    if net is None:
        net = network(problem)
    flow = net.solver()
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise AllocationError(f"the min-cost-flow solver stopped with status {status}")
    used = flow.flows(np.arange(net.pair_count, dtype=np.int32))
    chosen = np.flatnonzero(np.asarray(used) > 0).astype(np.int64)
    return Allocation.from_pairs(problem, chosen, OPTIMAL)
