"""The labour-policy conference's pages: actors, sessions (run end to end by
coordinators), the commitments board, the cooperation network, the programme overlap,
and the public decision log.

Every internal view starts with ``_reader`` (coordinators, case workers, provider
staff, analysts; 403 otherwise) or ``_runner`` (coordinators; 403); a commitment's
status form with ``may_update_commitment``. The public log needs no login and shows
only what is marked public, without reasons or the status trail."""

from __future__ import annotations

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
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from doconnect.core.forms import KernForm
from doconnect.core.job_views import JOB_PAGES, JobPage, start_job_from_form
from doconnect.core.jobs import active_job
from doconnect.core.models import Organisation, OrganisationKind, TargetGroup
from doconnect.core.viewers import Viewer, request_viewer
from doconnect.forum import selectors, services
from doconnect.forum.access import may_read_forum, may_run_conference, may_update_commitment
from doconnect.forum.analyses import cooperation_network, overlap_report
from doconnect.forum.engine.drawing import MILIEU, draw
from doconnect.forum.forms import (
    TIE_KIND_LABELS,
    ActorFilterForm,
    AgendaItemForm,
    BoardFilterForm,
    CommitmentForm,
    CommitmentStatusForm,
    DecisionForm,
    DocumentForm,
    MinutesForm,
    NetworkFilterForm,
    ParticipantForm,
    PublishForm,
    SessionForm,
)
from doconnect.forum.jobs import REMIND_JOB, remind_job_params
from doconnect.forum.models import (
    CommitmentStatus,
    ConferenceDecision,
    ConferenceSession,
    PolicyField,
)
from doconnect.forum.reminders import reminder_days
from doconnect.offers.models import OfferKind

ACTORS_PER_PAGE = 50
COMMITMENTS_PER_PAGE = 50

JOB_PAGES[REMIND_JOB] = JobPage(
    title=gettext_lazy("Erinnerungen werden gesendet"),
    may_view=may_run_conference,
    result_url=lambda job: reverse("web:forum_commitments"),
    back_url=lambda job: reverse("web:forum_commitments"),
    phase_labels={"sending": gettext_lazy("Fällige Zusagen suchen und Erinnerungen senden")},
)


def _reader(request: HttpRequest) -> Viewer:
    viewer = request_viewer(request)
    if not may_read_forum(viewer):
        raise PermissionDenied
    return viewer


def _runner(request: HttpRequest) -> Viewer:
    viewer = request_viewer(request)
    if not may_run_conference(viewer):
        raise PermissionDenied
    return viewer


def _session(pk: int) -> ConferenceSession:
    session = selectors.session_for_page(pk)
    if session is None:
        raise Http404
    return session


# -- actors --------------------------------------------------------------------------


@login_required
@require_GET
def actor_list(request: HttpRequest) -> HttpResponse:
    _reader(request)
    form = ActorFilterForm(request.GET or None)
    criteria = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = selectors.actors(
        kind=criteria.get("kind", ""),
        policy_field=criteria.get("policy_field", ""),
        district=criteria.get("district"),
    )
    page = Paginator(rows, ACTORS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "forum/actor_list.html", {"form": form, "page": page})


@login_required
@require_GET
def actor_detail(request: HttpRequest, external_id: str) -> HttpResponse:
    _reader(request)
    organisation = (
        Organisation.objects.select_related("actor_profile", "district")
        .filter(external_id=external_id)
        .first()
    )
    if organisation is None:
        raise Http404
    profile = getattr(organisation, "actor_profile", None)
    return render(
        request,
        "forum/actor_detail.html",
        {
            "page": selectors.actor_page(organisation),
            "profile": profile,
            "profile_districts": list(profile.districts.all()) if profile else [],
            "today": timezone.localdate(),
            "offer_kinds": dict(OfferKind.choices),
        },
    )


# -- sessions ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def session_list(request: HttpRequest) -> HttpResponse:
    viewer = _reader(request)
    may_run = may_run_conference(viewer)
    form = None
    status = 200
    if may_run:
        form = SessionForm(request.POST if request.method == "POST" else None)
    elif request.method == "POST":
        raise PermissionDenied
    if request.method == "POST" and form is not None:
        if form.is_valid():
            data = form.cleaned_data
            convener = (
                Organisation.objects.filter(pk__in=viewer.orgs_with("coordinator"))
                .order_by("pk")
                .first()
            )
            assert convener is not None  # a coordinator has an organisation
            session = services.session_create(
                title=data["title"],
                kind=data["kind"],
                working_group=data.get("working_group"),
                date=data["date"],
                place=data.get("place", ""),
                convener=convener,
            )
            messages.success(request, _("Sitzung angelegt."))
            return redirect("web:forum_session", pk=session.pk)
        status = 400
    return render(
        request,
        "forum/session_list.html",
        {"sessions": list(selectors.sessions()), "form": form},
        status=status,
    )


def _session_forms(session: ConferenceSession) -> dict[str, KernForm]:
    minutes = getattr(session, "minutes", None)
    return {
        "agenda_form": AgendaItemForm(prefix="agenda"),
        "document_form": DocumentForm(prefix="document"),
        "participant_form": ParticipantForm(prefix="participant"),
        "minutes_form": MinutesForm(
            prefix="minutes", initial={"body": minutes.body if minutes else ""}
        ),
        "decision_form": DecisionForm(session=session),
        "commitment_form": CommitmentForm(session=session),
    }


def _render_session(
    request: HttpRequest,
    session: ConferenceSession,
    *,
    bound: dict[str, KernForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    viewer = request_viewer(request)
    may_run = may_run_conference(viewer)
    context: dict[str, Any] = {
        "session": session,
        "minutes": getattr(session, "minutes", None),
        "may_run": may_run,
        "today": timezone.localdate(),
    }
    if may_run:
        context.update(_session_forms(session))
        context.update(bound or {})
    return render(request, "forum/session_detail.html", context, status=status)


@login_required
@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    return _render_session(request, _session(pk))


def _session_post(
    request: HttpRequest,
    pk: int,
    *,
    name: str,
    make: Any,
    write: Any,
    done: str,
    anchor: str,
) -> HttpResponse:
    """The common path of a session form: coordinator, session, form, service, back to
    the session page; errors next to the fields (400), nothing written."""
    _runner(request)
    session = _session(pk)
    form = make(session, request.POST)
    if form.is_valid():
        try:
            write(session, form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, done)
            return redirect(reverse("web:forum_session", args=[session.pk]) + anchor)
    return _render_session(request, _session(pk), bound={name: form}, status=400)


@login_required
@require_POST
def session_agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _session_post(
        request,
        pk,
        name="agenda_form",
        make=lambda s, data: AgendaItemForm(data, prefix="agenda"),
        write=lambda s, d: services.agenda_item_add(session=s, title=d["title"], body=d["body"]),
        done=_("Tagesordnungspunkt hinzugefügt."),
        anchor="#agenda",
    )


@login_required
@require_POST
def session_document_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _session_post(
        request,
        pk,
        name="document_form",
        make=lambda s, data: DocumentForm(data, prefix="document"),
        write=lambda s, d: services.document_add(
            session=s, title=d["title"], url=d["url"], text=d["text"]
        ),
        done=_("Unterlage hinzugefügt."),
        anchor="#documents",
    )


@login_required
@require_POST
def session_participant_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _session_post(
        request,
        pk,
        name="participant_form",
        make=lambda s, data: ParticipantForm(data, prefix="participant"),
        write=lambda s, d: services.participant_add(
            session=s, organisation=d["organisation"], representative=d["representative"]
        ),
        done=_("Teilnahme erfasst."),
        anchor="#participants",
    )


@login_required
@require_POST
def session_minutes_record(request: HttpRequest, pk: int) -> HttpResponse:
    return _session_post(
        request,
        pk,
        name="minutes_form",
        make=lambda s, data: MinutesForm(data, prefix="minutes"),
        write=lambda s, d: services.minutes_record(
            session=s,
            body=d["body"],
            approve=d["approve"],
            by=request.user,  # type: ignore[arg-type]
        ),
        done=_("Protokoll gespeichert."),
        anchor="#minutes",
    )


@login_required
@require_POST
def session_decision_record(request: HttpRequest, pk: int) -> HttpResponse:
    return _session_post(
        request,
        pk,
        name="decision_form",
        make=lambda s, data: DecisionForm(data, session=s),
        write=lambda s, d: services.decision_record(
            session=s, text=d["text"], agenda_item=d.get("agenda_item"), public=d["public"]
        ),
        done=_("Beschluss gespeichert."),
        anchor="#decisions",
    )


@login_required
@require_POST
def session_commitment_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _session_post(
        request,
        pk,
        name="commitment_form",
        make=lambda s, data: CommitmentForm(data, session=s),
        write=lambda s, d: services.commitment_create(
            decision=d["decision"],
            owner=d["owner"],
            to_whom=d.get("to_whom"),
            what=d["what"],
            due_on=d["due_on"],
            public=d["public"],
            offers=d["offers"],
            districts=d["districts"],
            target_groups=d["target_groups"],
        ),
        done=_("Zusage gespeichert."),
        anchor="#decisions",
    )


@login_required
@require_POST
def decision_publish(request: HttpRequest, pk: int) -> HttpResponse:
    _runner(request)
    decision = ConferenceDecision.objects.filter(pk=pk).first()
    if decision is None:
        raise Http404
    form = PublishForm(request.POST)
    public = form.is_valid() and bool(form.cleaned_data["public"])
    services.decision_publish(decision=decision, public=public)
    messages.success(
        request,
        _("Beschluss ist öffentlich.") if public else _("Beschluss ist nicht mehr öffentlich."),
    )
    return redirect(reverse("web:forum_session", args=[decision.session_id]) + "#decisions")


# -- commitments ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def commitment_board(request: HttpRequest) -> HttpResponse:
    viewer = _reader(request)
    may_run = may_run_conference(viewer)
    today = timezone.localdate()
    remind_form = KernForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        _runner(request)
        started = start_job_from_form(
            request, remind_form, kind=REMIND_JOB, params=lambda: remind_job_params(today)
        )
        if started is not None:
            return started
        status = 400
    form = BoardFilterForm(request.GET or None)
    criteria = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = selectors.commitments(
        today=today, status=criteria.get("status", ""), owner=criteria.get("owner")
    )
    page = Paginator(rows, COMMITMENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "forum/commitment_board.html",
        {
            "form": form,
            "page": page,
            "overdue": list(selectors.overdue(today)),
            "today": today,
            "may_run": may_run,
            "remind_form": remind_form,
            "running": active_job(REMIND_JOB) if may_run else None,
            "reminder_days": reminder_days(),
            "status_labels": dict(CommitmentStatus.choices),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def commitment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _reader(request)
    commitment = selectors.commitment_for_page(pk)
    if commitment is None:
        raise Http404
    may_update = may_update_commitment(viewer, commitment)
    # the list starts at the current status: a change is a choice, not a reset to "offen"
    form = CommitmentStatusForm(
        request.POST if request.method == "POST" else None,
        initial={"status": commitment.status},
    )
    status = 200
    if request.method == "POST":
        if not may_update:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.commitment_update_status(
                    commitment=commitment,
                    status=form.cleaned_data["status"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,  # type: ignore[arg-type]
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Status geändert."))
                return redirect("web:forum_commitment", pk=commitment.pk)
        status = 400
    today = timezone.localdate()
    return render(
        request,
        "forum/commitment_detail.html",
        {
            "commitment": commitment,
            "form": form,
            "may_update": may_update,
            "may_run": may_run_conference(viewer),
            "today": today,
            "effective": commitment.effective_status(today),
            "status_labels": dict(CommitmentStatus.choices),
        },
        status=status,
    )


@login_required
@require_POST
def commitment_publish(request: HttpRequest, pk: int) -> HttpResponse:
    _runner(request)
    commitment = selectors.commitment_for_page(pk)
    if commitment is None:
        raise Http404
    form = PublishForm(request.POST)
    public = form.is_valid() and bool(form.cleaned_data["public"])
    try:
        services.commitment_publish(commitment=commitment, public=public)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Zusage ist öffentlich.") if public else _("Zusage ist nicht öffentlich.")
        )
    return redirect("web:forum_commitment", pk=commitment.pk)


# -- analyses ------------------------------------------------------------------------


@login_required
@require_GET
def network(request: HttpRequest) -> HttpResponse:
    _reader(request)
    form = NetworkFilterForm(request.GET or None)
    criteria = form.cleaned_data if form.is_bound and form.is_valid() else {}
    report = cooperation_network(
        today=timezone.localdate(),
        actor_kinds=criteria.get("actor_kinds") or None,
        tie_kinds=criteria.get("tie_kinds") or None,
    )
    kind_labels = {code: str(label) for code, label in OrganisationKind.choices}
    ranked = [a for a in report.actors if not a.isolated]
    return render(
        request,
        "forum/network.html",
        {
            "form": form,
            "report": report,
            "drawing": draw(report, kind_labels, layout=criteria.get("layout") or MILIEU),
            "ranked": ranked,
            "isolated": [a for a in report.actors if a.isolated],
            "kind_labels": kind_labels,
            "tie_labels": {k: str(v) for k, v in TIE_KIND_LABELS.items()},
            "kind_matrix": [
                (kind_labels.get(a, a), kind_labels.get(b, b), n)
                for (a, b), n in sorted(report.kind_matrix.items())
                if n
            ],
        },
    )


@login_required
@require_GET
def overlap(request: HttpRequest) -> HttpResponse:
    _reader(request)
    report = overlap_report(today=timezone.localdate())
    groups = list(TargetGroup.objects.order_by("code"))
    kinds = list(OfferKind.choices)
    rows = [
        (group, [(label, report.cells[(group.code, code)]) for code, label in kinds])
        for group in groups
    ]
    return render(
        request,
        "forum/overlap.html",
        {"rows": rows, "kinds": kinds, "today": timezone.localdate()},
    )


# -- public --------------------------------------------------------------------------


@require_GET
def public_log(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    decisions = list(selectors.public_decisions())
    return render(
        request,
        "forum/public_log.html",
        {
            "decisions": [
                (d, [(c, c.effective_status(today)) for c in d.commitments.all()])
                for d in decisions
            ],
            "status_labels": dict(CommitmentStatus.choices),
            "today": today,
            "policy_fields": dict(PolicyField.choices),
        },
    )
