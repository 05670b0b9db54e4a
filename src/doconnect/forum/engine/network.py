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
* ``milieu.milieu_layout`` is the second layout, computed from the measures: the public
  bodies on a small inner circle, every other actor kind in its own sector of an outer
  ring (in the fixed order of ``ACTOR_KINDS``, sized by its number of actors, the actor
  with the highest betweenness in the middle of its sector), isolated actors in rows at
  the bottom. A force layout of a dense network is a hairball whatever the seed; in
  sectors, ties between milieus show as chords across the ring.

The measures live beside this module: ``betweenness`` (Brandes, batched), ``brokers``
(articulation points), ``layout`` (the force layout) and ``milieu`` (the milieu layout).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from itertools import combinations_with_replacement
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse import csgraph

from doconnect.forum.engine.betweenness import betweenness_centrality
from doconnect.forum.engine.brokers import cut_vertices
from doconnect.forum.engine.layout import spread_layout

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
