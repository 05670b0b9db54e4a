"""Charts for the web pages: Vega-Lite specs built with Altair from plain rows, each
carried with the same numbers as a table, and exportable as SVG or PNG.

A page builds its ``Chart`` objects from data it has already fetched (and checked
access for), renders them with ``web/includes/chart.html`` and answers export requests
with ``chart_export_response`` *from the same view*: an export can never show more than
the page does, and it is read, checked and audited by the same code.

Charts must be readable without colour: the category a colour stands for is always on
an axis or in the bar's label as well, and the table beside the chart has every number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import altair as alt
from django.http import HttpRequest, HttpResponse
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import get_language

EXPORT_FORMATS = {"svg": "image/svg+xml", "png": "image/png"}
# Colour-blind safe (Okabe–Ito), and never the only carrier of meaning.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
FONT = "Fira Sans, Arial, sans-serif"

Cell = str | int | float | None


@dataclass(frozen=True)
class Chart:
    """One chart: its id on the page (and export file name), a title, a one-sentence
    description (the text alternative), the Vega-Lite spec and the table of numbers."""

    slug: str
    title: str
    description: str
    spec: dict[str, Any]
    columns: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    # Optional link per table row (same order as rows): "each figure a link".
    links: Sequence[str | None] = field(default_factory=list)

    @property
    def wide_table(self) -> bool:
        """Tables with more than two columns go under the chart, not beside it."""
        return len(self.columns) > 2

    @property
    def spec_id(self) -> str:
        return f"chart-{self.slug}-spec"

    @property
    def table(self) -> list[tuple[list[Cell], str | None]]:
        links = list(self.links) + [None] * (len(self.rows) - len(self.links))
        return [(list(row), link) for row, link in zip(self.rows, links, strict=True)]


def _config(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return (
        chart.configure(font=FONT)
        .configure_view(stroke=None)
        .configure_axis(labelFontSize=12, titleFontSize=12, labelLimit=260)
    )


def _finish(chart: Any, *, title: str, description: str) -> dict[str, Any]:
    spec: dict[str, Any] = _config(chart.properties(description=description)).to_dict()
    spec["title"] = title
    return spec


def bar_chart(
    *,
    slug: str,
    title: str,
    description: str,
    category_title: str,
    value_title: str,
    bars: Sequence[tuple[str, int | float]],
    links: Sequence[str | None] = (),
) -> Chart:
    """Horizontal bars, one per category, in the order given; the value is written at
    the end of each bar. With ``links`` a bar (and its table row) opens the list behind
    the figure."""
    values = [
        {"category": label, "value": value, "href": links[i] if i < len(links) else None}
        for i, (label, value) in enumerate(bars)
    ]
    order = [label for label, _ in bars]
    base = alt.Chart(alt.Data(values=values)).encode(
        y=alt.Y("category:N", title=category_title, sort=order),
        x=alt.X("value:Q", title=value_title, axis=alt.Axis(tickMinStep=1, format=",d")),
    )
    # The bars' ARIA items would be unlabelled link containers to a screen reader (axe:
    # svg-img-alt); the same figures and links are in the table beside the chart.
    bars_layer = base.mark_bar(color=PALETTE[0], aria=False).encode(
        tooltip=[
            alt.Tooltip("category:N", title=category_title),
            alt.Tooltip("value:Q", title=value_title, format=","),
        ],
        href="href:N",
    )
    text_layer = base.mark_text(align="left", dx=3, aria=False).encode(
        text=alt.Text("value:Q", format=",")
    )
    chart = alt.layer(bars_layer, text_layer).properties(
        width="container", height=max(60, 24 * len(bars))
    )
    return Chart(
        slug=slug,
        title=title,
        description=description,
        spec=_finish(chart, title=title, description=description),
        columns=[category_title, value_title],
        rows=[[label, value] for label, value in bars],
        links=list(links),
    )


@dataclass(frozen=True)
class Span:
    """One bar on a time axis: a row label (its category), a colour group, dates and a
    text for the tooltip and table."""

    row: str
    group: str
    start: date
    end: date | None
    note: str = ""


def timeline_chart(
    *,
    slug: str,
    title: str,
    description: str,
    row_title: str,
    group_title: str,
    start_title: str,
    end_title: str,
    note_title: str,
    open_end_label: str,
    spans: Sequence[Span],
    today: date,
) -> Chart:
    """One bar per span from start to end (open spans run to ``today``), one row per
    category so the category is readable from the axis, coloured by group as well."""
    values = [
        {
            "row": s.row,
            "group": s.group,
            "start": s.start.isoformat(),
            "end": (s.end or today).isoformat(),
            "end_label": s.end.isoformat() if s.end else open_end_label,
            "note": s.note,
        }
        for s in spans
    ]
    rows_order = list(dict.fromkeys(s.row for s in spans))
    groups = list(dict.fromkeys(s.group for s in spans))
    chart = (
        alt.Chart(alt.Data(values=values))
        .mark_bar(height={"band": 0.7}, cornerRadius=2)
        .encode(
            x=alt.X("start:T", title=None, axis=alt.Axis(format="%Y", tickCount="year")),
            x2="end:T",
            y=alt.Y("row:N", title=row_title, sort=rows_order),
            color=alt.Color(
                "group:N",
                title=group_title,
                sort=groups,
                scale=alt.Scale(domain=groups, range=PALETTE[: max(1, len(groups))]),
                legend=None,  # the row's label on the axis names the group already
            ),
            tooltip=[
                alt.Tooltip("row:N", title=row_title),
                alt.Tooltip("start:T", title=start_title, format="%d.%m.%Y"),
                alt.Tooltip("end_label:N", title=end_title),
                alt.Tooltip("note:N", title=note_title),
            ],
        )
        .properties(width="container", height=max(80, 28 * len(rows_order)))
    )
    return Chart(
        slug=slug,
        title=title,
        description=description,
        spec=_finish(chart, title=title, description=description),
        columns=[row_title, start_title, end_title, note_title],
        rows=[
            [
                s.row,
                date_format(s.start, "SHORT_DATE_FORMAT"),
                date_format(s.end, "SHORT_DATE_FORMAT") if s.end else open_end_label,
                s.note,
            ]
            for s in spans
        ],
    )


def chart_export_response(request: HttpRequest, charts: Sequence[Chart]) -> HttpResponse | None:
    """Answer ``?chart=<slug>&format=svg|png`` with the chart rendered on the server
    (vl-convert), or ``None`` when the request is not an export. An unknown slug or
    format is a 404, not the page."""
    slug = request.GET.get("chart")
    if slug is None:
        return None
    fmt = request.GET.get("format", "svg")
    chart = next((c for c in charts if c.slug == slug), None)
    if chart is None or fmt not in EXPORT_FORMATS:
        return HttpResponse(status=404)
    content = render_chart(chart, fmt)
    response = HttpResponse(content, content_type=EXPORT_FORMATS[fmt])
    filename = f"{slugify(chart.slug)}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def render_chart(chart: Chart, fmt: str) -> bytes:
    """SVG or PNG of a chart, numbers formatted for the active language."""
    import vl_convert as vlc  # heavy; only loaded for exports

    spec = _fixed_width(chart.spec)
    german = (get_language() or "de").startswith("de")
    if fmt == "svg":
        svg = vlc.vegalite_to_svg(spec, format_locale="de-DE" if german else "en-US")
        return str(svg).encode()
    png = vlc.vegalite_to_png(spec, scale=2, format_locale="de-DE" if german else "en-US")
    return bytes(png)


def _fixed_width(spec: dict[str, Any]) -> dict[str, Any]:
    """A server render has no container: replace "container" widths with a fixed one."""
    out: dict[str, Any] = {}
    for key, value in spec.items():
        if key == "width" and value == "container":
            out[key] = 640
        elif isinstance(value, dict):
            out[key] = _fixed_width(value)
        elif isinstance(value, list):
            out[key] = [_fixed_width(v) if isinstance(v, dict) else v for v in value]
        else:
            out[key] = value
    return out
