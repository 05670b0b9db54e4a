"""The cooperation network as an SVG drawing (pure, no Django): the engine's layout in
``[0, 1]²`` scaled to pixels, a circle per actor coloured by its kind (with a legend,
and the kind in each circle's tooltip, so colour is never the only carrier), a line per
aggregated tie (thicker with more weight), and labels for the actors that matter most
(highest betweenness, then degree) so the drawing stays readable; the table beside it
names everybody."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from doconnect.forum.network import NetworkReport

WIDTH = 960
HEIGHT = 640
PADDING = 40
LABELLED = 25
LABEL_CHARS = 28

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
    label_x: float  # right of the circle, or left of it near the right edge
    anchor: str  # "start" or "end"


@dataclass(frozen=True)
class DrawnTie:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    title: str


@dataclass(frozen=True)
class LegendEntry:
    kind: str
    label: str
    colour: str


@dataclass(frozen=True)
class Drawing:
    width: int
    height: int
    actors: list[DrawnActor]
    ties: list[DrawnTie]
    legend: list[LegendEntry]


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def draw(report: NetworkReport, kind_labels: Mapping[str, str]) -> Drawing:
    inner_w, inner_h = WIDTH - 2 * PADDING, HEIGHT - 2 * PADDING

    def point(actor_id: str) -> tuple[float, float]:
        x, y = report.layout.get(actor_id, (0.5, 0.5))
        return round(PADDING + x * inner_w, 1), round(PADDING + y * inner_h, 1)

    ranked = sorted(report.actors, key=lambda a: (-a.betweenness, -a.degree, a.id))
    labelled = {a.id for a in ranked[:LABELLED] if not a.isolated}
    actors = []
    for a in sorted(report.actors, key=lambda a: a.id):
        x, y = point(a.id)
        r = round(4 + 2 * math.sqrt(a.degree), 1)
        right_edge = x > WIDTH * 0.7
        actors.append(
            DrawnActor(
                id=a.id,
                name=a.name,
                kind=a.kind,
                kind_label=str(kind_labels.get(a.kind, a.kind)),
                x=x,
                y=y,
                r=r,
                colour=KIND_COLOURS.get(a.kind, OTHER_COLOUR),
                label=_short(a.name) if a.id in labelled else "",
                label_x=round(x - r - 3 if right_edge else x + r + 3, 1),
                anchor="end" if right_edge else "start",
            )
        )
    names = {a.id: a.name for a in report.actors}
    ties = []
    for tie in report.ties:
        (x1, y1), (x2, y2) = point(tie.a), point(tie.b)
        ties.append(
            DrawnTie(
                x1=x1,
                y1=y1,
                x2=x2,
                y2=y2,
                width=round(min(6.0, 0.6 + math.log1p(tie.weight)), 2),
                title=f"{names.get(tie.a, tie.a)} – {names.get(tie.b, tie.b)}",
            )
        )
    present = sorted({a.kind for a in report.actors})
    legend = [
        LegendEntry(kind, str(kind_labels.get(kind, kind)), KIND_COLOURS.get(kind, OTHER_COLOUR))
        for kind in present
    ]
    return Drawing(WIDTH, HEIGHT, actors, ties, legend)
