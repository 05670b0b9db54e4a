"""Server-rendered pages. Thin: parse the request, ask the access module (or a service),
render. A person page starts with ``access_person``; refused and unknown are both 404."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from doconnect.casework.access import does_casework
from doconnect.casework.selectors import casework_for_page
from doconnect.charts.chart import Chart, Span, chart_export_response, timeline_chart
from doconnect.core.forms import KernForm
from doconnect.core.models import TargetGroup
from doconnect.core.paging import KeptCountPaginator
from doconnect.core.viewers import Viewer, request_viewer
from doconnect.offers.models import OfferKind
from doconnect.pathways.access import next_steps_of
from doconnect.pathways.engine.next_steps import ExcludedOffer, NextStep
from doconnect.pathways.next_steps import PersonNextSteps
from doconnect.pathways.texts import FactorTexts
from doconnect.people.access import (
    PersonNotFound,
    PersonRecord,
    access_person,
    audit_reads,
    levels_for,
    may_list_persons,
    may_search_names,
    records_for_page,
)
from doconnect.people.access_log import access_log
from doconnect.people.access_rules import Level, Purpose
from doconnect.people.agreements.selectors import person_agreements
from doconnect.people.analyst_view import coarsened_lists, statistical_rows
from doconnect.people.consent_actions import (
    consent_extend_as,
    consent_give_as,
    consent_withdraw_as,
    may_record_any_consent,
    may_record_consent,
)
from doconnect.people.duplicate_queue import may_review_duplicates
from doconnect.people.editing_views import editing_for_page
from doconnect.people.forms import (
    PAGE_SIZES,
    ConsentExtendForm,
    ConsentForm,
    NextStepsGoalForm,
    PersonSearchForm,
    PersonWishesForm,
)
from doconnect.people.links import NOT_IN_COARSENED_RECORDS
from doconnect.people.list_columns import DEFAULT_SORT, list_columns, sort_key
from doconnect.people.list_export import EXPORT_FORMATS, person_list_export
from doconnect.people.merging import merged_into
from doconnect.people.models import Consent, Person, Spell
from doconnect.people.person_page import jump_links, page_read_fields, person_actions
from doconnect.people.registration import may_register
from doconnect.people.selectors import PersonCriteria, biography, find_persons, person_page
from doconnect.people.wishes_actions import may_record_wishes, person_wishes_update_as
from doconnect.referrals.selectors import person_referral_rows

PERSONS_PER_PAGE = PAGE_SIZES[0]
# The purpose of every page here (Zweckbindung): the person list, a person's page and
# its forms serve counselling; a consent for another purpose opens none of them.
PURPOSE = Purpose.COUNSELLING
BIOGRAPHY_CHART = "biographie"


def _is_htmx_partial(request: HttpRequest) -> bool:
    """An htmx request for the results only. A history restore (the browser's back
    button after a cache miss) wants the whole page."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def _person_filter(
    request: HttpRequest, viewer: Viewer
) -> tuple[PersonSearchForm, QuerySet[Person], str]:
    """The list's form, the persons it keeps in the order asked for, and that order —
    the same for the page, its htmx update and its export."""
    form = PersonSearchForm(request.GET or None)
    if not may_search_names(viewer):  # no name in the label, no help text about names
        form.fields["q"].label = _("Pseudonym")
        form.fields["q"].help_text = ""
    if not does_casework(viewer):  # no cases of one's own
        del form.fields["mine"]
    sort = sort_key(request.GET.get("sort"))
    if coarsened_lists(viewer):
        # Analysts filter only by what their coarsened records show, in pseudonym order
        # (selectors.find_persons says why).
        hidden = NOT_IN_COARSENED_RECORDS
        for name in hidden:
            del form.fields[name]
        sort = DEFAULT_SORT
        if any(request.GET.get(name) for name in hidden):
            # Such a filter (say from a dashboard link) keeps nobody rather than being
            # dropped, and says why.
            form.add_error(
                None,
                _(
                    "Analysten sehen Personen einzeln nur vergröbert und filtern nicht nach "
                    "Zielgruppe, Status oder Teilnahme; diese Zahlen zeigen die Startseite "
                    "und die Übergangsberichte."
                ),
            )
            return form, Person.objects.none(), sort
    if form.is_bound and not form.is_valid():
        # An unknown filter value (say a stale dashboard link) must not widen the list
        # to everybody: show the errors next to the fields and no persons.
        return form, Person.objects.none(), sort
    data = form.cleaned_data if form.is_bound else {}
    return form, find_persons(viewer, _criteria(data, sort)), sort


@login_required
@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    viewer = request_viewer(request)
    if not may_list_persons(viewer):
        raise PermissionDenied
    names = may_search_names(viewer)
    form, persons, sort = _person_filter(request, viewer)
    per_page = form.cleaned_data.get("per_page") if form.is_bound and form.is_valid() else None
    page = KeptCountPaginator(persons, per_page or PERSONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    shown = list(page.object_list)
    coarse = coarsened_lists(viewer)
    # An analyst's list has no current state: it is not part of the coarsened record.
    columns = {} if coarse else list_columns(viewer, [p.pk for p in shown])
    records = records_for_page(
        viewer,
        shown,
        view="web.person_list",
        purpose=PURPOSE,
        also_read={pk: c.read_fields for pk, c in columns.items()},
    )
    context = {
        "form": form,
        "page": page,
        "rows": statistical_rows(records, columns),
        "records": records,
        "coarse_list": coarse,
        "analyst_k": settings.ANALYST_K,
        "sort": sort,
        "sort_columns": _sort_columns(
            sort, names=names, casework=does_casework(viewer), coarse=coarse
        ),
        "today": timezone.localdate(),
        "may_search_names": names,
        "may_register": may_register(viewer),
        "may_review_duplicates": may_review_duplicates(viewer),
    }
    partial = _is_htmx_partial(request)
    response = render(
        request,
        "people/person_list_results.html" if partial else "people/person_list.html",
        context,
    )
    patch_vary_headers(response, ["HX-Request"])  # two bodies under one address
    return response


@login_required
@require_GET
def person_export(request: HttpRequest) -> HttpResponse:
    """The list as it is filtered and sorted, every person in it (not only one page),
    as CSV or XLSX: what the viewer sees there, names only where they see them, no case
    content; each person exported audited as an ``export``."""
    viewer = request_viewer(request)
    if not may_list_persons(viewer):
        raise PermissionDenied
    fmt = request.GET.get("format", "")
    if fmt not in EXPORT_FORMATS:
        raise Http404
    _form, persons, _sort = _person_filter(request, viewer)
    return person_list_export(viewer, persons, fmt=fmt, view="web.person_export")


@dataclass(frozen=True)
class SortColumn:
    """A sortable header cell: its key, whether (and how) the list is sorted by it,
    and the order a click asks for (ascending first, then the other way round)."""

    key: str
    label: str
    direction: str  # "ascending", "descending" or "" (aria-sort)
    next_sort: str


def _sort_columns(
    sort: str, *, names: bool, casework: bool, coarse: bool = False
) -> dict[str, SortColumn]:
    """The sortable header cells; the name only for viewers who may see names, the
    case-work columns only for viewers who do case work; an analyst's list only by
    pseudonym."""
    labels = {
        "pseudonym": _("Pseudonym"),
        "name": _("Name"),
        "district": _("Stadtbezirk"),
        "state": _("Aktueller Status"),
        "worker": _("Zuständig"),
        "due": _("Nächste Fälligkeit"),
    }
    if not names:
        del labels["name"]
    if not casework:
        del labels["worker"], labels["due"]
    if coarse:
        labels = {"pseudonym": labels["pseudonym"]}
    columns = {}
    for key, label in labels.items():
        direction = "ascending" if sort == key else "descending" if sort == f"-{key}" else ""
        next_sort = f"-{key}" if direction == "ascending" else key
        columns[key] = SortColumn(
            key, label, direction, "" if next_sort == DEFAULT_SORT else next_sort
        )
    return columns


def _criteria(data: dict[str, Any], sort: str = "") -> PersonCriteria:
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
        mine=bool(data.get("mine")),
        sort="" if sort == DEFAULT_SORT else sort,
    )


def _record_or_404(
    viewer: Viewer,
    public_id: str,
    view: str,
    reads: list[str] | None = None,
    *,
    audit: bool = True,
) -> PersonRecord:
    try:
        return access_person(
            viewer, public_id, view=view, purpose=PURPOSE, reads=reads, audit=audit
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
        record = _record_or_404(
            viewer, public_id, "web.person_detail.export", ["spells"], audit=False
        )
        if record.coarsened:  # analysts: no biography (analyst_view)
            raise PermissionDenied
        audit_reads(
            viewer,
            [(record.person.public_id, record.level)],
            view="web.person_detail.export",
            purpose=PURPOSE,
            fields=["spells"],
        )
        spells = biography(record.person)
        chart = _biography_chart(record.person, spells, timezone.localdate())
        response = chart_export_response(request, [chart] if spells else [])
        assert response is not None  # "chart" is in the query
        return response
    try:
        # The page writes its one read event itself, naming everything it showed.
        record = _record_or_404(viewer, public_id, "web.person_detail", audit=False)
    except Http404:
        # A pseudonym merged into another record leads there (links, old files).
        kept = merged_into(viewer, public_id)
        if kept is None:
            raise
        return redirect("web:person_detail", public_id=kept)
    if record.coarsened:
        return _statistical_page(request, viewer, record)
    return _person_page_response(request, viewer, record)


def _statistical_page(request: HttpRequest, viewer: Viewer, record: PersonRecord) -> HttpResponse:
    """A person as an analyst sees them: the pseudonym and the coarsened record only
    (``analyst_view``), one read event naming it."""
    [(_record, _columns, values)] = statistical_rows([record], {})
    audit_reads(
        viewer,
        [(record.person.public_id, record.level)],
        view="web.person_detail",
        purpose=PURPOSE,
        fields=["pseudonymous"],
    )
    return render(
        request,
        "people/person_statistical.html",
        {"person": record.person, "values": values, "analyst_k": settings.ANALYST_K},
    )


# How much of the ranking the page lists: in a city of thousands of offers a person may
# have hundreds of steps and thousands of "why not"s, which nobody reads and which made
# the page seconds slow (issue #19); the rest is counted, and a goal narrows the steps.
SHOWN_STEPS = 25
SHOWN_EXCLUDED = 30


def _person_page_response(
    request: HttpRequest,
    viewer: Viewer,
    record: PersonRecord,
    *,
    consent_form: ConsentForm | None = None,
    extend_form: ConsentExtendForm | None = None,
    wishes_form: PersonWishesForm | None = None,
    status: int = 200,
    view: str = "web.person_detail",
) -> HttpResponse:
    """The person page for a record the caller has fetched through ``access_person``
    without auditing it (``audit=False``): the page writes one read event under
    ``view`` naming every kind of data its sections showed. With a bound
    ``consent_form`` its errors are shown next to its fields."""
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
        ranked = next_steps_of(
            viewer,
            record,
            goal=goal or None,
            include_excluded=True,
            first=SHOWN_STEPS,
            first_excluded=SHOWN_EXCLUDED,
        )
    except PermissionDenied:
        # The refusal of the API's 403 and the command's error: here the page simply
        # has no next-steps section (no goal form, no "propose" buttons).
        ranked = None
    more_steps = more_excluded = 0
    if ranked is not None:
        texts = FactorTexts(TargetGroup.labels())
        steps, excluded = ranked.result.steps, ranked.result.excluded
        next_steps = [
            (s, ranked.titles.get(s.offer, ""), [texts(f) for f in s.factors])
            for s in steps[:SHOWN_STEPS]
        ]
        # The engine gives those with the fewest reasons (the nearest misses) first.
        excluded_steps = [
            (e, ranked.titles.get(e.offer, ""), [texts(f) for f in e.why_not])
            for e in excluded[:SHOWN_EXCLUDED]
        ]
        more_steps = ranked.result.count - len(next_steps)
        more_excluded = ranked.result.excluded_count - len(excluded_steps)
    if may_record and consent_form is None:
        consent_form = ConsentForm(initial={"valid_from": timezone.localdate()})
    editing = editing_for_page(viewer, record, spells)
    casework = casework_for_page(viewer, record, view=view, part_of_page_read=True)
    agreements = person_agreements(viewer, record)
    # The state and what is due; the responsible workers are the case-work section's
    # (read and audited there), not read a second time for the overview.
    overview = list_columns(viewer, [record.person.pk], workers=False)[record.person.pk]
    personal = record.personal if record.shows_personal else None
    audit_reads(
        viewer,
        [(record.person.public_id, record.level)],
        view=view,
        purpose=PURPOSE,
        fields=page_read_fields(
            personal=personal is not None,
            referrals=details.referrals is not None,
            next_steps=ranked is not None,
            agreements=agreements.shows_contents,
            casework=casework,
            overview=overview,
        ),
    )
    return render(
        request,
        "people/person_detail.html",
        {
            "record": record,
            "person": record.person,
            "personal": personal,
            "page": details,
            "overview": overview,
            "today": timezone.localdate(),
            "actions": person_actions(
                viewer,
                record,
                casework=casework,
                next_steps_shown=ranked is not None,
                details_url=editing.details_url,
                spell_new_url=editing.spell_new_url,
            ),
            "jump_links": jump_links(
                casework=casework is not None,
                personal=personal is not None,
                referrals=details.referrals is not None,
                next_steps=ranked is not None,
                audit_trail=details.audit_trail is not None,
            ),
            "access_log": access_log(details.audit_trail)
            if details.audit_trail is not None
            else None,
            "casework": casework,
            "agreements": agreements,
            "biography_chart": editing.chart_with_actions(
                _biography_chart(record.person, spells, timezone.localdate()), spells
            )
            if spells
            else None,
            "editing": editing,
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
            "more_steps": more_steps,
            "more_steps_shown": number_format(more_steps, force_grouping=True),
            "more_excluded": more_excluded,
            "more_excluded_shown": number_format(more_excluded, force_grouping=True),
            # Ranked against an earlier analysis while the worker computes the next.
            "next_steps_as_of": ranked.computed_at
            if ranked is not None and not ranked.current
            else None,
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
    record = _record_or_404(viewer, public_id, view, audit=False)
    if not may(viewer):
        raise PermissionDenied
    return _person_page_response(request, viewer, record, status=400, view=view, **page_forms)


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
            purposes=form.cleaned_data["purposes"],
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
    if levels_for(viewer, [consent.person_id], purpose=PURPOSE)[consent.person_id] is Level.NONE:
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
