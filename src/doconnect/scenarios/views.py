"""The scenario pages: state a funding scenario, run it on the city's data (a background
job), read what it does to providers, places, pathways and coverage, see how a bridge
budget is best spent, and compare runs side by side.

Coordinators create and run scenarios; analysts read the results. A result holds
aggregates only (offers, providers, counts of waiting persons), never a person."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from doconnect.charts.chart import Chart, chart_export_response, grouped_bar_chart, table_chart
from doconnect.core.forms import KernForm
from doconnect.core.job_views import JOB_PAGES, JobPage, start_job_from_form
from doconnect.core.jobs import active_job
from doconnect.core.models import Organisation, TargetGroup
from doconnect.core.viewers import Viewer, request_viewer
from doconnect.decisions.models import Decision, DecisionStatus
from doconnect.decisions.services import may_decide, option_add_from_scenario_result
from doconnect.offers.models import Funder, Offer, OfferKind
from doconnect.pathways.texts import render_reason
from doconnect.scenarios.engine.funding import (
    CUT_EXCEEDS_FUNDING,
    NO_EXCLUDED_OFFER,
    NO_FUNDED_OFFER,
)
from doconnect.scenarios.forms import ScenarioForm
from doconnect.scenarios.inputs import NO_TARGET_GROUP
from doconnect.scenarios.jobs import PHASES
from doconnect.scenarios.models import Scenario, ScenarioRun
from doconnect.scenarios.services import (
    SCENARIO_JOB,
    may_model_scenarios,
    may_read_scenarios,
    scenario_create,
    scenario_job_params,
)

MAX_COMPARED = 4
SCENARIOS_PER_PAGE = 25
LISTED_OFFERS = 40

JOB_PAGES[SCENARIO_JOB] = JobPage(
    title=gettext_lazy("Szenario wird berechnet"),
    may_view=may_read_scenarios,
    result_url=lambda job: reverse("web:scenario_run", args=[job.result["run"]]),
    back_url=lambda job: reverse("web:scenario_detail", args=[job.params["scenario"]]),
    phase_labels={
        "reading": gettext_lazy("Angebote, Finanzierung und Bedarf lesen"),
        "running": gettext_lazy("Förderung, Plätze, Übergänge und Brückenbudget berechnen"),
        "storing": gettext_lazy("Ergebnis speichern"),
    },
)
assert set(JOB_PAGES[SCENARIO_JOB].phase_labels) == set(PHASES)


def scenario_for_viewer(viewer: Viewer, pk: int) -> Scenario:
    """The scenario for a viewer who may read scenarios; 403 or 404 otherwise."""
    if not may_read_scenarios(viewer):
        raise PermissionDenied
    scenario = Scenario.objects.select_related("created_by").filter(pk=pk).first()
    if scenario is None:
        raise Http404
    return scenario


def run_for_viewer(viewer: Viewer, pk: int) -> ScenarioRun:
    if not may_read_scenarios(viewer):
        raise PermissionDenied
    run = ScenarioRun.objects.select_related("scenario", "started_by").filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


@login_required
@require_http_methods(["GET", "POST"])
def scenario_list(request: HttpRequest) -> HttpResponse:
    viewer = request_viewer(request)
    if not may_read_scenarios(viewer):
        raise PermissionDenied
    may_write = may_model_scenarios(viewer)
    today = timezone.localdate()
    form = None
    if may_write:
        form = ScenarioForm(
            request.POST if request.method == "POST" else None,
            request.FILES if request.method == "POST" else None,
            today=today,
        )
        if request.method == "POST" and form.is_valid():
            assert form.spec is not None
            scenario = scenario_create(spec=form.spec, created_by=request.user)  # type: ignore[arg-type]
            return redirect("web:scenario_detail", pk=scenario.pk)
    elif request.method == "POST":
        raise PermissionDenied
    # newest first (the model's order), a page at a time: a city keeps every scenario
    page = Paginator(Scenario.objects.select_related("created_by"), SCENARIOS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    scenarios = list(page.object_list)
    # A result holds every offer; the list needs only each latest run's summary.
    latest: dict[int, Mapping[str, Any]] = {}
    for run in (
        ScenarioRun.objects.filter(scenario__in=scenarios)
        .order_by("-created_at", "-id")
        .values("pk", "scenario_id", "created_at", "result__summary")
    ):
        latest.setdefault(run["scenario_id"], run)
    rows = [(s, latest.get(s.pk)) for s in scenarios]
    return render(
        request,
        "scenarios/list.html",
        {"form": form, "rows": rows, "page": page, "may_write": may_write},
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def scenario_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request_viewer(request)
    scenario = scenario_for_viewer(viewer, pk)
    may_write = may_model_scenarios(viewer)
    # The run button is a form without fields: the job's refusal (one at a time) shows
    # above it like any form error.
    form = KernForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied
        started = start_job_from_form(
            request,
            form,
            kind=SCENARIO_JOB,
            params=lambda: scenario_job_params(scenario=scenario, today=timezone.localdate()),
        )
        if started is not None:
            return started
    runs = list(scenario.runs.select_related("started_by").defer("result"))
    names = _Names()
    return render(
        request,
        "scenarios/detail.html",
        {
            "scenario": scenario,
            "changes": [_change_text(c, names) for c in scenario.spec.get("changes", [])],
            "runs": runs,
            "running": active_job(SCENARIO_JOB),
            "may_write": may_write,
            "form": form,
            "spec_json": json.dumps(scenario.spec, ensure_ascii=False, indent=2),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def scenario_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = run_for_viewer(request_viewer(request), pk)
    if request.GET.get("format") == "json":
        response = HttpResponse(
            json.dumps(run.result, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="scenario-run-{run.pk}.json"'
        return response
    names = _Names()
    result = run.result
    charts = _run_charts(result, names)
    demand = sum(cell["demand"] for cell in result["coverage"])
    export = chart_export_response(request, list(charts.values()))
    if export is not None:
        return export
    return render(
        request,
        "scenarios/run.html",
        {
            "run": run,
            "result": result,
            "summary": result["summary"],
            "charts": charts,
            "providers": _providers(result, names),
            "offers": _offers_losing(result, names),
            "dead_ends": [
                (names.offer(d["offer"]), d["offer"], _dead_end_text(d, names))
                for d in result["new_dead_ends"]
            ],
            "broken_bridges": [
                (names.offer(b["offer"]), b["offer"], _broken_bridge_text(b, result, names))
                for b in result["broken_bridges"]
            ],
            "allocations": [(names.offer(a["offer"]), a) for a in result["bridge"]["allocations"]],
            "demand": demand,
            "shadow_prices": [
                _shadow_price_text(price, names) for price in result["bridge"]["shadow_prices"]
            ],
            "period": [dt.date.fromisoformat(result["period"][end]) for end in ("start", "end")],
            "empty": _empty_reasons(result, demand),
            "rules": _rule_texts(result),
            "warnings": _warning_texts(result),
            "draft_decisions": (
                Decision.objects.filter(status=DecisionStatus.DRAFT).only("pk", "title")
                if may_decide(request_viewer(request))
                else []
            ),
            "compare_candidates": ScenarioRun.objects.exclude(pk=run.pk)
            .select_related("scenario")
            .defer("result")[:20],
        },
    )


@login_required
@require_POST
def scenario_run_to_decision(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a run's result into a draft decision as one of its options."""
    viewer = request_viewer(request)
    run = run_for_viewer(viewer, pk)
    if not may_decide(viewer):
        raise PermissionDenied
    decision = Decision.objects.filter(
        pk=request.POST.get("decision") or 0, status=DecisionStatus.DRAFT
    ).first()
    if decision is None:
        raise Http404
    label = (request.POST.get("label") or "").strip()[:200] or run.scenario.name
    try:
        option_add_from_scenario_result(
            decision=decision,
            label=label,
            result=run.result,
            actor=request.user,  # type: ignore[arg-type]
        )
    except ValidationError as exc:
        return HttpResponse("; ".join(exc.messages), status=400, content_type="text/plain")
    return redirect("web:decision_detail", pk=decision.pk)


@login_required
@require_GET
def scenario_compare(request: HttpRequest) -> HttpResponse:
    viewer = request_viewer(request)
    if not may_read_scenarios(viewer):
        raise PermissionDenied
    try:
        ids = [int(v) for v in request.GET.getlist("run")][:MAX_COMPARED]
    except ValueError as exc:
        raise Http404 from exc
    runs = list(ScenarioRun.objects.filter(pk__in=ids).select_related("scenario"))
    runs.sort(key=lambda r: ids.index(r.pk))
    if len(runs) < 2:
        return render(
            request,
            "scenarios/compare.html",
            {"runs": runs, "rows": [], "too_few": True},
            status=400,
        )
    names = _Names()
    chart = _compare_table(runs, names)
    export = chart_export_response(request, [chart])
    if export is not None:
        return export
    return render(
        request, "scenarios/compare.html", {"runs": runs, "table": chart, "too_few": False}
    )


# --- names and texts ---------------------------------------------------------------


class _Names:
    """Offer titles, provider names and target group labels for a result's ids (three
    queries, whatever the size of the result)."""

    def __init__(self) -> None:
        self.offers = dict(Offer.objects.values_list("external_id", "title"))
        self.providers = dict(Organisation.objects.values_list("external_id", "name"))
        self.groups = TargetGroup.labels()
        self.groups.setdefault(NO_TARGET_GROUP, _("ohne Zielgruppe"))
        self.kinds = dict(OfferKind.choices)

    def offer(self, code: str) -> str:
        return str(self.offers.get(code, code))

    def provider(self, code: str) -> str:
        return str(self.providers.get(code, code))

    def group(self, code: str) -> str:
        return str(self.groups.get(code, code))

    def kind(self, code: str) -> str:
        return str(self.kinds.get(code, code))


def _signed(value: float) -> str:
    """A change in the reader's number format, with its sign: +10, −30, +2.500,5."""
    places = 0 if float(value).is_integer() else 1
    text = number_format(abs(value), places, force_grouping=True)
    return f"+{text}" if value > 0 else f"-{text}" if value < 0 else text


def _change_text(change: Mapping[str, Any], names: _Names) -> str:
    kind = change.get("type")
    if kind == "funding_change":
        funder = dict(Funder.choices).get(change.get("funder", ""), change.get("funder"))
        kinds = ", ".join(names.kind(k) for k in change.get("offer_kinds") or []) or _(
            "alle Angebotsarten"
        )
        if change.get("percent") is not None:
            return _("%(funder)s ändert die Förderung um %(percent)s %% (%(kinds)s)") % {
                "funder": funder,
                "percent": _signed(change["percent"]),
                "kinds": kinds,
            }
        return _("%(funder)s ändert die Förderung um %(amount)s € (%(kinds)s)") % {
            "funder": funder,
            "amount": _signed(change.get("amount_eur") or 0),
            "kinds": kinds,
        }
    if kind == "close_offer":
        return _("Angebot schließt: %(offer)s") % {"offer": names.offer(str(change["offer"]))}
    if kind == "open_offer":
        offer = change.get("offer") or {}
        return _("Neues Angebot: %(offer)s (%(kind)s, %(capacity)s Plätze)") % {
            "offer": offer.get("id"),
            "kind": names.kind(str(offer.get("kind"))),
            "capacity": offer.get("capacity"),
        }
    if kind == "eligibility_change":
        groups = ", ".join(names.group(g) for g in change.get("target_groups") or [])
        return _("Neue Förderregel von %(funder)s für %(kinds)s (ausgeschlossen: %(groups)s)") % {
            "funder": dict(Funder.choices).get(change.get("funder", ""), change.get("funder")),
            "kinds": ", ".join(names.kind(k) for k in change.get("offer_kinds") or [])
            or _("alle Angebotsarten"),
            "groups": groups or _("Altersgrenzen"),
        }
    return str(kind)


CLOSED_BECAUSE = {
    "provider_not_viable": gettext_lazy("Träger nicht tragfähig"),
    "closed_by_scenario": gettext_lazy("schließt laut Szenario"),
}


def _closed_because(code: str | None) -> str:
    return str(CLOSED_BECAUSE.get(code or "", _("keine Förderung mehr")))


def _dead_end_text(dead_end: Mapping[str, Any], names: _Names) -> str:
    """The engine's reason in the reader's language, offers by their titles."""
    if "code" not in dead_end:  # a run stored before reasons carried codes
        return str(dead_end["reason"])
    params: dict[str, Any] = {
        key: tuple(names.offer(v) for v in value)
        if key == "offers"
        else tuple(value)
        if isinstance(value, list)
        else value
        for key, value in dead_end["params"].items()
    }
    return render_reason(dead_end["code"], params)


def _broken_bridge_text(bridge: Mapping[str, Any], result: Mapping[str, Any], names: _Names) -> str:
    closed_code = next(
        (o.get("closed_code") for o in result["offers"] if o["offer"] == bridge["offer"]), None
    )
    count = int(bridge["stranded_count"])
    return ngettext(
        "der einzige Weg weiter für %(count)d Angebot (%(offers)s) schließt: %(why)s",
        "der einzige Weg weiter für %(count)d Angebote (%(offers)s) schließt: %(why)s",
        count,
    ) % {
        "count": count,
        "offers": ", ".join(names.offer(o) for o in bridge.get("stranded", [])),
        "why": _closed_because(closed_code),
    }


def _providers(result: Mapping[str, Any], names: _Names) -> list[dict[str, Any]]:
    return [
        {**p, "name": names.provider(p["provider"])} for p in result["providers"] if not p["viable"]
    ]


def _offers_losing(result: Mapping[str, Any], names: _Names) -> list[dict[str, Any]]:
    losing = [
        o
        for o in result["offers"]
        if o["capacity_before"] is not None and (o["capacity_after"] or 0) < o["capacity_before"]
    ]
    losing.sort(key=lambda o: (-(o["capacity_before"] - (o["capacity_after"] or 0)), o["offer"]))
    return [
        {
            **o,
            "title": names.offer(o["offer"]),
            "provider_name": names.provider(o["provider"]),
            "kind_label": names.kind(o["kind"]),
            "lost": o["capacity_before"] - (o["capacity_after"] or 0),
            "closed_text": _closed_because(o.get("closed_code")),
        }
        for o in losing[:LISTED_OFFERS]
    ]


def _run_charts(result: Mapping[str, Any], names: _Names) -> dict[str, Chart]:
    summary = result["summary"]
    groups = sorted(summary["demand_covered_before"])
    stages = [_("vorher"), _("nachher"), _("mit Brückenbudget")]
    covered = grouped_bar_chart(
        slug="versorgter-bedarf",
        title=_("Versorgter Bedarf nach Zielgruppe"),
        description=_(
            "Wartende Personen, für die ein passender Platz da ist, je Zielgruppe: vor "
            "dem Szenario, danach und mit dem empfohlenen Einsatz des Brückenbudgets."
        ),
        category_title=_("Zielgruppe"),
        group_title=_("Stand"),
        value_title=_("Personen mit Platz"),
        categories=[names.group(g) for g in groups],
        groups=stages,
        values=[
            [
                summary["demand_covered_before"].get(g, 0),
                summary["demand_covered_after"].get(g, 0),
                summary["demand_covered_after_bridge"].get(g, 0),
            ]
            for g in groups
        ],
        suppressed_label="",
    )
    by_district: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    for cell in result["coverage"]:
        row = by_district[(cell["district"], cell["target_group"])]
        row[0] += cell["demand"]
        row[1] += cell["covered_before"]
        row[2] += cell["covered_after"]
        row[3] += cell["covered_after_bridge"]
    coverage_table = table_chart(
        slug="abdeckung-bezirk-zielgruppe",
        title=_("Abdeckung nach Stadtbezirk und Zielgruppe"),
        description=_(
            "Bedarf (wartende Personen je benötigter Angebotsart) und davon versorgt, "
            "vorher, nachher und mit Brückenbudget; die Zeilen mit dem größten Verlust zuerst."
        ),
        columns=[
            _("Stadtbezirk"),
            _("Zielgruppe"),
            _("Bedarf"),
            _("versorgt vorher"),
            _("versorgt nachher"),
            _("versorgt mit Brücke"),
        ],
        rows=[
            [district, names.group(group), *(round(v, 1) for v in values)]
            for (district, group), values in sorted(
                by_district.items(), key=lambda item: (item[1][2] - item[1][1], item[0])
            )
        ],
    )
    return {"covered": covered, "coverage_table": coverage_table}


SHADOW_EPS = 1e-9


def _places(count: float) -> str:
    whole = max(1, round(count))
    return ngettext("etwa %(n)s Platz", "etwa %(n)s Plätze", whole) % {
        "n": number_format(whole, 0, force_grouping=True)
    }


def _shadow_price_text(price: Mapping[str, Any], names: _Names) -> str:
    """The engine's sentence about a shadow price (stored in German) in the reader's
    language, from its params; a price stored without params keeps its German text."""
    params = price.get("params") or {}
    if price["constraint"] == "budget" and "places" in params:
        step = number_format(params["step_eur"], 0, force_grouping=True)
        ranked = [(p["target_group"], p["district"], float(p["places"])) for p in params["places"]]
        total = sum(count for _g, _d, count in ranked)
        listed = [p for p in ranked if p[2] >= 0.5][:3]
        if float(price["value"]) <= SHADOW_EPS or not ranked or total < 0.05:
            return _(
                "Weitere %(step)s € Brückenbudget würden keine weiteren Plätze für Menschen "
                "mit Bedarf erhalten."
            ) % {"step": step}
        if not listed:
            group, district, _count = ranked[0]
            return _(
                "Weitere %(step)s € Brückenbudget würden etwa %(total)s Plätze erhalten, vor "
                "allem für %(group)s in %(district)s; ein ganzer Platz kostet dort rund "
                "%(per_place)s €."
            ) % {
                "step": step,
                "total": number_format(total, 1, force_grouping=True),
                "group": names.group(group),
                "district": district,
                "per_place": number_format(
                    round(params["step_eur"] / total, -2), 0, force_grouping=True
                ),
            }
        parts = [
            _("%(places)s für %(group)s in %(district)s")
            % {"places": _places(count), "group": names.group(group), "district": district}
            for group, district, count in listed
        ]
        joined = (
            parts[0]
            if len(parts) == 1
            else _("%(first)s und %(last)s") % {"first": ", ".join(parts[:-1]), "last": parts[-1]}
        )
        return _("Weitere %(step)s € Brückenbudget würden %(places)s erhalten.") % {
            "step": step,
            "places": joined,
        }
    if str(price["constraint"]).startswith("cell:") and "offer_kind" in params:
        return _(
            "Ein zusätzlicher Platz (%(kind)s) für %(group)s in %(district)s wäre "
            "%(value)s Gewichtspunkte wert: dort fehlen nach der Brücke noch %(short)s Plätze."
        ) % {
            "kind": names.kind(params["offer_kind"]),
            "group": names.group(params["target_group"]),
            "district": params["district"],
            "value": number_format(float(price["value"]), 1, force_grouping=True),
            "short": number_format(float(params["short"]), 1, force_grouping=True),
        }
    return str(price["text"])


def _warning_texts(result: Mapping[str, Any]) -> list[str]:
    """The engine's warnings (stored in English) in the reader's language, from their
    codes and params; a result stored before the codes keeps the engine's texts."""
    details = result.get("warning_details") or []
    if len(details) != len(result.get("warnings") or []):
        return [str(text) for text in result.get("warnings") or []]
    funders = dict(Funder.choices)
    texts = []
    for detail, stored in zip(details, result["warnings"], strict=True):
        params = detail.get("params") or {}
        values = {
            "where": (
                _("Zeile %(line)s") % {"line": params["line"]}
                if params.get("line")
                else _("Änderung")
            ),
            "funder": funders.get(params.get("funder", ""), params.get("funder", "")),
        }
        if detail.get("code") == NO_FUNDED_OFFER:
            text = _(
                "%(where)s: %(funder)s fördert im Zeitraum keines der genannten Angebote; "
                "die Änderung wirkt nicht."
            )
        elif detail.get("code") == CUT_EXCEEDS_FUNDING:
            text = _(
                "%(where)s: Die Kürzung um %(cut)s € ist größer als die %(total)s €, die "
                "%(funder)s für diese Angebote zahlt; alles wird gekürzt."
            )
            values["cut"] = number_format(float(params["cut_eur"]), 2, force_grouping=True)
            values["total"] = number_format(float(params["total_eur"]), 2, force_grouping=True)
        elif detail.get("code") == NO_EXCLUDED_OFFER:
            text = _(
                "%(where)s: Kein von %(funder)s im Zeitraum gefördertes Angebot dient den "
                "ausgeschlossenen Personen; die Änderung wirkt nicht."
            )
        else:
            texts.append(str(stored))
            continue
        texts.append(text % values)
    return texts


def _empty_reasons(result: Mapping[str, Any], demand: float) -> dict[str, str]:
    """Why each section of a result may be empty, in words: an empty table without a
    reason reads like a fault (issue #17)."""
    threshold = round(float(result["rules"]["viability_threshold"]) * 100)
    no_demand = _(
        "Am Stichtag wartete niemand auf einen Platz: keine Person mit laufender "
        "Arbeitslosigkeit oder Nichterwerbstätigkeit ohne Teilnahme an einem Angebot "
        "und mit einem Stadtbezirk. Ohne Bedarf gibt es nichts zu versorgen; die Plätze "
        "und die Förderung oben sind trotzdem berechnet."
    )
    budget = float(result["bridge"].get("budget_eur") or 0)
    if budget <= 0:
        bridge = _("Das Szenario hat kein Brückenbudget.")
    elif result["summary"]["places_before"] <= result["summary"]["places_after"]:
        bridge = _("Kein Angebot verliert Plätze; es gibt nichts zu überbrücken.")
    elif demand <= 0:
        bridge = _(
            "Das Brückenbudget wird nur für Plätze eingesetzt, die wartende Personen "
            "versorgen; am Stichtag wartete niemand."
        )
    else:
        bridge = _(
            "Keiner der verlorenen Plätze würde wartende Personen versorgen, die sonst "
            "ohne Platz blieben; das Budget bleibt darum ungenutzt."
        )
    return {
        "demand": no_demand,
        "providers": _("Kein Träger fällt unter %(threshold)s %% seiner bisherigen Förderung.")
        % {"threshold": threshold},
        "offers": _(
            "Kein Angebot verliert Plätze: keine Änderung des Szenarios trifft im "
            "Zeitraum ein gefördertes Angebot."
        ),
        "dead_ends": _(
            "Keine neuen Sackgassen: von jedem Angebot, das bleibt, führt weiter ein Weg "
            "zu einem Ziel."
        ),
        "broken_bridges": _(
            "Keine gebrochenen Brücken: kein Angebot verliert seinen einzigen Weg weiter."
        ),
        "bridge": bridge,
    }


def _rule_texts(result: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The engine's rules in the reader's language. The stored result keeps the
    engine's English sentences (its file contract); the page says the same in words."""
    rules = result["rules"]
    threshold = round(float(rules["viability_threshold"]) * 100)
    weights = rules.get("bridge_weights") or {}
    names = _Names() if weights else None
    return [
        (
            _("Förderung"),
            _(
                "Jede Förderlinie zählt anteilig mit den Tagen, an denen sie den "
                "Zeitraum überschneidet."
            ),
        ),
        (
            _("Plätze"),
            _(
                "Plätze nachher = Plätze vorher × Förderung nachher ÷ Förderung vorher, "
                "abgerundet auf ganze Plätze."
            ),
        ),
        (
            _("Tragfähigkeit"),
            _(
                "Ein Träger, dessen Förderung nachher unter %(threshold)s %% seiner "
                "Förderung vorher fällt, ist nicht tragfähig; alle seine Angebote schließen."
            )
            % {"threshold": threshold},
        ),
        (
            _("Abdeckung"),
            _(
                "Die Plätze eines Angebots werden auf die Zellen aus Zielgruppe und "
                "Stadtbezirk verteilt, denen es dient (offen für alle: jede Zielgruppe; "
                "stadtweit: jeder Bezirk), im Verhältnis zu ihrem Bedarf (ohne Bedarf "
                "gleichmäßig); versorgt ist das Kleinere von Bedarf und Plätzen."
            ),
        ),
        (
            _("Gewichte im Brückenbudget"),
            ", ".join(
                f"{names.group(code) if names else code}: {number_format(weight)}"
                for code, weight in weights.items()
            )
            + "; "
            + _("alle anderen Zielgruppen: 1")
            if weights
            else _("jede Zielgruppe zählt gleich (Gewicht 1)"),
        ),
    ]


SUMMARY_ROWS: Sequence[tuple[str, Any]] = (
    ("places_before", gettext_lazy("Plätze vorher")),
    ("places_after", gettext_lazy("Plätze nachher")),
    ("places_after_bridge", gettext_lazy("Plätze mit Brückenbudget")),
    ("offers_closed", gettext_lazy("geschlossene Angebote")),
    ("providers_not_viable", gettext_lazy("Träger unter der Schwelle")),
    ("new_dead_ends", gettext_lazy("neue Sackgassen")),
    ("broken_bridges", gettext_lazy("gebrochene Brücken")),
    ("bridge_spent_eur", gettext_lazy("eingesetztes Brückenbudget (€)")),
)


def _compare_table(runs: Sequence[ScenarioRun], names: _Names) -> Chart:
    rows: list[list[Any]] = [
        [str(label), *(run.result["summary"].get(key) for run in runs)]
        for key, label in SUMMARY_ROWS
    ]
    groups = sorted({g for run in runs for g in run.result["summary"]["demand_covered_after"]})
    for group in groups:
        rows.append(
            [
                _("versorgter Bedarf %(group)s (mit Brücke)") % {"group": names.group(group)},
                *(run.result["summary"]["demand_covered_after_bridge"].get(group) for run in runs),
            ]
        )
    return table_chart(
        slug="szenarienvergleich",
        title=_("Szenarien im Vergleich"),
        description=_("Die Kennzahlen der gewählten Läufe nebeneinander."),
        columns=[_("Kennzahl"), *(f"{run.scenario.name} (#{run.pk})" for run in runs)],
        rows=rows,
    )
