"""The report's content (``report.build_content``, or a ``PublishedReport``'s stored
content) as charts, one long CSV of every figure, and a PDF.

Everything here reads only the content, which holds protected figures: a chart, the CSV
and the PDF can never show more than the published tables. Charts draw only published
figures; their tables (and the report's tables) show a hidden figure as ``*``.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

from django.db import connection
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from doconnect.charts.chart import Chart, bar_chart, render_chart, stacked_bar_chart
from doconnect.core.vocabulary import data_label
from doconnect.files.tables import TableWriter
from doconnect.offers.models import Funder, OfferKind
from doconnect.transparency.builds import kept_build
from doconnect.transparency.report import (
    HEADER_LABELS,
    NO_DATA_LABELS,
    NO_GROUP_LABEL,
    OUTCOME_LABELS,
    SUPPRESSED,
)

CSV_HEADER = ("table", "row", "column", "value")
TOTAL_LABEL = "Summe"


def table_by_key(content: dict[str, Any], key: str) -> dict[str, Any] | None:
    for section in content["sections"]:
        for table in section["tables"]:
            if table["key"] == key:
                return dict(table)
    return None


def _cell(value: int | None) -> int | str:
    return SUPPRESSED if value is None else value


def _bars(
    *,
    slug: str,
    title: str,
    description: str,
    category: str,
    value: str,
    pairs: list[tuple[str, int | None]],
) -> Chart:
    drawn = bar_chart(
        slug=slug,
        title=title,
        description=description,
        category_title=category,
        value_title=value,
        bars=[(label, v) for label, v in pairs if v is not None],
    )
    # The chart's own table lists every category, hidden ones as "*".
    return Chart(
        slug=slug,
        title=title,
        description=description,
        spec=drawn.spec,
        columns=[category, value],
        rows=[[label, _cell(v)] for label, v in pairs],
    )


def _stacked(
    *, slug: str, title: str, description: str, table: dict[str, Any], series_title: str
) -> Chart:
    rows = [row for row in table["rows"] if row["total"] != 0]
    return stacked_bar_chart(
        slug=slug,
        title=title,
        description=description,
        category_title=table["row_title"],
        series_title=series_title,
        value_title=table["unit"],
        categories=[row["label"] for row in rows],
        series=table["columns"],
        values=[row["cells"] for row in rows],
        suppressed_label=SUPPRESSED,
    )


def report_charts(content: dict[str, Any]) -> dict[str, Chart]:
    """The report's charts by the key of the table they draw (German texts)."""
    charts: dict[str, Chart] = {}
    with translation.override("de"):
        by_kind = table_by_key(content, "offers_by_kind")
        if by_kind and by_kind["totals"]["cells"][1]:
            charts["offers_by_kind"] = _bars(
                slug="plaetze-nach-angebotsart",
                title=_("Plätze nach Angebotsart"),
                description=_(
                    "Balkendiagramm: wie viele Plätze es im Jahr in jeder Angebotsart gab."
                ),
                # the headers of the table it draws (the reader's language on a page)
                category=by_kind["row_title"],
                value=by_kind["columns"][1],
                pairs=[(row["label"], row["cells"][1]) for row in by_kind["rows"]],
            )
        participants = table_by_key(content, "participants")
        if participants and participants["totals"]["total"]:
            charts["participants"] = _stacked(
                slug="teilnehmende-nach-bezirk",
                title=_("Teilnehmende nach Stadtbezirk und Zielgruppe"),
                description=_(
                    "Gestapelte Balken: für jeden Stadtbezirk die Teilnehmenden, nach "
                    "Zielgruppe aufgeteilt. Verdeckte Zahlen fehlen in der Grafik."
                ),
                table=participants,
                series_title=_("Zielgruppe"),
            )
        outcomes = table_by_key(content, "outcomes_by_group")
        if outcomes and outcomes["totals"]["total"]:
            charts["outcomes_by_group"] = _stacked(
                slug="verbleib-nach-zielgruppe",
                title=_("Verbleib nach sechs Monaten, nach Zielgruppe"),
                description=_(
                    "Gestapelte Balken: für jede Zielgruppe, wo die Menschen sechs Monate "
                    "nach dem Ende ihres Angebots standen. Verdeckte Zahlen fehlen in der "
                    "Grafik."
                ),
                table=outcomes,
                series_title=_("Verbleib"),
            )
        funding = table_by_key(content, "funding")
        if funding and funding["totals"]["total"]:
            charts["funding"] = _bars(
                slug="foerderung-nach-geldgeber",
                title=_("Förderung nach Geldgeber, in Tausend Euro"),
                description=_("Balkendiagramm: wie viel Geld jeder Geldgeber im Jahr gab."),
                category=_("Geldgeber"),
                value=_("Tausend Euro"),
                pairs=list(zip(funding["columns"], funding["totals"]["cells"], strict=True)),
            )
    return charts


def figures_csv(content: dict[str, Any]) -> str:
    """Every published figure in one long CSV: table, row, column, value (``*``
    hidden), totals under the label ``Summe``."""
    out = io.StringIO()
    writer = TableWriter(out)
    writer.writerow(CSV_HEADER)
    for section in content["sections"]:
        for table in section["tables"]:
            caption = table["caption"]
            for row in table["rows"]:
                for column, value in zip(table["columns"], row["cells"], strict=True):
                    writer.writerow([caption, row["label"], column, _cell(value)])
                if table["row_totals"]:
                    writer.writerow([caption, row["label"], TOTAL_LABEL, _cell(row["total"])])
            for column, value in zip(table["columns"], table["totals"]["cells"], strict=True):
                writer.writerow([caption, TOTAL_LABEL, column, _cell(value)])
            if table["row_totals"]:
                writer.writerow(
                    [caption, TOTAL_LABEL, TOTAL_LABEL, _cell(table["totals"]["total"])]
                )
    return out.getvalue()


def _svg_data_uri(chart: Chart) -> str:
    # The figure's caption carries the title; the drawing without it.
    untitled = replace(chart, spec={k: v for k, v in chart.spec.items() if k != "title"})
    svg = render_chart(untitled, "svg")
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


def report_pdf(content: dict[str, Any], *, published: str = "") -> bytes:
    """The report as an A4 PDF (WeasyPrint): title page, text, tables, charts as
    static SVG (vl-convert), page numbers. ``published`` is the line saying when and
    whether it was published (empty: a draft)."""
    from weasyprint import HTML  # heavy; only loaded for PDFs

    with translation.override("de"):
        charts = report_charts(content)
        # A chart with nothing to draw (e.g. every value zero) has no spec: its table
        # alone stands in the report.
        images = {key: (chart, _svg_data_uri(chart)) for key, chart in charts.items() if chart.spec}
        html = render_to_string(
            "transparency/public/report_pdf.html",
            {"report": content, "images": images, "published": published, "suppressed": SUPPRESSED},
        )
    return bytes(HTML(string=html).write_pdf())


def _report_labels() -> list[Any]:
    """The platform's own labels a report table stores in German (lazy: each says
    itself in the active language)."""
    return [
        NO_GROUP_LABEL,
        *OfferKind.labels,
        *Funder.labels,
        *OUTCOME_LABELS.values(),
        *NO_DATA_LABELS,
        *HEADER_LABELS,
    ]


def for_reader(content: dict[str, Any]) -> dict[str, Any]:
    """The report for a page in the reader's language: the labels of its tables and
    charts (target groups, offer kinds, funders, outcomes, column headers — stored as
    the German publication) through the message catalogue. The report's text stays the
    German publication (the page marks it ``lang="de"``); the PDF and the CSV are the
    publication itself and keep every label as published."""
    known = _report_labels()
    with translation.override("de"):
        stored = {str(text): text for text in known}

    def label(text: str) -> str:
        return str(stored[text]) if text in stored else data_label(text)

    sections = []
    for section in content["sections"]:
        tables = [
            {
                **table,
                "row_title": label(table["row_title"]),
                "columns": [label(column) for column in table["columns"]],
                "rows": [{**row, "label": label(row["label"])} for row in table["rows"]],
            }
            for table in section["tables"]
        ]
        sections.append({**section, "tables": tables})
    return {**content, "sections": sections}


@dataclass(frozen=True)
class Preview:
    """The coordinator's preview: the report and its charts in the reader's language,
    from the build of ``computed_at``; ``current`` False while the worker builds a
    newer one (``builds.KeptBuild``)."""

    content: dict[str, Any]
    charts: dict[str, Chart]
    computed_at: dt.datetime
    current: bool


# The rendered preview of a stored build, by (database, build row, its time, language).
KEEP_RENDERED = 8
_rendered: OrderedDict[
    tuple[str, int, dt.datetime, str], tuple[dict[str, Any], dict[str, Chart]]
] = OrderedDict()
_rendered_lock = threading.Lock()


def report_preview(year: int) -> Preview:
    """The coordinator's preview of ``year`` from its stored build (``builds.kept_build``:
    the newest one, stale or not, never waiting for a build unless none was ever stored),
    rendered once per process and language for each build (read-only)."""
    kept = kept_build(year)

    def render() -> tuple[dict[str, Any], dict[str, Chart]]:
        content = for_reader(kept.content)
        return content, report_charts(content)

    if kept.pk is None:  # built in this request, not stored
        content, charts = render()
    else:
        key = (
            connection.settings_dict["NAME"],
            kept.pk,
            kept.computed_at,
            translation.get_language() or "",
        )
        with _rendered_lock:
            found = _rendered.get(key)
        if found is None:
            found = render()
            with _rendered_lock:
                _rendered[key] = found
                while len(_rendered) > KEEP_RENDERED:
                    _rendered.popitem(last=False)
        content, charts = found
    return Preview(content, charts, kept.computed_at, kept.current)
