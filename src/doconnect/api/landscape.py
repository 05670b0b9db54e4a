"""Non-personal endpoints: offers, providers, districts, vacancies. Anybody with a
membership may read them; a login without membership gets 403."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router

from doconnect.api.auth import require_membership
from doconnect.api.pagination import page_body, page_of
from doconnect.api.persons import district_body
from doconnect.api.schemas import (
    DistrictOut,
    ErrorOut,
    OfferDetailOut,
    OfferFilter,
    OfferOut,
    Page,
    PageParams,
    ProviderOut,
    VacancyFilter,
    VacancyOut,
)
from doconnect.core.models import District, Organisation, OrganisationKind
from doconnect.employers.models import Vacancy
from doconnect.offers.models import Offer

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
    }


@router.get("/offers", response=Page[OfferOut], summary="Offers of all providers")
def list_offers(
    request: HttpRequest, filters: Query[OfferFilter], paging: Query[PageParams]
) -> dict[str, object]:
    require_membership(request)
    offers = Offer.objects.select_related("provider", "district").prefetch_related("target_groups")
    if filters.kind:
        offers = offers.filter(kind=filters.kind)
    if filters.status:
        offers = offers.filter(status=filters.status)
    if filters.district:
        offers = offers.filter(district__official_key=filters.district)
    if filters.provider:
        offers = offers.filter(provider__external_id=filters.provider)
    page, count = page_of(offers.order_by("external_id"), paging)
    return page_body([_offer_body(o) for o in page], count, paging)


@router.get(
    "/offers/{external_id}",
    response={200: OfferDetailOut, 404: ErrorOut},
    summary="One offer with its follow-ons and funding",
)
def get_offer(request: HttpRequest, external_id: str) -> dict[str, Any]:
    require_membership(request)
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


@router.get("/vacancies", response=Page[VacancyOut], summary="Vacancies at employers")
def list_vacancies(
    request: HttpRequest, filters: Query[VacancyFilter], paging: Query[PageParams]
) -> dict[str, object]:
    require_membership(request)
    vacancies = Vacancy.objects.select_related("employer", "district")
    if filters.district:
        vacancies = vacancies.filter(district__official_key=filters.district)
    if filters.kldb:
        vacancies = vacancies.filter(kldb__startswith=filters.kldb)
    page, count = page_of(vacancies.order_by("-published_on", "source", "reference"), paging)
    items = [
        {
            "source": v.source,
            "reference": v.reference,
            "title": v.title,
            "employer": v.employer.name if v.employer else v.employer_name,
            "kldb": v.kldb,
            "district": district_body(v.district),
            "postcode": v.postcode,
            "place": v.place,
            "published_on": v.published_on,
            "entry_on": v.entry_on,
            "positions": v.positions,
        }
        for v in page
    ]
    return page_body(items, count, paging)
