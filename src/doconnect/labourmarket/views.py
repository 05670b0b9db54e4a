"""The labour-market pages (issue #7): the city's and each district's indicators over
time with a map of the districts, the shortage/surplus table by occupation, the ranked
employment potentials and the employers likely to hire.

Aggregate figures, no persons: every member of an organisation sees the labour-market
and occupations pages; the potentials and employers pages are for coordinators, case
workers and analysts (403 otherwise). Counts derived from persons (job seekers counted
from spells, moves, potentials) obey the small-number rule (``settings.SMALL_NUMBER``);
a figure without a number shows its sign (``*``, ``-``, ``.``, ``x``), never 0. Every
table downloads as CSV/XLSX and every chart as SVG/PNG (``chart_export_response``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from doconnect.charts.chart import Cell, Chart, bar_chart, chart_export_response, table_chart
from doconnect.core.forms import KernForm, district_choice
from doconnect.core.models import District, Role
from doconnect.core.viewers import Viewer, request_viewer
from doconnect.labourmarket.analyses import (
    AnalysisError,
    PotentialRow,
    Source,
    hiring_from_db,
    potentials_from_db,
    shortage_from_db,
)
from doconnect.labourmarket.charts import (
    AreaValue,
    choropleth_chart,
    geometry_of,
    line_chart,
    small_multiples_chart,
    sparkline_svg,
    tile_map_chart,
)
from doconnect.labourmarket.engine.kldb import SKILL_LEVELS
from doconnect.labourmarket.engine.series import SeriesPoint, indicator_series
from doconnect.labourmarket.engine.shortage import ShortageRow, aggregate
from doconnect.labourmarket.models import Indicator, Statistic
from doconnect.labourmarket.statistics_file import DIMENSIONS
from doconnect.people.models import Spell, SpellState

T = TypeVar("T")

INDICATORS = (Indicator.UNEMPLOYED, Indicator.JOB_SEEKERS, Indicator.UNEMPLOYMENT_RATE)
SLUGS = {
    Indicator.UNEMPLOYED: "arbeitslose",
    Indicator.JOB_SEEKERS: "arbeitsuchende",
    Indicator.UNEMPLOYMENT_RATE: "arbeitslosenquote",
}
SUPPRESSED = "*"  # a count kept back (small-number rule or the source's own sign)
SPARK_MONTHS = 12
ANALYSIS_ROLES = (Role.COORDINATOR, Role.CASE_WORKER, Role.ANALYST)

STATUS_LABELS = {
    "shortage": gettext_lazy("Engpass"),
    "balanced": gettext_lazy("ausgeglichen"),
    "surplus": gettext_lazy("Überhang"),
    "unknown": gettext_lazy("unbestimmt"),
}
TREND_LABELS = {
    "tightening": gettext_lazy("angespannter"),
    "easing": gettext_lazy("entspannter"),
    "unchanged": gettext_lazy("unverändert"),
}
SKILL_LABELS = {
    "helfer": gettext_lazy("Helfer"),
    "fachkraft": gettext_lazy("Fachkraft"),
    "spezialist": gettext_lazy("Spezialist"),
    "experte": gettext_lazy("Experte"),
}
# The engine's reason codes (``market/bridges.py``) in words, one mapping.
REASON_TEXTS = {
    "same_berufsuntergruppe": gettext_lazy(
        "Beide Berufe gehören zur selben Berufsuntergruppe (vierstellig): eng verwandte "
        "Tätigkeiten."
    ),
    "same_berufsgruppe": gettext_lazy(
        "Beide Berufe gehören zur selben Berufsgruppe (dreistellig)."
    ),
    "same_berufshauptgruppe": gettext_lazy(
        "Beide Berufe gehören zur selben Berufshauptgruppe (zweistellig)."
    ),
    "same_berufsbereich": gettext_lazy("Beide Berufe gehören zum selben Berufsbereich."),
    "observed_moves": gettext_lazy(
        "In den Erwerbsverläufen sind Personen schon aus diesem Beruf in den Zielberuf gewechselt."
    ),
    "skill_up": gettext_lazy("Der Zielberuf verlangt ein höheres Anforderungsniveau."),
    "skill_down": gettext_lazy("Der Zielberuf verlangt ein niedrigeres Anforderungsniveau."),
    "needs_offer": gettext_lazy(
        "Der Wechsel braucht eine Qualifizierung: ein Angebot mit freien Plätzen."
    ),
    "no_offer_places": gettext_lazy(
        "Kein passendes Qualifizierungsangebot hat freie Plätze – hier fehlt ein Angebot."
    ),
    "offer_same_occupation": gettext_lazy(
        "Mindestens ein Angebot qualifiziert genau für den Zielberuf."
    ),
    "offer_same_berufsgruppe": gettext_lazy(
        "Mindestens ein Angebot qualifiziert für einen Beruf derselben Berufsgruppe "
        "(dreistellig) wie der Zielberuf."
    ),
    "offer_any_occupation": gettext_lazy(
        "Mindestens ein Angebot ohne Berufsangabe ist mitgezählt (für jeden Beruf)."
    ),
    "gap_closed": gettext_lazy(
        "Die Lücke im Zielberuf ist durch höher eingestufte Wege schon geschlossen."
    ),
    "job_seekers_counted": gettext_lazy(
        "Die Arbeitsuchenden dieses Berufs sind schon bei höher eingestuften Wegen gezählt."
    ),
}
MATCH_LABELS = {
    "exact": gettext_lazy("gleicher Beruf"),
    "berufsgruppe": gettext_lazy("gleiche Berufsgruppe"),
    "any": gettext_lazy("ohne Berufsangabe"),
}
FALLBACK_TEXTS = {
    "model_not_better": gettext_lazy(
        "Vorquartal gezeigt: das Modell war im Rückblick nicht genauer."
    ),
    "too_short": gettext_lazy("Vorquartal gezeigt: die Reihe ist für einen Rückblick zu kurz."),
}


def _member(request: HttpRequest) -> Viewer:
    viewer = request_viewer(request)
    if not viewer.memberships:
        raise PermissionDenied
    return viewer


def may_see_market(viewer: Viewer) -> bool:
    """The labour-market and occupations pages: every member of an organisation."""
    return bool(viewer.memberships)


def may_see_market_analyses(viewer: Viewer) -> bool:
    """Potentials and employers: coordinators, case workers and analysts."""
    return viewer.has_role(*ANALYSIS_ROLES)


def _analyst(request: HttpRequest) -> Viewer:
    viewer = _member(request)
    if not may_see_market_analyses(viewer):
        raise PermissionDenied
    return viewer


def shown_number(cell: Cell) -> Cell:
    """A table cell as the page shows it: a number with the language's thousands
    separator and decimal mark (German: 1.234,5); text and signs as they are. Exports
    take the chart's own cells, raw numbers."""
    if isinstance(cell, bool) or not isinstance(cell, int | float):
        return cell
    return number_format(cell, force_grouping=True)


def for_display(chart: Chart | None) -> Chart | None:
    """The chart with its table's numbers as shown (``shown_number``); None stays None."""
    if chart is None:
        return chart
    rows = [[shown_number(cell) for cell in row] for row in chart.rows]
    return dataclasses.replace(chart, rows=rows)


def indicator_label(indicator: str) -> str:
    return str(Indicator(indicator).label)


def month_label(period: str) -> str:
    return date_format(dt.date(int(period[:4]), int(period[5:7]), 1), "M Y")


# --------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class Figures:
    """The indicators in total (no dimension) of the city and every district, monthly."""

    city: str | None
    districts: list[District]
    series: dict[tuple[str, str], list[SeriesPoint]]  # (area, indicator) → months, oldest first
    markers: dict[tuple[str, str, str], str]  # (area, indicator, month) → sign

    def points(self, area: str, indicator: str) -> list[SeriesPoint]:
        return self.series.get((area, indicator), [])

    def latest(self, area: str, indicator: str) -> SeriesPoint | None:
        points = self.points(area, indicator)
        return points[-1] if points else None

    def shown(self, area: str, indicator: str, point: SeriesPoint | None) -> Cell:
        """The figure as shown: the number, else the source's sign, else None ("–")."""
        if point is None:
            return None
        if point.value is None:
            return self.markers.get((area, indicator, point.period)) or SUPPRESSED
        return _number(point.value, indicator)


def _number(value: float | None, indicator: str) -> Cell:
    if value is None:
        return None
    return round(value, 1) if indicator == Indicator.UNEMPLOYMENT_RATE else round(value)


def _text(value: Cell, indicator: str) -> str:
    if isinstance(value, int | float):
        places = 1 if indicator == Indicator.UNEMPLOYMENT_RATE else 0
        return number_format(value, places, force_grouping=True)
    return "–" if value is None else str(value)


def load_figures() -> Figures:
    """Two queries: the districts and the statistics in total (no dimension) of the
    three indicators; a reference day counts as its month. The city is the region
    without a district with the most such figures."""
    districts = list(District.objects.order_by("name"))
    names = {d.pk: d.name for d in districts}
    rows = Statistic.objects.filter(
        indicator__in=[str(i) for i in INDICATORS], **{n: "" for n in DIMENSIONS}
    ).values_list("region", "district_id", "period", "indicator", "value", "marker")
    found: dict[tuple[str, str], list[tuple[str, str, str, float | None]]] = defaultdict(list)
    markers: dict[tuple[str, str, str], str] = {}
    city_rows: dict[str, int] = defaultdict(int)
    for region, district_id, period, indicator, value, marker in rows:
        month = period[:7]
        if len(month) != 7 or month[4] != "-":
            continue  # years and quarters are not on the monthly pages
        area = names.get(district_id, region) if district_id else region
        if not district_id:
            city_rows[region] += 1
        found[(area, indicator)].append((area, "", month, None if value is None else float(value)))
        if marker:
            markers[(area, indicator, month)] = marker
    city = min(city_rows, key=lambda r: (-city_rows[r], r)) if city_rows else None
    series: dict[tuple[str, str], list[SeriesPoint]] = {}
    for key, cells in found.items():
        unique = {c[2]: c for c in cells}  # a month twice (day and month): the last one
        points = indicator_series(list(unique.values()))
        series[key] = sorted(points, key=lambda p: p.period)
    return Figures(city, districts, series, markers)


def _change(value: float | None, indicator: str) -> Cell:
    return None if value is None else _number(value, indicator)


def _pct(value: float | None) -> Cell:
    return None if value is None else round(value, 1)


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
                    (p.period, p.value, _text(figures.shown(area, indicator, p), indicator))
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
                _text(shown, indicator),
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


class IndicatorForm(KernForm):
    indicator = forms.ChoiceField(
        label=gettext_lazy("Kennzahl für Karte und Stadtbezirke"),
        choices=[(str(i), i.label) for i in INDICATORS],
        required=False,
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
    viewer = _member(request)
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
    viewer = _member(request)
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


# --------------------------------------------------------------------------- occupations

LEVEL_CHOICES = [
    ("2", gettext_lazy("Berufshauptgruppe (2-stellig)")),
    ("3", gettext_lazy("Berufsgruppe (3-stellig)")),
    ("5", gettext_lazy("Berufsgattung (5-stellig)")),
    ("skill", gettext_lazy("Anforderungsniveau")),
]
SOURCE_CHOICES = [
    ("auto", gettext_lazy("automatisch (Statistik, sonst Episoden)")),
    ("statistics", gettext_lazy("Statistik der BA")),
    ("spells", gettext_lazy("Arbeitslosigkeitsepisoden der Personen")),
]


class OccupationsForm(KernForm):
    level = forms.ChoiceField(label=gettext_lazy("Ebene"), choices=LEVEL_CHOICES, required=False)
    as_of = forms.DateField(
        label=gettext_lazy("Stichtag"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    source = forms.ChoiceField(
        label=gettext_lazy("Arbeitsuchende aus"), choices=SOURCE_CHOICES, required=False
    )
    district = district_choice(empty_label=gettext_lazy("ganze Stadt"))


class AsOfForm(KernForm):
    as_of = forms.DateField(
        label=gettext_lazy("Stichtag"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class HiringForm(AsOfForm):
    district = district_choice(empty_label=gettext_lazy("ganze Stadt"))


def occupation_label(key: str, level: int | str) -> str:
    if level == "skill":
        return str(SKILL_LABELS.get(SKILL_LEVELS.get(int(key), ""), key))
    if len(key) == 5 and key[4].isdigit() and int(key[4]) in SKILL_LEVELS:
        return f"{key} ({SKILL_LABELS[SKILL_LEVELS[int(key[4])]]})"
    return key


def _months_back(day: dt.date, n: int) -> list[dt.date]:
    """``day`` and the same day in the ``n − 1`` months before, oldest first."""
    days = [day]
    for _i in range(n - 1):
        d = days[-1]
        year, month = (d.year, d.month - 1) if d.month > 1 else (d.year - 1, 12)
        last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
        days.append(dt.date(year, month, min(day.day, last)))
    return list(reversed(days))


def _suppress(count: int | None, floor: int) -> int | None:
    return None if count is None or 0 < count < floor else count


def job_seeker_history(
    *,
    source: str,
    region: str | None,
    period: str | None,
    as_of: dt.date,
    level: int | Literal["skill"],
    floor: int,
    district: District | None = None,
) -> tuple[list[str], dict[str, list[int | None]]]:
    """Job seekers per row of the shortage table in the last 12 months (oldest first),
    from the same source as the table (and district), under the small-number rule. One
    query."""
    digits = 5 if level == "skill" else int(level)
    history: dict[str, list[int | None]] = defaultdict(lambda: [0] * SPARK_MONTHS)
    if source == "statistics" and period:
        latest = dt.date(int(period[:4]), int(period[5:7]), 1)
        months = [f"{d:%Y-%m}" for d in _months_back(latest, SPARK_MONTHS)]
        rows = Statistic.objects.filter(
            indicator=Indicator.JOB_SEEKERS, period__in=months, district=district
        ).exclude(kldb="")
        rows = rows.filter(**{n: "" for n in DIMENSIONS if n != "kldb"})
        if region:
            rows = rows.filter(region=region)
        by_month: dict[str, dict[str, int | None]] = defaultdict(dict)
        for month, code, value in rows.values_list("period", "kldb", "value"):
            by_month[month][code] = None if value is None else int(value)
        lengths = sorted({len(c) for c in by_month.get(period, {})})
        usable = [n for n in lengths if n >= digits]
        if not usable:
            return [month_label(m) for m in months], {}
        length = usable[0]
        for i, month in enumerate(months):
            cells = {c: v for c, v in by_month.get(month, {}).items() if len(c) == length}
            for key, n in aggregate(cells, level).items():
                history[key][i] = _suppress(n, floor)
        return [month_label(m) for m in months], dict(history)
    days = _months_back(as_of, SPARK_MONTHS)
    spells = Spell.objects.filter(
        Q(end__isnull=True) | Q(end__gte=days[0]), state=SpellState.UNEMPLOYED, start__lte=as_of
    ).exclude(kldb="")
    if district is not None:
        spells = spells.filter(person__district=district)
    persons: list[dict[str, set[int]]] = [defaultdict(set) for _d in days]
    for person, code, start, end in spells.values_list("person_id", "kldb", "start", "end"):
        if len(code) != 5 or not code.isdigit() or code[4] not in "1234":
            continue
        for i, day in enumerate(days):
            if start <= day and (end is None or end >= day):
                persons[i][code].add(person)
    for i, found in enumerate(persons):
        counts: dict[str, int | None] = {c: len(p) for c, p in found.items()}
        for key, n in aggregate(counts, level).items():
            history[key][i] = _suppress(n, floor)
    return [date_format(d, "M Y") for d in days], dict(history)


def _shown_count(value: int | None) -> Cell:
    return SUPPRESSED if value is None else value


@dataclass(frozen=True)
class OccupationRow:
    row: ShortageRow
    label: str
    cells: list[Cell]  # raw, for the export
    sparkline: SafeString

    @property
    def shown(self) -> list[Cell]:
        return [shown_number(cell) for cell in self.cells]


@login_required
@require_GET
def labour_market_occupations(request: HttpRequest) -> HttpResponse:
    _member(request)
    form = OccupationsForm(request.GET)
    today = timezone.localdate()
    if not form.is_valid():
        return render(request, "labourmarket/market_occupations.html", {"form": form}, status=400)
    chosen = form.cleaned_data["level"] or "3"
    level: int | Literal["skill"] = "skill" if chosen == "skill" else int(chosen)
    as_of: dt.date = form.cleaned_data["as_of"] or today
    source: Source = form.cleaned_data["source"] or "auto"
    district: District | None = form.cleaned_data["district"]
    floor = settings.SMALL_NUMBER
    try:
        result = shortage_from_db(
            as_of=as_of, level=level, source=source, min_count=floor, district=district
        )
    except AnalysisError as exc:
        return render(
            request,
            "labourmarket/market_occupations.html",
            {"form": form, "error": str(exc), "as_of": as_of},
        )
    months, history = job_seeker_history(
        source=result.source,
        region=result.region,
        period=result.period,
        as_of=as_of,
        level=level,
        floor=floor,
        district=district,
    )
    columns = [
        _("Beruf (KldB 2010)"),
        _("Arbeitsuchende"),
        _("Offene Stellen"),
        _("Arbeitsuchende je Stelle"),
        _("Tage offen (Median)"),
        _("Status"),
        _("Veränderung zum Vormonat"),
        _("Trend"),
    ]
    rows: list[OccupationRow] = []
    for r in result.table.rows:
        label = occupation_label(r.key, level)
        cells: list[Cell] = [
            label,
            _shown_count(r.job_seekers),
            _shown_count(r.vacancies),
            None if r.ratio is None else round(r.ratio, 2),
            None if r.median_days_open is None else round(r.median_days_open),
            str(STATUS_LABELS.get(r.status, r.status)),
            None if r.ratio_change is None else round(r.ratio_change, 2),
            str(TREND_LABELS.get(r.trend, "")) if r.trend else None,
        ]
        values = history.get(r.key, [None] * len(months))
        known = [(m, v) for m, v in zip(months, values, strict=True) if v is not None]
        if known:
            alt_text = _(
                "Arbeitsuchende in den letzten 12 Monaten: %(first)s (%(first_month)s) bis "
                "%(last)s (%(last_month)s), höchstens %(max)s; %(missing)s Monate nicht "
                "ausgewiesen."
            ) % {
                "first": number_format(known[0][1], force_grouping=True),
                "first_month": known[0][0],
                "last": number_format(known[-1][1], force_grouping=True),
                "last_month": known[-1][0],
                "max": number_format(max(v for _m, v in known), force_grouping=True),
                "missing": len(values) - len(known),
            }
        else:
            alt_text = _("Arbeitsuchende in den letzten 12 Monaten: keine Zahl ausgewiesen.")
        rows.append(
            OccupationRow(
                r,
                label,
                cells,
                sparkline_svg([None if v is None else float(v) for v in values], label=alt_text),
            )
        )
    day = date_format(as_of, "SHORT_DATE_FORMAT")
    export = table_chart(
        slug="engpass",
        title=_("Engpass und Überhang nach Beruf, %(district)s, Stichtag %(day)s")
        % {"district": district.name, "day": day}
        if district
        else _("Engpass und Überhang nach Beruf, Stichtag %(day)s") % {"day": day},
        description=_("Arbeitsuchende je offene Stelle und Dauer der Besetzung nach Beruf."),
        columns=columns,
        rows=[row.cells for row in rows],
    )
    if response := chart_export_response(request, [export]):
        return response
    counts: dict[str, int] = defaultdict(int)
    for r in result.table.rows:
        counts[r.status] += 1
    return render(
        request,
        "labourmarket/market_occupations.html",
        {
            "form": form,
            "result": result,
            "as_of": as_of,
            "district": district,
            "level": level,
            "columns": columns,
            "rows": rows,
            "export": export,
            "floor": floor,
            "status_counts": [(STATUS_LABELS[s], counts.get(s, 0)) for s in STATUS_LABELS],
            "reference_days": result.table.reference_median_days,
            "vacancies_label": _("gemeldete Arbeitsstellen der Statistik (%(region)s, %(month)s)")
            % {"region": result.region, "month": month_label(result.period)}
            if result.vacancies_source == "statistics" and result.period
            else _("offene Stellen in der Datenbank am Stichtag"),
            "source_label": _("Statistik der BA (%(region)s, %(month)s)")
            % {"region": result.region, "month": month_label(result.period)}
            if result.source == "statistics" and result.period
            else _("laufende Arbeitslosigkeitsepisoden der Personen am Stichtag"),
        },
    )


# --------------------------------------------------------------------------- potentials


@dataclass(frozen=True)
class PotentialItem:
    row: PotentialRow
    target: str
    source: str
    reasons: list[str]
    offers: list[tuple[str, str, int, str, str]]  # id, title, places, link, match

    @property
    def job_seekers(self) -> Cell:
        return shown_number(_shown_count(self.row.job_seekers))

    @property
    def potential(self) -> Cell:
        return shown_number(_shown_count(self.row.potential))


def reason_sentences(row: PotentialRow) -> list[str]:
    return [str(REASON_TEXTS.get(code, code)) for code in row.reasons]


def _analysis_on_day(
    request: HttpRequest,
    template: str,
    analyse: Callable[..., T],
    form_class: type[AsOfForm] = AsOfForm,
) -> tuple[AsOfForm, dt.date, T] | HttpResponse:
    """The form's day (default today) and ``analyse(as_of=…)`` on it, with the form's
    other fields (the district) as further arguments; or the page that says why not:
    the form's errors (400), or the analysis' reason (no data yet)."""
    form = form_class(request.GET)
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    as_of = form.cleaned_data["as_of"] or timezone.localdate()
    options = {k: v for k, v in form.cleaned_data.items() if k != "as_of"}
    try:
        return form, as_of, analyse(as_of=as_of, **options)
    except AnalysisError as exc:
        return render(request, template, {"form": form, "error": str(exc), "as_of": as_of})


@login_required
@require_GET
def labour_market_potentials(request: HttpRequest) -> HttpResponse:
    _analyst(request)
    analysed = _analysis_on_day(request, "labourmarket/market_potentials.html", potentials_from_db)
    if isinstance(analysed, HttpResponse):
        return analysed
    form, as_of, result = analysed
    titles = {o.id: o.title for o in result.offers.offers}
    shown = [
        PotentialItem(
            p,
            occupation_label(p.target, 5),
            occupation_label(p.source, 5),
            reason_sentences(p),
            [
                (
                    use.offer,
                    titles.get(use.offer, use.offer),
                    use.places,
                    reverse("web:offer_detail", args=[use.offer]),
                    str(MATCH_LABELS[use.match]),
                )
                for use in p.offers
            ],
        )
        for p in result.potentials
    ]
    export = table_chart(
        slug="potenziale",
        title=_("Beschäftigungspotenziale, Stichtag %(day)s")
        % {"day": date_format(as_of, "SHORT_DATE_FORMAT")},
        description=_("Gereihte Wege von Arbeitsuchenden in Engpassberufe."),
        columns=[
            _("Rang"),
            _("Zielberuf"),
            _("Herkunftsberuf"),
            _("Arbeitsuchende"),
            _("Abstand"),
            _("Beobachtete Wechsel"),
            _("Angebot nötig"),
            _("Angebote (Plätze)"),
            _("Potenzial"),
            _("Begründung"),
        ],
        rows=[
            [
                s.row.rank,
                s.target,
                s.source,
                _shown_count(s.row.job_seekers),
                s.row.distance,
                _shown_count(s.row.moves),
                _("ja") if s.row.needs_offer else _("nein"),
                ", ".join(f"{title} ({n}, {match})" for _id, title, n, _url, match in s.offers)
                or None,
                _shown_count(s.row.potential),
                " ".join(s.reasons),
            ]
            for s in shown
        ],
    )
    targets = table_chart(
        slug="engpassberufe",
        title=_("Engpassberufe und ihre Lücke"),
        description=_("Lücke = aufgerundet 1,5 × offene Stellen − Arbeitsuchende im Zielberuf."),
        columns=[_("Zielberuf"), _("Lücke (Personen)")],
        rows=[[occupation_label(t.kldb, 5), t.gap] for t in result.targets],
    )
    if response := chart_export_response(request, [export, targets]):
        return response
    return render(
        request,
        "labourmarket/market_potentials.html",
        {
            "form": form,
            "result": result,
            "as_of": as_of,
            "rows": shown,
            "export": export,
            "targets": for_display(targets),
            "offer_list": reverse("web:offer_list"),
        },
    )


# --------------------------------------------------------------------------- employers


@login_required
@require_GET
def labour_market_employers(request: HttpRequest) -> HttpResponse:
    _analyst(request)
    analysed = _analysis_on_day(
        request, "labourmarket/market_employers.html", hiring_from_db, form_class=HiringForm
    )
    if isinstance(analysed, HttpResponse):
        return analysed
    form, as_of, result = analysed
    forecasts = sorted(
        result.forecasts, key=lambda f: (-f.forecast, result.employers.get(f.employer, ""))
    )

    def mae(value: float | None) -> Cell:
        return None if value is None else round(value, 2)

    def why(method: str, reason: str | None) -> str:
        if method == "model":
            return _("Modell gezeigt: im Rückblick genauer als das Vorquartal.")
        return str(FALLBACK_TEXTS.get(reason or "", _("Vorquartal gezeigt.")))

    table = table_chart(
        slug="arbeitgeber",
        title=_(
            "Arbeitgeber in %(district)s: erwartete Stellenangebote in den nächsten drei Monaten"
        )
        % {"district": result.district.name}
        if result.district
        else _("Arbeitgeber: erwartete Stellenangebote in den nächsten drei Monaten"),
        description=_(
            "Veröffentlichte Stellenangebote je Arbeitgeber, Prognose für die nächsten drei "
            "Monate und Fehler im Rückblick."
        ),
        columns=[
            _("Arbeitgeber"),
            _("Stellen letzte 3 Monate"),
            _("Stellen letzte 12 Monate"),
            _("Prognose nächste 3 Monate"),
            _("Gezeigt"),
            _("Warum"),
            _("Fehler Modell (MAE)"),
            _("Fehler Vorquartal (MAE)"),
        ],
        rows=[
            [
                result.employers.get(f.employer, f.employer),
                result.series[f.employer][-1],
                sum(result.series[f.employer][-4:]),
                round(f.forecast, 1),
                _("Modell") if f.method == "model" else _("Vorquartal"),
                why(f.method, f.reason),
                mae(f.backtest.model_mae),
                mae(f.backtest.naive_mae),
            ]
            for f in forecasts
        ],
    )
    top = [f for f in forecasts if f.forecast > 0][:15]
    chart = bar_chart(
        slug="arbeitgeber-prognose",
        title=_("Die %(n)s Arbeitgeber mit den meisten erwarteten Stellenangeboten")
        % {"n": len(top)},
        description=_("Prognose der Stellenangebote in den nächsten drei Monaten je Arbeitgeber."),
        category_title=_("Arbeitgeber"),
        value_title=_("Erwartete Stellenangebote"),
        bars=[(result.employers.get(f.employer, f.employer), round(f.forecast, 1)) for f in top],
    )
    if response := chart_export_response(request, [table, chart]):
        return response
    reasons = result.fallback_reasons
    return render(
        request,
        "labourmarket/market_employers.html",
        {
            "form": form,
            "result": result,
            "as_of": as_of,
            "table": for_display(table),
            "chart": for_display(chart),
            "model_mae": mae(result.backtest.model_mae),
            "naive_mae": mae(result.backtest.naive_mae),
            "model_better": (
                result.backtest.model_mae is not None
                and result.backtest.naive_mae is not None
                and result.backtest.model_mae < result.backtest.naive_mae
            ),
            "shipping_model": result.shipping_model,
            "employers": len(result.forecasts),
            "fallbacks": [(str(FALLBACK_TEXTS.get(r, r)), n) for r, n in sorted(reasons.items())],
            "first_window": result.windows[0][0],
            "last_window": result.windows[-1][1],
        },
    )
