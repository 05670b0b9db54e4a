"""The priority decision pages: the list, a new decision, a decision's page (options ×
criteria, weights with a live preview via htmx, the ranking with each criterion's
contribution, the sensitivity in words), adding options and criteria, recording,
publishing and withdrawing (coordinators); read-only for other roles once taken; and the
public pages of published decisions, without login.

Every internal view starts with ``decision_for_viewer``/``decisions_for_viewer`` (404
for what the viewer may not see, 403 without a role); every write goes through
``decisions.services`` (coordinators only)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from doconnect.charts.chart import Chart, chart_export_response, stacked_bar_chart
from doconnect.core.viewers import Viewer, request_viewer
from doconnect.decisions.engine.scoring import Scoring
from doconnect.decisions.engine.table import Table
from doconnect.decisions.forms import (
    CriterionForm,
    DecisionForm,
    OptionForm,
    RecordForm,
    WeightsForm,
)
from doconnect.decisions.models import Decision, DecisionOption, DecisionStatus
from doconnect.decisions.selectors import (
    decision_for_viewer,
    decisions_for_viewer,
    public_decision,
    public_decisions,
    shown_table,
)
from doconnect.decisions.services import (
    criterion_add,
    criterion_set_weights,
    decision_create,
    decision_publish,
    decision_record,
    decision_withdraw,
    may_decide,
    option_add,
    option_add_from_scenario_result,
    value_set,
)
from doconnect.decisions.texts import (
    decided_by,
    number,
    points,
    sensitivity_line,
    smallest_change_line,
)


def _editable(viewer: Viewer, pk: int) -> Decision:
    """A draft a coordinator may change; 403 for other roles, 404 for unknown, a
    refusal (403) once decided."""
    decision = decision_for_viewer(viewer, pk)
    if not may_decide(viewer) or not decision.is_draft:
        raise PermissionDenied
    return decision


# ---------------------------------------------------------------- what a page shows


def _ranking_chart(table: Table, result: Scoring) -> Chart:
    labels = [table.option(s.option).label for s in result.ranking]  # type: ignore[union-attr]
    return stacked_bar_chart(
        slug="ranking",
        title=_("Punkte je Option und was sie ausmacht"),
        description=_(
            "Gestapelte Balken: je Option die Punkte (0 bis 100), aufgeteilt nach dem "
            "Beitrag jedes Kriteriums."
        ),
        category_title=_("Option"),
        series_title=_("Kriterium"),
        value_title=_("Punkte"),
        categories=labels,
        series=[c.label for c in table.criteria],
        values=[[points(s.contributions[c.code]) for c in table.criteria] for s in result.ranking],
        suppressed_label="",
        extra_columns=[(_("Punkte insgesamt"), [points(s.score) for s in result.ranking])],
    )


def _scoring_context(table: Table) -> dict[str, Any]:
    """The ranking, its chart and the sensitivity in words, for one table."""
    result = table.score()
    if result is None:
        return {"table": table, "result": None, "charts": []}
    chart = _ranking_chart(table, result)
    return {
        "table": table,
        "result": result,
        "charts": [chart] if result.weighted else [],
        "ranking": [(table.option(s.option), s, points(s.score)) for s in result.ranking],
        "shares": [(c, number(result.shares[c.code])) for c in table.criteria],
        "sensitivity": [sensitivity_line(table, s) for s in result.sensitivity],
        "smallest": smallest_change_line(table, result) if result.weighted else "",
    }


def _matrix(table: Table) -> list[tuple[Any, list[str | None]]]:
    return [
        (
            option,
            [
                number(option.values[c.code], 4) if c.code in option.values else None
                for c in table.criteria
            ],
        )
        for option in table.options
    ]


# ---------------------------------------------------------------- internal pages


@login_required
@require_GET
def decision_list(request: HttpRequest) -> HttpResponse:
    viewer = request_viewer(request)
    decisions = list(decisions_for_viewer(viewer))
    return render(
        request,
        "decisions/list.html",
        {"decisions": decisions, "may_decide": may_decide(viewer)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_new(request: HttpRequest) -> HttpResponse:
    if not may_decide(request_viewer(request)):
        raise PermissionDenied
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        decision = decision_create(
            title=form.cleaned_data["title"],
            question=form.cleaned_data["question"],
            context=form.cleaned_data["context"],
            criteria=form.criteria(),
            actor=request.user,  # type: ignore[arg-type]
        )
        messages.success(request, _("Die Entscheidung ist als Entwurf angelegt."))
        return redirect("web:decision_detail", pk=decision.pk)
    return render(
        request, "decisions/new.html", {"form": form}, status=400 if form.is_bound else 200
    )


def _detail(
    request: HttpRequest, decision: Decision, *, weights_form: WeightsForm | None = None
) -> HttpResponse:
    viewer = request_viewer(request)
    table = shown_table(decision)
    editing = may_decide(viewer) and decision.is_draft
    context = _scoring_context(table)
    exported = chart_export_response(request, context["charts"])
    if exported is not None:
        return exported
    if editing and weights_form is None:
        weights_form = WeightsForm(criteria=table.criteria)
    record = getattr(decision, "record", None) if not decision.is_draft else None
    return render(
        request,
        "decisions/detail.html",
        {
            **context,
            "decision": decision,
            "matrix": _matrix(table),
            "editing": editing,
            "may_decide": may_decide(viewer),
            "weights_form": weights_form,
            "record": record,
            "decided_by": decided_by(record.decided_by_label) if record else "",
            "chosen_row": table.option(str(record.chosen_id)) if record else None,
            "record_ready": editing and context["result"] is not None,
        },
        status=400 if weights_form is not None and weights_form.is_bound else 200,
    )


@login_required
@require_GET
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, decision_for_viewer(request_viewer(request), pk))


@login_required
@require_POST
def decision_weights(request: HttpRequest, pk: int) -> HttpResponse:
    """Store the weights (the form's normal submit; works without JavaScript)."""
    decision = _editable(request_viewer(request), pk)
    table = shown_table(decision)
    form = WeightsForm(request.POST, criteria=table.criteria)
    if not form.is_valid():
        return _detail(request, decision, weights_form=form)
    criterion_set_weights(
        decision=decision,
        weights=form.weights(),
        actor=request.user,  # type: ignore[arg-type]
    )
    messages.success(request, _("Die Gewichte sind gespeichert."))
    return redirect("web:decision_detail", pk=decision.pk)


@login_required
@require_POST
def decision_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The ranking under the weights typed so far (htmx, while typing); stores
    nothing."""
    decision = _editable(request_viewer(request), pk)
    table = shown_table(decision)
    form = WeightsForm(request.POST, criteria=table.criteria)
    if form.is_valid():
        table = table.with_weights(form.weights())
    response = render(
        request,
        "decisions/scoring.html",
        {**_scoring_context(table), "preview": True, "invalid": not form.is_valid()},
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_http_methods(["GET", "POST"])
def decision_option_add(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _editable(request_viewer(request), pk)
    table = shown_table(decision)
    bound = request.method == "POST"
    form = OptionForm(
        request.POST if bound else None,
        request.FILES if bound else None,
        criteria=table.criteria,
    )
    if bound and form.is_valid():
        data = form.cleaned_data
        try:
            if data["result"] is not None:
                option_add_from_scenario_result(
                    decision=decision,
                    label=data["label"],
                    description=data["description"],
                    result=data["result"],
                    actor=request.user,  # type: ignore[arg-type]
                )
            else:
                option_add(
                    decision=decision,
                    label=data["label"],
                    description=data["description"],
                    values=form.values(),
                    actor=request.user,  # type: ignore[arg-type]
                )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Die Option ist angelegt."))
            return redirect("web:decision_detail", pk=decision.pk)
    return render(
        request,
        "decisions/option_form.html",
        {"decision": decision, "form": form, "option": None},
        status=400 if bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_option_values(request: HttpRequest, pk: int, option_pk: int) -> HttpResponse:
    decision = _editable(request_viewer(request), pk)
    option = DecisionOption.objects.filter(decision=decision, pk=option_pk).first()
    if option is None:
        raise Http404
    table = shown_table(decision)
    bound = request.method == "POST"
    form = OptionForm(
        request.POST if bound else None,
        criteria=table.criteria,
        option=table.option(str(option.pk)),
    )
    if bound and form.is_valid():
        value_set(option=option, values=form.values(), actor=request.user)  # type: ignore[arg-type]
        messages.success(request, _("Die Werte sind gespeichert."))
        return redirect("web:decision_detail", pk=decision.pk)
    return render(
        request,
        "decisions/option_form.html",
        {"decision": decision, "form": form, "option": option},
        status=400 if bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_criterion_add(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _editable(request_viewer(request), pk)
    bound = request.method == "POST"
    form = CriterionForm(request.POST if bound else None)
    if bound and form.is_valid():
        try:
            criterion_add(decision=decision, actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Das Kriterium ist angelegt."))
            return redirect("web:decision_detail", pk=decision.pk)
    return render(
        request,
        "decisions/criterion_form.html",
        {"decision": decision, "form": form},
        status=400 if bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_record_view(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _editable(request_viewer(request), pk)
    table = shown_table(decision)
    result = table.score()
    if result is None:
        messages.error(
            request,
            _("Erst wenn jede Option einen Wert für jedes Kriterium hat, kann entschieden werden."),
        )
        return redirect("web:decision_detail", pk=decision.pk)
    options = [
        (int(s.option), f"{table.option(s.option).label} ({number(points(s.score), 1)})")  # type: ignore[union-attr]
        for s in result.ranking
    ]
    bound = request.method == "POST"
    best = int(result.winner) if result.winner else None
    form = RecordForm(request.POST if bound else None, options=options, best=best)
    if bound and form.is_valid():
        data = form.cleaned_data
        try:
            decision_record(
                decision=decision,
                chosen=decision.options.get(pk=data["chosen"]),
                reasons=data["reasons"],
                deviation_reason=data["deviation_reason"],
                actor=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Die Entscheidung ist festgehalten."))
            return redirect("web:decision_detail", pk=decision.pk)
    return render(
        request,
        "decisions/record.html",
        {"decision": decision, "form": form, "best": table.option(str(best))},
        status=400 if bound else 200,
    )


def _taken(viewer: Viewer, pk: int) -> Decision:
    decision = decision_for_viewer(viewer, pk)
    if not may_decide(viewer):
        raise PermissionDenied
    return decision


@login_required
@require_POST
def decision_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _taken(request_viewer(request), pk)
    try:
        decision_publish(decision=decision, actor=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Die Entscheidung ist veröffentlicht."))
    return redirect("web:decision_detail", pk=decision.pk)


@login_required
@require_POST
def decision_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _taken(request_viewer(request), pk)
    try:
        decision_withdraw(
            decision=decision,
            reason=request.POST.get("reason", ""),
            actor=request.user,  # type: ignore[arg-type]
        )
    except ValidationError as exc:
        messages.error(
            request,
            _("Nicht zurückgezogen: %(reasons)s") % {"reasons": " ".join(exc.messages)},
        )
    else:
        messages.success(request, _("Die Entscheidung ist zurückgezogen."))
    return redirect("web:decision_detail", pk=decision.pk)


# ---------------------------------------------------------------- public pages


@require_GET
def public_decision_list(request: HttpRequest) -> HttpResponse:
    return render(request, "decisions/public/list.html", {"decisions": list(public_decisions())})


@require_GET
def public_decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = public_decision(pk)
    record = decision.record
    table = Table.from_dict(record.table)
    context = _scoring_context(table)
    exported = chart_export_response(request, context["charts"])
    if exported is not None:
        return exported
    return render(
        request,
        "decisions/public/detail.html",
        {
            **context,
            "decision": decision,
            "record": record,
            "matrix": _matrix(table),
            "decided_by": decided_by(record.decided_by_label),
            "chosen_row": table.option(str(record.chosen_id)),
            "status": DecisionStatus,
        },
    )
