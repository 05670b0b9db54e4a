"""Betweenness centrality of an undirected simple graph, equal to NetworkX's
``betweenness_centrality`` (unweighted shortest paths, normalised by the pairs of other
nodes): Brandes' algorithm for a batch of sources at once (sparse matrix products, one
per level of the breadth-first searches), or NetworkX's Brandes for long, thin
components where batching does not pay. Pure, no Django."""

from __future__ import annotations

import networkx as nx
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse import csgraph

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Cells (sources × actors) of one batch of the vectorised Brandes searches: bounds the
# memory of its half a dozen dense float arrays to some 50 MB.
BATCH_CELLS = 1 << 20
# The batched searches cost about ``levels × n²`` array cells per component, the plain
# Brandes about ``n × (n + m)`` Python steps; one Python step costs as much as this many
# cells (measured on paths, rings, grids, trees and small worlds of up to 2,000 nodes:
# with this factor the faster of the two ran on each).
PYTHON_STEP_CELLS = 120


def betweenness_centrality(adjacency: sp.csr_array) -> FloatArray:
    """Normalised betweenness of every node of the undirected simple graph ``adjacency``
    (unweighted shortest paths), equal to ``networkx.betweenness_centrality(G)``."""
    n = adjacency.shape[0]
    result = np.zeros(n)
    if n < 3:
        return result
    count, labels = csgraph.connected_components(adjacency, directed=False)
    order = np.argsort(labels, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(labels, minlength=count))])
    for c in range(count):
        members = order[bounds[c] : bounds[c + 1]]
        if len(members) < 3:
            continue  # nobody lies between two others
        component = adjacency[members][:, members]
        result[members] = _component_dependencies(sp.csr_array(component))
    # Each unordered pair was counted from both ends: raw / 2 / ((n - 1)(n - 2) / 2).
    return result / ((n - 1) * (n - 2))


def _component_dependencies(adjacency: sp.csr_array) -> FloatArray:
    """Brandes' summed dependencies over all sources of one connected component."""
    n = adjacency.shape[0]
    # One search from node 0 reaches depth ≥ half the diameter: an upper bound of the
    # levels every search takes.
    depth = int(csgraph.shortest_path(adjacency, unweighted=True, indices=[0]).max())
    edges = adjacency.nnz // 2
    if 2 * depth * n > PYTHON_STEP_CELLS * (n + edges):
        return _networkx_dependencies(adjacency)
    batch = max(1, min(n, BATCH_CELLS // n))
    total = np.zeros(n)
    for start in range(0, n, batch):
        total += _batched_dependencies(adjacency, np.arange(start, min(n, start + batch)))
    return total


def _batched_dependencies(adjacency: sp.csr_array, sources: IntArray) -> FloatArray:
    """Brandes for ``sources`` at once: column ``s`` of each ``n × k`` array belongs to the
    search from ``sources[s]``. Forward, one sparse product per level counts shortest
    paths (``sigma``); backward, one per level accumulates dependencies (``delta``)."""
    n, k = adjacency.shape[0], len(sources)
    columns = np.arange(k)
    level = np.full((n, k), -1, dtype=np.int32)
    level[sources, columns] = 0
    sigma = np.zeros((n, k))
    sigma[sources, columns] = 1.0
    frontier = sigma.copy()
    depth = 0
    while True:
        reached = adjacency @ frontier
        reached[level >= 0] = 0.0
        new = reached > 0
        if not new.any():
            break
        depth += 1
        level[new] = depth
        sigma += reached
        frontier = reached
    delta = np.zeros((n, k))
    coefficient = np.zeros((n, k))
    for d in range(depth, 0, -1):
        at = level == d
        coefficient.fill(0.0)
        np.divide(1.0 + delta, sigma, out=coefficient, where=at)
        back = adjacency @ coefficient
        above = level == d - 1
        delta[above] += sigma[above] * back[above]
    delta[sources, columns] = 0.0
    summed: FloatArray = delta.sum(axis=1)
    return summed


def _networkx_dependencies(adjacency: sp.csr_array) -> FloatArray:
    """NetworkX's Brandes (same definition), for long thin components."""
    graph = nx.Graph()
    graph.add_nodes_from(range(adjacency.shape[0]))
    coo = sp.triu(adjacency, k=1).tocoo()
    graph.add_edges_from(zip(coo.row.tolist(), coo.col.tolist(), strict=True))
    values = nx.betweenness_centrality(graph, normalized=False)
    # NetworkX halves undirected sums; the caller expects both directions counted.
    return np.array([2.0 * values[v] for v in range(adjacency.shape[0])])
