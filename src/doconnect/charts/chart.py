"""Charts for the web pages: Vega-Lite specs built with Altair from plain rows, each
carried with the same numbers as a table, and exportable as SVG or PNG.

A page builds its ``Chart`` objects from data it has already fetched (and checked
access for), renders them with ``web/includes/chart.html`` and answers export requests
with ``chart_export_response`` *from the same view*: an export can never show more than
the page does, and it is read, checked and audited by the same code. Exports: the
drawing as SVG or PNG, the table as CSV (UTF-8 with BOM, ``;``-separated, decimal comma
in German — what German Excel opens directly) or XLSX (openpyxl; numbers as numbers).
A suppressed figure is the same marker text (e.g. "unter 5") in the table, the CSV and
the XLSX.

Charts must be readable without colour: the category a colour stands for is always on
an axis or in the bar's label as well, and the table beside the chart has every number.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import altair as alt
from django.http import HttpRequest, HttpResponse
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import get_language

from doconnect.files.tables import Number, TableWriter, xlsx_value

EXPORT_FORMATS = {"svg": "image/svg+xml", "png": "image/png"}
TABLE_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Colour-blind safe (Okabe–Ito), and never the only carrier of meaning.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
# For charts with more series than PALETTE: the same hues, then lighter and darker ones
# (the legend, tooltip and table name every series, so colour still carries nothing alone).
WIDE_PALETTE = [
    *PALETTE,
    "#9ecae1",
    "#fdd49e",
    "#a1d99b",
    "#dcb0d0",
    "#084594",
    "#8c2d04",
    "#bdbdbd",
    "#636363",
]
FONT = "Fira Sans, Arial, sans-serif"

Cell = str | int | float | None
# Number formats of the charts, as web/static/web/charts.js has them for the browser:
# the currency is the euro in both languages.
GERMAN_NUMBERS = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " €"]}
ENGLISH_NUMBERS = {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["€", ""]}


class SignedInt(int):
    """A change (a difference to an earlier value): shown with its sign, "+12"."""


class SignedFloat(float):
    """A change with decimals: shown with its sign, "+1,5"."""


def signed(value: int | float | None) -> Cell:
    """``value`` marked as a change, so the table beside a chart shows "+" before a
    rise; still a number for CSV and XLSX."""
    if value is None:
        return None
    return SignedInt(value) if isinstance(value, int) else SignedFloat(value)


@dataclass(frozen=True)
class RowAction:
    """A link in a table row's action column (e.g. "korrigieren" on a spell): its
    label, address, and what a screen reader hears after the label to know which row
    it is for. Actions belong to the page, not to the figures: no export carries them."""

    label: str
    url: str
    context: str = ""


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
    # Optional actions per table row (same order as rows), shown in a last column
    # headed ``actions_title`` when any row has one; set with dataclasses.replace.
    actions: Sequence[Sequence[RowAction]] = field(default_factory=list)
    actions_title: str = ""

    @property
    def has_drawing(self) -> bool:
        """A table-only chart (``table_chart``) has no drawing and exports only as a
        table."""
        return bool(self.spec)

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

    @property
    def has_actions(self) -> bool:
        return any(self.actions)

    @property
    def table_rows(self) -> list[tuple[list[Cell], str | None, list[RowAction]]]:
        """The table for the page: each row with its link and its actions."""
        actions = [list(a) for a in self.actions] + [[]] * (len(self.rows) - len(self.actions))
        return [(row, link, acts) for (row, link), acts in zip(self.table, actions, strict=True)]


def _config(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return (
        chart.configure(font=FONT)
        .configure_view(stroke=None)
        .configure_axis(labelFontSize=12, titleFontSize=12, labelLimit=260)
        # The vertical axis's title stands above the axis, right-aligned to it, not
        # turned beside the labels: Vega places a turned title by its own estimate of
        # the labels' width, and with a long label ("Junge Menschen mit schwierigem
        # Start") the title was drawn over it.
        .configure_axisY(
            titleAngle=0, titleAlign="right", titleBaseline="bottom", titleX=0, titleY=-8
        )
    )


def finish_spec(chart: Any, *, title: str, description: str) -> dict[str, Any]:
    spec: dict[str, Any] = _config(chart.properties(description=description)).to_dict()
    spec["title"] = title
    return spec


# A dashboard draws the same bars on every look until its figures change: the spec
# (Altair validates it against the Vega-Lite schema, most of a dashboard's time) is
# kept per title, bars and links. Shared between pages: treat it as read-only.
@functools.lru_cache(maxsize=512)
def _bar_spec(
    title: str,
    description: str,
    category_title: str,
    value_title: str,
    bars: tuple[tuple[str, int | float], ...],
    links: tuple[str | None, ...],
    money: bool,
) -> dict[str, Any]:
    if not bars:
        return {}  # nothing to draw: no drawing (Vega would warn of an infinite extent)
    number = "$,d" if money else ",d"  # "$": the locale's currency, the euro (charts.js)
    values = [
        {"category": label, "value": value, "href": links[i] if i < len(links) else None}
        for i, (label, value) in enumerate(bars)
    ]
    order = [label for label, _ in bars]
    base = alt.Chart(alt.Data(values=values)).encode(
        y=alt.Y("category:N", title=category_title, sort=order),
        x=alt.X("value:Q", title=value_title, axis=alt.Axis(tickMinStep=1, format=number)),
    )
    # The bars' ARIA items would be unlabelled link containers to a screen reader (axe:
    # svg-img-alt); the same figures and links are in the table beside the chart.
    bars_layer = base.mark_bar(color=PALETTE[0], aria=False).encode(
        tooltip=[
            alt.Tooltip("category:N", title=category_title),
            alt.Tooltip("value:Q", title=value_title, format="$," if money else ","),
        ],
        href="href:N",
    )
    text_layer = base.mark_text(align="left", dx=3, aria=False).encode(
        text=alt.Text("value:Q", format="$," if money else ",")
    )
    chart = alt.layer(bars_layer, text_layer).properties(
        width="container", height=max(60, 24 * len(bars))
    )
    return finish_spec(chart, title=title, description=description)


def bar_chart(
    *,
    slug: str,
    title: str,
    description: str,
    category_title: str,
    value_title: str,
    bars: Sequence[tuple[str, int | float]],
    links: Sequence[str | None] = (),
    money: bool = False,
) -> Chart:
    """Horizontal bars, one per category, in the order given; the value is written at
    the end of each bar. With ``links`` a bar (and its table row) opens the list behind
    the figure; with ``money`` the axis and the labels read in euro ("12.000 €")."""
    spec = _bar_spec(
        str(title),
        str(description),
        str(category_title),
        str(value_title),
        tuple((str(label), value) for label, value in bars),
        tuple(links),
        money,
    )
    return Chart(
        slug=slug,
        title=title,
        description=description,
        # Nothing to draw: the table stays.
        spec=spec,
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
    values = tuple(
        (
            s.row,
            s.group,
            s.start.isoformat(),
            (s.end or today).isoformat(),
            s.end.isoformat() if s.end else open_end_label,
            s.note,
        )
        for s in spans
    )
    return Chart(
        slug=slug,
        title=title,
        description=description,
        # Nothing to draw: the table stays.
        spec=_timeline_spec(
            values, title, description, row_title, group_title, start_title, end_title, note_title
        )
        if values
        else {},
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


# Building a spec with Altair and validating it costs about 20 ms for a biography of
# 25 spells, on every view of a person's page. The spec is a function of its arguments
# alone, so the last specs built are kept by their whole content: a page shown again
# unchanged (after every form on the person page) reuses it, a changed spell is a new
# key. A kept spec is shared: callers treat it as read-only, like every Chart.spec.
TIMELINE_SPECS_KEPT = 256


@functools.lru_cache(maxsize=TIMELINE_SPECS_KEPT)
def _timeline_spec(
    rows: tuple[tuple[str, str, str, str, str, str], ...],
    title: str,
    description: str,
    row_title: str,
    group_title: str,
    start_title: str,
    end_title: str,
    note_title: str,
) -> dict[str, Any]:
    keys = ("row", "group", "start", "end", "end_label", "note")
    values = [dict(zip(keys, row, strict=True)) for row in rows]
    rows_order = list(dict.fromkeys(row[0] for row in rows))
    groups = list(dict.fromkeys(row[1] for row in rows))
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
    return finish_spec(chart, title=title, description=description)


def _series_colours(series: Sequence[str]) -> alt.Scale:
    colours = WIDE_PALETTE if len(series) > len(PALETTE) else PALETTE
    return alt.Scale(domain=list(series), range=colours[: max(1, len(series))])


def _table_value(value: float | None, suppressed_label: str) -> Cell:
    return suppressed_label if value is None else value


def stacked_bar_chart(
    *,
    slug: str,
    title: str,
    description: str,
    category_title: str,
    series_title: str,
    value_title: str,
    categories: Sequence[str],
    series: Sequence[str],
    values: Sequence[Sequence[float | None]],
    suppressed_label: str,
    extra_columns: Sequence[tuple[str, Sequence[Cell]]] = (),
) -> Chart:
    """One stacked bar per category (e.g. a month), a segment per series (e.g. a state)
    coloured with a legend; ``values[i][j]`` is series ``j`` in category ``i``. A
    ``None`` value (suppressed) is not drawn and reads ``suppressed_label`` in the
    table. The table: one row per category, ``extra_columns`` (e.g. the persons
    observed) first, then one column per series."""
    data = [
        {"category": category, "series": name, "value": value, "order": j}
        for category, row in zip(categories, values, strict=True)
        for j, (name, value) in enumerate(zip(series, row, strict=True))
        if value is not None and value != 0
    ]
    chart = (
        alt.Chart(alt.Data(values=data))
        .mark_bar(aria=False)
        .encode(
            x=alt.X("category:O", title=category_title, sort=list(categories)),
            y=alt.Y("value:Q", title=value_title, stack="zero"),
            color=alt.Color(
                "series:N",
                title=series_title,
                sort=list(series),
                scale=_series_colours(series),
                legend=alt.Legend(orient="bottom", columns=4, labelLimit=220),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("category:O", title=category_title),
                alt.Tooltip("series:N", title=series_title),
                alt.Tooltip("value:Q", title=value_title, format=",.1f"),
            ],
        )
        .properties(width="container", height=280)
    )
    return Chart(
        slug=slug,
        title=title,
        description=description,
        # Nothing to stack (every value zero or suppressed): no drawing, which would be an
        # empty frame with an undefined axis (Vega: "Infinite extent"); the table stays.
        spec=finish_spec(chart, title=title, description=description) if data else {},
        columns=[category_title, *(name for name, _ in extra_columns), *series],
        rows=[
            [
                category,
                *(cells[i] for _, cells in extra_columns),
                *(_table_value(v, suppressed_label) for v in row),
            ]
            for i, (category, row) in enumerate(zip(categories, values, strict=True))
        ],
    )


def heatmap_chart(
    *,
    slug: str,
    title: str,
    description: str,
    row_title: str,
    column_title: str,
    value_title: str,
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    values: Sequence[Sequence[float | None]],
    suppressed_label: str,
    extra_columns: Sequence[tuple[str, Sequence[Cell]]] = (),
) -> Chart:
    """A matrix (e.g. from-state × to-state): cells shaded by value *and* with the value
    written in them; a ``None`` (suppressed) cell is unshaded and reads
    ``suppressed_label``. The table is the same matrix, ``extra_columns`` (e.g. the
    row totals) after the row label."""
    data = [
        {
            "row": r,
            "column": c,
            "value": value,
            "label": suppressed_label if value is None else f"{value:g}",
        }
        for r, row in zip(row_labels, values, strict=True)
        for c, value in zip(column_labels, row, strict=True)
    ]
    base = alt.Chart(alt.Data(values=data)).encode(
        x=alt.X("column:N", title=column_title, sort=list(column_labels)),
        y=alt.Y("row:N", title=row_title, sort=list(row_labels)),
    )
    cells = base.mark_rect(aria=False, stroke="#ffffff").encode(
        color=alt.Color(
            "value:Q", title=value_title, scale=alt.Scale(scheme="blues", domain=[0, 100])
        ),
        tooltip=[
            alt.Tooltip("row:N", title=row_title),
            alt.Tooltip("column:N", title=column_title),
            alt.Tooltip("label:N", title=value_title),
        ],
    )
    text = base.mark_text(aria=False, fontSize=10).encode(
        text="label:N",
        color=alt.condition("datum.value > 50", alt.value("#ffffff"), alt.value("#000000")),
    )
    chart = alt.layer(cells, text).properties(
        width="container", height=max(120, 26 * len(row_labels))
    )
    return Chart(
        slug=slug,
        title=title,
        description=description,
        # Nothing to draw: the table stays.
        spec=finish_spec(chart, title=title, description=description) if data else {},
        columns=[row_title, *(name for name, _ in extra_columns), *column_labels],
        rows=[
            [
                label,
                *(cells_[i] for _, cells_ in extra_columns),
                *(_table_value(v, suppressed_label) for v in row),
            ]
            for i, (label, row) in enumerate(zip(row_labels, values, strict=True))
        ],
    )


def grouped_bar_chart(
    *,
    slug: str,
    title: str,
    description: str,
    category_title: str,
    group_title: str,
    value_title: str,
    categories: Sequence[str],
    groups: Sequence[str],
    values: Sequence[Sequence[float | None]],
    suppressed_label: str,
) -> Chart:
    """Bars side by side: per category (on the axis) one bar per group (e.g. +6, +12,
    +24 months, coloured with a legend), the value written on each bar;
    ``values[i][j]`` is group ``j`` in category ``i``. ``None`` (suppressed) is not drawn
    and reads ``suppressed_label`` in the table (a row per category, a column per
    group)."""
    data = [
        {"category": category, "group": group, "value": value}
        for category, row in zip(categories, values, strict=True)
        for group, value in zip(groups, row, strict=True)
        if value is not None
    ]
    base = alt.Chart(alt.Data(values=data)).encode(
        y=alt.Y("category:N", title=category_title, sort=list(categories)),
        yOffset=alt.YOffset("group:N", sort=list(groups)),
        x=alt.X("value:Q", title=value_title),
    )
    bars = base.mark_bar(aria=False).encode(
        color=alt.Color(
            "group:N",
            title=group_title,
            sort=list(groups),
            scale=_series_colours(groups),
            legend=alt.Legend(orient="bottom"),
        ),
        tooltip=[
            alt.Tooltip("category:N", title=category_title),
            alt.Tooltip("group:N", title=group_title),
            alt.Tooltip("value:Q", title=value_title, format=",.1f"),
        ],
    )
    text = base.mark_text(align="left", dx=3, aria=False, fontSize=10).encode(
        text=alt.Text("value:Q", format=",.1f")
    )
    chart = alt.layer(bars, text).properties(
        width="container", height=max(80, 14 * len(groups) * len(categories))
    )
    return Chart(
        slug=slug,
        title=title,
        description=description,
        # Nothing to draw: the table stays.
        spec=finish_spec(chart, title=title, description=description) if data else {},
        columns=[category_title, *groups],
        rows=[
            [category, *(_table_value(v, suppressed_label) for v in row)]
            for category, row in zip(categories, values, strict=True)
        ],
    )


def table_chart(
    *,
    slug: str,
    title: str,
    description: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Cell]],
) -> Chart:
    """A table without a drawing (too many dimensions for one), exportable as CSV and
    XLSX like every chart's table."""
    return Chart(
        slug=slug, title=title, description=description, spec={}, columns=columns, rows=rows
    )


def _csv_number(value: Number, german: bool) -> str:
    if isinstance(value, float):
        text = f"{value:g}" if abs(value) < 1e15 else repr(value)
        return text.replace(".", ",") if german else text
    return str(value)


def table_csv(chart: Chart) -> bytes:
    """The chart's table as CSV: UTF-8 with a byte order mark, ``;`` between fields,
    CRLF lines and, in German, a decimal comma — opens as a table in German Excel."""
    german = (get_language() or "de").startswith("de")
    out = io.StringIO()
    # Labels may come from imported files: cells are neutralised (files.tables).
    writer = TableWriter(
        out, delimiter=";", lineterminator="\r\n", number=lambda n: _csv_number(n, german)
    )
    writer.writerow([str(c) for c in chart.columns])
    writer.writerows(chart.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def table_xlsx(chart: Chart) -> bytes:
    """The chart's table as an Excel workbook: the title in the first row, the header
    (bold) in the second, numbers as numbers, text (and suppression markers) as text."""
    from openpyxl import Workbook  # only loaded for exports
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = slugify(chart.slug)[:31] or "table"
    sheet.append([xlsx_value(str(chart.title))])
    sheet.append([xlsx_value(str(c)) for c in chart.columns])
    for cell in sheet[1] + sheet[2]:
        cell.font = Font(bold=True)
    for row in chart.rows:
        sheet.append([xlsx_value(cell) for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def chart_export_response(request: HttpRequest, charts: Sequence[Chart]) -> HttpResponse | None:
    """Answer ``?chart=<slug>&format=svg|png|csv|xlsx`` with the chart rendered on the
    server (vl-convert) or its table, or ``None`` when the request is not an export. An
    unknown slug or format (or a drawing of a table-only chart) is a 404, not the
    page."""
    slug = request.GET.get("chart")
    if slug is None:
        return None
    fmt = request.GET.get("format", "svg")
    chart = next((c for c in charts if c.slug == slug), None)
    if chart is None:
        return HttpResponse(status=404)
    if fmt in TABLE_FORMATS:
        content = table_csv(chart) if fmt == "csv" else table_xlsx(chart)
        response = HttpResponse(content, content_type=TABLE_FORMATS[fmt])
        response["Content-Disposition"] = f'attachment; filename="{slugify(chart.slug)}.{fmt}"'
        return response
    if fmt not in EXPORT_FORMATS or not chart.has_drawing:
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
    locale = GERMAN_NUMBERS if german else ENGLISH_NUMBERS
    if fmt == "svg":
        svg = vlc.vegalite_to_svg(spec, format_locale=locale)
        return str(svg).encode()
    png = vlc.vegalite_to_png(spec, scale=2, format_locale=locale)
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
