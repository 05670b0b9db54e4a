"""The occupations page (issue #7): shortage and surplus by occupation on a day, for
the city or one district, with a sparkline of each row's job seekers over the last 12
months. Every member of an organisation sees it; counts of persons derived from spells
obey the small-number rule (``settings.SMALL_NUMBER``) and read ``*``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from doconnect.charts.chart import Cell, chart_export_response, signed, table_chart
from doconnect.core.models import District
from doconnect.labourmarket.access import market_viewer
from doconnect.labourmarket.analyses import AnalysisError, Source, shortage_from_db
from doconnect.labourmarket.charts import sparkline_svg
from doconnect.labourmarket.display import (
    STATUS_LABELS,
    TREND_LABELS,
    month_label,
    occupation_label,
    shown_count,
    shown_number,
)
from doconnect.labourmarket.engine.shortage import ShortageRow
from doconnect.labourmarket.forms import OccupationsForm
from doconnect.labourmarket.selectors import job_seeker_history
from doconnect.transparency.small_number import small_number


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
    market_viewer(request)
    form = OccupationsForm(request.GET)
    today = timezone.localdate()
    if not form.is_valid():
        return render(request, "labourmarket/market_occupations.html", {"form": form}, status=400)
    chosen = form.cleaned_data["level"] or "3"
    level: int | Literal["skill"] = "skill" if chosen == "skill" else int(chosen)
    as_of: dt.date = form.cleaned_data["as_of"] or today
    source: Source = form.cleaned_data["source"] or "auto"
    district: District | None = form.cleaned_data["district"]
    floor = small_number()
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
    days, history = job_seeker_history(
        source=result.source,
        region=result.region,
        period=result.period,
        as_of=as_of,
        level=level,
        floor=floor,
        district=district,
    )
    months = [date_format(d, "M Y") for d in days]
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
            shown_count(r.job_seekers),
            shown_count(r.vacancies),
            None if r.ratio is None else round(r.ratio, 2),
            None if r.median_days_open is None else round(r.median_days_open),
            str(STATUS_LABELS.get(r.status, r.status)),
            None if r.ratio_change is None else signed(round(r.ratio_change, 2)),
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
