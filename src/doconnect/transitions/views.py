"""The transitions pages, for coordinators and analysts: choose a cohort and start its
report (a background job), then read the report — chronogram, transition matrix,
outcomes after leaving, typology — every chart with its table and CSV/XLSX export.

The report was computed under the small-number rule (``transitions.services``); these
views only translate codes and turn hidden figures into the marker "unter N". The
pseudonyms in the typology link to the person page, which checks access itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from doconnect.charts.chart import (
    Cell,
    Chart,
    chart_export_response,
    grouped_bar_chart,
    heatmap_chart,
    stacked_bar_chart,
    table_chart,
)
from doconnect.core.job_views import JOB_PAGES, JobPage, start_job_from_form
from doconnect.core.jobs import active_job
from doconnect.core.models import Job, JobStatus, TargetGroup
from doconnect.core.viewers import Viewer, request_viewer
from doconnect.offers.models import Offer, OfferKind
from doconnect.people.analyst_view import coarsened_lists
from doconnect.people.models import Gender, SpellState
from doconnect.transitions.cohorts import CohortKind, CohortSpec
from doconnect.transitions.forms import TransitionsForm
from doconnect.transitions.jobs import TRANSITIONS_JOB, transitions_job_params
from doconnect.transitions.services import MISSING_COLUMN, NO_SPELL_COLUMN, may_monitor_transitions
from doconnect.transparency.small_number import small_number

RECENT_REPORTS = 20
TYPE_MONTHS = (0, 6, 12, 24, 36, 48, 60, 71)  # the months a type's table shows

JOB_PAGES[TRANSITIONS_JOB] = JobPage(
    title=gettext_lazy("Verlaufsbericht wird berechnet"),
    may_view=may_monitor_transitions,
    result_url=lambda job: reverse("web:transitions_report", args=[job.pk]),
    back_url=lambda job: reverse("web:transitions"),
    phase_labels={
        "reading": gettext_lazy("Episoden der Kohorte lesen und in Monate umrechnen"),
        "describing": gettext_lazy("Zustandsverteilung, Übergänge und Verbleib zählen"),
        "distances": gettext_lazy("Abstände zwischen den Verläufen berechnen"),
        "typology": gettext_lazy("Verlaufstypen bilden"),
    },
)


def _require_monitor(viewer: Viewer) -> None:
    if not may_monitor_transitions(viewer):
        raise PermissionDenied


def _state_labels() -> dict[str, str]:
    labels = {str(code): str(label) for code, label in SpellState.choices}
    labels[NO_SPELL_COLUMN] = _("ohne Episode")
    labels[MISSING_COLUMN] = _("ohne Episode")
    labels["not_yet"] = _("noch nicht beobachtet")
    return labels


def _names(specs: Sequence[Mapping[str, Any]]) -> tuple[dict[str, str], dict[str, str]]:
    """Offer titles and target group labels for the cohorts' texts (two queries)."""
    offers = {s.get("offer") for s in specs if s.get("offer")}
    titles = (
        dict(Offer.objects.filter(external_id__in=offers).values_list("external_id", "title"))
        if offers
        else {}
    )
    groups = TargetGroup.labels()
    return titles, groups


def cohort_text(
    spec: Mapping[str, Any], titles: Mapping[str, str], groups: Mapping[str, str]
) -> str:
    """The cohort in words, e.g. "Schulabgänger:innen 2024 · Eving"."""
    kind, year = spec.get("kind"), spec.get("year")
    if kind == CohortKind.SCHOOL_LEAVERS:
        text = _("Schulabgänger:innen %(year)s") % {"year": year}
    elif kind == CohortKind.OFFER:
        offer = str(spec.get("offer"))
        text = _("Teilnehmende von „%(offer)s“") % {"offer": titles.get(offer, offer)}
    elif kind == CohortKind.OFFER_KIND:
        kinds = dict(OfferKind.choices)
        code = str(spec.get("offer_kind"))
        text = _("Teilnehmende der Angebotsart „%(kind)s“") % {"kind": kinds.get(code, code)}
    elif kind == CohortKind.DISTRICT:
        text = _("Personen im Stadtbezirk %(district)s mit einer Episode %(year)s") % {
            "district": spec.get("district"),
            "year": year,
        }
    else:
        code = str(spec.get("target_group"))
        text = _("Personen der Zielgruppe „%(group)s“ mit einer Episode %(year)s") % {
            "group": groups.get(code, code),
            "year": year,
        }
    parts = [text]
    if kind in (CohortKind.OFFER, CohortKind.OFFER_KIND) and year:
        parts.append(_("Beginn %(year)s") % {"year": year})
    if spec.get("district") and kind != CohortKind.DISTRICT:
        parts.append(str(spec["district"]))
    if spec.get("target_group") and kind != CohortKind.TARGET_GROUP:
        code = str(spec["target_group"])
        parts.append(groups.get(code, code))
    return " · ".join(parts)


def alignment_text(kind: str) -> str:
    if kind == CohortKind.SCHOOL_LEAVERS:
        return _("Monat 0 ist der erste Monat nach dem Ende der Schule.")
    if kind in (CohortKind.OFFER, CohortKind.OFFER_KIND):
        return _("Monat 0 ist der Monat, in dem die (erste) Teilnahme begann.")
    return _("Monat 0 ist der Januar des gewählten Jahres.")


def origin_text(origin: str) -> str:
    texts: dict[str, str] = {
        SpellState.SCHOOL: _("nach dem Verlassen der Schule"),
        SpellState.OFFER: _("nach dem Ende der Teilnahme"),
        SpellState.UNEMPLOYED: _("nach dem Ende der Arbeitslosigkeit"),
    }
    return texts.get(origin, "")


@login_required
@require_http_methods(["GET", "POST"])
def transitions(request: HttpRequest) -> HttpResponse:
    viewer = request_viewer(request)
    _require_monitor(viewer)
    form = TransitionsForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        started = start_job_from_form(
            request,
            form,
            kind=TRANSITIONS_JOB,
            params=lambda: transitions_job_params(
                form.spec(),
                months=form.cleaned_data["months"],
                k=form.cleaned_data["k"],
                min_count=small_number(),
                today=timezone.localdate(),
            ),
        )
        if started is not None:
            return started
        status = 400
    reports = list(
        Job.objects.filter(kind=TRANSITIONS_JOB, status=JobStatus.DONE).select_related(
            "started_by"
        )[:RECENT_REPORTS]
    )
    titles, groups = _names([job.params.get("spec", {}) for job in reports])
    return render(
        request,
        "transitions/transitions.html",
        {
            "form": form,
            "running": active_job(TRANSITIONS_JOB),
            "reports": [
                (job, cohort_text(job.params.get("spec", {}), titles, groups), job.result.get("n"))
                for job in reports
            ],
        },
        status=status,
    )


def _percent(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def _present(report: Mapping[str, Any]) -> list[int]:
    """The state columns that occur in the cohort (any month with a non-zero cell)."""
    width = len(report["states"]) + 1
    seen = [False] * width
    for month in report["chronogram"]:
        for j, cell in enumerate(month["cells"]):
            if cell != 0:
                seen[j] = True
    return [j for j in range(width) if seen[j]]


def _chronogram_chart(
    report: Mapping[str, Any],
    months: Sequence[Mapping[str, Any]],
    columns: Sequence[int],
    *,
    slug: str,
    title: str,
    marker: str,
    labels: Sequence[str],
) -> Chart:
    observed = [m for m in months if m["total"] != 0]
    return stacked_bar_chart(
        slug=slug,
        title=title,
        description=_("Anteil der Personen je Zustand in jedem Monat ab Monat 0."),
        category_title=_("Monat"),
        series_title=_("Zustand"),
        value_title=_("Anteil (%)"),
        categories=[str(m["month"]) for m in observed],
        series=[labels[j] for j in columns],
        values=[[_percent(m["shares"][j]) for j in columns] for m in observed],
        suppressed_label=marker,
        extra_columns=[
            (
                _("Personen beobachtet"),
                [marker if m["total"] is None else m["total"] for m in observed],
            )
        ],
    )


def _transition_chart(
    report: Mapping[str, Any], columns: Sequence[int], *, marker: str, labels: Sequence[str]
) -> Chart:
    matrix = report["transitions"]
    states = [j for j in columns if j < len(report["states"])]
    values: list[list[float | None]] = []
    totals: list[Cell] = []
    for i in states:
        total = matrix["totals"][i]
        totals.append(marker if total is None else total)
        row: list[float | None] = []
        for j in states:
            rate = matrix["rates"][i][j]
            row.append(0.0 if total == 0 else _percent(rate))
        values.append(row)
    return heatmap_chart(
        slug="uebergaenge",
        title=_("Übergänge von Monat zu Monat (%)"),
        description=_(
            "Anteil der Monate in einem Zustand (Zeile), auf die ein Monat im Zustand der "
            "Spalte folgt; Monate ohne Episode sind nicht mitgezählt."
        ),
        row_title=_("von"),
        column_title=_("nach"),
        value_title=_("Anteil (%)"),
        row_labels=[labels[j] for j in states],
        column_labels=[labels[j] for j in states],
        values=values,
        suppressed_label=marker,
        extra_columns=[(_("Personenmonate"), totals)],
    )


def _outcome_charts(
    report: Mapping[str, Any], *, marker: str, labels: Mapping[str, str]
) -> tuple[Chart | None, list[Chart]]:
    outcomes = report["outcomes"]
    tables = outcomes["tables"]
    after = origin_text(outcomes["origin"])
    horizon_label = {h: _("nach %(months)d Monaten") % {"months": h} for h in outcomes["horizons"]}
    overall = {t["horizon"]: t for t in tables if t["by"] == "overall"}
    columns = tables[0]["columns"] if tables else []
    used = [
        j
        for j in range(len(columns))
        if any(row["cells"][j] != 0 for t in tables for row in t["rows"])
    ]
    chart = None
    if any(overall[h]["rows"] for h in overall):
        values: list[list[float | None]] = []
        for j in used:
            row_values: list[float | None] = []
            for h in outcomes["horizons"]:
                overall_rows = overall[h]["rows"]
                if not overall_rows:
                    row_values.append(None)
                    continue
                cell, total = overall_rows[0]["cells"][j], overall_rows[0]["total"]
                row_values.append(
                    None if cell is None or not total else round(100 * cell / total, 1)
                )
            values.append(row_values)
        chart = grouped_bar_chart(
            slug="verbleib",
            title=_("Verbleib %(after)s (%% der Personen)") % {"after": after},
            description=_("Anteil der Personen in jedem Zustand 6, 12 und 24 Monate %(after)s.")
            % {"after": after},
            category_title=_("Zustand"),
            group_title=_("Zeitpunkt"),
            value_title=_("Anteil (%)"),
            categories=[labels[columns[j]] for j in used],
            groups=[horizon_label[h] for h in outcomes["horizons"]],
            values=values,
            suppressed_label=marker,
        )
    group_labels = TargetGroup.labels()
    gender_labels = {str(code): str(label) for code, label in Gender.choices}
    group_names: dict[str, tuple[str, Callable[[str], str]]] = {
        "district": (_("Stadtbezirk"), lambda code: code or _("unbekannt")),
        "target_group": (
            _("Zielgruppe"),
            lambda code: group_labels.get(code, code) if code else _("keine Zielgruppe"),
        ),
        "gender": (_("Geschlecht"), lambda code: gender_labels.get(code, code)),
    }
    breakdowns = []
    slugs = {
        "district": "verbleib-stadtbezirk",
        "target_group": "verbleib-zielgruppe",
        "gender": "verbleib-geschlecht",
    }
    for by, (title, name) in group_names.items():
        rows: list[list[Cell]] = []
        for table in tables:
            if table["by"] != by:
                continue
            for row in table["rows"]:
                rows.append(
                    [
                        name(row["group"]),
                        horizon_label[table["horizon"]],
                        marker if row["total"] is None else row["total"],
                        *(marker if row["cells"][j] is None else row["cells"][j] for j in used),
                    ]
                )
        breakdowns.append(
            table_chart(
                slug=slugs[by],
                title=_("Verbleib %(after)s nach %(group)s (Personen)")
                % {"after": after, "group": title},
                description=_("Personen je Zustand, je Gruppe und Zeitpunkt."),
                columns=[
                    str(title),
                    _("Zeitpunkt"),
                    _("Personen"),
                    *(labels[columns[j]] for j in used),
                ],
                rows=rows,
            )
        )
    return chart, breakdowns


def _type_sections(
    report: Mapping[str, Any],
    columns: Sequence[int],
    *,
    marker: str,
    labels: Sequence[str],
    state_labels: Mapping[str, str],
    pseudonyms: bool = True,
) -> tuple[Chart | None, list[dict[str, Any]]]:
    """The typology's overview table and one section per type. ``pseudonyms=False``
    (analysts, who see persons one by one only coarsened: people.analyst_view): no
    medoid or example pseudonym, whose whole sequence would point at one person."""
    typology = report["typology"]
    if not typology:
        return None, []
    months = [t for t in TYPE_MONTHS if t < report["months"]]
    sections = []
    overview: list[list[Cell]] = []
    for kind in typology["types"]:
        chronogram = kind["chronogram"]
        rows: list[list[Cell]] = []
        for j in columns:
            rows.append(
                [
                    labels[j],
                    *(
                        "–"
                        if chronogram[t]["total"] == 0
                        else marker
                        if chronogram[t]["shares"][j] is None
                        else _percent(chronogram[t]["shares"][j])
                        for t in months
                    ),
                ]
            )
        size = marker if kind["size"] is None else kind["size"]
        share = marker if kind["share"] is None else _percent(kind["share"])
        medoid = kind["medoid"] if pseudonyms else "–"
        overview.append([_("Typ %(n)d") % {"n": kind["type"]}, size, share, medoid])
        sections.append(
            {
                "type": kind,
                "medoid": kind["medoid"] if pseudonyms else "",
                "examples": kind["examples"] if pseudonyms else [],
                "size": size,
                "share": share,
                "runs": ", ".join(
                    f"{state_labels.get(run[0], run[0])} ({run[1]})" for run in kind["medoid_runs"]
                ),
                "table": table_chart(
                    slug=f"typ-{kind['type']}",
                    title=_("Typ %(n)d: Anteile je Zustand (%%) in ausgewählten Monaten")
                    % {"n": kind["type"]},
                    description=_("Anteil der Personen des Typs je Zustand."),
                    columns=[_("Zustand"), *(_("Monat %(t)d") % {"t": t} for t in months)],
                    rows=rows,
                ),
            }
        )
    table = table_chart(
        slug="typen",
        title=_("Verlaufstypen"),
        description=_("Größe und typischer Verlauf (Medoid) je Typ."),
        columns=[_("Typ"), _("Personen"), _("Anteil (%)"), _("Medoid (Pseudonym)")],
        rows=overview,
    )
    return table, sections


def report_for_viewer(viewer: Viewer, pk: int) -> Job:
    """A finished transitions report for a coordinator or analyst; 403 for others, 404
    for an unknown (or unfinished) one."""
    _require_monitor(viewer)
    job = Job.objects.filter(pk=pk, kind=TRANSITIONS_JOB, status=JobStatus.DONE).first()
    if job is None:
        raise Http404
    return job


@login_required
@require_GET
def transitions_report(request: HttpRequest, pk: int) -> HttpResponse:
    job = report_for_viewer(request_viewer(request), pk)
    report = job.result
    spec = report["spec"]
    titles, groups = _names([spec])
    marker = _("unter %(n)d") % {"n": report["min_count"]}
    state_labels = _state_labels()
    labels = [state_labels[s] for s in report["states"]] + [state_labels[NO_SPELL_COLUMN]]
    charts: list[Chart] = []
    context: dict[str, Any] = {
        "job": job,
        "report": report,
        "cohort_text": cohort_text(spec, titles, groups),
        "alignment_text": alignment_text(spec["kind"]),
        "marker": marker,
        "spec": CohortSpec.from_dict(spec),
        "today": dt.date.fromisoformat(report["today"]),
    }
    if not report["too_small"]:
        present = _present(report)
        chronogram = _chronogram_chart(
            report,
            report["chronogram"],
            present,
            slug="zustandsverteilung",
            title=_("Zustandsverteilung je Monat (Chronogramm)"),
            marker=marker,
            labels=labels,
        )
        transitions_chart = _transition_chart(report, present, marker=marker, labels=labels)
        outcome_chart, breakdowns = _outcome_charts(report, marker=marker, labels=state_labels)
        types_table, type_sections = _type_sections(
            report,
            present,
            marker=marker,
            labels=labels,
            state_labels=state_labels,
            pseudonyms=not coarsened_lists(request_viewer(request)),
        )
        charts = [chronogram, transitions_chart, *breakdowns]
        if outcome_chart is not None:
            charts.append(outcome_chart)
        if types_table is not None:
            charts.append(types_table)
        charts.extend(section["table"] for section in type_sections)
        n = report["n"]
        partly = [
            m["month"] for m in report["chronogram"] if m["total"] is not None and m["total"] < n
        ]
        not_observed = [m["month"] for m in report["chronogram"] if m["total"] == 0]
        context.update(
            {
                "chronogram": chronogram,
                "transitions_chart": transitions_chart,
                "outcome_chart": outcome_chart,
                "breakdowns": breakdowns,
                "types_table": types_table,
                "type_sections": type_sections,
                "origin_text": origin_text(report["outcomes"]["origin"]),
                "first_partly_observed": partly[0] if partly else None,
                "first_unobserved": not_observed[0] if not_observed else None,
            }
        )
    export = chart_export_response(request, charts)
    if export is not None:
        return export
    return render(request, "transitions/transitions_report.html", context)
