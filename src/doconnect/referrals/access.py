"""Which referrals a viewer sees and may act on: one place for the web inbox, the
person page's buttons and the API.

- Provider staff: the referrals *sent* to offers of their own provider organisation(s)
  (a proposal the city has not sent yet is none of the provider's business).
- Coordinators: every referral; case workers: the referrals of persons they may see
  (``people.access.visible_persons``). Both act for the city side.
- Everybody else (analysts, admins, users without membership): none.

``referral_for_actor`` is the lookup every step starts with: the referral, or
``Http404`` for unknown *and* refused alike. Whether the step itself is allowed (state,
side, reason, a free place) is then for ``referrals.services`` to decide."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet, Value
from django.http import Http404
from django.utils import timezone

from doconnect.core.models import Role
from doconnect.core.viewers import Viewer
from doconnect.people.access import visible_persons
from doconnect.people.access_rules import Purpose
from doconnect.referrals import services
from doconnect.referrals import states as transitions
from doconnect.referrals.models import Referral
from doconnect.referrals.states import Side

# Zweckbindung: referrals serve placement into offers; no other consent opens them.
PURPOSE = Purpose.PLACEMENT

CITY_ROLES = (Role.COORDINATOR, Role.CASE_WORKER)
REFERRAL_ROLES = (*CITY_ROLES, Role.PROVIDER_STAFF)


def may_use_referrals(viewer: Viewer) -> bool:
    """The referral inbox and ``GET /api/referrals``: provider staff and the city."""
    return viewer.has_role(*REFERRAL_ROLES)


def referrals_for_viewer(viewer: Viewer, *, today: dt.date | None = None) -> QuerySet[Referral]:
    """The referrals this viewer sees, each annotated with ``for_city`` (the viewer
    acts for the city on it). Two subqueries at most, evaluated in the same query."""
    if not viewer.has_role(*REFERRAL_ROLES):
        return Referral.objects.none()
    for_city: Exists | Value
    if viewer.has_role(Role.COORDINATOR):
        for_city = Value(True, output_field=BooleanField())
    elif viewer.has_role(Role.CASE_WORKER):
        for_city = Exists(
            visible_persons(viewer, purpose=PURPOSE, today=today).filter(pk=OuterRef("person_id"))
        )
    else:
        for_city = Value(False, output_field=BooleanField())
    condition = Q(for_city=True)
    provider_orgs = viewer.orgs_with(Role.PROVIDER_STAFF)
    if provider_orgs:
        condition |= Q(offer__provider_id__in=provider_orgs, sent_at__isnull=False)
    return Referral.objects.annotate(for_city=for_city).filter(condition)


def referral_for_actor(viewer: Viewer, pk: int) -> Referral:
    """The referral ``pk`` if this viewer may act on it (staff of the offer's provider,
    or the city), with offer, provider and person; else ``Http404`` — the same answer
    for "no such referral" and "not yours", so a refusal reveals nothing."""
    referral = (
        referrals_for_viewer(viewer)
        .select_related("offer", "offer__provider", "person")
        .filter(pk=pk)
        .first()
    )
    if referral is None:
        raise Http404("referral")
    return referral


def sides_for(viewer: Viewer, referral: Referral) -> list[Side]:
    """For which sides the viewer acts on ``referral`` (one from ``referrals_for_viewer``
    or ``referral_for_actor``): the offer's provider and/or the city. No query."""
    sides = []
    if getattr(referral, "for_city", False):
        sides.append(Side.CITY)
    if referral.sent_at is not None and referral.offer.provider_id in viewer.orgs_with(
        Role.PROVIDER_STAFF
    ):
        sides.append(Side.PROVIDER)
    return sides


def actions_for(
    viewer: Viewer,
    referral: Referral,
    *,
    sides: list[Side] | None = None,
    today: dt.date | None = None,
) -> list[str]:
    """The steps this viewer may offer on ``referral`` now, in the order of the
    transition table (``transitions.actions_from``); ``sides`` narrows to some sides.
    No accept once the answer period is over (``services.answer_period_over``)."""
    allowed = sides_for(viewer, referral)
    if sides is not None:
        allowed = [s for s in allowed if s in sides]
    too_late = services.answer_period_over(referral, today or timezone.localdate())
    return [
        action
        for action in transitions.STEPS
        if any(action in transitions.actions_from(referral.status, side) for side in allowed)
        and not (action == "accept" and too_late)
    ]


def city_actions(viewer: Viewer, referral: Referral) -> list[str]:
    """The city's steps on a referral shown on a person's page (the caller has fetched
    the person through ``people.access``): for coordinators and case workers."""
    if not viewer.has_role(*CITY_ROLES):
        return []
    return transitions.actions_from(referral.status, Side.CITY)


# The service behind each step a person takes (``expire`` is the platform's own).
STEP_SERVICES: dict[str, Callable[..., Referral]] = {
    "send": services.referral_send,
    "accept": services.referral_accept,
    "decline": services.referral_decline,
    "start": services.referral_start,
    "complete": services.referral_complete,
    "drop_out": services.referral_drop_out,
    "cancel": services.referral_cancel,
}
