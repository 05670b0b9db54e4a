"""The referral inbox and the referral steps.

``/referrals/`` lists the referrals the viewer sees (``referrals.access``): provider
staff the ones sent to their own offers, grouped by what is to be done; coordinators
and case workers see the city's view of the same (with the proposals not sent yet).
Every step is a POST to ``/referrals/<pk>/<action>/``: ``referral_for_actor`` first
(404 when unknown or refused), then the step's form, then the service — which decides
whether the step is allowed (state, side, reason, a free place)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from doconnect.core.viewers import Viewer, request_viewer
from doconnect.offers.models import Offer
from doconnect.pathways.access import access_person_for_next_steps
from doconnect.people.access import PersonNotFound, records_for_page
from doconnect.people.access_rules import Purpose
from doconnect.referrals import services
from doconnect.referrals.access import (
    CITY_ROLES,
    STEP_SERVICES,
    actions_for,
    may_use_referrals,
    referral_for_actor,
    referrals_for_viewer,
)
from doconnect.referrals.forms import ReferralFilterForm, StepForm, step_form_class
from doconnect.referrals.models import Referral, ReferralStatus
from doconnect.referrals.selectors import ACTION_LABELS, Action, Row
from doconnect.referrals.services import referral_create

# Zweckbindung: referrals serve placement into offers; no other consent opens them.
PURPOSE = Purpose.PLACEMENT

ROWS_PER_SECTION = 25
FINISHED_DAYS = 90


DONE_MESSAGES = {
    "send": gettext_lazy("Die Zuweisung zu %(offer)s ist gesendet."),
    "accept": gettext_lazy("Die Zuweisung zu %(offer)s ist angenommen; ein Platz ist gebucht."),
    "decline": gettext_lazy("Die Zuweisung zu %(offer)s ist abgelehnt."),
    "start": gettext_lazy("Die Teilnahme an %(offer)s ist begonnen."),
    "complete": gettext_lazy(
        "Die Teilnahme an %(offer)s ist abgeschlossen; die Biographie ist fortgeschrieben."
    ),
    "drop_out": gettext_lazy(
        "Der Abbruch von %(offer)s ist erfasst; die Biographie ist fortgeschrieben."
    ),
    "cancel": gettext_lazy("Die Zuweisung zu %(offer)s ist zurückgezogen."),
}

# The last section: referrals that ended in the last FINISHED_DAYS days.
FINISHED_STATES = (
    ReferralStatus.COMPLETED,
    ReferralStatus.DROPPED_OUT,
    ReferralStatus.DECLINED,
    ReferralStatus.EXPIRED,
    ReferralStatus.CANCELLED,
)

SECTION_OF_STATUS: dict[str, str] = {
    ReferralStatus.PROPOSED: "proposed",
    ReferralStatus.SENT: "waiting",
    ReferralStatus.ACCEPTED: "accepted",
    ReferralStatus.STARTED: "started",
}

# Steps that need more than a click get a form in a <details> disclosure.
FORM_ACTIONS = ("decline", "complete", "drop_out")


@dataclass
class Section:
    """One group of the inbox. Only the chosen one is shown with its rows (``page``);
    the others are links with their counts, so the page stays short however many
    referrals wait (issue #17: 659 sent at once made the page 12,000 px tall)."""

    key: str
    title: str
    count: int
    url: str
    page: Page[Referral] | None = None
    rows: list[Row] = field(default_factory=list)
    previous_url: str = ""
    next_url: str = ""


@dataclass
class Failed:
    """A step whose form was refused: re-rendered in its row with the errors."""

    referral: Referral
    action: str
    form: StepForm


def _sections(
    viewer: Viewer, referrals: QuerySet[Referral], day: dt.date
) -> list[tuple[str, str, QuerySet[Referral]]]:
    since = timezone.make_aware(
        dt.datetime.combine(day - dt.timedelta(days=FINISHED_DAYS), dt.time())
    )
    sections = []
    # Proposals are the city's alone: ``referrals_for_viewer`` shows provider staff only
    # referrals that were sent.
    if viewer.has_role(*CITY_ROLES):
        sections.append(
            (
                "proposed",
                _("Vorgeschlagen, noch nicht gesendet"),
                referrals.filter(status=ReferralStatus.PROPOSED).order_by("created_at", "pk"),
            )
        )
    sections += [
        (
            "waiting",
            _("Warten auf Antwort"),
            referrals.filter(status=ReferralStatus.SENT).order_by("sent_at", "pk"),
        ),
        (
            "accepted",
            _("Angenommen, noch nicht begonnen"),
            referrals.filter(status=ReferralStatus.ACCEPTED).order_by("answered_at", "pk"),
        ),
        (
            "started",
            _("Laufend"),
            referrals.filter(status=ReferralStatus.STARTED).order_by("updated_at", "pk"),
        ),
        (
            "finished",
            _("Kürzlich beendet (letzte %(days)d Tage)") % {"days": FINISHED_DAYS},
            referrals.filter(status__in=FINISHED_STATES, updated_at__gte=since).order_by(
                "-updated_at", "-pk"
            ),
        ),
    ]
    return sections


# Stands for a row's referral id in a blank step form rendered once per request (see
# ``_blank_fields``); no id of Django's or ours contains it.
_ROW_TOKEN = "ROWID"  # noqa: S105 - a placeholder, not a secret


def _blank_fields(name: str, day: dt.date, rendered: dict[str, str]) -> str:
    """The fields of ``name``'s blank form in a given row, as HTML: rendered once per
    request and action (``rendered``), then given each row's ids. The blank forms of
    all rows differ only in their ids (``StepForm``'s ``auto_id``), and rendering a
    form through its widget templates cost a third of the inbox's time under load."""
    if name not in rendered:
        initial = {"on": day} if name != "decline" else {}
        form = step_form_class(name)(initial=initial, auto_id=f"id_r{_ROW_TOKEN}_{name}_%s")
        rendered[name] = form.as_div()
    return rendered[name]


def _actions(
    viewer: Viewer,
    referral: Referral,
    failed: Failed | None,
    day: dt.date,
    rendered: dict[str, str],
) -> list[Action]:
    actions = []
    for name in actions_for(viewer, referral, today=day):
        action = Action(name=name, label=str(ACTION_LABELS[name]))
        if name in FORM_ACTIONS:
            if failed is not None and failed.referral.pk == referral.pk and failed.action == name:
                action.open = True
                action.fields = failed.form.as_div()
            else:
                blank = _blank_fields(name, day, rendered)
                # Only ids change: the markup stays what the form rendered (safe).
                action.fields = mark_safe(  # noqa: S308
                    blank.replace(f"id_r{_ROW_TOKEN}_", f"id_r{referral.pk}_")
                )
        actions.append(action)
    return actions


def _inbox_response(
    request: HttpRequest, viewer: Viewer, *, failed: Failed | None = None, status: int = 200
) -> HttpResponse:
    day = timezone.localdate()
    visible = referrals_for_viewer(viewer, today=day)
    form = ReferralFilterForm(
        request.GET or None,
        offers=Offer.objects.filter(pk__in=visible.values("offer_id")),
    )
    referrals = visible.select_related("offer", "offer__provider", "person")
    if form.is_bound and form.is_valid() and form.cleaned_data.get("offer"):
        referrals = referrals.filter(offer=form.cleaned_data["offer"])
    groups = _sections(viewer, referrals, day)
    sections = [
        Section(key=key, title=title, count=rows.count(), url=_section_url(request, key))
        for key, title, rows in groups
    ]
    chosen = _chosen_section(request, sections, failed)
    shown_rows = next(rows for key, _title, rows in groups if key == chosen.key)
    chosen.page = Paginator(shown_rows, ROWS_PER_SECTION).get_page(request.GET.get("page"))
    persons = {r.person_id: r.person for r in chosen.page.object_list}
    records = {
        record.person.pk: record
        for record in records_for_page(
            viewer,
            list(persons.values()),
            view="web.referral_inbox",
            purpose=PURPOSE,
        )
    }
    soon = dt.timedelta(days=settings.REFERRAL_REMINDER_DAYS)
    shown = False
    rendered: dict[str, str] = {}
    chosen.previous_url, chosen.next_url = _page_links(request, chosen)
    for referral in chosen.page.object_list:
        row = Row(referral=referral, record=records.get(referral.person_id))
        if referral.status == ReferralStatus.SENT and referral.sent_at is not None:
            row.deadline = services.answer_deadline(timezone.localtime(referral.sent_at).date())
            row.overdue = row.deadline < day
            row.due_soon = not row.overdue and row.deadline - day <= soon
        row.actions = _actions(viewer, referral, failed, day, rendered)
        shown = shown or (failed is not None and failed.referral.pk == referral.pk)
        chosen.rows.append(row)
    return render(
        request,
        "referrals/referral_inbox.html",
        {
            "form": form,
            "sections": sections,
            "chosen": chosen,
            "failed": failed,
            # A failed form whose row is not on this page: shown above the sections.
            "failed_elsewhere": failed if failed is not None and not shown else None,
            "failed_label": ACTION_LABELS[failed.action] if failed is not None else "",
            "today": day,
            "next_url": _safe_next(request) if failed is not None else request.get_full_path(),
        },
        status=status,
    )


@login_required
@require_GET
def referral_inbox(request: HttpRequest) -> HttpResponse:
    viewer = request_viewer(request)
    if not may_use_referrals(viewer):
        raise PermissionDenied
    return _inbox_response(request, viewer)


def _section_url(request: HttpRequest, key: str) -> str:
    """A section's address, keeping the filter (and starting at its first page)."""
    query = request.GET.copy()
    query["section"] = key
    query.pop("page", None)
    return f"?{query.urlencode()}"


def _chosen_section(
    request: HttpRequest, sections: list[Section], failed: Failed | None
) -> Section:
    """The section asked for; else the one of a refused step's referral; else the first
    with referrals in it (what is to be done first)."""
    by_key = {section.key: section for section in sections}
    wanted = request.GET.get("section", "")
    if wanted in by_key:
        return by_key[wanted]
    if failed is not None:
        key = SECTION_OF_STATUS.get(failed.referral.status)
        if key in by_key:
            return by_key[key]
    return next((section for section in sections if section.count), sections[0])


def _page_links(request: HttpRequest, section: Section) -> tuple[str, str]:
    """The addresses of the shown section's previous and next page, keeping the
    filter and the section."""

    def link(number: int) -> str:
        query = request.GET.copy()
        query["section"] = section.key
        query["page"] = str(number)
        return f"?{query.urlencode()}#section-{section.key}"

    page = section.page
    assert page is not None
    return (
        link(page.previous_page_number()) if page.has_previous() else "",
        link(page.next_page_number()) if page.has_next() else "",
    )


def _safe_next(request: HttpRequest) -> str:
    """``next`` when it is a local address of this site, else the inbox."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("web:referral_inbox")


def _back(request: HttpRequest) -> HttpResponse:
    return redirect(_safe_next(request))


@login_required
@require_POST
def referral_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One step on one referral: the lookup (404 when refused), the form, the
    service; a refusal by the service is a message naming the offer, nothing
    changed; a form error re-renders the inbox with 400."""
    if action not in STEP_SERVICES:
        raise Http404(action)
    viewer = request_viewer(request)
    referral = referral_for_actor(viewer, pk)
    form = step_form_class(action)(request.POST, referral_id=referral.pk)
    if form.is_valid():
        try:
            STEP_SERVICES[action](referral=referral, actor=request.user, **form.service_arguments())
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and set(exc.error_dict) & set(form.fields):
                form.add_service_errors(exc)
            else:
                messages.error(request, refusal_text(referral, exc))
                return _back(request)
        except PermissionDenied as exc:
            messages.error(request, refusal_text(referral, exc))
            return _back(request)
        else:
            messages.success(request, str(DONE_MESSAGES[action]) % {"offer": referral.offer.title})
            return _back(request)
    return _inbox_response(request, viewer, failed=Failed(referral, action, form), status=400)


def refusal_text(referral: Referral, exc: ValidationError | PermissionDenied) -> str:
    reasons = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
    return _("Die Zuweisung zu %(offer)s wurde nicht geändert: %(reasons)s") % {
        "offer": referral.offer.title,
        "reasons": " ".join(r for r in reasons if r) or _("nicht erlaubt."),
    }


@login_required
@require_POST
def referral_propose(request: HttpRequest, public_id: str) -> HttpResponse:
    """Propose one of the person's next steps as a referral: access first (404 when
    refused), then the next-steps rule (coordinator or case worker, else 403 with the
    refusal of the API and the command)."""
    viewer = request_viewer(request)
    try:
        record = access_person_for_next_steps(viewer, public_id, view="web.referral_propose")
    except PersonNotFound:
        raise Http404 from None
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
