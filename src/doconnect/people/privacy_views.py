"""Two pages of data protection. ``/privacy/`` ("Betroffenenrechte"): a coordinator finds
a person and hands out their data (Art. 15, a JSON download) or erases them (Art. 17,
with a reason and the pseudonym typed again) — the same ``people.privacy`` functions
``doconnect privacy`` calls. ``/audit/`` ("Zugriffsprotokoll"): the data-protection
officer reads who read whom when — the same ``core.audit`` query ``doconnect audit``
runs. Thin: forms parse, the services decide and audit."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from doconnect.core.audit import audit_events, persons_of
from doconnect.core.models import AuditEvent
from doconnect.core.viewers import Viewer, request_viewer
from doconnect.people.access import PersonNotFound, PersonRecord, access_person
from doconnect.people.access_log import access_log
from doconnect.people.access_rules import Purpose
from doconnect.people.privacy import (
    may_answer_requests,
    may_read_audit_log,
    person_data_export,
    person_erase,
)
from doconnect.people.privacy_forms import AuditFilterForm, ErasureForm, PersonLookupForm

EVENTS_PER_PAGE = 50
LOOKUP_VIEW = "web.privacy_requests"
LOOKUP_PURPOSE = Purpose.DATA_SUBJECT_REQUEST  # Zweckbindung: the person's own request


def _found(viewer: Viewer, public_id: str) -> PersonRecord | None:
    """The person as the coordinator may hand them out, or None (unknown, not visible
    or without a consent covering the coordinator's organisation look the same)."""
    try:
        record = access_person(
            viewer,
            public_id,
            view=LOOKUP_VIEW,
            purpose=LOOKUP_PURPOSE,
            reads=["given_name", "family_name"],
        )
    except PersonNotFound:
        return None
    return record if record.shows_personal else None


def _page(
    request: HttpRequest,
    lookup: PersonLookupForm,
    record: PersonRecord | None,
    erasure: ErasureForm | None,
    *,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "people/privacy_requests.html",
        {"lookup": lookup, "record": record, "erasure": erasure},
        status=status,
    )


@login_required
@require_GET
def privacy_requests(request: HttpRequest) -> HttpResponse:
    viewer = request_viewer(request)
    if not may_answer_requests(viewer):
        raise PermissionDenied
    lookup = PersonLookupForm(request.GET or None)
    record = None
    if lookup.is_bound and lookup.is_valid():
        record = _found(viewer, lookup.cleaned_data["person"])
        if record is None:
            lookup.add_error(
                "person",
                _(
                    "Keine Person mit diesem Pseudonym, deren Einwilligung Ihre "
                    "Organisation einschließt."
                ),
            )
    erasure = ErasureForm(public_id=record.person.public_id) if record else None
    return _page(request, lookup, record, erasure)


@login_required
@require_POST
def privacy_export(request: HttpRequest, public_id: str) -> HttpResponse:
    """The Art. 15 copy as a JSON download."""
    viewer = request_viewer(request)
    if not may_answer_requests(viewer):
        raise PermissionDenied
    try:
        data = person_data_export(viewer=viewer, public_id=public_id, view="web.person_data_export")
    except PersonNotFound as exc:
        raise PermissionDenied from exc  # as for a person without consent: no hint
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="auskunft-{public_id}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def privacy_erase(request: HttpRequest, public_id: str) -> HttpResponse:
    viewer = request_viewer(request)
    if not may_answer_requests(viewer):
        raise PermissionDenied
    record = _found(viewer, public_id)
    if record is None:
        raise PermissionDenied
    erasure = ErasureForm(request.POST, public_id=record.person.public_id)
    if erasure.is_valid():
        try:
            person_erase(
                viewer=viewer,
                public_id=public_id,
                reason=erasure.cleaned_data["reason"],
                view="web.person_erase",
            )
        except ValidationError as exc:
            erasure.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("%(public_id)s ist gelöscht; das Zugriffsprotokoll behält das Pseudonym.")
                % {"public_id": public_id},
            )
            return redirect("web:privacy_requests")
    lookup = PersonLookupForm({"person": public_id})
    lookup.is_valid()
    return _page(request, lookup, record, erasure, status=422)


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """Who read whom when, filterable; actors, views, purposes and pseudonyms only —
    never a name or any other personal detail."""
    viewer = request_viewer(request)
    if not may_read_audit_log(viewer):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.none()
    if not form.is_bound or form.is_valid():
        criteria = form.criteria() if form.is_bound else AuditFilterForm.empty_criteria()
        events = audit_events(criteria).prefetch_related("persons")
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    entries = [(entry, persons_of(entry.event)) for entry in access_log(shown)]
    return render(
        request, "people/audit_log.html", {"form": form, "page": page, "entries": entries}
    )
