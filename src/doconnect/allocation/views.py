"""The allocation pages, for coordinators: choose a scope and run (a background job),
review a stored run against first come first served, read one person's explanation,
send the proposed referrals in one step; and record the priority weights.

Every view starts with ``may_allocate`` or ``run_for_viewer``; the one person page goes
through ``access_person`` (audited)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from doconnect.allocation.forms import (
    AllocationScopeForm,
    BulkConfirmForm,
    OutcomeFilterForm,
    PriorityWeightsForm,
)
from doconnect.allocation.jobs import ALLOCATION_JOB, allocation_job_params
from doconnect.allocation.models import AllocationRun, PriorityWeightSet
from doconnect.allocation.selectors import (
    run_breakdown,
    run_for_viewer,
    run_outcomes,
    run_proposals_by_provider,
    run_referral_counts,
)
from doconnect.allocation.services import (
    allocation_send,
    allocation_withdraw,
    current_priority_weights,
    known_support_needs,
    may_allocate,
    priority_weights_record,
)
from doconnect.allocation.texts import (
    REASON_LABELS,
    cost_lines,
    holder_text,
    priority_lines,
)
from doconnect.core.job_views import JOB_PAGES, JobPage, start_job_from_form
from doconnect.core.jobs import active_job
from doconnect.core.models import TargetGroup
from doconnect.core.viewers import Viewer, request_viewer
from doconnect.offers.models import Offer, OfferKind
from doconnect.people.access import PersonNotFound, access_person
from doconnect.people.access_rules import Purpose
from doconnect.referrals.models import ReferralStatus

# Zweckbindung: allocating places is placement.
PURPOSE = Purpose.PLACEMENT

OUTCOMES_PER_PAGE = 50
RECENT_RUNS = 20
WEIGHT_HISTORY = 20

JOB_PAGES[ALLOCATION_JOB] = JobPage(
    title=gettext_lazy("Zuteilung wird berechnet"),
    may_view=may_allocate,
    result_url=lambda job: reverse("web:allocation_run", args=[job.result["run"]]),
    back_url=lambda job: reverse("web:allocation"),
    phase_labels={
        "reading": gettext_lazy("Wartende Personen und freie Plätze lesen"),
        "solving": gettext_lazy("Optimale Zuteilung berechnen"),
        "storing": gettext_lazy("Ergebnis und Zuweisungsvorschläge speichern"),
    },
)


def _require_allocator(viewer: Viewer) -> None:
    if not may_allocate(viewer):
        raise PermissionDenied


def _scope_text(scope: dict[str, object]) -> str:
    kinds = dict(OfferKind.choices)
    groups = TargetGroup.labels() if scope.get("target_group") else {}
    parts = []
    if scope.get("district"):
        parts.append(str(scope["district"]))
    if scope.get("target_group"):
        code = str(scope["target_group"])
        parts.append(groups.get(code, code))
    if scope.get("kinds"):
        parts.append(", ".join(str(kinds.get(k, k)) for k in scope["kinds"]))  # type: ignore[attr-defined]
    return " · ".join(parts) or _("ganze Stadt, alle Angebotsarten")


@login_required
@require_http_methods(["GET", "POST"])
def allocation(request: HttpRequest) -> HttpResponse:
    viewer = request_viewer(request)
    _require_allocator(viewer)
    form = AllocationScopeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        started = start_job_from_form(
            request,
            form,
            kind=ALLOCATION_JOB,
            params=lambda: allocation_job_params(form.scope(), timezone.localdate()),
        )
        if started is not None:
            return started
        status = 400
    runs = list(AllocationRun.objects.select_related("started_by")[:RECENT_RUNS])
    return render(
        request,
        "allocation/allocation.html",
        {
            "form": form,
            "weights": current_priority_weights(),
            "group_labels": TargetGroup.labels(),
            "running": active_job(ALLOCATION_JOB),
            "runs": [(run, _scope_text(run.scope)) for run in runs],
        },
        status=status,
    )


@login_required
@require_GET
def allocation_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = run_for_viewer(request_viewer(request), pk)
    breakdown = run_breakdown(run)
    form = OutcomeFilterForm(
        request.GET or None, districts=[row.key for row in breakdown.by_district]
    )
    criteria = form.cleaned_data if form.is_bound and form.is_valid() else {}
    outcomes = run_outcomes(
        run,
        placed=criteria.get("placed", ""),
        district=criteria.get("district", ""),
        target_group=criteria["target_group"].code if criteria.get("target_group") else "",
    )
    page = Paginator(outcomes, OUTCOMES_PER_PAGE).get_page(request.GET.get("page"))
    referral_counts = run_referral_counts(run)
    summary = run.summary
    return render(
        request,
        "allocation/allocation_run.html",
        {
            "run": run,
            "scope_text": _scope_text(run.scope),
            "summary": summary,
            "comparison": [
                (_("Personen mit Platz"), summary["assigned"], summary["greedy"]["assigned"]),
                (
                    _("Gewichtete Personen mit Platz (Summe der Prioritäten)"),
                    summary["weighted_assigned"],
                    summary["greedy"]["weighted_assigned"],
                ),
                (
                    _("Kosten insgesamt (niedriger ist besser)"),
                    summary["total_cost"],
                    summary["greedy"]["total_cost"],
                ),
            ],
            "breakdown": breakdown,
            "form": form,
            "page": page,
            "group_labels": TargetGroup.labels(),
            "reason_labels": REASON_LABELS,
            "referral_counts": [
                (ReferralStatus(status).label, count)
                for status, count in sorted(referral_counts.items())
            ],
            "proposed": referral_counts.get(ReferralStatus.PROPOSED, 0),
        },
    )


@login_required
@require_GET
def allocation_person(request: HttpRequest, pk: int, public_id: str) -> HttpResponse:
    viewer = request_viewer(request)
    run = run_for_viewer(viewer, pk)
    try:
        record = access_person(
            viewer,
            public_id,
            view="web.allocation_person",
            purpose=PURPOSE,
            reads=["allocation"],
        )
    except PersonNotFound:
        raise Http404 from None
    outcome = (
        run.outcomes.select_related("offer", "greedy_offer", "referral")
        .filter(person=record.person)
        .first()
    )
    if outcome is None:
        raise Http404
    group_labels = TargetGroup.labels()
    weights = (
        {"target_groups": run.weights.target_groups, "support_needs": run.weights.support_needs}
        if run.weights
        else {}
    )
    offers_by_id = {}
    places = outcome.explanation.get("places", [])
    if places:
        offers_by_id = {
            o.external_id: o
            for o in Offer.objects.filter(external_id__in=[p["place"] for p in places])
        }
    return render(
        request,
        "allocation/allocation_person.html",
        {
            "run": run,
            "person": record.person,
            "outcome": outcome,
            "reason_label": REASON_LABELS.get(outcome.reason, outcome.reason),
            "group_labels": group_labels,
            "priority_lines": priority_lines(
                outcome.target_groups, outcome.support_needs, weights, group_labels
            ),
            "cost_lines": cost_lines(outcome.cost_parts, run.rules),
            "places": [
                (offers_by_id.get(p["place"]), p, holder_text(p, outcome.priority)) for p in places
            ],
        },
    )


@dataclass(frozen=True)
class BulkStep:
    """A step on all of a run's proposals (send or discard), confirmed on its own page."""

    service: Callable[..., int]
    title: Any
    question: Any
    button: Any
    done: Callable[[int], str]
    refused: Any


BULK_STEPS = {
    "send": BulkStep(
        service=allocation_send,
        title=gettext_lazy("Alle Vorschläge senden?"),
        question=gettext_lazy(
            "Diese Zuweisungen gehen an die Träger; jeder Träger hat dann die eingestellte "
            "Frist zur Antwort. Gesendete Zuweisungen lassen sich nur einzeln zurückziehen."
        ),
        button=gettext_lazy("Ja, alle senden"),
        done=lambda n: (
            ngettext(
                "%(count)d Zuweisung an den Träger gesendet.",
                "%(count)d Zuweisungen an die Träger gesendet.",
                n,
            )
            % {"count": n}
        ),
        refused=gettext_lazy("Nichts wurde gesendet: %(reasons)s"),
    ),
    "withdraw": BulkStep(
        service=allocation_withdraw,
        title=gettext_lazy("Alle Vorschläge verwerfen?"),
        question=gettext_lazy(
            "Diese Vorschläge werden verworfen; die Personen warten wieder und kommen im "
            "nächsten Lauf erneut in Frage. Die Träger erfahren nichts davon."
        ),
        button=gettext_lazy("Ja, alle verwerfen"),
        done=lambda n: (
            ngettext("%(count)d Vorschlag verworfen.", "%(count)d Vorschläge verworfen.", n)
            % {"count": n}
        ),
        refused=gettext_lazy("Nichts wurde zurückgezogen: %(reasons)s"),
    ),
}


def _bulk_step(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """GET: what the step would do, per provider, and a button to confirm it. POST:
    the step for exactly the number confirmed, then back to the run with the result;
    refused (changed meanwhile, or no confirmation): the page again with the reason
    and the current numbers to confirm."""
    run = run_for_viewer(request_viewer(request), pk)
    step = BULK_STEPS[kind]
    error, status = "", 200
    if request.method == "POST":
        form = BulkConfirmForm(request.POST)
        if not form.is_valid():
            error, status = _("Bitte die Übersicht unten bestätigen."), 400
        else:
            try:
                count = step.service(
                    run=run, actor=request.user, expected=form.cleaned_data["expected"]
                )
            except (ValidationError, PermissionDenied) as exc:
                reasons = "; ".join(exc.messages) if isinstance(exc, ValidationError) else ""
                error = step.refused % {"reasons": reasons or _("keine Berechtigung")}
                status = 409
            else:
                messages.success(request, step.done(count))
                return redirect("web:allocation_run", pk=run.pk)
    providers = run_proposals_by_provider(run)
    return render(
        request,
        "allocation/allocation_confirm.html",
        {
            "run": run,
            "step": step,
            "providers": providers,
            "total": sum(p.referrals for p in providers),
            "error": error,
            "action": reverse(f"web:allocation_{kind}", args=[run.pk]),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def allocation_send_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _bulk_step(request, pk, "send")


@login_required
@require_http_methods(["GET", "POST"])
def allocation_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _bulk_step(request, pk, "withdraw")


@login_required
@require_http_methods(["GET", "POST"])
def allocation_weights(request: HttpRequest) -> HttpResponse:
    viewer = request_viewer(request)
    _require_allocator(viewer)
    current = current_priority_weights()
    groups = list(TargetGroup.objects.order_by("label"))
    form = PriorityWeightsForm(
        request.POST if request.method == "POST" else None,
        target_groups=groups,
        support_needs=known_support_needs(),
        current={"target_groups": current.target_groups, "support_needs": current.support_needs}
        if current
        else None,
    )
    if request.method == "POST" and form.is_valid():
        by_group, by_need = form.weights()
        priority_weights_record(
            target_groups=by_group,
            support_needs=by_need,
            note=form.cleaned_data["note"],
            recorded_by=request.user,  # type: ignore[arg-type]
        )
        messages.success(
            request, _("Die Gewichte sind festgelegt und gelten ab dem nächsten Lauf.")
        )
        return redirect("web:allocation")
    history = list(PriorityWeightSet.objects.select_related("recorded_by")[:WEIGHT_HISTORY])
    return render(
        request,
        "allocation/allocation_weights.html",
        {
            "form": form,
            "history": history,
            "group_labels": {g.code: g.display_label for g in groups},
        },
        status=400 if form.is_bound else 200,
    )
