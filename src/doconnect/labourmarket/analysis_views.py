"""The analysis pages (issue #7) for coordinators, case workers and analysts
(``access.analyses_viewer``, 403 otherwise): the ranked employment potentials into the
shortage occupations, and the employers likely to hire in the next three months. Counts
of persons (job seekers, moves, potentials) obey the small-number rule and read ``*``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from doconnect.charts.chart import Cell, bar_chart, chart_export_response, table_chart
from doconnect.labourmarket.access import analyses_viewer
from doconnect.labourmarket.analyses import (
    AnalysisError,
    PotentialRow,
    hiring_from_db,
    potentials_from_db,
)
from doconnect.labourmarket.display import (
    FALLBACK_TEXTS,
    MATCH_LABELS,
    for_display,
    occupation_label,
    reason_sentences,
    shown_count,
    shown_number,
)
from doconnect.labourmarket.forms import AsOfForm, HiringForm

T = TypeVar("T")


@dataclass(frozen=True)
class PotentialItem:
    row: PotentialRow
    target: str
    source: str
    reasons: list[str]
    offers: list[tuple[str, str, int, str, str]]  # id, title, places, link, match

    @property
    def job_seekers(self) -> Cell:
        return shown_number(shown_count(self.row.job_seekers))

    @property
    def potential(self) -> Cell:
        return shown_number(shown_count(self.row.potential))


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
    analyses_viewer(request)
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
                shown_count(s.row.job_seekers),
                s.row.distance,
                shown_count(s.row.moves),
                _("ja") if s.row.needs_offer else _("nein"),
                ", ".join(f"{title} ({n}, {match})" for _id, title, n, _url, match in s.offers)
                or None,
                shown_count(s.row.potential),
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
    analyses_viewer(request)
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
