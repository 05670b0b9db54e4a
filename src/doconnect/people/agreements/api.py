"""Agreement endpoints under a person. Each calls the same access, selector and service
functions as the pages: 404 for a person (or agreement) the caller may not see, 403 for
a role without agreements, 422 with field names for what the service refuses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router
from ninja.responses import Status

from doconnect.core.api.auth import viewer
from doconnect.core.api.schemas import ErrorOut
from doconnect.people.agreements.access import (
    access_for_agreements,
    agreement_for,
    items_with_owners,
)
from doconnect.people.agreements.models import Agreement, AgreementItem
from doconnect.people.agreements.schemas import (
    AgreementIn,
    AgreementItemOut,
    AgreementItemPatch,
    AgreementOut,
)
from doconnect.people.agreements.selectors import person_agreements
from doconnect.people.agreements.services import (
    ItemInput,
    agreement_create_as,
    agreement_item_update_as,
)

router = Router(tags=["agreements"])

REFUSALS = {403: ErrorOut, 404: ErrorOut}


def item_body(item: AgreementItem, today: dt.date) -> dict[str, Any]:
    return {
        "id": item.pk,
        "side": item.side,
        "text": item.text,
        "due_on": item.due_on,
        "status": item.status,
        "overdue": item.overdue(today),
        "owner_organisation": item.owner_organisation.external_id
        if item.owner_organisation
        else None,
        "owner_user": item.owner_user.get_username() if item.owner_user else None,
    }


def agreement_body(agreement: Agreement, public_id: str, today: dt.date) -> dict[str, Any]:
    """An agreement loaded with its organisation, author and ``items_with_owners()``."""
    items = sorted(
        agreement.items.all(), key=lambda i: (i.side != "person", i.due_on or dt.date.max, i.pk)
    )
    return {
        "id": agreement.pk,
        "person": public_id,
        "organisation": agreement.organisation.external_id,
        "title": agreement.title,
        "concluded_on": agreement.concluded_on,
        "review_on": agreement.review_on,
        "review_due": agreement.review_due(today),
        "status": agreement.status,
        "created_at": agreement.created_at,
        "created_by": agreement.created_by.get_username() if agreement.created_by else None,
        "items": [item_body(i, today) for i in items],
    }


def _loaded(agreement_id: int) -> Agreement:
    return (
        Agreement.objects.select_related("organisation", "created_by")
        .prefetch_related(items_with_owners())
        .get(pk=agreement_id)
    )


@router.get(
    "/persons/{public_id}/agreements",
    response={200: list[AgreementOut], **REFUSALS},
    summary="A person's agreements the caller may read",
)
def list_agreements(request: HttpRequest, public_id: str) -> list[dict[str, Any]]:
    """Coordinators and case workers who see the person with personal data read every
    agreement; provider staff those their organisation is part of. Audited as a read."""
    who = viewer(request)
    record = access_for_agreements(who, public_id, view="api.agreements", reads=("agreements",))
    today = timezone.localdate()
    return [
        agreement_body(shown.agreement, public_id, today)
        for shown in person_agreements(who, record, today=today).agreements
    ]


@router.post(
    "/persons/{public_id}/agreements",
    response={201: AgreementOut, 422: ErrorOut, **REFUSALS},
    summary="Conclude an agreement with its items",
)
def create_agreement(request: HttpRequest, public_id: str, body: AgreementIn) -> Status[Any]:
    """For one of the caller's own organisations, with at least one item on each side;
    every institution item names the organisation that guarantees it. Audited as a
    ``change``."""
    agreement = agreement_create_as(
        viewer(request),
        public_id=public_id,
        organisation=body.organisation,
        title=body.title,
        concluded_on=body.concluded_on,
        review_on=body.review_on,
        items=[
            ItemInput(
                side=item.side,
                text=item.text,
                due_on=item.due_on,
                owner_organisation=item.owner_organisation,
                owner_user=item.owner_user,
            )
            for item in body.items
        ],
        view="api.agreement_create",
    )
    return Status(201, agreement_body(_loaded(agreement.pk), public_id, timezone.localdate()))


@router.get(
    "/persons/{public_id}/agreements/{agreement_id}",
    response={200: AgreementOut, **REFUSALS},
    summary="One agreement",
)
def get_agreement(request: HttpRequest, public_id: str, agreement_id: int) -> dict[str, Any]:
    who = viewer(request)
    record = access_for_agreements(who, public_id, view="api.agreement", reads=("agreements",))
    agreement = agreement_for(who, record, agreement_id)
    return agreement_body(agreement, public_id, timezone.localdate())


@router.patch(
    "/persons/{public_id}/agreements/{agreement_id}/items/{item_id}",
    response={200: AgreementItemOut, 422: ErrorOut, **REFUSALS},
    summary="Change an item's status or due date",
)
def patch_item(
    request: HttpRequest, public_id: str, agreement_id: int, item_id: int, body: AgreementItemPatch
) -> dict[str, Any]:
    """By a caller whose organisation is part of the agreement; items of a closed
    agreement stay as they are (422). Audited as a ``change``."""
    item = agreement_item_update_as(
        viewer(request),
        public_id=public_id,
        agreement_id=agreement_id,
        item_id=item_id,
        status=body.status,
        due_on=body.due_on,
        view="api.agreement_item_update",
    )
    loaded = AgreementItem.objects.select_related(
        "agreement", "owner_organisation", "owner_user"
    ).get(pk=item.pk)
    return item_body(loaded, timezone.localdate())
