"""The offer network as a graph for drawing (pure, no Django): which offers and
destinations are drawn, in which stage, with which edges. The browser lays it out in
layers (ELK's layered algorithm, ``static/pathways/network.js``), one layer group per
stage, left to right:

entries (low-threshold, orientation and counselling offers that are not dead ends) ·
the other offers by onward distance to the nearest goal (farthest first, one stage per
distance) · the destinations · dead ends · suspended or ended offers.

Filters choose the offers (``keep``); the offers they lead to directly are drawn too,
marked as context, so every drawn offer shows where it leads. At most ``MAX_DRAWN``
offers are drawn: ordered by stage, then by title and id, the first ``MAX_DRAWN``;
the page says so when it cuts. The lists beside the drawing are never cut.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from doconnect.pathways.engine.inputs import FollowOn, Offer
from doconnect.pathways.engine.report import PathwayReport

MAX_DRAWN = 150
ENTRY_KINDS = frozenset({"low_threshold", "orientation", "counselling"})

# Stage groups, in drawing order; "distance" has one stage per number of steps.
ENTRIES, DISTANCE, DESTINATIONS, DEAD_ENDS, CLOSED = range(5)
# The stage filter's choices: which group(s) each keeps.
STAGE_GROUPS = {
    "entries": (ENTRIES,),
    "onward": (DISTANCE,),
    "dead_ends": (DEAD_ENDS,),
    "closed": (CLOSED,),
}


@dataclass(frozen=True)
class Node:
    key: str  # offer id or "destination:<name>"
    title: str  # the offer's title or the destination's name
    stage: int  # the layer group, 0 = leftmost
    shape: str  # "entry", "offer", "dead_end", "closed", "goal", "destination"
    context: bool  # drawn only because a kept offer leads to it
    offer: str  # offer id, "" for a destination


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    to_dead_end: bool


@dataclass(frozen=True)
class Network:
    stages: tuple[str, ...]  # the label of each stage, by index
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    matched: int  # offers matching the filter
    drawn: int  # of those, drawn (at most MAX_DRAWN)

    @property
    def truncated(self) -> bool:
        return self.drawn < self.matched

    def as_data(self) -> dict[str, Any]:
        """For the page's script (``json_script``)."""
        return {
            "stages": list(self.stages),
            "nodes": [asdict(node) for node in self.nodes],
            "edges": [asdict(edge) for edge in self.edges],
        }


def stage_of(offer: Offer, dead: frozenset[str] | set[str], steps: int) -> tuple[int, int]:
    """(group, order within the distance group) of one offer; ``steps`` its onward
    distance to the nearest goal."""
    if not offer.active:
        return (CLOSED, 0)
    if offer.id in dead:
        return (DEAD_ENDS, 0)
    if offer.kind in ENTRY_KINDS:
        return (ENTRIES, 0)
    return (DISTANCE, -steps)


def network(
    offers: Sequence[Offer],
    links: Sequence[FollowOn],
    report: PathwayReport,
    *,
    titles: Mapping[str, str],
    destination_labels: Mapping[str, str],
    labels: Mapping[str, str],
    distance_label: Callable[[int], str],
    keep: Callable[[Offer], bool] = lambda offer: True,
    stages: Sequence[int] = (),
    max_drawn: int = MAX_DRAWN,
) -> Network:
    """The offers ``keep`` accepts (only those in the stage groups ``stages``, if any),
    at most ``max_drawn``, the offers and destinations they lead to, and the edges
    between drawn nodes. ``labels`` holds the translated stage words: entries,
    destinations, dead_ends, closed; ``distance_label(steps)`` names a distance stage."""
    dead = {d.offer for d in report.dead_ends}
    distances = report.distances
    by_id = {offer.id: offer for offer in offers}

    def stage(offer: Offer) -> tuple[int, int]:
        steps = 0
        if offer.active and offer.id not in dead and offer.kind not in ENTRY_KINDS:
            steps = int(distances.any_goal[distances.index[offer.id]])
        return stage_of(offer, dead, steps)

    matching = [
        offer for offer in offers if keep(offer) and (not stages or stage(offer)[0] in stages)
    ]
    placed = sorted(matching, key=lambda offer: (stage(offer), titles.get(offer.id, ""), offer.id))[
        :max_drawn
    ]
    drawn = {offer.id for offer in placed}
    onward = [link for link in links if link.from_offer in drawn]
    context = sorted(
        {link.to_offer for link in onward if link.to_offer and link.to_offer not in drawn}
        & by_id.keys()
    )
    destinations = sorted(
        {link.destination for link in onward if link.destination is not None},
        key=lambda d: (d not in report.goals, d),
    )

    keys = sorted(
        {stage(offer) for offer in placed}
        | {stage(by_id[key]) for key in context}
        | ({(DESTINATIONS, 0)} if destinations else set())
    )
    index = {key: i for i, key in enumerate(keys)}
    words = {
        ENTRIES: labels["entries"],
        DESTINATIONS: labels["destinations"],
        DEAD_ENDS: labels["dead_ends"],
        CLOSED: labels["closed"],
    }
    stage_labels = tuple(
        distance_label(-sub) if group == DISTANCE else words[group] for group, sub in keys
    )
    shapes = {ENTRIES: "entry", DISTANCE: "offer", DEAD_ENDS: "dead_end", CLOSED: "closed"}

    def offer_node(offer: Offer, *, is_context: bool) -> Node:
        key = stage(offer)
        return Node(
            key=offer.id,
            title=titles.get(offer.id, "") or offer.id,
            stage=index[key],
            shape=shapes[key[0]],
            context=is_context,
            offer=offer.id,
        )

    nodes = [offer_node(offer, is_context=False) for offer in placed]
    nodes += [offer_node(by_id[key], is_context=True) for key in context]
    nodes += [
        Node(
            key=f"destination:{destination}",
            title=destination_labels.get(destination, destination),
            stage=index[(DESTINATIONS, 0)],
            shape="goal" if destination in report.goals else "destination",
            context=False,
            offer="",
        )
        for destination in destinations
    ]
    shape_of = {node.key: node.shape for node in nodes}
    edges = tuple(
        Edge(source=link.from_offer, target=link.reference, to_dead_end=target == "dead_end")
        for link in onward
        if (target := shape_of.get(link.reference)) is not None
    )
    return Network(
        stages=stage_labels,
        nodes=tuple(nodes),
        edges=edges,
        matched=len(matching),
        drawn=len(placed),
    )
