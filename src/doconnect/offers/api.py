"""Non-personal endpoints: offers, providers, districts. Anybody with a
membership may read them; a login without membership gets 403. Changing an offer is
for coordinators and the offer's own provider staff (``offer_for_edit``, as on the
web page)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router

from doconnect.core.api.auth import require_membership, viewer
from doconnect.core.api.pagination import page_body, page_of
from doconnect.core.api.schemas import DistrictOut, ErrorOut, Page, PageParams, district_body
from doconnect.core.models import District, Organisation, OrganisationKind, TargetGroup
from doconnect.offers.filters import OfferCriteria, find_offers
from doconnect.offers.models import Offer
from doconnect.offers.schemas import (
    OfferDetailOut,
    OfferFilter,
    OfferOut,
    OfferPatchIn,
    ProviderOut,
)
from doconnect.offers.selectors import offer_for_edit
from doconnect.offers.services import OfferChanges, offer_update

router = Router(tags=["landscape"])


def _offer_body(offer: Offer) -> dict[str, Any]:
    return {
        "external_id": offer.external_id,
        "title": offer.title,
        "kind": offer.kind,
        "status": offer.status,
        "provider": {"external_id": offer.provider.external_id, "name": offer.provider.name},
        "district": district_body(offer.district),
        "target_groups": sorted(tg.code for tg in offer.target_groups.all()),
        "capacity": offer.capacity,
        "start": offer.start,
        "end": offer.end,
        "min_age": offer.min_age,
        "max_age": offer.max_age,
        "legal_branches": list(offer.legal_branches or []),
        "occupations": list(offer.occupations or []),
    }


@router.get("/offers", response=Page[OfferOut], summary="Offers of all providers")
def list_offers(
    request: HttpRequest, filters: Query[OfferFilter], paging: Query[PageParams]
) -> dict[str, object]:
    require_membership(request)
    # The catalogue page's filter (find_offers), with the parameters the API offers;
    # unlike the page, every status unless one is asked for.
    criteria = OfferCriteria(
        kind=filters.kind or "",
        status=filters.status or "",
        district=filters.district or "",
        provider=filters.provider or "",
    )
    offers = find_offers(criteria, day=timezone.localdate())
    page, count = page_of(offers.order_by("external_id"), paging)
    return page_body([_offer_body(o) for o in page], count, paging)


def _offer_detail_body(external_id: str) -> dict[str, Any]:
    offer = get_object_or_404(
        Offer.objects.select_related("provider", "district").prefetch_related(
            "target_groups", "funding", "follow_ons__to_offer"
        ),
        external_id=external_id,
    )
    return {
        **_offer_body(offer),
        "description": offer.description,
        "other_rules": offer.other_rules,
        "follow_ons": [
            {
                "position": f.position,
                "to_offer": f.to_offer.external_id if f.to_offer else None,
                "destination": f.destination or None,
            }
            for f in offer.follow_ons.all()
        ],
        "funding": [
            {"funder": f.funder, "amount_eur": f.amount_eur, "start": f.start, "end": f.end}
            for f in offer.funding.all()
        ],
    }


@router.get(
    "/offers/{external_id}",
    response={200: OfferDetailOut, 404: ErrorOut},
    summary="One offer with its follow-ons and funding",
)
def get_offer(request: HttpRequest, external_id: str) -> dict[str, Any]:
    require_membership(request)
    return _offer_detail_body(external_id)


def _changes(body: OfferPatchIn) -> OfferChanges:
    """The request's fields as the service's changes; districts and target groups are
    looked up by their keys (unknown ones are a 422 for that field)."""
    given: dict[str, Any] = body.dict(exclude_unset=True)
    errors: dict[str, list[str]] = {}
    for name in ("title", "description", "kind", "other_rules", "status"):
        if name in given and given[name] is None:
            errors[name] = ["must not be null"]
    for name in ("target_groups", "legal_branches", "occupations"):
        if name in given and given[name] is None:
            errors[name] = ["must not be null; [] empties it"]
    if given.get("district") is not None:
        district = District.objects.filter(official_key=given["district"]).first()
        if district is None:
            errors["district"] = [f'unknown district "{given["district"]}" (official key)']
        given["district"] = district
    if given.get("target_groups") is not None:
        codes = list(given["target_groups"])
        groups = list(TargetGroup.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {g.code for g in groups})
        if unknown:
            errors["target_groups"] = [f"unknown target group {', '.join(unknown)}"]
        if len(set(codes)) != len(codes):
            errors.setdefault("target_groups", []).append("a target group is listed twice")
        given["target_groups"] = groups
    if errors:
        raise ValidationError(errors)
    return OfferChanges(**given)  # type: ignore[typeddict-item]


@router.patch(
    "/offers/{external_id}",
    response={200: OfferDetailOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Change an offer's own fields",
)
def patch_offer(request: HttpRequest, external_id: str, body: OfferPatchIn) -> dict[str, Any]:
    """Coordinators may change any offer, provider staff the offers of their own
    provider (others 403; an unknown offer 404). Checked by the catalogue import's
    rules: any problem is a 422 naming the fields, and nothing is changed."""
    offer = offer_for_edit(viewer(request), external_id)
    user: AbstractBaseUser = request.auth  # type: ignore[attr-defined]
    offer_update(offer=offer, changed_by=user, **_changes(body))
    return _offer_detail_body(external_id)


@router.get("/providers", response=Page[ProviderOut], summary="Providers (Träger)")
def list_providers(request: HttpRequest, paging: Query[PageParams]) -> dict[str, object]:
    require_membership(request)
    providers = (
        Organisation.objects.filter(kind=OrganisationKind.PROVIDER)
        .select_related("district")
        .annotate(offer_count=Count("offers"))
        .order_by("external_id")
    )
    page, count = page_of(providers, paging)
    items = [
        {
            "external_id": p.external_id,
            "name": p.name,
            "district": district_body(p.district),
            "offer_count": p.offer_count,  # type: ignore[attr-defined]
        }
        for p in page
    ]
    return page_body(items, count, paging)


@router.get("/districts", response=list[DistrictOut], summary="The city's districts")
def list_districts(request: HttpRequest) -> list[dict[str, Any]]:
    require_membership(request)
    return [
        {"official_key": key, "name": name}
        for key, name in District.objects.order_by("official_key").values_list(
            "official_key", "name"
        )
    ]
