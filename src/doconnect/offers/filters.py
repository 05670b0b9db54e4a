"""Reads behind the offer pages: the filtered catalogue, one offer with its follow-ons
and funding, and the persons taking part in it as one viewer may see them.

``find_offers`` with ``OfferCriteria`` is the one offer filter of the catalogue page and
``GET /api/offers``: a filter rule is written here once.

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

from doconnect.core.models import Role, TargetGroup
from doconnect.core.viewers import Viewer
from doconnect.offers.models import FollowOn, FundingLine, Offer
from doconnect.offers.participation import in_active_support, with_free_places
from doconnect.people.access import visible_persons
from doconnect.people.access_rules import Purpose
from doconnect.people.models import Person

# Zweckbindung: an offer's participants are shown for placement (who takes part where).
PURPOSE = Purpose.PLACEMENT

# Who gets the participants section at all (others: the section is absent). Provider
# staff see only their own participants; visible_persons narrows to those. Analysts do
# not: who takes part in which offer would single out the persons that
# people.analyst_view coarsens; they have the figures.
PARTICIPANT_ROLES = (Role.COORDINATOR, Role.CASE_WORKER, Role.PROVIDER_STAFF)


def participants_of(offer_ref: OuterRef | int, day: dt.date) -> QuerySet[Person]:
    """The persons taking part in an offer on ``day``, each once."""
    return in_active_support(Person.objects.all(), day, offer_id=offer_ref)


@dataclass(frozen=True)
class OfferCriteria:
    """What the catalogue is narrowed by; empty means no filter. The catalogue page's
    form and the API's query parameters both become one of these. Districts, target
    groups and providers go by the keys both interfaces take (official key, code,
    external id): an unknown key keeps no offer rather than dropping the filter."""

    text: str = ""  # in the title or the external id
    kind: str = ""
    district: str = ""  # official key: offers *in* that district, not city-wide ones
    target_group: str = ""  # code: offers *for* that group, not those open to all
    provider: str = ""  # external id
    funder: str = ""
    status: str = ""  # empty: every status
    free_only: bool = False  # only offers with a free place on the day


def find_offers(criteria: OfferCriteria, *, day: dt.date) -> QuerySet[Offer]:
    """The catalogue narrowed by ``criteria``, each offer annotated with its free places
    on ``day`` (``participation.with_free_places``), by title."""
    offers = Offer.objects.select_related("provider", "district").prefetch_related(
        Prefetch("target_groups", queryset=TargetGroup.objects.order_by("label"))
    )
    if criteria.text:
        offers = offers.filter(
            Q(title__icontains=criteria.text) | Q(external_id__icontains=criteria.text)
        )
    if criteria.kind:
        offers = offers.filter(kind=criteria.kind)
    if criteria.district:
        offers = offers.filter(district__official_key=criteria.district)
    if criteria.target_group:  # one group: the join cannot repeat an offer
        offers = offers.filter(target_groups__code=criteria.target_group)
    if criteria.provider:
        offers = offers.filter(provider__external_id=criteria.provider)
    if criteria.funder:
        offers = offers.filter(
            pk__in=FundingLine.objects.filter(funder=criteria.funder).values("offer_id")
        )
    if criteria.status:
        offers = offers.filter(status=criteria.status)
    offers = with_free_places(offers, day)
    if criteria.free_only:
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
        visible_persons(viewer, purpose=PURPOSE, today=day)
        .filter(pk__in=participants_of(offer.pk, day).values("pk"))
        .order_by("public_id")
    )
