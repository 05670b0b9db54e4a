"""The offer network as a layered drawing, computed server-side (pure, no Django).

Columns from left to right: entries (low-threshold, orientation and counselling offers
that are not dead ends), then the other offers by onward distance to the nearest goal
(farthest first, one column per distance), then the destinations. Dead ends get their
own column after the destinations, drawn as an octagon *and* labelled "Sackgasse";
suspended or ended offers get the last column, with a dashed outline and their status
in words. Edges are straight lines from the right side of one box to the left side of
the other.

At most ``MAX_DRAWN`` offers are drawn. The rule: offers are ordered by column (left to
right as above) and within a column by offer id; the first ``MAX_DRAWN`` are drawn. The
lists below the drawing are never cut.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from doconnect.pathways.engine.inputs import FollowOn, Offer
from doconnect.pathways.engine.report import PathwayReport

MAX_DRAWN = 150
ENTRY_KINDS = frozenset({"low_threshold", "orientation", "counselling"})

COLUMN_WIDTH = 210
COLUMN_GAP = 70
NODE_WIDTH = 190
NODE_HEIGHT = 40
ROW_GAP = 14
HEADER_HEIGHT = 48
MARGIN = 10
LABEL_CHARS = 26


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    x: int


@dataclass(frozen=True)
class Node:
    key: str  # offer id or "destination:<name>"
    label: str
    title: str
    shape: str  # "offer", "entry", "dead_end", "closed", "goal", "destination"
    x: int
    y: int
    width: int = NODE_WIDTH
    height: int = NODE_HEIGHT

    @property
    def cx(self) -> int:
        return self.x + self.width // 2

    @property
    def text_y(self) -> int:
        return self.y + self.height // 2 + 5

    @property
    def octagon(self) -> str:
        """Points of an octagon filling the box (the dead-end marker)."""
        x, y, w, h, c = self.x, self.y, self.width, self.height, 10
        points = [
            (x + c, y),
            (x + w - c, y),
            (x + w, y + c),
            (x + w, y + h - c),
            (x + w - c, y + h),
            (x + c, y + h),
            (x, y + h - c),
            (x, y + c),
        ]
        return " ".join(f"{px},{py}" for px, py in points)


@dataclass(frozen=True)
class Edge:
    x1: int
    y1: int
    x2: int
    y2: int
    to_dead_end: bool


@dataclass(frozen=True)
class GraphLayout:
    columns: tuple[Column, ...]
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    width: int
    height: int
    matched: int  # offers matching the filter
    drawn: int  # offers drawn (at most MAX_DRAWN)

    @property
    def truncated(self) -> bool:
        return self.drawn < self.matched


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def layout(
    offers: Sequence[Offer],
    links: Sequence[FollowOn],
    report: PathwayReport,
    *,
    titles: Mapping[str, str],
    destination_labels: Mapping[str, str],
    labels: Mapping[str, str],
    keep: Callable[[Offer], bool] = lambda offer: True,
    max_drawn: int = MAX_DRAWN,
) -> GraphLayout:
    """Place the offers that ``keep`` accepts (at most ``max_drawn``, see the module
    docstring) and the destinations they link to. ``labels`` holds the translated
    column and marker words: entries, distance (with ``%(steps)s``), destinations,
    dead_end, dead_ends, closed."""
    dead = {d.offer for d in report.dead_ends}
    distances = report.distances

    def column_of(offer: Offer) -> tuple[int, int]:
        """(group, sub-order): 0 entries, 1 by distance (farther first), 3 dead ends,
        4 closed; 2 is the destinations."""
        if not offer.active:
            return (4, 0)
        if offer.id in dead:
            return (3, 0)
        if offer.kind in ENTRY_KINDS:
            return (0, 0)
        steps = int(distances.any_goal[distances.index[offer.id]])
        return (1, -steps)

    matching = [offer for offer in offers if keep(offer)]
    placed = sorted(matching, key=lambda offer: (column_of(offer), offer.id))[:max_drawn]
    drawn_ids = {offer.id for offer in placed}
    destinations = sorted(
        {
            link.destination
            for link in links
            if link.destination is not None and link.from_offer in drawn_ids
        },
        key=lambda d: (d not in report.goals, d),
    )

    keys: list[tuple[int, int]] = sorted({column_of(offer) for offer in placed} | {(2, 0)})
    if not destinations:
        keys.remove((2, 0))
    columns: list[Column] = []
    column_x: dict[tuple[int, int], int] = {}
    for i, key in enumerate(keys):
        x = MARGIN + i * (COLUMN_WIDTH + COLUMN_GAP)
        column_x[key] = x
        group, sub = key
        if group == 0:
            label = labels["entries"]
        elif group == 1:
            label = labels["distance"] % {"steps": -sub}
        elif group == 2:
            label = labels["destinations"]
        elif group == 3:
            label = labels["dead_ends"]
        else:
            label = labels["closed"]
        columns.append(Column(key=f"{group}:{-sub}", label=label, x=x))

    rows: dict[tuple[int, int], int] = {}
    nodes: dict[str, Node] = {}

    def place(key: tuple[int, int], node_key: str, label: str, title: str, shape: str) -> None:
        row = rows.get(key, 0)
        rows[key] = row + 1
        nodes[node_key] = Node(
            key=node_key,
            label=label,
            title=title,
            shape=shape,
            x=column_x[key],
            y=HEADER_HEIGHT + row * (NODE_HEIGHT + ROW_GAP),
        )

    for offer in placed:
        key = column_of(offer)
        title = f"{offer.id}: {titles.get(offer.id, '')}"
        if key[0] == 3:
            place(key, offer.id, f"{labels['dead_end']}: {_short(offer.id)}", title, "dead_end")
        elif key[0] == 4:
            place(key, offer.id, f"{_short(offer.id)} ({offer.status})", title, "closed")
        else:
            shape = "entry" if key[0] == 0 else "offer"
            place(key, offer.id, _short(offer.id), title, shape)
    for destination in destinations:
        label = destination_labels.get(destination, destination)
        shape = "goal" if destination in report.goals else "destination"
        place((2, 0), f"destination:{destination}", label, label, shape)

    edges: list[Edge] = []
    for link in links:
        source = nodes.get(link.from_offer)
        if source is None or source.key not in drawn_ids:
            continue
        target = nodes.get(link.reference)
        if target is None:
            continue
        edges.append(
            Edge(
                x1=source.x + source.width,
                y1=source.y + source.height // 2,
                x2=target.x,
                y2=target.y + target.height // 2,
                to_dead_end=target.shape == "dead_end",
            )
        )

    tallest = max(rows.values(), default=0)
    return GraphLayout(
        columns=tuple(columns),
        nodes=tuple(nodes.values()),
        edges=tuple(edges),
        width=2 * MARGIN + max(len(columns), 1) * (COLUMN_WIDTH + COLUMN_GAP),
        height=HEADER_HEIGHT + tallest * (NODE_HEIGHT + ROW_GAP) + MARGIN,
        matched=len(matching),
        drawn=len(placed),
    )
