"""Chart builders of the labour-market pages (``views.py``, ``occupation_views.py``):
small multiples of an indicator over time, the districts as a map (GeoJSON boundaries)
or as a schematic tile map, and the tiny server-side sparklines of the occupations
table.

Like ``doconnect.charts.chart``: Vega-Lite specs built with Altair, each ``Chart``
carrying the same numbers as a table; a figure without a number (the BA's ``*``, ``-``,
``.``, ``x``) is not drawn and reads as its sign in the table, never as 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from doconnect.charts.chart import PALETTE, Cell, Chart, finish_spec

# A rough geographic arrangement of Dortmund's twelve Stadtbezirke on a grid
# (column, row; north at the top). Other cities, or a city whose districts are not all
# named here, get an alphabetical grid.
DORTMUND_TILES: dict[str, tuple[int, int]] = {
    "Mengede": (0, 0),
    "Eving": (2, 0),
    "Scharnhorst": (3, 0),
    "Huckarde": (1, 1),
    "Innenstadt-Nord": (2, 1),
    "Brackel": (3, 1),
    "Lütgendortmund": (0, 2),
    "Innenstadt-West": (1, 2),
    "Innenstadt-Ost": (2, 2),
    "Aplerbeck": (3, 2),
    "Hombruch": (1, 3),
    "Hörde": (2, 3),
}
TILE_WIDTH = 124
TILE_HEIGHT = 72


def month_date(period: str) -> str:
    """A month ``YYYY-MM`` as a date in its middle: a time axis in any time zone shows
    the right month."""
    return f"{period}-15"


def tile_positions(names: Sequence[str]) -> dict[str, tuple[int, int]]:
    """Grid positions (column, row) for the districts: Dortmund's arrangement when every
    name is in it, else alphabetically in rows of ⌈√n⌉."""
    if names and all(name in DORTMUND_TILES for name in names):
        return {name: DORTMUND_TILES[name] for name in names}
    columns = max(1, math.ceil(math.sqrt(len(names))))
    return {name: (i % columns, i // columns) for i, name in enumerate(sorted(names))}


@dataclass(frozen=True)
class AreaValue:
    """One district on the map: its latest figure (None: a sign instead, ``label``)."""

    name: str
    value: float | None
    label: str  # the figure as shown in the tile, or the sign
    href: str
    boundary: Mapping[str, Any] | None = None


def line_chart(
    *,
    slug: str,
    title: str,
    description: str,
    value_title: str,
    month_title: str,
    points: Sequence[tuple[str, float | None, Cell]],
    columns: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    colour: str = PALETTE[0],
) -> Chart:
    """One indicator over the months: a line with a dot per month; months without a
    number are left out of the line (their sign is in the table). ``points``: (month
    ``YYYY-MM``, value, text for the tooltip)."""
    data = [
        {"month": month_date(p), "period": p, "value": v, "label": str(label)}
        for p, v, label in points
        if v is not None
    ]
    chart = (
        alt.Chart(alt.Data(values=data))
        .mark_line(point=alt.OverlayMarkDef(size=18, color=colour), color=colour, aria=False)
        .encode(
            x=alt.X("month:T", title=None, axis=alt.Axis(format="%m/%Y", tickCount=6)),
            y=alt.Y("value:Q", title=value_title, scale=alt.Scale(zero=False)),
            tooltip=[
                alt.Tooltip("period:N", title=month_title),
                alt.Tooltip("label:N", title=value_title),
            ],
        )
        .properties(width="container", height=170)
    )
    return Chart(
        slug=slug,
        title=title,
        description=description,
        spec=finish_spec(chart, title=title, description=description),
        columns=columns,
        rows=rows,
    )


def small_multiples_chart(
    *,
    slug: str,
    title: str,
    description: str,
    value_title: str,
    month_title: str,
    area_title: str,
    areas: Sequence[str],
    months: Sequence[str],
    values: Sequence[Sequence[float | None]],
    table_values: Sequence[Sequence[Cell]],
) -> Chart:
    """One small line chart per area (e.g. district), four in a row, each on its own
    scale so its course is readable (the map compares the levels);
    ``values[i][j]`` is area ``i`` in month ``j``. The table: a row per month (newest
    first), a column per area (signs where there is no number)."""
    data = [
        {"area": area, "month": month_date(m), "period": m, "value": v}
        for area, row in zip(areas, values, strict=True)
        for m, v in zip(months, row, strict=True)
        if v is not None
    ]
    chart = (
        alt.Chart(alt.Data(values=data))
        .mark_line(color=PALETTE[0], aria=False)
        .encode(
            x=alt.X("month:T", title=None, axis=alt.Axis(format="%Y", tickCount="year")),
            y=alt.Y("value:Q", title=value_title, scale=alt.Scale(zero=False)),
            tooltip=[
                alt.Tooltip("area:N", title=area_title),
                alt.Tooltip("period:N", title=month_title),
                alt.Tooltip("value:Q", title=value_title, format=",.1~f"),
            ],
        )
        .properties(width=190, height=90)
        .facet(
            facet=alt.Facet(
                "area:N", title=None, sort=list(areas), header=alt.Header(labelFontSize=12)
            ),
            columns=4,
        )
        .resolve_scale(y="independent")
    )
    return Chart(
        slug=slug,
        title=title,
        description=description,
        spec=finish_spec(chart, title=title, description=description),
        columns=[month_title, *areas],
        rows=[
            [m, *(table_values[i][j] for i in range(len(areas)))]
            for j, m in reversed(list(enumerate(months)))
        ],
    )


def _colour(
    value_title: str, values: Sequence[float], field: str = "value:Q"
) -> tuple[alt.Color, float]:
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    threshold = low + 0.6 * (high - low) if high > low else math.inf
    scale = (
        alt.Scale(scheme="blues", domain=[low, high]) if high > low else alt.Scale(scheme="blues")
    )
    colour = alt.Color(
        field,
        title=value_title,
        scale=scale,
        legend=alt.Legend(orient="bottom", gradientLength=240, format=",.1~f"),
    )
    return colour, threshold


def tile_map_chart(
    *,
    slug: str,
    title: str,
    description: str,
    area_title: str,
    value_title: str,
    areas: Sequence[AreaValue],
    extra_columns: Sequence[tuple[str, Sequence[Cell]]] = (),
    highlight: str | None = None,
) -> Chart:
    """The districts as equal squares in a rough geographic arrangement
    (``tile_positions``), shaded by value *and* with the name and the figure written in
    each; a tile without a number is grey and shows the sign. A tile opens the
    district's page; the table beside lists the same figures with links."""
    positions = tile_positions([a.name for a in areas])
    numbers = [a.value for a in areas if a.value is not None]
    colour, threshold = _colour(value_title, numbers)
    data = [
        {
            "name": a.name,
            "col": positions[a.name][0],
            "row": positions[a.name][1],
            "value": a.value,
            "label": a.label,
            "href": a.href,
            "current": a.name == highlight,
        }
        for a in areas
    ]
    columns = max((c for c, _ in positions.values()), default=0) + 1
    rows = max((r for _, r in positions.values()), default=0) + 1
    base = alt.Chart(alt.Data(values=data)).encode(
        x=alt.X("col:O", axis=None, scale=alt.Scale(domain=list(range(columns)))),
        y=alt.Y("row:O", axis=None, scale=alt.Scale(domain=list(range(rows)))),
    )
    tiles = base.mark_rect(aria=False, stroke="#ffffff", cursor="pointer").encode(
        color=alt.condition("isValid(datum.value)", colour, alt.value("#d9d9d9")),
        strokeWidth=alt.condition("datum.current", alt.value(4), alt.value(2)),
        stroke=alt.condition("datum.current", alt.value("#000000"), alt.value("#ffffff")),
        href="href:N",
        tooltip=[
            alt.Tooltip("name:N", title=area_title),
            alt.Tooltip("label:N", title=value_title),
        ],
    )
    text_colour = alt.condition(
        f"isValid(datum.value) && datum.value > {threshold if math.isfinite(threshold) else 1e300}",
        alt.value("#ffffff"),
        alt.value("#000000"),
    )
    names = base.mark_text(aria=False, dy=-9, fontSize=11, limit=TILE_WIDTH - 8).encode(
        text="name:N", color=text_colour, href="href:N"
    )
    figures = base.mark_text(aria=False, dy=9, fontSize=14, fontWeight="bold").encode(
        text="label:N", color=text_colour, href="href:N"
    )
    chart = alt.layer(tiles, names, figures).properties(
        width=TILE_WIDTH * columns, height=TILE_HEIGHT * rows
    )
    return _area_chart(
        chart,
        slug=slug,
        title=title,
        description=description,
        areas=areas,
        area_title=area_title,
        value_title=value_title,
        extra_columns=extra_columns,
    )


def _points(geometry: Mapping[str, Any]) -> list[tuple[float, float]]:
    """Every coordinate pair of a GeoJSON geometry (for a label position)."""
    found: list[tuple[float, float]] = []

    def walk(node: Any) -> None:
        if (
            isinstance(node, list | tuple)
            and len(node) >= 2
            and all(isinstance(x, int | float) for x in node[:2])
        ):
            found.append((float(node[0]), float(node[1])))
        elif isinstance(node, list | tuple):
            for item in node:
                walk(item)

    walk(geometry.get("coordinates", []))
    for part in geometry.get("geometries", []) or []:
        found.extend(_points(part))
    return found


def geometry_of(boundary: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The geometry of a stored boundary: a GeoJSON geometry, a Feature, or a
    FeatureCollection's first feature; None when it is none of these."""
    kind = boundary.get("type")
    if kind == "Feature":
        geometry = boundary.get("geometry")
        return geometry if isinstance(geometry, Mapping) else None
    if kind == "FeatureCollection":
        features = boundary.get("features") or []
        return geometry_of(features[0]) if features else None
    if kind in ("Polygon", "MultiPolygon", "GeometryCollection"):
        return boundary
    return None


def choropleth_chart(
    *,
    slug: str,
    title: str,
    description: str,
    area_title: str,
    value_title: str,
    areas: Sequence[AreaValue],
    extra_columns: Sequence[tuple[str, Sequence[Cell]]] = (),
    highlight: str | None = None,
) -> Chart:
    """The districts drawn from their GeoJSON boundaries (longitude/latitude, Mercator),
    shaded by value, the figure written at the middle of each; no number: grey with the
    sign. A district opens its page; the table beside has the same figures."""
    numbers = [a.value for a in areas if a.value is not None]
    colour, threshold = _colour(value_title, numbers, "properties.value:Q")
    features = []
    labels = []
    for a in areas:
        geometry = geometry_of(a.boundary or {})
        if geometry is None:
            continue
        properties = {
            "name": a.name,
            "value": a.value,
            "label": a.label,
            "href": a.href,
            "current": a.name == highlight,
        }
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
        pts = _points(geometry)
        if pts:
            labels.append(
                {
                    **properties,
                    "lon": sum(p[0] for p in pts) / len(pts),
                    "lat": sum(p[1] for p in pts) / len(pts),
                }
            )
    shapes = (
        alt.Chart(alt.Data(values=features))
        .mark_geoshape(aria=False, stroke="#ffffff", strokeWidth=1.5, cursor="pointer")
        .encode(
            color=alt.condition(
                "isValid(datum.properties.value)",
                colour,
                alt.value("#d9d9d9"),
            ),
            href="properties.href:N",
            tooltip=[
                alt.Tooltip("properties.name:N", title=area_title),
                alt.Tooltip("properties.label:N", title=value_title),
            ],
        )
    )
    text = (
        alt.Chart(alt.Data(values=labels))
        .mark_text(aria=False, fontSize=11, fontWeight="bold")
        .encode(
            longitude="lon:Q",
            latitude="lat:Q",
            text="label:N",
            color=alt.condition(
                f"isValid(datum.value) && datum.value > "
                f"{threshold if math.isfinite(threshold) else 1e300}",
                alt.value("#ffffff"),
                alt.value("#000000"),
            ),
        )
    )
    chart = (
        alt.layer(shapes, text).project(type="mercator").properties(width="container", height=380)
    )
    return _area_chart(
        chart,
        slug=slug,
        title=title,
        description=description,
        areas=areas,
        area_title=area_title,
        value_title=value_title,
        extra_columns=extra_columns,
    )


def sparkline_svg(
    values: Sequence[float | None], *, label: str, width: int = 100, height: int = 24
) -> SafeString:
    """A tiny line drawn on the server (inline SVG): ``values`` oldest first, a gap
    where a value is missing, a dot on the latest one. ``label`` is its text
    alternative (``role="img"``, ``aria-label`` and ``<title>``)."""
    known = [v for v in values if v is not None]
    pad = 2.5
    text = escape(label)
    if not known:
        return mark_safe(  # noqa: S308  # built from numbers and an escaped label
            f'<svg class="sparkline" role="img" aria-label="{text}" width="{width}" '
            f'height="{height}" viewBox="0 0 {width} {height}"><title>{text}</title></svg>'
        )
    low, high = min(known), max(known)
    span = high - low or 1.0
    step = (width - 2 * pad) / max(1, len(values) - 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        y = height - pad - (v - low) / span * (height - 2 * pad)
        if high == low:
            y = height / 2
        return round(pad + i * step, 1), round(y, 1)

    segments: list[list[tuple[float, float]]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            if segments[-1]:
                segments.append([])
            continue
        segments[-1].append(xy(i, v))
    parts = []
    for segment in segments:
        if len(segment) > 1:
            points = " ".join(f"{x},{y}" for x, y in segment)
            parts.append(
                f'<polyline fill="none" stroke="{PALETTE[0]}" stroke-width="1.5" '
                f'stroke-linejoin="round" points="{points}"/>'
            )
        elif segment:
            x, y = segment[0]
            parts.append(f'<circle cx="{x}" cy="{y}" r="1.5" fill="{PALETTE[0]}"/>')
    last = next((i for i in range(len(values) - 1, -1, -1) if values[i] is not None), None)
    if last is not None:
        value = values[last]
        assert value is not None
        x, y = xy(last, value)
        parts.append(f'<circle cx="{x}" cy="{y}" r="2.5" fill="{PALETTE[5]}"/>')
    return mark_safe(  # noqa: S308  # built from numbers and an escaped label
        f'<svg class="sparkline" role="img" aria-label="{text}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}"><title>{text}</title>'
        + "".join(parts)
        + "</svg>"
    )


def _area_chart(
    chart: Any,
    *,
    slug: str,
    title: str,
    description: str,
    areas: Sequence[AreaValue],
    area_title: str,
    value_title: str,
    extra_columns: Sequence[tuple[str, Sequence[Cell]]],
) -> Chart:
    """A map of areas as a Chart: the drawing, and one table row per area (name, value
    as shown, the extra columns) linking to the area's page."""
    return Chart(
        slug=slug,
        title=title,
        description=description,
        spec=finish_spec(chart, title=title, description=description),
        columns=[area_title, value_title, *(name for name, _ in extra_columns)],
        rows=[
            [a.name, a.label, *(cells[i] for _, cells in extra_columns)]
            for i, a in enumerate(areas)
        ],
        links=[a.href for a in areas],
    )
