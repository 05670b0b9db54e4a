"""The labour-market pages of the city and of each district (issue #7): the indicators
over time with a map of the districts. Aggregate figures, no persons: every member of an
organisation sees them (``access.market_viewer``). A figure without a number shows its
sign (``*``, ``-``, ``.``, ``x``), never 0. Every table downloads as CSV/XLSX and every
chart as SVG/PNG (``chart_export_response``).

The other pages: ``occupation_views`` (shortage and surplus by occupation) and
``analysis_views`` (employment potentials, employers likely to hire)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from doconnect.charts.chart import Cell, Chart, chart_export_response, signed, table_chart
from doconnect.core.models import District
from doconnect.core.viewers import Viewer
from doconnect.labourmarket.access import market_viewer, may_see_market_analyses
from doconnect.labourmarket.charts import (
    AreaValue,
    choropleth_chart,
    geometry_of,
    line_chart,
    small_multiples_chart,
    tile_map_chart,
)
from doconnect.labourmarket.display import (
    figure_text,
    for_display,
    indicator_label,
    month_label,
    rounded,
)
from doconnect.labourmarket.forms import IndicatorForm
from doconnect.labourmarket.models import Indicator
from doconnect.labourmarket.selectors import INDICATORS, Figures, load_figures

SLUGS = {
    Indicator.UNEMPLOYED: "arbeitslose",
    Indicator.JOB_SEEKERS: "arbeitsuchende",
    Indicator.UNEMPLOYMENT_RATE: "arbeitslosenquote",
}


def _change(value: float | None, indicator: str) -> Cell:
    return None if value is None else signed(rounded(value, indicator))  # type: ignore[arg-type]


def _pct(value: float | None) -> Cell:
    return None if value is None else signed(round(value, 1))


def key_figures_chart(figures: Figures, area: str, slug: str) -> Chart:
    columns = [
        _("Kennzahl"),
        _("Monat"),
        _("Wert"),
        _("Veränderung zum Vormonat"),
        _("in %"),
        _("Veränderung zum Vorjahresmonat"),
        _("in % (Vorjahr)"),
    ]
    rows: list[list[Cell]] = []
    for indicator in INDICATORS:
        point = figures.latest(area, indicator)
        if point is None:
            rows.append([indicator_label(indicator), None, None, None, None, None, None])
            continue
        rows.append(
            [
                indicator_label(indicator),
                month_label(point.period),
                figures.shown(area, indicator, point),
                _change(point.change, indicator),
                _pct(point.pct_change),
                _change(point.yoy_change, indicator),
                _pct(point.yoy_pct_change),
            ]
        )
    return table_chart(
        slug=slug,
        title=_("Aktueller Stand: %(area)s") % {"area": area},
        description=_(
            "Der letzte gemeldete Monat je Kennzahl mit der Veränderung zum Vormonat und "
            "zum Vorjahresmonat; * geheim gehalten, - nichts vorhanden, . unbekannt."
        ),
        columns=columns,
        rows=rows,
    )


def indicator_charts(figures: Figures, area: str, prefix: str) -> list[Chart]:
    """The small multiples of one area: a line chart per indicator, its table newest
    month first."""
    charts = []
    for indicator in INDICATORS:
        points = figures.points(area, indicator)
        if not points:
            continue
        label = indicator_label(indicator)
        charts.append(
            line_chart(
                slug=f"{prefix}{SLUGS[indicator]}",
                title=label,
                description=_("%(indicator)s in %(area)s, monatlich, %(first)s bis %(last)s.")
                % {
                    "indicator": label,
                    "area": area,
                    "first": month_label(points[0].period),
                    "last": month_label(points[-1].period),
                },
                value_title=label,
                month_title=_("Monat"),
                points=[
                    (p.period, p.value, figure_text(figures.shown(area, indicator, p), indicator))
                    for p in points
                ],
                columns=[_("Monat"), label, _("zum Vorjahresmonat")],
                rows=[
                    [
                        month_label(p.period),
                        figures.shown(area, indicator, p),
                        _change(p.yoy_change, indicator),
                    ]
                    for p in reversed(points)
                ],
            )
        )
    return charts


def map_chart(
    figures: Figures, indicator: str, *, highlight: str | None = None
) -> tuple[Chart | None, str]:
    """The districts' latest figure of ``indicator`` as a map: a choropleth when every
    district has a boundary, else the tile map. (chart, "geo" or "tiles")."""
    areas: list[AreaValue] = []
    yoy: list[Cell] = []
    month = ""
    for d in figures.districts:
        point = figures.latest(d.name, indicator)
        if point is None:
            continue
        month = max(month, point.period)
        shown = figures.shown(d.name, indicator, point)
        areas.append(
            AreaValue(
                d.name,
                point.value,
                figure_text(shown, indicator),
                reverse("web:labour_market_district", args=[d.official_key]),
                d.boundary,
            )
        )
        yoy.append(_change(point.yoy_change, indicator))
    if not areas:
        return None, ""
    label = indicator_label(indicator)
    kind = "geo" if all(a.boundary and geometry_of(a.boundary) for a in areas) else "tiles"
    build = choropleth_chart if kind == "geo" else tile_map_chart
    chart = build(
        slug=f"karte-{SLUGS[Indicator(indicator)]}",
        title=_("%(indicator)s nach Stadtbezirk, %(month)s")
        % {"indicator": label, "month": month_label(month)},
        description=(
            _("Karte der Stadtbezirke, eingefärbt nach %(indicator)s im letzten Monat.")
            if kind == "geo"
            else _(
                "Schematische Karte: ein gleich großes Feld je Stadtbezirk in grober Lage, "
                "eingefärbt nach %(indicator)s, die Zahl im Feld."
            )
        )
        % {"indicator": label},
        area_title=_("Stadtbezirk"),
        value_title=label,
        areas=areas,
        extra_columns=[(_("zum Vorjahresmonat"), yoy)],
        highlight=highlight,
    )
    return chart, kind


def districts_multiples_chart(figures: Figures, indicator: str) -> Chart | None:
    areas = [d.name for d in figures.districts if figures.points(d.name, indicator)]
    if not areas:
        return None
    months = sorted({p.period for a in areas for p in figures.points(a, indicator)})
    by_area = {a: {p.period: p for p in figures.points(a, indicator)} for a in areas}
    label = indicator_label(indicator)
    return small_multiples_chart(
        slug=f"bezirke-{SLUGS[Indicator(indicator)]}",
        title=_("%(indicator)s je Stadtbezirk im Zeitverlauf") % {"indicator": label},
        description=_(
            "Eine kleine Liniengrafik je Stadtbezirk, monatlich, jede mit eigener Skala; die "
            "Karte vergleicht die Höhe."
        ),
        value_title=label,
        month_title=_("Monat"),
        area_title=_("Stadtbezirk"),
        areas=areas,
        months=[month_label(m) for m in months],
        values=[[by_area[a][m].value if m in by_area[a] else None for m in months] for a in areas],
        table_values=[
            [figures.shown(a, indicator, by_area[a].get(m)) for m in months] for a in areas
        ],
    )


def _indicator(request: HttpRequest) -> tuple[IndicatorForm, str]:
    form = IndicatorForm(request.GET)
    chosen = form.cleaned_data.get("indicator") if form.is_valid() else ""
    return form, chosen or str(Indicator.UNEMPLOYED)


def _links(viewer: Viewer) -> dict[str, bool]:
    return {"analyses": may_see_market_analyses(viewer)}


@login_required
@require_GET
def labour_market(request: HttpRequest) -> HttpResponse:
    viewer = market_viewer(request)
    figures = load_figures()
    form, indicator = _indicator(request)
    charts: list[Chart] = []
    key_chart = multiples = map_ = None
    map_kind = ""
    if figures.city:
        key_chart = key_figures_chart(figures, figures.city, "kennzahlen")
        multiples = indicator_charts(figures, figures.city, "stadt-")
        charts += [key_chart, *multiples]
    map_, map_kind = map_chart(figures, indicator)
    districts = districts_multiples_chart(figures, indicator)
    charts += [c for c in (map_, districts) if c is not None]
    if response := chart_export_response(request, charts):
        return response
    return render(
        request,
        "labourmarket/market.html",
        {
            "figures": figures,
            "form": form,
            "indicator_label": indicator_label(indicator),
            "key_chart": for_display(key_chart),
            "multiples": [for_display(c) for c in multiples or []],
            "map_chart": for_display(map_),
            "map_kind": map_kind,
            "districts_chart": for_display(districts),
            "links": _links(viewer),
        },
    )


@login_required
@require_GET
def labour_market_district(request: HttpRequest, official_key: str) -> HttpResponse:
    viewer = market_viewer(request)
    district = get_object_or_404(District, official_key=official_key)
    figures = load_figures()
    form, indicator = _indicator(request)
    key_chart = key_figures_chart(figures, district.name, "kennzahlen")
    multiples = indicator_charts(figures, district.name, "bezirk-")
    map_, map_kind = map_chart(figures, indicator, highlight=district.name)
    city_chart = (
        key_figures_chart(figures, figures.city, "kennzahlen-stadt") if figures.city else None
    )
    charts = [key_chart, *multiples, *(c for c in (map_, city_chart) if c is not None)]
    if response := chart_export_response(request, charts):
        return response
    return render(
        request,
        "labourmarket/market_district.html",
        {
            "district": district,
            "figures": figures,
            "form": form,
            "key_chart": for_display(key_chart),
            "city_chart": for_display(city_chart),
            "multiples": [for_display(c) for c in multiples],
            "map_chart": for_display(map_),
            "map_kind": map_kind,
            "has_figures": bool(multiples),
            "links": _links(viewer),
        },
    )
