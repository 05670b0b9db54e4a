"""The vectorised graph primitives under the pathways engine, against plain references."""

from __future__ import annotations

import networkx as nx
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from doconnect.pathways.engine import graphs
from doconnect.pathways.engine.analysis import analyse_pathways
from doconnect.pathways.engine.inputs import FollowOn, Offer, PathwayConfig


@st.composite
def digraphs(draw: st.DrawFn, max_nodes: int = 30) -> tuple[int, list[tuple[int, int]]]:
    n = draw(st.integers(min_value=1, max_value=max_nodes))
    node = st.integers(min_value=0, max_value=n - 1)
    # Mostly forward edges with some back edges: deep graphs with loops, the hard case
    # for dominator algorithms.
    forward = draw(st.lists(st.tuples(node, st.integers(0, 4)), max_size=3 * n))
    back = draw(st.lists(st.tuples(node, node), max_size=n))
    edges = [(a, min(a + 1 + d, n - 1)) for a, d in forward] + back
    return n, edges


def as_csr(n: int, edges: list[tuple[int, int]]) -> graphs.Csr:
    source = np.array([a for a, _ in edges], dtype=np.int64)
    target = np.array([b for _, b in edges], dtype=np.int64)
    return graphs.csr_from_edges(n, source, target)


@settings(max_examples=300, deadline=None)
@given(digraphs())
def test_immediate_dominators_match_networkx(graph: tuple[int, list[tuple[int, int]]]) -> None:
    n, edges = graph
    csr = as_csr(n, edges)
    tree = graphs.bfs(csr.matrix(), 0)

    idom = graphs.immediate_dominators(graphs.transpose(csr), 0, tree)

    reference = nx.DiGraph()
    reference.add_nodes_from(range(n))
    reference.add_edges_from(edges)
    expected = nx.immediate_dominators(reference, 0)
    expected.pop(0, None)  # NetworkX < 3.5 lists the root as its own dominator
    assert {v: int(idom[v]) for v in range(1, n) if idom[v] != graphs.UNREACHED} == expected


@settings(max_examples=200, deadline=None)
@given(digraphs())
def test_subtree_slices_hold_exactly_the_descendants(
    graph: tuple[int, list[tuple[int, int]]],
) -> None:
    n, edges = graph
    tree = graphs.bfs(as_csr(n, edges).matrix(), 0)

    layout = graphs.subtrees(tree.parent, tree.level, 0)

    children: dict[int, list[int]] = {}
    for v in range(1, n):
        if tree.level[v] != graphs.UNREACHED:
            children.setdefault(int(tree.parent[v]), []).append(v)
    for v in range(n):
        if tree.level[v] == graphs.UNREACHED:
            continue
        below, stack = {v}, [v]
        while stack:
            for child in children.get(stack.pop(), []):
                below.add(child)
                stack.append(child)
        start, size = int(layout.position[v]), int(layout.size[v])
        assert set(layout.by_position[start : start + size].tolist()) == below
        assert layout.by_position[start] == v


@settings(max_examples=200, deadline=None)
@given(digraphs(), st.data())
def test_reachable_labels_are_the_labels_of_every_reachable_node(
    graph: tuple[int, list[tuple[int, int]]], data: st.DataObject
) -> None:
    n, edges = graph
    seeds = data.draw(
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, 150)), max_size=2 * n)
    )
    seed_node = np.array([s for s, _ in seeds], dtype=np.int64)
    seed_label = np.array([label for _, label in seeds], dtype=np.int64)

    # A block of 64 labels forces several passes.
    nodes, labels = graphs.reachable_labels(as_csr(n, edges), seed_node, seed_label, block=64)

    reference = nx.DiGraph()
    reference.add_nodes_from(range(n))
    reference.add_edges_from(edges)
    expected = {
        (v, label)
        for v in range(n)
        for s, label in seeds
        if s == v or s in nx.descendants(reference, v)
    }
    assert set(zip(nodes.tolist(), labels.tolist(), strict=True)) == expected


def test_a_long_chain_is_analysed_with_exact_counts_and_capped_name_lists() -> None:
    n = 3000
    offers = [Offer(f"o-{i:04d}", "qualification") for i in range(n)]
    links = [FollowOn(f"o-{i:04d}", f"o-{i + 1:04d}") for i in range(n - 1)]
    closed = [*offers[:-1], Offer(f"o-{n - 1:04d}", "qualification", status="suspended")]
    ring = [*links, FollowOn(f"o-{n - 1:04d}", "o-0000")]

    bridges = analyse_pathways(
        offers,
        [*links, FollowOn(f"o-{n - 1:04d}", destination="employment")],
        PathwayConfig(listed_stranded=10),
    ).single_bridges
    cut = analyse_pathways(closed, [*links, FollowOn(f"o-{n - 1:04d}", destination="employment")])
    cycle = analyse_pathways(offers, ring)

    assert [b.stranded_count for b in bridges[:2]] == [n - 1, n - 2]
    assert len(bridges[0].stranded) == 10
    assert len(cut.dead_ends) == n - 1
    assert all(d.blocked_by == (f"o-{n - 1:04d}",) for d in cut.dead_ends)
    assert len(cycle.dead_ends) == n
    assert cycle.dead_ends[0].cycle_size == n and len(cycle.dead_ends[0].cycle) == 50
    assert cycle.dead_ends[0].reason.endswith(f"and {n - 5} more)")
