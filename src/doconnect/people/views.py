"""Server-rendered pages. Thin: parse the request, ask the access module (or a service),
render. A person page starts with ``access_person``; refused and unknown are both 404."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from doconnect.charts.chart import Chart, Span, chart_export_response, timeline_chart
from doconnect.core.forms import KernForm
from doconnect.core.models import TargetGroup
from doconnect.core.viewers import Viewer, request_viewer
from doconnect.offers.models import OfferKind
from doconnect.pathways.access import next_steps_of
from doconnect.pathways.engine.next_steps import ExcludedOffer, NextStep
from doconnect.pathways.services import PersonNextSteps
from doconnect.pathways.texts import factor_text
from doconnect.people.access import (
    PersonNotFound,
    PersonRecord,
    access_person,
    default_purpose,
    levels_for,
    may_list_persons,
    may_search_names,
    records_for_page,
)
from doconnect.people.access_rules import Level
from doconnect.people.consent_actions import (
    consent_extend_as,
    consent_give_as,
    consent_withdraw_as,
    may_record_any_consent,
    may_record_consent,
)
from doconnect.people.forms import (
    ConsentExtendForm,
    ConsentForm,
    NextStepsGoalForm,
    PersonSearchForm,
    PersonWishesForm,
)
from doconnect.people.models import Consent, Person, Spell
from doconnect.people.selectors import PersonCriteria, biography, find_persons, person_page
from doconnect.people.wishes_actions import may_record_wishes, person_wishes_update_as
from doconnect.referrals.selectors import person_referral_rows

PERSONS_PER_PAGE = 25
BIOGRAPHY_CHART = "biographie"


def _is_htmx_partial(request: HttpRequest) -> bool:
    """An htmx request for the results only. A history restore (the browser's back
    button after a cache miss) wants the whole page."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


@login_required
@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    viewer = request_viewer(request)
    if not may_list_persons(viewer):
        raise PermissionDenied
    names = may_search_names(viewer)
    form = PersonSearchForm(request.GET or None)
    if not names:  # no name in the label, no help text about names
        form.fields["q"].label = _("Pseudonym")
        form.fields["q"].help_text = ""
    if form.is_bound and not form.is_valid():
        # An unknown filter value (say a stale dashboard link) must not widen the list
        # to everybody: show the errors next to the fields and no persons.
        persons = Person.objects.none()
    else:
        persons = find_persons(viewer, _criteria(form.cleaned_data if form.is_bound else {}))
    page = Paginator(persons, PERSONS_PER_PAGE).get_page(request.GET.get("page"))
    records = records_for_page(
        viewer, list(page.object_list), view="web.person_list", purpose=default_purpose(viewer)
    )
    context = {"form": form, "page": page, "records": records, "may_search_names": names}
    partial = _is_htmx_partial(request)
    response = render(
        request,
        "people/person_list_results.html" if partial else "people/person_list.html",
        context,
    )
    patch_vary_headers(response, ["HX-Request"])  # two bodies under one address
    return response


def _criteria(data: dict[str, Any]) -> PersonCriteria:
    """The search form's valid input as the shared person filter."""
    district, target_group = data.get("district"), data.get("target_group")
    return PersonCriteria(
        text=data.get("q", ""),
        district=district.official_key if district is not None else "",
        legal_branch=data.get("legal_branch", ""),
        target_group=target_group.code if target_group is not None else "",
        state=data.get("state", ""),
        age_band=data.get("age_band", ""),
        gender=data.get("gender", ""),
        active_support=data.get("support") == "active",
    )


def _record_or_404(
    viewer: Viewer, public_id: str, view: str, reads: list[str] | None = None
) -> PersonRecord:
    try:
        return access_person(
            viewer, public_id, view=view, purpose=default_purpose(viewer), reads=reads
        )
    except PersonNotFound:
        raise Http404 from None


def _biography_chart(person: Person, spells: list[Spell], today: dt.date) -> Chart:
    """The biography as a timeline: one row per state, one bar per spell, open spells
    up to today; the note names the offer or, failing that, who reported the spell."""
    spans = [
        Span(
            row=spell.get_state_display(),
            group=spell.get_state_display(),
            start=spell.start,
            end=spell.end,
            note=spell.offer.title if spell.offer else str(spell.source_organisation or ""),
        )
        for spell in spells
    ]
    return timeline_chart(
        slug=BIOGRAPHY_CHART,
        title=_("Episoden als Zeitleiste"),
        description=_(
            "Zeitleiste der Episoden von %(pid)s: eine Zeile je Status, ein Balken je "
            "Episode vom Beginn bis zum Ende; laufende Episoden reichen bis heute."
        )
        % {"pid": person.public_id},
        row_title=_("Status"),
        group_title=_("Status"),
        start_title=_("Beginn"),
        end_title=_("Ende"),
        note_title=_("Angebot oder Quelle"),
        open_end_label=_("laufend"),
        spans=spans,
        today=today,
    )


@login_required
@require_GET
def person_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    viewer = request_viewer(request)
    if "chart" in request.GET:
        # The chart export is a read of the person like the page: the same access
        # check (404 when refused) and its own audit event; it holds only spells.
        record = _record_or_404(viewer, public_id, "web.person_detail.export", ["spells"])
        spells = biography(record.person)
        chart = _biography_chart(record.person, spells, timezone.localdate())
        response = chart_export_response(request, [chart] if spells else [])
        assert response is not None  # "chart" is in the query
        return response
    record = _record_or_404(viewer, public_id, "web.person_detail")
    return _person_page_response(request, viewer, record)


def _person_page_response(
    request: HttpRequest,
    viewer: Viewer,
    record: PersonRecord,
    *,
    consent_form: ConsentForm | None = None,
    extend_form: ConsentExtendForm | None = None,
    wishes_form: PersonWishesForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The person page for a record the caller has fetched through ``access_person``;
    with a bound ``consent_form`` its errors are shown next to its fields."""
    spells = biography(record.person)
    details = person_page(viewer, record, spells=spells)
    may_record = may_record_any_consent(viewer)
    # (step, offer title, its factors in the user's language)
    next_steps: list[tuple[NextStep, str, list[str]]] = []
    excluded_steps: list[tuple[ExcludedOffer, str, list[str]]] = []
    goal_form = NextStepsGoalForm(request.GET or None)
    goal = goal_form.cleaned_data["goal"] if goal_form.is_valid() else ""
    ranked: PersonNextSteps | None
    try:
        ranked = next_steps_of(viewer, record, goal=goal or None, include_excluded=True)
    except PermissionDenied:
        # The refusal of the API's 403 and the command's error: here the page simply
        # has no next-steps section (no goal form, no "propose" buttons).
        ranked = None
    if ranked is not None:
        groups = dict(TargetGroup.objects.values_list("code", "label"))
        next_steps = [
            (s, ranked.titles.get(s.offer, ""), [factor_text(f, groups) for f in s.factors])
            for s in ranked.result.steps
        ]
        excluded_steps = [
            (e, ranked.titles.get(e.offer, ""), [factor_text(f, groups) for f in e.why_not])
            for e in ranked.result.excluded
        ]
    if may_record and consent_form is None:
        consent_form = ConsentForm(initial={"valid_from": timezone.localdate()})
    return render(
        request,
        "people/person_detail.html",
        {
            "record": record,
            "person": record.person,
            "personal": record.personal if record.shows_personal else None,
            "page": details,
            "biography_chart": _biography_chart(record.person, spells, timezone.localdate())
            if spells
            else None,
            "consents": [
                (c, may_change, _extend_form_for(c, extend_form) if may_change else None)
                for c in details.consents
                for may_change in [
                    may_record
                    and not c.withdrawn_at
                    and may_record_consent(viewer, [o.pk for o in c.organisations.all()])
                ]
            ],
            "consent_form": consent_form if may_record else None,
            # A failed extension of a row without a form (e.g. withdrawn meanwhile):
            # its errors are shown above the table instead.
            "extend_errors": extend_form.errors.get(NON_FIELD_ERRORS)
            if extend_form is not None
            and not any(
                c.pk == extend_form.consent_id and not c.withdrawn_at for c in details.consents
            )
            else None,
            "referral_rows": person_referral_rows(viewer, details.referrals),
            "preferred_kinds": [
                OfferKind(k).label if k in OfferKind.values else k
                for k in record.person.preferred_offer_kinds
            ],
            "wishes_form": (wishes_form or PersonWishesForm.for_person(record.person))
            if may_record_wishes(viewer)
            else None,
            "goal_form": goal_form if ranked is not None else None,
            "next_steps": next_steps,
            "excluded_steps": excluded_steps,
        },
        status=status,
    )


def _person_form_post(
    request: HttpRequest,
    public_id: str,
    form: KernForm,
    *,
    save: Callable[[], object],
    done: str,
    view: str,
    may: Callable[[Viewer], bool],
    **page_forms: Any,
) -> HttpResponse:
    """A form posted from the person page: valid and saved, back to the page with
    ``done``; otherwise nothing was saved and the page comes again with the errors next
    to the fields (400). Showing it is a read of the person, so access (404) and the
    role (``may``, else 403) come first."""
    viewer = request_viewer(request)
    if form.is_valid():
        try:
            save()
        except PersonNotFound:
            raise Http404 from None
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, done)
            return redirect("web:person_detail", public_id=public_id)
    record = _record_or_404(viewer, public_id, view)
    if not may(viewer):
        raise PermissionDenied
    return _person_page_response(request, viewer, record, status=400, **page_forms)


@login_required
@require_POST
def consent_give(request: HttpRequest, public_id: str) -> HttpResponse:
    viewer = request_viewer(request)
    form = ConsentForm(request.POST)
    return _person_form_post(
        request,
        public_id,
        form,
        save=lambda: consent_give_as(
            viewer,
            public_id=public_id,
            purpose=form.cleaned_data["purpose"],
            organisation_external_ids=[o.external_id for o in form.cleaned_data["organisations"]],
            valid_from=form.cleaned_data["valid_from"],
            valid_until=form.cleaned_data["valid_until"],
            view="web.consent_give",
        ),
        done=_("Die Einwilligung ist erfasst."),
        view="web.consent_give",
        may=may_record_any_consent,
        consent_form=form,
    )


def _extend_form_for(consent: Consent, bound: ConsentExtendForm | None) -> ConsentExtendForm:
    """The extend form of a consent row: the bound one (with its errors) for the row that
    failed, a fresh one for the others."""
    if bound is not None and bound.consent_id == consent.pk:
        return bound
    return ConsentExtendForm(consent_id=consent.pk, initial={"valid_until": consent.valid_until})


@login_required
@require_POST
def consent_extend(request: HttpRequest, public_id: str, consent_id: int) -> HttpResponse:
    viewer = request_viewer(request)
    form = ConsentExtendForm(request.POST, consent_id=consent_id)
    return _person_form_post(
        request,
        public_id,
        form,
        save=lambda: consent_extend_as(
            viewer,
            consent_id=consent_id,
            public_id=public_id,
            valid_until=form.cleaned_data["valid_until"],
            view="web.consent_extend",
        ),
        done=_("Die Verlängerung ist erfasst."),
        view="web.consent_extend",
        may=may_record_any_consent,
        extend_form=form,
    )


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
def person_wishes(request: HttpRequest, public_id: str) -> HttpResponse:
    """Record the person's stated goal and wished kinds of offer (coordinators and case
    workers who see the person; 404 when the person is not visible, 403 for others)."""
    viewer = request_viewer(request)
    form = PersonWishesForm(request.POST)
    return _person_form_post(
        request,
        public_id,
        form,
        save=lambda: person_wishes_update_as(
            viewer,
            public_id=public_id,
            goal=form.cleaned_data["goal"],
            preferred_offer_kinds=form.cleaned_data["preferred_offer_kinds"],
            view="web.person_wishes",
        ),
        done=_("Ziel und Wünsche sind erfasst."),
        view="web.person_wishes",
        may=may_record_wishes,
        wishes_form=form,
    )
