"""Reads about offers. The catalogue export fills the same dataclasses the importer
reads, so both share one canonical form (offers/catalogue.py)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404

from doconnect.core.models import Organisation, OrganisationKind, Role
from doconnect.core.viewers import Viewer
from doconnect.offers.catalogue import (
    Catalogue,
    FundingEntry,
    OfferEntry,
    ProviderEntry,
    Vocabulary,
    catalogue_to_dict,
)
from doconnect.offers.models import (
    Destination,
    FollowOn,
    Funder,
    Offer,
    OfferKind,
    OfferStatus,
)
from doconnect.people.models import LegalBranch


def catalogue_vocabulary() -> Vocabulary:
    return Vocabulary(
        kinds=tuple(OfferKind.values),
        statuses=tuple(OfferStatus.values),
        funders=tuple(Funder.values),
        destinations=tuple(Destination.values),
        # An offer is open to persons under one or both codes of social law; "none" is a
        # person's state, not an eligibility rule.
        legal_branches=(LegalBranch.SGB_II.value, LegalBranch.SGB_III.value),
        default_status=OfferStatus.ACTIVE.value,
    )


def offer_entries(*, external_ids: Collection[str] | None = None) -> list[OfferEntry]:
    """Offers as catalogue entries (all, or those with the given ids), in a fixed
    number of queries."""
    offers = (
        Offer.objects.select_related("provider", "district")
        .prefetch_related(
            "target_groups",
            "funding",
            Prefetch(
                "follow_ons",
                queryset=FollowOn.objects.select_related("to_offer").order_by("position", "id"),
            ),
        )
        .order_by("external_id")
    )
    if external_ids is not None:
        offers = offers.filter(external_id__in=list(external_ids))
    return [
        OfferEntry(
            id=offer.external_id,
            provider=offer.provider.external_id,
            title=offer.title,
            kind=offer.kind,
            status=offer.status,
            occupations=tuple(sorted(offer.occupations or [])),
            description=offer.description,
            district=offer.district.name if offer.district else None,
            capacity=offer.capacity,
            target_groups=tuple(sorted(tg.code for tg in offer.target_groups.all())),
            min_age=offer.min_age,
            max_age=offer.max_age,
            legal_branches=tuple(sorted(offer.legal_branches or [])),
            other_rules=offer.other_rules,
            start=offer.start,
            end=offer.end,
            funding=tuple(
                FundingEntry(f.funder, f.amount_eur, f.start, f.end) for f in offer.funding.all()
            ),
            follow_ons=tuple(f.reference for f in offer.follow_ons.all()),
        )
        for offer in offers
    ]


def provider_entries() -> list[ProviderEntry]:
    """Every provider organisation, with or without offers: the landscape includes
    providers between programmes. Offers run by other kinds of organisation (the city,
    the Jobcenter) name them as provider; they are not listed, since they are not
    providers and an import resolves them from the database."""
    return [
        ProviderEntry(
            id=org.external_id, name=org.name, district=org.district.name if org.district else None
        )
        for org in Organisation.objects.filter(kind=OrganisationKind.PROVIDER)
        .select_related("district")
        .order_by("external_id")
    ]


def catalogue_export() -> dict[str, Any]:
    """The whole offer catalogue in the import format, sorted by id."""
    return catalogue_to_dict(
        Catalogue(file="", providers=tuple(provider_entries()), offers=tuple(offer_entries()))
    )


def may_edit_offer(viewer: Viewer, offer: Offer) -> bool:
    """Coordinators keep the city's catalogue, so they may change any offer; a
    provider's staff changes only the offers of their own provider."""
    return viewer.has_role(Role.COORDINATOR) or offer.provider_id in viewer.orgs_with(
        Role.PROVIDER_STAFF
    )


def offer_for_edit(viewer: Viewer, external_id: str) -> Offer:
    """The offer this viewer is about to change, or a refusal: ``Http404`` when there is
    no such offer, ``PermissionDenied`` when the viewer may not change it. The edit page
    and the API's PATCH both start here, so they refuse exactly the same people."""
    offer = Offer.objects.select_related("provider", "district").filter(external_id=external_id)
    found = offer.first()
    if found is None:
        raise Http404(external_id)
    if not may_edit_offer(viewer, found):
        raise PermissionDenied
    return found
