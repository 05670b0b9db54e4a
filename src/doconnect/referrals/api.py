"""Referral endpoints: the list a caller sees and the steps they take. Both start with
``referrals.access`` (the same lookup as the web inbox: 404 for unknown *and* refused),
validate the step's input with the web's step forms and call the same services."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.responses import Status

from doconnect.core.api.auth import viewer
from doconnect.core.api.pagination import page_body, page_of
from doconnect.core.api.schemas import ErrorOut, Page, PageParams
from doconnect.core.viewers import Viewer
from doconnect.people.access import PersonRecord, levels_for, records_for_page
from doconnect.people.access_rules import Level, Purpose
from doconnect.referrals.access import (
    STEP_SERVICES,
    actions_for,
    may_use_referrals,
    referral_for_actor,
    referrals_for_viewer,
)
from doconnect.referrals.forms import step_form_class
from doconnect.referrals.models import Referral
from doconnect.referrals.schemas import ReferralFilter, ReferralOut, ReferralStepIn, StepErrorOut
from doconnect.referrals.services import answer_deadline

# Zweckbindung: referrals serve placement into offers; no other consent opens them.
PURPOSE = Purpose.PLACEMENT

router = Router(tags=["referrals"])


def referral_body(who: Viewer, referral: Referral, record: PersonRecord | None) -> dict[str, Any]:
    """A referral as JSON for this viewer: the pseudonym only where the viewer may see
    the person, the ``person_name`` key only at level PERSONAL."""
    offer = referral.offer
    body: dict[str, Any] = {
        "id": referral.pk,
        "person": referral.person.public_id if record is not None else None,
        "offer": {
            "external_id": offer.external_id,
            "title": offer.title,
            "provider": offer.provider.external_id,
        },
        "status": referral.status,
        "created_at": referral.created_at,
        "sent_at": referral.sent_at,
        "answer_by": answer_deadline(timezone.localdate(referral.sent_at))
        if referral.sent_at is not None and referral.status == "sent"
        else None,
        "answered_at": referral.answered_at,
        "decline_reason": referral.decline_reason,
        "actions": actions_for(who, referral),
    }
    if record is not None and record.shows_personal and record.personal is not None:
        body["person_name"] = f"{record.personal.given_name} {record.personal.family_name}"
    return body


@router.get(
    "/referrals",
    response=Page[ReferralOut],
    exclude_unset=True,
    summary="Referrals the caller sees",
)
def list_referrals(
    request: HttpRequest, filters: Query[ReferralFilter], paging: Query[PageParams]
) -> dict[str, object]:
    """Provider staff: the referrals sent to their own offers; coordinators: all;
    case workers: those of persons they may see (others 403). Newest first. Names
    appear only where allowed, and each person shown with a name is audited."""
    who = viewer(request)
    if not may_use_referrals(who):
        raise HttpError(403, "Forbidden")
    referrals = referrals_for_viewer(who).select_related("offer", "offer__provider", "person")
    if filters.status:
        referrals = referrals.filter(status=filters.status)
    if filters.offer:
        referrals = referrals.filter(offer__external_id=filters.offer)
    page, count = page_of(referrals.order_by("-created_at", "-id"), paging)
    persons = {r.person_id: r.person for r in page}
    records = {
        record.person.pk: record
        for record in records_for_page(
            who, list(persons.values()), view="api.referral_list", purpose=PURPOSE
        )
    }
    return page_body([referral_body(who, r, records.get(r.person_id)) for r in page], count, paging)


@router.post(
    "/referrals/{referral_id}/{action}",
    response={
        200: ReferralOut,
        400: StepErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: StepErrorOut,
    },
    exclude_unset=True,
    summary="Take a step on a referral",
)
def referral_step(request: HttpRequest, referral_id: int, action: str, body: ReferralStepIn) -> Any:
    """``action``: send or cancel (coordinator, case worker); accept, decline, start,
    complete or drop_out (staff of the offer's provider). 404 when the referral is
    unknown or not the caller's; 400 for a bad body (the field named in ``detail``);
    403 for a step of the other side; 422 when the step is refused (``code``: ``full``
    when the offer is booked out, ``state`` when not possible from the current
    status, ``expired`` for an accept past the answer date), nothing changed."""
    if action not in STEP_SERVICES:
        raise Http404(action)
    who = viewer(request)
    referral = referral_for_actor(who, referral_id)
    data = body.dict()
    data["on"] = body.on.isoformat() if body.on else ""
    form = step_form_class(action)(data, referral_id=referral.pk)
    if not form.is_valid():
        return Status(400, {"detail": {name: list(errors) for name, errors in form.errors.items()}})
    actor = getattr(request, "auth", None)  # the user behind the token or the session
    assert isinstance(actor, AbstractBaseUser)
    try:
        STEP_SERVICES[action](referral=referral, actor=actor, **form.service_arguments())
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and set(exc.error_dict) & set(form.fields):
            return Status(400, {"detail": exc.message_dict})
        return Status(
            422, {"detail": {"__all__": exc.messages}, "code": getattr(exc, "code", None)}
        )
    level = levels_for(who, [referral.person_id], purpose=PURPOSE)[referral.person_id]
    record = PersonRecord(person=referral.person, level=level, personal=None)
    return referral_body(who, referral, record if level > Level.NONE else None)
