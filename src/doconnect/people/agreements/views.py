"""Agreement pages under a person: "Vereinbarung schließen" (the form), an agreement
with its items' status changes, closing it, and its PDF. Thin: each starts with
``agreements.access`` (404 for a person or agreement not for the viewer, 403 for a
role without agreements), calls a service or a selector, and renders."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from doconnect.core.models import AuditAction
from doconnect.core.viewers import Viewer, request_viewer
from doconnect.people.access import PersonNotFound, PersonRecord, audit_reads
from doconnect.people.access_rules import Purpose
from doconnect.people.agreements.access import (
    access_agreement,
    access_for_agreements,
    person_and_level,
    require_agreement_work,
)
from doconnect.people.agreements.forms import (
    ROWS_MAX,
    AgreementForm,
    ItemChangeForm,
    item_rows,
    one_more_row,
    writable_organisations,
)
from doconnect.people.agreements.models import ItemSide
from doconnect.people.agreements.pdf import agreement_pdf as render_agreement_pdf
from doconnect.people.agreements.pdf import agreement_pdf_name
from doconnect.people.agreements.selectors import agreement_view
from doconnect.people.agreements.services import (
    agreement_close_as,
    agreement_create_as,
    agreement_item_update_as,
)
from doconnect.people.page_writes import write_from_form

# Zweckbindung: agreements (Eingliederungsvereinbarung) are part of counselling.
PURPOSE = Purpose.COUNSELLING

SIDES = (ItemSide.PERSON.value, ItemSide.INSTITUTION.value)


def _name(record: PersonRecord) -> str:
    personal = record.personal
    return f"{personal.given_name} {personal.family_name}" if personal else ""


@login_required
@require_http_methods(["GET", "POST"])
def agreement_new(request: HttpRequest, public_id: str) -> HttpResponse:
    """The form: the agreement, and rows for both sides. "Weitere Zeile" without
    JavaScript posts back ``add_row`` (a side) and gets the form with one more row."""
    viewer = request_viewer(request)
    try:
        # Who may, before anything is read; the form page reads (and audits) the
        # person only when it is shown, not for a post that saves.
        _person, level = person_and_level(viewer, public_id)
    except PersonNotFound:
        raise Http404 from None
    require_agreement_work(viewer, level)
    organisations = writable_organisations(viewer)
    if request.method != "POST":
        form = AgreementForm.first_time(organisations, timezone.localdate())
        return _form_page(request, viewer, public_id, form, item_rows(viewer, organisations))
    side = request.POST.get("add_row", "")
    if side in SIDES:
        data = one_more_row(request.POST, side)
        rows = item_rows(viewer, organisations, data)
        key = f"{side}-TOTAL_FORMS"
        limit: dict[str, list[str]] = {}
        if data[key] != request.POST.get(key):
            rows[side].forms[-1].fields["text"].widget.attrs["autofocus"] = True
        else:
            limit[side] = [_("Höchstens %(count)s Zeilen je Seite.") % {"count": ROWS_MAX}]
        form = AgreementForm(data, organisations=organisations)
        return _form_page(
            request, viewer, public_id, form, rows, side_errors=limit, submitted=False
        )
    form = AgreementForm(request.POST, organisations=organisations)
    rows = item_rows(viewer, organisations, request.POST)
    side_errors: dict[str, list[str]] = {}
    if form.is_valid() and all(r.is_valid() for r in rows.values()):
        filled = [row for side in SIDES for row in rows[side].filled()]
        try:
            agreement = agreement_create_as(
                viewer,
                public_id=public_id,
                organisation=form.cleaned_data["organisation"],
                title=form.cleaned_data["title"],
                concluded_on=form.cleaned_data["concluded_on"],
                review_on=form.cleaned_data["review_on"],
                items=[row.item() for row in filled],
                view="web.agreement_new",
            )
        except PersonNotFound:
            raise Http404 from None
        except ValidationError as exc:
            side_errors = _place_errors(exc, form, filled)
        else:
            messages.success(request, _("Die Vereinbarung ist geschlossen."))
            return redirect("web:agreement_detail", public_id=public_id, agreement_id=agreement.pk)
    return _form_page(request, viewer, public_id, form, rows, side_errors=side_errors, status=400)


def _place_errors(
    exc: ValidationError, form: AgreementForm, filled: list[Any]
) -> dict[str, list[str]]:
    """The service's errors next to what they name: the agreement's fields on the
    form, ``items.<n>.<field>`` on the n-th filled row, a side's on that side."""
    side_errors: dict[str, list[str]] = {}
    for key, messages_ in exc.message_dict.items():
        if key in ("person_items", "institution_items"):
            side_errors[key.removesuffix("_items")] = messages_
        elif key.startswith("items."):
            _items, n, field = key.split(".", 2)
            row = filled[int(n)]
            row.add_error(field if field in row.fields else None, messages_)
        elif key in form.fields:
            form.add_error(key, messages_)
        else:
            form.add_error(None, messages_)
    return side_errors


def _form_page(
    request: HttpRequest,
    viewer: Viewer,
    public_id: str,
    form: AgreementForm,
    rows: dict[str, Any],
    *,
    side_errors: dict[str, list[str]] | None = None,
    submitted: bool = True,
    status: int = 200,
) -> HttpResponse:
    """The form page (a read of the person, audited); after a submission that saved
    nothing, an alert above the form."""
    try:
        record = access_for_agreements(viewer, public_id, view="web.agreement_new")
    except PersonNotFound:
        raise Http404 from None
    return render(
        request,
        "agreements/agreement_form.html",
        {
            "record": record,
            "person": record.person,
            "name": _name(record),
            "form": form,
            "rows": rows,
            "side_errors": side_errors or {},
            "has_errors": submitted
            and bool(
                side_errors
                or form.errors
                or any(r.total_error_count() for r in rows.values() if r.is_bound)
            ),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def agreement_detail(request: HttpRequest, public_id: str, agreement_id: int) -> HttpResponse:
    viewer = request_viewer(request)
    return _detail_page(request, viewer, public_id, agreement_id, view="web.agreement_detail")


def _detail_page(
    request: HttpRequest,
    viewer: Viewer,
    public_id: str,
    agreement_id: int,
    *,
    view: str,
    bound: ItemChangeForm | None = None,
    bound_item: int | None = None,
    status: int = 200,
) -> HttpResponse:
    try:
        record, agreement = access_agreement(viewer, public_id, agreement_id, view=view)
    except PersonNotFound:
        raise Http404 from None
    shown = agreement_view(viewer, agreement, today=timezone.localdate())
    change_forms = {
        item.item.pk: bound
        if bound is not None and bound_item == item.item.pk
        else ItemChangeForm(
            prefix=f"item-{item.item.pk}",
            initial={"status": item.item.status, "due_on": item.item.due_on},
        )
        for item in shown.items
    }
    return render(
        request,
        "agreements/agreement_detail.html",
        {
            "record": record,
            "person": record.person,
            "name": _name(record),
            "view": shown,
            "agreement": agreement,
            "rows": [
                (side, [(item, change_forms[item.item.pk]) for item in items])
                for side, items in shown.sides
            ],
        },
        status=status,
    )


@login_required
@require_POST
def agreement_item_update(
    request: HttpRequest, public_id: str, agreement_id: int, item_id: int
) -> HttpResponse:
    """Change an item's status and due date; errors next to the fields (400)."""
    viewer = request_viewer(request)
    form = ItemChangeForm(request.POST, prefix=f"item-{item_id}")
    changed = write_from_form(
        form,
        lambda: agreement_item_update_as(
            viewer,
            public_id=public_id,
            agreement_id=agreement_id,
            item_id=item_id,
            status=form.cleaned_data["status"],
            due_on=form.cleaned_data["due_on"],
            view="web.agreement_item_update",
        ),
    )
    if changed is not None:
        messages.success(request, _("Der Punkt ist geändert."))
        return redirect("web:agreement_detail", public_id=public_id, agreement_id=agreement_id)
    return _detail_page(
        request,
        viewer,
        public_id,
        agreement_id,
        view="web.agreement_item_update",
        bound=form,
        bound_item=item_id,
        status=400,
    )


@login_required
@require_POST
def agreement_close(request: HttpRequest, public_id: str, agreement_id: int) -> HttpResponse:
    viewer = request_viewer(request)
    try:
        agreement_close_as(
            viewer, public_id=public_id, agreement_id=agreement_id, view="web.agreement_close"
        )
    except PersonNotFound:
        raise Http404 from None
    messages.success(request, _("Die Vereinbarung ist abgeschlossen."))
    return redirect("web:agreement_detail", public_id=public_id, agreement_id=agreement_id)


@login_required
@require_http_methods(["GET"])
def agreement_pdf(request: HttpRequest, public_id: str, agreement_id: int) -> HttpResponse:
    """The agreement as a PDF to take home; each download is audited as an export."""
    viewer = request_viewer(request)
    try:
        record, agreement = access_agreement(
            viewer, public_id, agreement_id, view="web.agreement_pdf"
        )
    except PersonNotFound:
        raise Http404 from None
    today = timezone.localdate()
    shown = agreement_view(viewer, agreement, today=today)
    body = render_agreement_pdf(record, shown, today=today)
    audit_reads(
        viewer,
        [(record.person.public_id, record.level)],
        view="web.agreement_pdf",
        purpose=PURPOSE,
        action=AuditAction.EXPORT,
        fields=["given_name", "family_name", "agreements"],
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{agreement_pdf_name(record, shown)}"'
    return response
