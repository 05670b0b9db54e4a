"""Server-rendered pages. Thin: parse the request, ask the access module (or a service),
render. A person page starts with ``access_person``; refused and unknown are both 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from doconnect.core.models import TargetGroup
from doconnect.offers.models import Offer
from doconnect.offers.pathways_services import next_steps_for
from doconnect.pathways.next_steps import ExcludedOffer, NextStep
from doconnect.people.access import (
    PersonNotFound,
    PersonRecord,
    Viewer,
    access_person,
    default_purpose,
    levels_for,
    records_for_page,
)
from doconnect.people.access_rules import Level
from doconnect.people.consent_actions import (
    consent_give_as,
    consent_withdraw_as,
    may_record_any_consent,
    may_record_consent,
)
from doconnect.referrals.services import referral_create
from doconnect.web.context import request_viewer
from doconnect.web.forms import ConsentForm, NextStepsGoalForm, PersonSearchForm
from doconnect.web.pathway_texts import factor_text
from doconnect.web.queries import (
    find_persons,
    may_list_persons,
    may_search_names,
    may_see_next_steps,
    person_page,
)

PERSONS_PER_PAGE = 25


@login_required
@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    viewer = request_viewer(request)
    if not may_list_persons(viewer):
        raise PermissionDenied
    names = may_search_names(viewer)
    form = PersonSearchForm(request.GET or None)
    if not names:  # no help text about names, and no aria-describedby pointing at it
        form.fields["q"].help_text = ""
    criteria = form.cleaned_data if form.is_valid() else {}
    persons = find_persons(
        viewer,
        text=criteria.get("q", ""),
        district=criteria.get("district"),
        legal_branch=criteria.get("legal_branch", ""),
    )
    page = Paginator(persons, PERSONS_PER_PAGE).get_page(request.GET.get("page"))
    records = records_for_page(
        viewer, list(page.object_list), view="web.person_list", purpose=default_purpose(viewer)
    )
    return render(
        request,
        "web/person_list.html",
        {
            "form": form,
            "page": page,
            "records": records,
            "may_search_names": names,
        },
    )


def _record_or_404(viewer: Viewer, public_id: str, view: str) -> PersonRecord:
    try:
        return access_person(viewer, public_id, view=view, purpose=default_purpose(viewer))
    except PersonNotFound:
        raise Http404 from None


@login_required
@require_GET
def person_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    viewer = request_viewer(request)
    record = _record_or_404(viewer, public_id, "web.person_detail")
    details = person_page(viewer, record)
    may_record = may_record_any_consent(viewer)
    goal_form: NextStepsGoalForm | None = None
    # (step, offer title, its factors in the user's language)
    next_steps: list[tuple[NextStep, str, list[str]]] = []
    excluded_steps: list[tuple[ExcludedOffer, str, list[str]]] = []
    if may_see_next_steps(viewer):
        goal_form = NextStepsGoalForm(request.GET or None)
        goal = goal_form.cleaned_data["goal"] if goal_form.is_valid() else ""
        ranked = next_steps_for(record.person, goal=goal or None, include_excluded=True)
        groups = dict(TargetGroup.objects.values_list("code", "label"))
        next_steps = [
            (s, ranked.titles.get(s.offer, ""), [factor_text(f, groups) for f in s.factors])
            for s in ranked.result.steps
        ]
        excluded_steps = [
            (e, ranked.titles.get(e.offer, ""), [factor_text(f, groups) for f in e.why_not])
            for e in ranked.result.excluded
        ]
    return render(
        request,
        "web/person_detail.html",
        {
            "record": record,
            "person": record.person,
            "personal": record.personal if record.shows_personal else None,
            "page": details,
            "consents": [
                (
                    c,
                    may_record
                    and may_record_consent(viewer, [o.pk for o in c.organisations.all()]),
                )
                for c in details.consents
            ],
            "consent_form": ConsentForm(initial={"valid_from": timezone.localdate()})
            if may_record
            else None,
            "goal_form": goal_form,
            "next_steps": next_steps,
            "excluded_steps": excluded_steps,
        },
    )


@login_required
@require_POST
def consent_give(request: HttpRequest, public_id: str) -> HttpResponse:
    viewer = request_viewer(request)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("Die Einwilligung wurde nicht erfasst: %(errors)s")
            % {"errors": "; ".join(str(e) for errors in form.errors.values() for e in errors)},
        )
        return redirect("web:person_detail", public_id=public_id)
    try:
        consent_give_as(
            viewer,
            public_id=public_id,
            purpose=form.cleaned_data["purpose"],
            organisation_external_ids=[o.external_id for o in form.cleaned_data["organisations"]],
            valid_from=form.cleaned_data["valid_from"],
            valid_until=form.cleaned_data["valid_until"],
            view="web.consent_give",
        )
    except PersonNotFound:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, _("Die Einwilligung ist erfasst."))
    return redirect("web:person_detail", public_id=public_id)


@login_required
@require_POST
def consent_withdraw(request: HttpRequest, public_id: str, consent_id: int) -> HttpResponse:
    viewer = request_viewer(request)
    try:
        consent = consent_withdraw_as(
            viewer, consent_id=consent_id, public_id=public_id, view="web.consent_withdraw"
        )
    except PersonNotFound:
        raise Http404 from None
    messages.success(request, _("Der Widerruf ist erfasst."))
    if levels_for(viewer, [consent.person_id])[consent.person_id] is Level.NONE:
        # The withdrawal ended this viewer's own access: back to the list, not to a 404.
        return redirect("web:person_list")
    return redirect("web:person_detail", public_id=public_id)


@login_required
@require_POST
def referral_propose(request: HttpRequest, public_id: str) -> HttpResponse:
    """Propose one of the person's next steps as a referral: access first (404 when
    refused), then the role (coordinator or case worker, else 403)."""
    viewer = request_viewer(request)
    record = _record_or_404(viewer, public_id, "web.referral_propose")
    if not may_see_next_steps(viewer):
        raise PermissionDenied
    offer = Offer.objects.filter(external_id=request.POST.get("offer", "")).first()
    if offer is None:
        messages.error(request, _("Dieses Angebot gibt es nicht."))
        return redirect("web:person_detail", public_id=public_id)
    try:
        referral_create(person=record.person, offer=offer, created_by_id=request.user.pk)
    except ValidationError as exc:
        messages.error(
            request,
            _("Die Zuweisung wurde nicht vorgeschlagen: %(errors)s")
            % {"errors": "; ".join(exc.messages)},
        )
    else:
        messages.success(
            request,
            _("Zuweisung zu %(offer)s vorgeschlagen.") % {"offer": offer.title},
        )
    return redirect("web:person_detail", public_id=public_id)
