"""Reads behind the offer pages: the filtered catalogue, one offer with its follow-ons
and funding, and the persons taking part in it as one viewer may see them.

Free places use the one definition of taking part (``offers/participation.py``), as
``free_places_from_db`` does, but as an annotation: the catalogue can filter and page on
it in the database, in a fixed number of queries whatever the number of offers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)

from doconnect.core.models import District, Role, TargetGroup
from doconnect.core.viewers import Viewer
from doconnect.offers.forms import ALL_STATUSES
from doconnect.offers.models import FollowOn, FundingLine, Offer
from doconnect.offers.participation import in_active_support, with_free_places
from doconnect.people.access import visible_persons
from doconnect.people.models import Person

# Who gets the participants section at all (others: the section is absent). Provider
# staff see only their own participants; visible_persons narrows to those.
PARTICIPANT_ROLES = (Role.COORDINATOR, Role.CASE_WORKER, Role.PROVIDER_STAFF, Role.ANALYST)


def participants_of(offer_ref: OuterRef | int, day: dt.date) -> QuerySet[Person]:
    """The persons taking part in an offer on ``day``, each once."""
    return in_active_support(Person.objects.all(), day, offer_id=offer_ref)


def find_offers(
    *,
    day: dt.date,
    text: str = "",
    kind: str = "",
    district: District | None = None,
    target_group: TargetGroup | None = None,
    funder: str = "",
    status: str = "",
    free_only: bool = False,
) -> QuerySet[Offer]:
    """The catalogue, filtered, by title. A district or target group means offers *in*
    that district or *for* that group (as the API's filter), not city-wide ones too;
    ``status`` "all" (or empty) keeps every status."""
    offers = Offer.objects.select_related("provider", "district").prefetch_related(
        Prefetch("target_groups", queryset=TargetGroup.objects.order_by("label"))
    )
    if text:
        offers = offers.filter(Q(title__icontains=text) | Q(external_id__icontains=text))
    if kind:
        offers = offers.filter(kind=kind)
    if district is not None:
        offers = offers.filter(district=district)
    if target_group is not None:
        offers = offers.filter(target_groups=target_group)
    if funder:
        offers = offers.filter(pk__in=FundingLine.objects.filter(funder=funder).values("offer_id"))
    if status and status != ALL_STATUSES:
        offers = offers.filter(status=status)
    offers = with_free_places(offers, day)
    if free_only:
        offers = offers.filter(free_places__gt=0)  # type: ignore[misc]  # annotated above
    return offers.order_by("title", "external_id")


@dataclass(frozen=True)
class OfferPage:
    """One offer with what its page shows besides the participants."""

    offer: Offer
    taking_part: int
    free_places: int | None
    leads_to: list[FollowOn]  # out: offers and destinations, first choice first
    reached_from: list[FollowOn]  # in: offers that lead here
    funding: list[FundingLine]


def offer_page(external_id: str, day: dt.date) -> OfferPage | None:
    offer = (
        with_free_places(
            Offer.objects.select_related("provider", "district").prefetch_related(
                Prefetch("target_groups", queryset=TargetGroup.objects.order_by("label"))
            ),
            day,
        )
        .filter(external_id=external_id)
        .first()
    )
    if offer is None:
        return None
    return OfferPage(
        offer=offer,
        taking_part=offer.participants,  # type: ignore[attr-defined]
        free_places=offer.free_places,  # type: ignore[attr-defined]
        leads_to=list(
            offer.follow_ons.select_related("to_offer", "to_offer__provider").order_by(
                "position", "id"
            )
        ),
        reached_from=list(
            FollowOn.objects.filter(to_offer=offer)
            .select_related("from_offer", "from_offer__provider")
            .order_by("from_offer__title", "from_offer__external_id")
        ),
        funding=list(offer.funding.order_by("start", "funder", "id")),
    )


def may_see_participants(viewer: Viewer) -> bool:
    return viewer.has_role(*PARTICIPANT_ROLES)


def visible_participants(viewer: Viewer, offer: Offer, day: dt.date) -> list[Person]:
    """The persons taking part in ``offer`` on ``day`` whom this viewer may see, by
    pseudonym. Only counts and lists persons the viewer may see."""
    return list(
        visible_persons(viewer, today=day)
        .filter(pk__in=participants_of(offer.pk, day).values("pk"))
        .order_by("public_id")
    )
