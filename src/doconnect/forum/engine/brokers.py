"""Brokers of a network: its articulation points (actors whose removal splits their
component), with how many actors then lose their connection to the largest remaining
part and how many pairs can no longer reach each other. Pure, no Django."""

from __future__ import annotations

from dataclasses import dataclass

import scipy.sparse as sp


@dataclass(frozen=True, slots=True)
class Cut:
    parts: int
    cut_off: int
    pairs_cut: int


def cut_vertices(adjacency: sp.csr_array) -> dict[int, Cut]:
    """Articulation points of an undirected simple graph and what removing each one cuts:
    one iterative depth-first search (Hopcroft–Tarjan) that also sums subtree sizes, so a
    child subtree whose ``low`` does not reach above the parent is a separated part."""
    n = adjacency.shape[0]
    indptr = adjacency.indptr.tolist()
    indices = adjacency.indices.tolist()
    order = [-1] * n
    low = [0] * n
    size = [1] * n
    clock = 0
    result: dict[int, Cut] = {}
    for root in range(n):
        if order[root] != -1 or indptr[root] == indptr[root + 1]:
            continue
        order[root] = low[root] = clock
        clock += 1
        separated: dict[int, list[int]] = {}
        visited = [root]
        stack = [(root, -1, indptr[root])]
        while stack:
            v, parent, cursor = stack[-1]
            if cursor < indptr[v + 1]:
                stack[-1] = (v, parent, cursor + 1)
                w = indices[cursor]
                if order[w] == -1:
                    order[w] = low[w] = clock
                    clock += 1
                    visited.append(w)
                    stack.append((w, v, indptr[w]))
                elif w != parent and order[w] < low[v]:
                    low[v] = order[w]
                continue
            stack.pop()
            if parent == -1:
                continue
            size[parent] += size[v]
            low[parent] = min(low[parent], low[v])
            if low[v] >= order[parent]:
                separated.setdefault(parent, []).append(size[v])
        component = len(visited)
        for v, parts in separated.items():
            rest = component - 1 - sum(parts)  # the part holding v's parent (none at root)
            if rest:
                parts = [*parts, rest]
            if len(parts) < 2:
                continue
            result[v] = Cut(
                parts=len(parts),
                cut_off=component - 1 - max(parts),
                pairs_cut=((component - 1) * (component - 2) - sum(p * (p - 1) for p in parts))
                // 2,
            )
    return result
