"""Vectorised graph primitives over CSR adjacency (NumPy and SciPy only).

Everything here works on integer node indices and CSR arrays so that the pathways engine
never walks 500,000 links one by one in Python: every loop below runs once per level of
a search, tree or condensation (a handful in a real landscape), never once per node or
link.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse import csgraph

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

UNREACHED = -1


class Csr(NamedTuple):
    """Adjacency in compressed sparse row form: the neighbours of ``v`` are
    ``indices[indptr[v]:indptr[v + 1]]``, sorted and without duplicates."""

    indptr: IntArray
    indices: IntArray

    @property
    def size(self) -> int:
        return len(self.indptr) - 1

    def degree(self) -> IntArray:
        return np.diff(self.indptr)

    def matrix(self) -> sp.csr_array:
        data = np.ones(len(self.indices), dtype=np.int8)
        return sp.csr_array((data, self.indices, self.indptr), shape=(self.size, self.size))


def csr_from_edges(n: int, sources: IntArray, targets: IntArray) -> Csr:
    """CSR of the edges ``sources[i] → targets[i]`` among ``n`` nodes, duplicates merged.

    SciPy's COO→CSR conversion is a counting sort in C and merges duplicates on the way,
    which is an order of magnitude faster than ``np.unique`` on packed edge keys."""
    if len(sources) == 0:
        return Csr(np.zeros(n + 1, dtype=np.int64), np.zeros(0, dtype=np.int64))
    data = np.ones(len(sources), dtype=np.int32)
    matrix = sp.csr_array((data, (sources, targets)), shape=(n, n))
    matrix.sum_duplicates()
    return Csr(matrix.indptr.astype(np.int64), matrix.indices.astype(np.int64))


def transpose(graph: Csr) -> Csr:
    """The same edges reversed (counting sort in C, linear time)."""
    if len(graph.indices) == 0:
        return graph
    reversed_ = graph.matrix().T.tocsr()
    reversed_.sort_indices()
    return Csr(reversed_.indptr.astype(np.int64), reversed_.indices.astype(np.int64))


def gather(graph: Csr, nodes: IntArray) -> tuple[IntArray, IntArray]:
    """All neighbours of ``nodes`` at once: ``(owner, neighbour)`` where ``owner`` is the
    position in ``nodes`` each neighbour belongs to (grouped, in the order of ``nodes``)."""
    starts = graph.indptr[nodes]
    lengths = graph.indptr[nodes + 1] - starts
    total = int(lengths.sum())
    owner = np.repeat(np.arange(len(nodes), dtype=np.int64), lengths)
    if total == 0:
        return owner, np.zeros(0, dtype=np.int64)
    # Offset of each gathered slot inside its own run, added to the run's start.
    run_begin = np.cumsum(lengths) - lengths
    position = np.arange(total, dtype=np.int64) - np.repeat(run_begin, lengths)
    return owner, graph.indices[np.repeat(starts, lengths) + position]


class BfsTree(NamedTuple):
    """Breadth-first search from one root: ``level`` is the number of edges from the root
    (``UNREACHED`` where no path exists), ``parent`` one shortest-path predecessor
    (the root is its own parent; ``UNREACHED`` where not reached)."""

    level: IntArray
    parent: IntArray
    order: IntArray


def bfs(matrix: sp.csr_array, root: int) -> BfsTree:
    """Breadth-first search in C (SciPy) over ``matrix`` (see :meth:`Csr.matrix`, built
    once and shared by several searches); levels by pointer jumping over the BFS tree."""
    n = matrix.shape[0]
    order, predecessors = csgraph.breadth_first_order(
        matrix, root, directed=True, return_predecessors=True
    )
    order = order.astype(np.int64)
    parent = np.full(n, UNREACHED, dtype=np.int64)
    parent[order] = predecessors[order]
    parent[root] = root
    return BfsTree(tree_depth(parent, order, root), parent, order)


def tree_depth(parent: IntArray, members: IntArray, root: int) -> IntArray:
    """Depth of every member of a rooted tree given as a parent array (``UNREACHED``
    for nodes outside the tree)."""
    return path_sums(parent, np.ones(len(parent), dtype=np.int64), members, root)


def path_sums(parent: IntArray, weight: IntArray, members: IntArray, root: int) -> IntArray:
    """For every member of a rooted tree, the sum of ``weight`` over its path up to the
    root (the root's own weight excluded; ``UNREACHED`` outside the tree). Pointer
    doubling: log2(depth) vectorised rounds, so deep trees cost no Python loop per level."""
    total = np.full(len(parent), UNREACHED, dtype=np.int64)
    total[members] = weight[members]
    total[root] = 0
    jump = parent.copy()
    pending = members[(jump[members] != root) & (members != root)]
    while len(pending):
        target = jump[pending]
        total[pending] += total[target]
        jump[pending] = jump[target]
        pending = pending[jump[pending] != root]
    return total


def nearest_common_ancestor(
    a: IntArray, b: IntArray, parent: IntArray, level: IntArray
) -> IntArray:
    """Pairwise nearest common ancestor in the tree ``parent``, where every ancestor of a
    node has a strictly smaller ``level`` (the root is its own parent). Two-finger walk of
    Cooper, Harvey and Kennedy, run for all pairs at once: the deeper finger climbs, and
    on equal levels both climb, since neither can then be an ancestor of the other."""
    a = a.copy()
    b = b.copy()
    open_ = np.flatnonzero(a != b)
    while len(open_):
        fa = a[open_]
        fb = b[open_]
        la = level[fa]
        lb = level[fb]
        fa = np.where(la >= lb, parent[fa], fa)
        fb = np.where(lb >= la, parent[fb], fb)
        a[open_] = fa
        b[open_] = fb
        open_ = open_[fa != fb]
    return a


def segment_nca(
    segment: IntArray, values: IntArray, parent: IntArray, level: IntArray
) -> tuple[IntArray, IntArray]:
    """Nearest common ancestor of every group of ``values`` sharing a ``segment`` id
    (``segment`` sorted). Pairwise tree reduction: ⌈log2(largest group)⌉ vectorised
    steps instead of one step per group member. Returns ``(segment ids, result)``."""
    while len(segment) > 1:
        first = np.empty(len(segment), dtype=np.bool_)
        first[0] = True
        np.not_equal(segment[1:], segment[:-1], out=first[1:])
        if first.all():
            break
        start = np.maximum.accumulate(np.where(first, np.arange(len(segment)), 0))
        even = ((np.arange(len(segment)) - start) & 1) == 0
        has_partner = np.zeros(len(segment), dtype=np.bool_)
        has_partner[:-1] = even[:-1] & ~first[1:]
        left = np.flatnonzero(has_partner)
        values = values.copy()
        values[left] = nearest_common_ancestor(values[left], values[left + 1], parent, level)
        segment = segment[even]
        values = values[even]
    return segment, values


def immediate_dominators(preds: Csr, root: int, tree: BfsTree) -> IntArray:
    """Immediate dominator of every node reachable from ``root`` (``UNREACHED`` elsewhere;
    the root dominates itself).

    ``preds`` lists each node's predecessors in the flow graph, ``tree`` is a BFS of that
    graph from ``root``. This is the iterative algorithm of Cooper, Harvey and Kennedy
    ("A Simple, Fast Dominance Algorithm", 2001) with two changes that make it vectorise:

    * all nodes are updated at once from the previous tree (Jacobi instead of
      Gauss–Seidel sweeps), and
    * each node's current parent joins its predecessors in the intersection:
      ``idom'(v) = NCA(idom(v), preds(v))``.

    Starting from the BFS tree, the second change makes every node's tentative dominator
    set (its path to the root) shrink monotonically, so the iteration terminates; each set
    always contains the true dominators (each strict dominator of ``v`` dominates all of
    ``v``'s reachable predecessors), and at the fixed point the paths satisfy
    ``Dom(v) ⊆ {v} ∪ ⋂ Dom(p)``, whose only solution containing the dominators is the
    dominators themselves. Ancestors always have a smaller BFS level, which is all the
    two-finger walk needs, and the walk is at most as long as the BFS tree is deep.
    """
    level = tree.level
    idom = tree.parent.copy()
    reachable = level != UNREACHED
    # Unreachable predecessors lie on no path from the root and must not take part.
    owner, pred = gather(preds, np.arange(preds.size, dtype=np.int64))
    keep = reachable[owner] & reachable[pred] & (idom[owner] != root) & (owner != root)
    owner = owner[keep]
    pred = pred[keep]
    if not len(owner):
        return idom
    # Shortcut for the bulk of a well-connected landscape: predecessors under two
    # different children of the root have only the root in common, in the BFS tree and
    # hence (paths only shrink) in every later tree. One reduction settles those nodes.
    branch = _top_ancestor(idom, level, root)[pred]
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    heads = owner[starts]
    split = np.minimum.reduceat(branch, starts) != np.maximum.reduceat(branch, starts)
    idom[heads[split]] = root
    settled = np.zeros(preds.size, dtype=np.bool_)
    settled[heads[split]] = True
    keep = ~settled[owner]
    owner = owner[keep]
    pred = pred[keep]
    pending = heads[~split]
    while len(pending):
        # ``owner`` is grouped by node in ascending order, so the segments are sorted.
        nodes, new = segment_nca(owner, pred, idom, level)
        new = nearest_common_ancestor(new, idom[nodes], idom, level)
        if np.array_equal(new, idom[nodes]):
            break
        idom[nodes] = new
        # A node dominated by the root alone stays so; drop it from later rounds.
        final = np.zeros(preds.size, dtype=np.bool_)
        final[nodes[new == root]] = True
        keep = ~final[owner]
        owner = owner[keep]
        pred = pred[keep]
        pending = nodes[new != root]
    return idom


def _top_ancestor(parent: IntArray, level: IntArray, root: int) -> IntArray:
    """For every reached node its ancestor on level 1 (the root maps to itself), by
    pointer doubling."""
    top = parent.copy()
    first = np.flatnonzero(level == 1)
    top[first] = first
    top[root] = root
    todo = np.flatnonzero(level > 1)
    while len(todo):
        top[todo] = top[top[todo]]
        todo = todo[level[top[todo]] > 1]
    return top


class Subtrees(NamedTuple):
    """A rooted tree laid out in depth-first preorder: the subtree of ``v`` is
    ``by_position[position[v] : position[v] + size[v]]``, ``v`` itself first."""

    size: IntArray
    position: IntArray
    by_position: IntArray


def subtrees(parent: IntArray, level: IntArray, root: int) -> Subtrees:
    """Subtree sizes and a preorder layout of a tree in which every parent sits on a
    strictly smaller ``level`` than its children (true of the dominator tree with BFS
    levels). Sizes are summed level by level from the deepest; positions are a path sum
    of "1 + sizes of the earlier siblings", so listing a subtree is a slice."""
    n = len(parent)
    reached = np.flatnonzero(level != UNREACHED)
    size = np.where(level != UNREACHED, 1, 0).astype(np.int64)
    members = reached[reached != root]
    if len(members):
        by_level = members[np.argsort(level[members], kind="stable")]
        deepest = int(level[by_level[-1]])
        bounds = np.searchsorted(level[by_level], np.arange(deepest + 2))
        for depth in range(deepest, 0, -1):
            layer = by_level[bounds[depth] : bounds[depth + 1]]
            # ``add.at`` touches only this layer (bincount would sweep all n nodes).
            np.add.at(size, parent[layer], size[layer])
    children = members[np.lexsort((members, parent[members]))]
    before = np.cumsum(size[children]) - size[children]
    first = np.ones(len(children), dtype=np.bool_)
    first[1:] = parent[children[1:]] != parent[children[:-1]]
    group_start = np.maximum.accumulate(np.where(first, np.arange(len(children)), 0))
    step = np.zeros(n, dtype=np.int64)
    step[children] = 1 + before - before[group_start]
    position = path_sums(parent, step, reached, root)
    by_position = np.empty(len(reached), dtype=np.int64)
    by_position[position[reached]] = reached
    return Subtrees(size, position, by_position)


def reachable_labels(
    graph: Csr, seed_node: IntArray, seed_label: IntArray, block: int = 1024
) -> tuple[IntArray, IntArray]:
    """All pairs ``(node, label)`` such that a node reachable from ``node`` (itself
    included) carries ``label`` among the seeds ``(seed_node[i], seed_label[i])``.

    Label sets travel as bitsets over the condensation (strongly connected components
    share one set), component layers are peeled from the sinks upwards (Kahn), and each
    layer ORs in its successors' finished sets: linear in the edges, one vectorised step
    per layer, and ``block`` labels at a time to bound memory."""
    n = graph.size
    if n == 0 or len(seed_node) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    component = strong_components(graph)
    k = int(component.max()) + 1
    owner, succ = gather(graph, np.arange(n, dtype=np.int64))
    cross = component[owner] != component[succ]
    condensed = csr_from_edges(k, component[owner[cross]], component[succ[cross]])
    upstream = transpose(condensed)
    remaining = condensed.degree().copy()
    layers: list[IntArray] = []
    layer = np.flatnonzero(remaining == 0)
    while len(layer):
        layers.append(layer)
        starts = upstream.indptr[layer]
        lengths = upstream.indptr[layer + 1] - starts
        if len(layer) == 1:
            # A chain peels one component at a time; skip the vectorised gather's overhead.
            pred = upstream.indices[starts[0] : starts[0] + lengths[0]]
        else:
            _, pred = gather(upstream, layer)
        np.subtract.at(remaining, pred, 1)
        layer = pred[remaining[pred] == 0]
        if len(layer) > 1:
            layer = np.unique(layer)
    # The successors of every layer, gathered once in peeling order; each layer's part is a
    # contiguous slice, ready for one reduceat per layer.
    order = np.concatenate(layers)
    layer_end = np.cumsum([len(layer) for layer in layers])
    position, succ_component = gather(condensed, order)
    heads_all = (
        np.flatnonzero(np.r_[True, position[1:] != position[:-1]]) if len(position) else position
    )
    slice_end = np.searchsorted(position, layer_end)
    slice_start = np.r_[0, slice_end[:-1]]
    head_end = np.searchsorted(heads_all, slice_end)
    head_start = np.r_[0, head_end[:-1]]
    plan = [
        (order[position[heads_all[h0:h1]]], succ_component[s0:s1], heads_all[h0:h1] - s0)
        for s0, s1, h0, h1 in zip(
            slice_start.tolist(),
            slice_end.tolist(),
            head_start.tolist(),
            head_end.tolist(),
            strict=True,
        )
        if s1 > s0
    ]
    members = Csr(
        np.r_[0, np.cumsum(np.bincount(component, minlength=k))].astype(np.int64),
        np.argsort(component, kind="stable").astype(np.int64),
    )
    nodes: list[IntArray] = []
    labels: list[IntArray] = []
    for first_label in range(0, int(seed_label.max()) + 1, block):
        in_block = (seed_label >= first_label) & (seed_label < first_label + block)
        if not in_block.any():
            continue
        local = seed_label[in_block] - first_label
        width = int(local.max()) + 1
        bits = np.zeros((k, (width + 63) // 64), dtype=np.uint64)
        np.bitwise_or.at(
            bits,
            (component[seed_node[in_block]], local // 64),
            np.left_shift(np.uint64(1), (local % 64).astype(np.uint64)),
        )
        for heads, successors, starts in plan:
            bits[heads] |= np.bitwise_or.reduceat(bits[successors], starts, axis=0)
        flags = np.unpackbits(bits.astype("<u8").view(np.uint8), axis=1, bitorder="little")
        comp_of, label = np.nonzero(flags[:, :width])
        pair, node = gather(members, comp_of)
        nodes.append(node)
        labels.append(label[pair] + first_label)
    if not nodes:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(nodes), np.concatenate(labels)


def strong_components(graph: Csr) -> IntArray:
    """Label of each node's strongly connected component (SciPy, in C)."""
    if graph.size == 0:
        return np.zeros(0, dtype=np.int64)
    _, labels = csgraph.connected_components(graph.matrix(), directed=True, connection="strong")
    return labels.astype(np.int64)
