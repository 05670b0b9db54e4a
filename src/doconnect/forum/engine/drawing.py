"""The cooperation network as an SVG drawing (pure, no Django): a layout in ``[0, 1]²``
scaled to pixels, a circle per actor coloured by its kind (with a legend, and name and
kind in each circle's tooltip, so colour is never the only carrier), a line per
aggregated tie (thicker with more weight, capped; darker between actors of different
kinds, the bridging ties) and labels for the few actors that matter most: the public
bodies and the brokers with the highest betweenness. The table beside it names everybody.

Two layouts: ``milieu`` (default; :func:`doconnect.forum.engine.network.milieu_layout`, the
actor kinds in sectors of a ring, labels outside the ring and pushed apart so they never
overlap) and ``spring`` (the engine's force layout, labels beside the circles)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from doconnect.forum.engine.milieu import PUBLIC_KINDS, milieu_layout
from doconnect.forum.engine.network import ActorMeasures, NetworkReport

WIDTH = 960
HEIGHT = 720
PADDING = 40
MILIEU = "milieu"
SPRING = "spring"
LAYOUTS = (MILIEU, SPRING)
# Brokers labelled besides the public bodies: more crowd the drawing.
LABELLED_BROKERS = 10
LABEL_CHARS = 34
# A public body's label stays inside the ring (the ring's actors are not covered).
CENTRE_LABEL_CHARS = 26
LINE_HEIGHT = 13.0  # px between two labels on one side (font size 11)
LABEL_GAP = 6.0  # px between a circle and its label
MAX_RADIUS = 8.0  # px, an actor on the ring (its neighbours sit some 20 px away)
MAX_CENTRE_RADIUS = 12.0  # px, a public body at the centre or any actor in the spring
MAX_TIE_WIDTH = 3.0

# One colour per organisation kind, each at least 3:1 against white (WCAG 1.4.11).
KIND_COLOURS = {
    "city": "#1f4e99",
    "jobcenter": "#b3261e",
    "federal_agency": "#7a3fb0",
    "state": "#00695c",
    "provider": "#8a5a00",
    "school": "#5d6b00",
    "vocational_college": "#2e7d32",
    "chamber": "#ad1457",
    "union": "#c43e00",
    "employer": "#4e5b6b",
    "civic": "#006e8a",
}
OTHER_COLOUR = "#555555"
# Ties between kinds dark (3:1 against white), ties within a kind a light grey behind.
BRIDGING_COLOUR = "#3b4252"
WITHIN_COLOUR = "#b4bac4"


@dataclass(frozen=True)
class DrawnActor:
    id: str
    name: str
    kind: str
    kind_label: str
    x: float
    y: float
    r: float
    colour: str
    label: str  # empty: not labelled in the drawing
    label_x: float
    label_y: float
    anchor: str  # "start" (label right of its point) or "end"
    # A thin line from the circle to a label that had to move away from it; all four
    # zero when the label sits right beside its circle.
    leader: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)

    @property
    def has_leader(self) -> bool:
        return self.leader != (0.0, 0.0, 0.0, 0.0)


@dataclass(frozen=True)
class DrawnTie:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    title: str
    bridging: bool  # between actors of different kinds

    @property
    def css_class(self) -> str:
        return "forum-tie-bridging" if self.bridging else "forum-tie-within"


@dataclass(frozen=True)
class LegendEntry:
    kind: str
    label: str
    colour: str


@dataclass(frozen=True)
class Drawing:
    width: int
    height: int
    layout: str
    actors: list[DrawnActor]
    ties: list[DrawnTie]  # ties within a kind first, so the bridging ones lie on top
    legend: list[LegendEntry]
    bridging_colour: str = BRIDGING_COLOUR
    within_colour: str = WITHIN_COLOUR
    # Milieu layout: the ring's centre and radius in px (none in the spring layout).
    centre: tuple[float, float] | None = None
    ring: float = 0.0

    @property
    def labelled(self) -> list[DrawnActor]:
        return [a for a in self.actors if a.label]


def _short(text: str, chars: int = LABEL_CHARS) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


def labelled_actors(report: NetworkReport) -> set[str]:
    """Ids of the actors the drawing names: the public bodies and the
    ``LABELLED_BROKERS`` other actors with the highest (non-zero) betweenness; isolated
    actors never (they are listed below the drawing)."""
    connected = [a for a in report.actors if not a.isolated]
    public = {a.id for a in connected if a.kind in PUBLIC_KINDS}
    brokers = sorted(
        (a for a in connected if a.kind not in PUBLIC_KINDS and a.betweenness > 0),
        key=lambda a: (-a.betweenness, -a.degree, a.id),
    )
    return public | {a.id for a in brokers[:LABELLED_BROKERS]}


def _radius(actor: ActorMeasures, cap: float) -> float:
    return round(min(cap, 3.0 + 0.8 * math.sqrt(actor.degree)), 1)


@dataclass
class _Label:
    id: str
    x: float
    want_y: float
    anchor: str
    y: float = 0.0


def _spread(labels: list[_Label], low: float, high: float) -> None:
    """Labels of one side, pushed apart to ``LINE_HEIGHT`` and kept in ``[low, high]``
    while moving each as little as the order allows."""
    labels.sort(key=lambda label: (label.want_y, label.id))
    previous = low - LINE_HEIGHT
    for label in labels:
        label.y = max(label.want_y, previous + LINE_HEIGHT)
        previous = label.y
    following = high + LINE_HEIGHT
    for label in reversed(labels):
        label.y = min(label.y, following - LINE_HEIGHT)
        following = label.y


def draw(report: NetworkReport, kind_labels: Mapping[str, str], *, layout: str = MILIEU) -> Drawing:
    """The drawing of ``report`` in ``layout`` (``"milieu"`` or ``"spring"``)."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")
    inner_w, inner_h = WIDTH - 2 * PADDING, HEIGHT - 2 * PADDING
    milieu = milieu_layout(report.actors, aspect=inner_w / inner_h) if layout == MILIEU else None
    positions = milieu.positions if milieu else report.layout

    def point(actor_id: str) -> tuple[float, float]:
        x, y = positions.get(actor_id, (0.5, 0.5))
        return round(PADDING + x * inner_w, 1), round(PADDING + y * inner_h, 1)

    named = labelled_actors(report)
    by_id = {a.id: a for a in report.actors}
    centre, ring = None, 0.0
    if milieu is not None:
        centre = (PADDING + milieu.centre[0] * inner_w, PADDING + milieu.centre[1] * inner_h)
        ring = milieu.radius * inner_h
    placed: dict[str, _Label] = {}
    radii: dict[str, float] = {}
    for a in report.actors:
        x, y = point(a.id)
        on_ring = milieu is not None and a.kind not in PUBLIC_KINDS
        radii[a.id] = _radius(a, MAX_RADIUS if on_ring else MAX_CENTRE_RADIUS)
        if a.id not in named:
            continue
        r = radii[a.id]
        if centre is None:
            right_edge = x > WIDTH * 0.7
            placed[a.id] = _Label(
                a.id, x - r - 3 if right_edge else x + r + 3, y, "end" if right_edge else "start"
            )
            continue
        dx, dy = x - centre[0], y - centre[1]
        length = math.hypot(dx, dy)
        ux, uy = (dx / length, dy / length) if length else (1.0, 0.0)
        # Ring actors are named just outside the ring; the public bodies beside their circle.
        reach = ring + MAX_RADIUS + LABEL_GAP - length if on_ring else r + LABEL_GAP
        placed[a.id] = _Label(a.id, x + reach * ux, y + reach * uy, "start" if ux >= 0 else "end")
    # Apart from each other: the labels on each side, those on the ring (milieu) apart
    # from those of the public bodies at the centre.
    for group in (True, False) if milieu else (True,):
        for anchor in ("start", "end"):
            _spread(
                [
                    label
                    for key, label in placed.items()
                    if label.anchor == anchor
                    and (milieu is None or (by_id[key].kind not in PUBLIC_KINDS) == group)
                ],
                PADDING / 2,
                HEIGHT - PADDING / 2,
            )
    if centre is not None:
        # A ring label that moved up or down slides along the circle of labels, so it
        # stays clear of the ring.
        around = ring + MAX_RADIUS + LABEL_GAP
        for key, moved in placed.items():
            rise = moved.y - centre[1]
            if by_id[key].kind not in PUBLIC_KINDS and abs(rise) < around:
                side = 1 if moved.anchor == "start" else -1
                moved.x = centre[0] + side * math.sqrt(around**2 - rise**2)

    centre_chars = LABEL_CHARS if centre is None else CENTRE_LABEL_CHARS
    actors = []
    for a in sorted(report.actors, key=lambda a: a.id):
        x, y = point(a.id)
        label = placed.get(a.id)
        leader = (0.0, 0.0, 0.0, 0.0)
        if label is not None and abs(label.y - label.want_y) > 2:
            tip = label.x - 2 if label.anchor == "start" else label.x + 2
            leader = (x, y, round(tip, 1), round(label.y, 1))
        actors.append(
            DrawnActor(
                id=a.id,
                name=a.name,
                kind=a.kind,
                kind_label=str(kind_labels.get(a.kind, a.kind)),
                x=x,
                y=y,
                r=radii[a.id],
                colour=KIND_COLOURS.get(a.kind, OTHER_COLOUR),
                label=_short(a.name, centre_chars if a.kind in PUBLIC_KINDS else LABEL_CHARS)
                if label
                else "",
                label_x=round(label.x, 1) if label else x,
                label_y=round(label.y, 1) if label else y,
                anchor=label.anchor if label else "start",
                leader=leader,
            )
        )
    ties = []
    for tie in report.ties:
        (x1, y1), (x2, y2) = point(tie.a), point(tie.b)
        a, b = by_id[tie.a], by_id[tie.b]
        ties.append(
            DrawnTie(
                x1=x1,
                y1=y1,
                x2=x2,
                y2=y2,
                width=round(min(MAX_TIE_WIDTH, 0.5 + 0.5 * math.log1p(tie.weight)), 2),
                title=f"{a.name} – {b.name}",
                bridging=a.kind != b.kind,
            )
        )
    ties.sort(key=lambda t: t.bridging)  # stable: within a kind first
    present = sorted({a.kind for a in report.actors})
    legend = [
        LegendEntry(kind, str(kind_labels.get(kind, kind)), KIND_COLOURS.get(kind, OTHER_COLOUR))
        for kind in present
    ]
    return Drawing(
        WIDTH,
        HEIGHT,
        layout,
        actors,
        ties,
        legend,
        centre=(round(centre[0], 1), round(centre[1], 1)) if centre else None,
        ring=round(ring, 1),
    )
