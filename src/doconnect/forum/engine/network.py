"""The cooperation network of the labour-policy conference: who works with whom, who
bridges milieus, who stands alone.

Pure Python with NumPy, SciPy and NetworkX, no Django: the forum's services load actors
(organisations) and ties (shared offers, referrals, agreements, joint sessions) from the
database, call :func:`analyse_network` and render the :class:`NetworkReport`.

Graph model. Actors are nodes, ties are undirected edges. Parallel ties between the same
two actors (a shared offer *and* a referral, three joint sessions …) are aggregated into
one :class:`AggregatedTie` that keeps the count and weight per tie kind; the measures run
on the resulting *simple* graph. A tie from an actor to itself carries no cooperation
between two actors and is ignored (after its ids were checked).

Measures and the choices behind them:

* ``degree`` counts distinct neighbours, ``strength`` sums the weights of all ties.
* ``betweenness`` is Freeman's betweenness over *unweighted* shortest paths in the simple
  graph: the share of shortest paths between other pairs of actors that run through the
  actor. Weights are deliberately not used as distances: a weight says how much two actors
  cooperate, and turning "much cooperation" into "short distance" needs an arbitrary
  inversion that would make the figure hard to explain in a session. Normalised as
  NetworkX does for undirected graphs: divided by the number of pairs of *other* actors,
  ``(n - 1)(n - 2) / 2``, where ``n`` counts every actor left after filtering (isolated
  ones included). Computed by Brandes' algorithm for a batch of sources at once (sparse
  matrix products, one per level of the breadth-first searches); for long, thin
  components where that batching does not pay, NetworkX's Brandes runs instead (same
  definition; tests check both against NetworkX and against hand-counted values).
* ``bridging_ties`` counts the neighbours of another actor kind (aggregated ties, like
  ``degree``); ``bridged_kinds`` names those kinds.
* ``brokers`` are articulation points: actors whose removal splits their component.
  ``cut_off`` is how many actors then lose their connection to the largest remaining
  part, ``pairs_cut`` how many pairs of remaining actors can no longer reach each other.
* ``layout`` places actors in ``[0, 1]²`` (``y`` grows downwards, as in SVG): a seeded
  Fruchterman–Reingold layout of the connected actors above, isolated actors in rows at
  the bottom, so they stay visible. Same input (in any order) → same layout.
* :func:`milieu_layout` is the second layout, computed from the measures: the public
  bodies on a small inner circle, every other actor kind in its own sector of an outer
  ring (in the fixed order of ``ACTOR_KINDS``, sized by its number of actors, the actor
  with the highest betweenness in the middle of its sector), isolated actors in rows at
  the bottom. A force layout of a dense network is a hairball whatever the seed; in
  sectors, ties between milieus show as chords across the ring.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from itertools import combinations_with_replacement
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse import csgraph

SHARED_OFFER = "shared_offer"
REFERRAL = "referral"
AGREEMENT = "agreement"
SESSION = "session"
TIE_KINDS = (SHARED_OFFER, REFERRAL, AGREEMENT, SESSION)

ACTOR_KINDS = (
    "city",
    "jobcenter",
    "federal_agency",
    "state",
    "provider",
    "school",
    "vocational_college",
    "chamber",
    "union",
    "employer",
    "civic",
)

# Cells (sources × actors) of one batch of the vectorised Brandes searches: bounds the
# memory of its half a dozen dense float arrays to some 50 MB.
BATCH_CELLS = 1 << 20
# The batched searches cost about ``levels × n²`` array cells per component, the plain
# Brandes about ``n × (n + m)`` Python steps; one Python step costs as much as this many
# cells (measured on paths, rings, grids, trees and small worlds of up to 2,000 nodes:
# with this factor the faster of the two ran on each).
PYTHON_STEP_CELLS = 120
LAYOUT_SEED = 20030
LAYOUT_ITERATIONS = 60
# Margin around the drawing, and the rows of isolated actors at its bottom.
MARGIN = 0.05
ISOLATED_PER_ROW = 20
ISOLATED_ROW_GAP = 0.05
ISOLATED_BAND_MAX = 0.3
DECIMALS = 4
# The public bodies, at the centre of the milieu layout.
PUBLIC_KINDS = ("city", "jobcenter", "federal_agency", "state")
# Milieu layout: inner circle as a share of the ring's radius, and the empty angle
# between two sectors as a share of one actor's slot.
INNER_SHARE = 0.3
SECTOR_GAP_SLOTS = 1.5

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


# --------------------------------------------------------------------------- input


@dataclass(frozen=True, slots=True)
class NetworkActor:
    """One actor (organisation); ``kind`` is its organisation kind code (see
    ``ACTOR_KINDS``; other codes are accepted and treated alike)."""

    id: str
    name: str
    kind: str


@dataclass(frozen=True, slots=True)
class Tie:
    """One piece of cooperation between actors ``a`` and ``b`` (order does not matter)."""

    a: str
    b: str
    kind: str
    weight: float = 1.0


# --------------------------------------------------------------------------- output


@dataclass(frozen=True, slots=True)
class ActorMeasures:
    id: str
    name: str
    kind: str
    degree: int
    strength: float
    betweenness: float
    bridging_ties: int
    bridged_kinds: tuple[str, ...]
    isolated: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "degree": self.degree,
            "strength": self.strength,
            "betweenness": self.betweenness,
            "bridging_ties": self.bridging_ties,
            "bridged_kinds": list(self.bridged_kinds),
            "isolated": self.isolated,
        }


@dataclass(frozen=True)
class AggregatedTie:
    """All ties between two actors (``a < b``): count and weight per tie kind."""

    a: str
    b: str
    counts: dict[str, int]
    weights: dict[str, float]
    weight: float

    @property
    def count(self) -> int:
        return sum(self.counts.values())

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(self.counts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "counts": dict(self.counts),
            "weights": dict(self.weights),
            "count": self.count,
            "weight": self.weight,
        }


@dataclass(frozen=True, slots=True)
class Broker:
    """An articulation point: removing the actor splits its component into ``parts``."""

    id: str
    name: str
    kind: str
    cut_off: int
    pairs_cut: int
    parts: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "cut_off": self.cut_off,
            "pairs_cut": self.pairs_cut,
            "parts": self.parts,
        }


@dataclass(frozen=True)
class NetworkReport:
    actors: tuple[ActorMeasures, ...]
    ties: tuple[AggregatedTie, ...]
    kind_matrix: dict[tuple[str, str], int]
    brokers: tuple[Broker, ...]
    layout: dict[str, tuple[float, float]]
    # Sizes of the connected components of two or more actors, largest first.
    component_sizes: tuple[int, ...] = field(default=())

    @property
    def kinds(self) -> tuple[str, ...]:
        """The actor kinds present after filtering, sorted."""
        return tuple(sorted({a.kind for a in self.actors}))

    @property
    def isolated(self) -> tuple[str, ...]:
        """Ids of actors without any tie after filtering, sorted."""
        return tuple(sorted(a.id for a in self.actors if a.isolated))

    def actor(self, actor_id: str) -> ActorMeasures:
        for measures in self.actors:
            if measures.id == actor_id:
                return measures
        raise KeyError(actor_id)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, in a deterministic order."""
        return {
            "actors": [a.to_dict() for a in self.actors],
            "ties": [t.to_dict() for t in self.ties],
            "kind_matrix": [
                {"a": a, "b": b, "ties": n} for (a, b), n in sorted(self.kind_matrix.items())
            ],
            "brokers": [b.to_dict() for b in self.brokers],
            "layout": {k: [x, y] for k, (x, y) in sorted(self.layout.items())},
            "component_sizes": list(self.component_sizes),
            "isolated": list(self.isolated),
        }


# --------------------------------------------------------------------------- analysis


def analyse_network(
    actors: Sequence[NetworkActor],
    ties: Sequence[Tie],
    *,
    actor_kinds: Collection[str] | None = None,
    tie_kinds: Collection[str] | None = None,
) -> NetworkReport:
    """Measure the cooperation network; see the module docstring for the definitions.

    ``actor_kinds`` keeps only actors of those kinds (and ties between them);
    ``tie_kinds`` keeps only ties of those kinds. ``None`` keeps everything. Every tie is
    checked before filtering: an unknown actor id, an unknown tie kind or a weight that is
    not a positive finite number raises ``ValueError`` naming it."""
    by_id: dict[str, NetworkActor] = {}
    for actor in actors:
        if actor.id in by_id:
            raise ValueError(f"actor {actor.id!r} is listed twice")
        by_id[actor.id] = actor
    for tie in ties:
        for end in (tie.a, tie.b):
            if end not in by_id:
                raise ValueError(f"tie of kind {tie.kind!r} names unknown actor {end!r}")
        if tie.kind not in TIE_KINDS:
            raise ValueError(
                f"tie {tie.a!r}–{tie.b!r} has unknown kind {tie.kind!r}; expected one of "
                + ", ".join(TIE_KINDS)
            )
        if not (math.isfinite(tie.weight) and tie.weight > 0):
            raise ValueError(f"tie {tie.a!r}–{tie.b!r} has weight {tie.weight!r}; must be > 0")

    kept = sorted(
        (a for a in by_id.values() if actor_kinds is None or a.kind in actor_kinds),
        key=lambda a: a.id,
    )
    index = {a.id: i for i, a in enumerate(kept)}
    n = len(kept)

    pairs: dict[tuple[int, int], tuple[dict[str, int], dict[str, float]]] = {}
    for tie in ties:
        if tie_kinds is not None and tie.kind not in tie_kinds:
            continue
        i, j = index.get(tie.a), index.get(tie.b)
        if i is None or j is None or i == j:
            continue
        counts, weights = pairs.setdefault((min(i, j), max(i, j)), ({}, {}))
        counts[tie.kind] = counts.get(tie.kind, 0) + 1
        weights[tie.kind] = weights.get(tie.kind, 0.0) + tie.weight

    keys = sorted(pairs)
    aggregated = tuple(
        AggregatedTie(
            a=kept[i].id,
            b=kept[j].id,
            counts={k: pairs[(i, j)][0][k] for k in sorted(pairs[(i, j)][0])},
            weights={k: pairs[(i, j)][1][k] for k in sorted(pairs[(i, j)][1])},
            weight=math.fsum(pairs[(i, j)][1].values()),
        )
        for i, j in keys
    )
    first = np.array([i for i, _ in keys], dtype=np.int64)
    second = np.array([j for _, j in keys], dtype=np.int64)
    tie_weight = np.array([t.weight for t in aggregated], dtype=np.float64)
    adjacency = _adjacency(n, first, second)

    degree = np.diff(adjacency.indptr)
    strength = np.bincount(first, tie_weight, n) + np.bincount(second, tie_weight, n)
    betweenness = betweenness_centrality(adjacency)
    kinds = [a.kind for a in kept]
    bridged: list[set[str]] = [set() for _ in range(n)]
    bridging = [0] * n
    matrix: dict[tuple[str, str], int] = {
        pair: 0 for pair in combinations_with_replacement(sorted(set(kinds)), 2)
    }
    for i, j in keys:
        matrix[(min(kinds[i], kinds[j]), max(kinds[i], kinds[j]))] += 1
        if kinds[i] != kinds[j]:
            bridging[i] += 1
            bridging[j] += 1
            bridged[i].add(kinds[j])
            bridged[j].add(kinds[i])

    measures = sorted(
        (
            ActorMeasures(
                id=a.id,
                name=a.name,
                kind=a.kind,
                degree=int(degree[i]),
                strength=float(strength[i]),
                betweenness=float(betweenness[i]),
                bridging_ties=bridging[i],
                bridged_kinds=tuple(sorted(bridged[i])),
                isolated=bool(degree[i] == 0),
            )
            for i, a in enumerate(kept)
        ),
        key=lambda m: (-m.betweenness, m.id),
    )
    brokers = sorted(
        (
            Broker(
                id=kept[v].id,
                name=kept[v].name,
                kind=kept[v].kind,
                cut_off=cut.cut_off,
                pairs_cut=cut.pairs_cut,
                parts=cut.parts,
            )
            for v, cut in cut_vertices(adjacency).items()
        ),
        key=lambda b: (-b.cut_off, -b.pairs_cut, b.id),
    )
    positions = spread_layout(adjacency)
    labels = csgraph.connected_components(adjacency, directed=False)[1] if n else []
    sizes: list[int] = np.bincount(labels).tolist() if n else []
    return NetworkReport(
        actors=tuple(measures),
        ties=aggregated,
        kind_matrix=matrix,
        brokers=tuple(brokers),
        layout={a.id: (float(positions[i, 0]), float(positions[i, 1])) for i, a in enumerate(kept)},
        component_sizes=tuple(sorted((int(s) for s in sizes if s > 1), reverse=True)),
    )


def _adjacency(n: int, first: IntArray, second: IntArray) -> sp.csr_array:
    """Symmetric 0/1 adjacency (float64, for the matrix products) with sorted indices."""
    rows = np.concatenate([first, second])
    cols = np.concatenate([second, first])
    data = np.ones(len(rows), dtype=np.float64)
    matrix = sp.csr_array((data, (rows, cols)), shape=(n, n))
    matrix.sum_duplicates()
    matrix.sort_indices()
    return matrix


# --------------------------------------------------------------------------- betweenness


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


# --------------------------------------------------------------------------- brokers


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


# --------------------------------------------------------------------------- layout


def spread_layout(adjacency: sp.csr_array) -> FloatArray:
    """Positions in ``[0, 1]²`` (``y`` downwards): connected nodes by a seeded
    Fruchterman–Reingold layout above, isolated nodes in rows at the bottom.

    Written with NumPy over all pairs rather than ``networkx.spring_layout``, whose
    sparse variant (used above 500 nodes) loops in Python and took 14 s for 2,000 actors.
    Nodes arrive sorted by id, so the seeded start and thus the result depend only on the
    input's content, not its order."""
    n = adjacency.shape[0]
    positions = np.zeros((n, 2))
    degree = np.diff(adjacency.indptr)
    isolated = np.flatnonzero(degree == 0)
    connected = np.flatnonzero(degree > 0)
    rows, height = _isolated_rows(len(isolated))
    for v, spot in zip(isolated.tolist(), rows, strict=True):
        positions[v] = spot
    if len(connected):
        sub = sp.csr_array(adjacency[connected][:, connected])
        drawn = _fruchterman_reingold(sub)
        span = drawn.max(axis=0) - drawn.min(axis=0)
        span[span == 0] = 1.0
        unit = (drawn - drawn.min(axis=0)) / span
        positions[connected, 0] = MARGIN + unit[:, 0] * (1 - 2 * MARGIN)
        positions[connected, 1] = MARGIN + unit[:, 1] * height
    return positions.round(DECIMALS)


def _isolated_rows(count: int) -> tuple[list[tuple[float, float]], float]:
    """Spots for ``count`` isolated nodes in rows at the bottom of ``[0, 1]²``, and the
    height left above them for the connected ones (starting at ``MARGIN``)."""
    rows = math.ceil(count / ISOLATED_PER_ROW)
    if not rows:
        return [], 1.0 - 2 * MARGIN
    gap = min(ISOLATED_ROW_GAP, ISOLATED_BAND_MAX / rows)
    spots = []
    for k in range(count):
        row, column = divmod(k, ISOLATED_PER_ROW)
        in_row = min(ISOLATED_PER_ROW, count - row * ISOLATED_PER_ROW)
        spots.append(
            (
                MARGIN + (1 - 2 * MARGIN) * (column + 0.5) / in_row,
                1.0 - MARGIN - (rows - 1 - row) * gap,
            )
        )
    bottom = 1.0 - MARGIN - rows * gap
    return spots, max(bottom - gap - MARGIN, 0.1)


@dataclass(frozen=True)
class Sector:
    """The angles (radians, clockwise on screen from the right) an actor kind spans on
    the outer ring of the milieu layout."""

    kind: str
    start: float
    end: float


@dataclass(frozen=True)
class MilieuLayout:
    """Positions in ``[0, 1]²`` and the geometry behind them, for drawing: the ring's
    centre, its ``radius`` along ``y`` (along ``x`` it is ``radius / aspect``, so the ring
    is round on a canvas ``aspect`` times wider than high), the inner circle's radius
    and the sectors of the outer kinds."""

    positions: dict[str, tuple[float, float]]
    centre: tuple[float, float]
    radius: float
    inner_radius: float
    aspect: float
    sectors: tuple[Sector, ...]


def _kind_rank(kind: str) -> tuple[int, str]:
    return (ACTOR_KINDS.index(kind), "") if kind in ACTOR_KINDS else (len(ACTOR_KINDS), kind)


def _middle_out(count: int) -> list[int]:
    """Slots ``0 … count - 1`` from the middle outwards, alternating sides."""
    middle = (count - 1) / 2
    return sorted(range(count), key=lambda slot: (abs(slot - middle), slot))


def milieu_layout(actors: Sequence[ActorMeasures], *, aspect: float = 1.0) -> MilieuLayout:
    """The milieu layout (see the module docstring) of the analysed ``actors``.

    ``aspect`` is the width-to-height ratio of the canvas the unit square will be
    stretched to. Ties are not needed: the measures carry kind, betweenness and whether
    an actor is isolated. Same actors (in any order) → same layout."""
    if aspect <= 0:
        raise ValueError(f"aspect must be > 0, not {aspect!r}")
    ranked = sorted(actors, key=lambda a: (_kind_rank(a.kind), -a.betweenness, a.id))
    isolated = [a for a in ranked if a.isolated]
    public = [a for a in ranked if not a.isolated and a.kind in PUBLIC_KINDS]
    outer = [a for a in ranked if not a.isolated and a.kind not in PUBLIC_KINDS]

    spots, height = _isolated_rows(len(isolated))
    positions = {a.id: spot for a, spot in zip(isolated, spots, strict=True)}
    # The ring fills the height above the isolated rows and never the width: beyond it
    # the drawing needs room for labels.
    radius = min(height / 2, (1 - 2 * MARGIN) * aspect / 2)
    centre = (0.5, MARGIN + height / 2)
    inner = radius * INNER_SHARE

    def place(angle: float, distance: float) -> tuple[float, float]:
        return (
            round(centre[0] + distance * math.cos(angle) / aspect, DECIMALS),
            round(centre[1] + distance * math.sin(angle), DECIMALS),
        )

    if len(public) == 1:
        positions[public[0].id] = place(0.0, 0.0)
    else:
        for k, a in enumerate(public):
            # Start top left, so four bodies sit on the diagonals.
            positions[a.id] = place(-3 * math.pi / 4 + 2 * math.pi * k / len(public), inner)

    groups: dict[str, list[ActorMeasures]] = {}
    for a in outer:
        groups.setdefault(a.kind, []).append(a)
    slots = len(outer) + SECTOR_GAP_SLOTS * len(groups) if len(groups) > 1 else len(outer)
    step = 2 * math.pi / slots if slots else 0.0
    # The first sector is centred on the right: the largest kind (the providers, in a
    # city's network) then stacks its labels vertically on both sides.
    angle = -step * len(groups.get(next(iter(groups), ""), [])) / 2 if groups else 0.0
    sectors = []
    for kind, members in groups.items():
        start = angle
        for slot, a in zip(_middle_out(len(members)), members, strict=True):
            positions[a.id] = place(start + step * (slot + 0.5), radius)
        angle = start + step * len(members)
        sectors.append(Sector(kind, start, angle))
        angle += step * SECTOR_GAP_SLOTS if len(groups) > 1 else 0.0
    return MilieuLayout(
        positions=positions,
        centre=centre,
        radius=radius,
        inner_radius=inner,
        aspect=aspect,
        sectors=tuple(sectors),
    )


def _fruchterman_reingold(adjacency: sp.csr_array) -> FloatArray:
    """Fruchterman–Reingold as in NetworkX's dense variant: every pair repels with
    ``k² / d``, every tie attracts with ``d² / k``, moves cooled linearly to zero."""
    n = adjacency.shape[0]
    rng = np.random.default_rng(LAYOUT_SEED)
    pos = rng.random((n, 2))
    if n == 1:
        return pos
    k = math.sqrt(1.0 / n)
    temperature = 0.1
    cooling = temperature / (LAYOUT_ITERATIONS + 1)
    coo = sp.triu(adjacency, k=1).tocoo()
    first, second = coo.row, coo.col
    for _ in range(LAYOUT_ITERATIONS):
        # Squared distances of all pairs from one matrix product (BLAS), then the
        # repulsion summed over j of (p_i - p_j) r_ij as p_i Σ_j r_ij - (R p)_i. The
        # n × n part runs in float32 (half the memory traffic; distances below 0.01 are
        # clipped anyway), positions stay float64.
        single = pos.astype(np.float32)
        norms = (single * single).sum(axis=1)
        square = single @ (-2.0 * single.T)
        square += norms[:, None]
        square += norms[None, :]
        np.maximum(square, np.float32(1e-4), out=square)
        repulse = np.divide(np.float32(k * k), square, out=square)  # k² / d along the unit
        np.fill_diagonal(repulse, 0.0)
        force = pos * repulse.sum(axis=1, dtype=np.float64)[:, None] - repulse @ single
        along = pos[first] - pos[second]
        length = np.maximum(np.hypot(along[:, 0], along[:, 1]), 0.01)
        pull = along * (length / k)[:, None]  # d² / k along the unit vector
        np.subtract.at(force, first, pull)
        np.add.at(force, second, pull)
        moved = np.hypot(force[:, 0], force[:, 1])
        moved[moved < 0.01] = 0.1
        pos += force * (temperature / moved)[:, None]
        temperature -= cooling
    return pos
