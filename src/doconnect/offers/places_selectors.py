"""Reads behind the provider and district pages (and the offer figures of the dashboard).

Free places and participants are computed in the database, one row per offer,
provider or district, with the one definition of "takes part" from
``offers.participation`` (a running spell with the offer, or a started referral; a
person counted once). So the pages issue a fixed number of queries whatever the number
of offers, persons and spells.

Free places count *all* participants (capacity is a fact about the offer, not about a
person). Participant figures count only persons the viewer may see
(``visible_persons``); callers pass ``persons=None`` when the viewer sees none at all
and the column or figure is then absent, not zero.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    Q,
    QuerySet,
    Sum,
)

from doconnect.core.changes import kept_rows
from doconnect.core.models import District, Organisation, OrganisationKind
from doconnect.offers.models import FundingLine, Offer, OfferKind, OfferStatus
from doconnect.offers.participation import (
    count_pairs,
    in_active_support,
    taking_part_pairs,
    with_free_places,
)
from doconnect.people.models import Person


def offers_with_places(day: dt.date) -> QuerySet[Offer]:
    return with_free_places(Offer.objects.all(), day)


def _free(offer: Offer) -> int | None:
    """The ``free_places`` annotation of an offer from ``offers_with_places``."""
    free: int | None = getattr(offer, "free_places", None)
    return free


def active_offers_with_free_places(day: dt.date) -> QuerySet[Offer]:
    return offers_with_places(day).filter(Q(free_places__gt=0), status=OfferStatus.ACTIVE)


# --------------------------------------------------------------------------- providers


@dataclass(frozen=True)
class ProviderRow:
    provider: Organisation
    active_offers: int
    places: int
    free_places: int
    participants: int | None  # None: the viewer sees no persons, the column is absent


def provider_rows(
    day: dt.date, persons: QuerySet[Person] | None, *, stale_seconds: float = 0
) -> list[ProviderRow]:
    """Every provider by name with its active offers, their places and free places
    today, and (when ``persons`` is given) how many of them take part today. Four
    queries, each kept while none of the tables it reads changed
    (``core.changes.kept_rows``): two queries for the counters when nothing changed.
    The figures (not the providers) may be up to ``stale_seconds`` behind: they read
    every running spell and referral, which every referral step changes."""
    providers: QuerySet[Organisation] = (
        Organisation.objects.filter(kind=OrganisationKind.PROVIDER)
        .select_related("district")
        .order_by("name", "external_id")
    )
    figures_query = (
        offers_with_places(day)
        .filter(status=OfferStatus.ACTIVE)
        .order_by()
        .values("provider_id")
        .annotate(n=Count("pk"), places=Sum("capacity"), free_sum=Sum("free_places"))
    )
    pairs = taking_part_pairs(day, "offer__provider_id", persons) if persons is not None else []
    (provider_list,) = kept_rows([providers])
    figure_rows, *pair_rows = kept_rows([figures_query, *pairs], stale_seconds=stale_seconds)
    participants = count_pairs(*pair_rows) if persons is not None else None
    figures: dict[int, dict[str, Any]] = {row["provider_id"]: row for row in figure_rows}
    rows = []
    for provider in provider_list:
        row = figures.get(provider.pk, {})
        rows.append(
            ProviderRow(
                provider=provider,
                active_offers=row.get("n", 0),
                places=row.get("places") or 0,
                free_places=row.get("free_sum") or 0,
                participants=participants[provider.pk] if participants is not None else None,
            )
        )
    return rows


def provider_or_none(external_id: str) -> Organisation | None:
    return (
        Organisation.objects.select_related("district")
        .filter(external_id=external_id, kind=OrganisationKind.PROVIDER)
        .first()
    )


@dataclass(frozen=True)
class ProviderPage:
    offers: list[Offer]  # annotated with participants and free
    active_offers: int
    places: int
    free_places: int
    funding: list[tuple[str, Decimal]]  # (funder label, sum) this year, largest first
    participants: int | None


def provider_page(
    provider: Organisation, day: dt.date, persons: QuerySet[Person] | None
) -> ProviderPage:
    """The provider's offers and key figures (three or four queries)."""
    offers = list(
        offers_with_places(day)
        .filter(provider=provider)
        .select_related("district")
        .order_by("title", "external_id")
    )
    active = [o for o in offers if o.status == OfferStatus.ACTIVE]
    year_start, year_end = dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    funders = dict(FundingLine._meta.get_field("funder").flatchoices)
    funding = [
        (str(funders.get(row["funder"], row["funder"])), row["total"])
        for row in FundingLine.objects.filter(
            offer__provider=provider, start__lte=year_end, end__gte=year_start
        )
        .order_by()
        .values("funder")
        .annotate(total=Sum("amount_eur"))
        .order_by("-total", "funder")
    ]
    participants = None
    if persons is not None:
        participants = in_active_support(persons, day, offer__provider=provider).count()
    return ProviderPage(
        offers=offers,
        active_offers=len(active),
        places=sum(o.capacity or 0 for o in active),
        free_places=sum(_free(o) or 0 for o in active),
        funding=funding,
        participants=participants,
    )


# --------------------------------------------------------------------------- districts


@dataclass(frozen=True)
class DistrictRow:
    district: District
    active_offers: int
    free_places: int
    in_support: int | None  # persons (visible) living there in active support


@dataclass(frozen=True)
class CityWide:
    active_offers: int
    free_places: int


def _offer_figures_by_district(day: dt.date) -> dict[int | None, dict[str, Any]]:
    return {
        row["district_id"]: dict(row)
        for row in offers_with_places(day)
        .filter(status=OfferStatus.ACTIVE)
        .order_by()
        .values("district_id")
        .annotate(n=Count("pk"), places=Sum("capacity"), free_sum=Sum("free_places"))
    }


def district_rows(
    day: dt.date, persons: QuerySet[Person] | None
) -> tuple[list[DistrictRow], CityWide]:
    """Every district by official key with its active offers and their free places,
    and (when ``persons`` is given) the persons living there in active support; plus
    the city-wide offers (no district). Three queries."""
    offers = _offer_figures_by_district(day)
    support: dict[int | None, int] = {}
    if persons is not None:
        support = {
            row["district_id"]: row["n"]
            for row in in_active_support(persons, day)
            .order_by()
            .values("district_id")
            .annotate(n=Count("pk"))
        }
    rows = [
        DistrictRow(
            district=district,
            active_offers=offers.get(district.pk, {}).get("n", 0),
            free_places=offers.get(district.pk, {}).get("free_sum") or 0,
            in_support=support.get(district.pk, 0) if persons is not None else None,
        )
        for district in District.objects.order_by("official_key")
    ]
    city_wide = offers.get(None, {})
    return rows, CityWide(
        active_offers=city_wide.get("n", 0), free_places=city_wide.get("free_sum") or 0
    )


@dataclass(frozen=True)
class DistrictPage:
    offers: list[Offer]  # located in the district, annotated with participants and free
    active_offers: int
    places: int
    free_places: int
    city_wide_offers: int  # active offers without a district, open to the district too
    in_support: int | None
    by_target_group: list[tuple[str, str, int]]  # (code, label, persons); code "" = none
    free_by_kind: list[tuple[str, int]]  # (kind label, free places), kinds in catalogue order


def district_page(
    district: District, day: dt.date, persons: QuerySet[Person] | None
) -> DistrictPage:
    """The district's offers and key figures (four queries, five with persons)."""
    offers = list(
        offers_with_places(day)
        .filter(district=district)
        .select_related("provider")
        .order_by("title", "external_id")
    )
    active = [o for o in offers if o.status == OfferStatus.ACTIVE]
    city_wide = Offer.objects.filter(district__isnull=True, status=OfferStatus.ACTIVE).count()
    free_by_kind_raw = {
        row["kind"]: row["free_sum"] or 0
        for row in offers_with_places(day)
        .filter(district=district, status=OfferStatus.ACTIVE)
        .order_by()
        .values("kind")
        .annotate(free_sum=Sum("free_places"))
    }
    kinds = dict(OfferKind.choices)
    free_by_kind = [
        (str(kinds[kind]), free_by_kind_raw[kind]) for kind in kinds if kind in free_by_kind_raw
    ]
    in_support = None
    by_group: list[tuple[str, str, int]] = []
    if persons is not None:
        by_group = support_by_target_group(
            in_active_support(persons, day).filter(district=district)
        )
        in_support = in_active_support(persons, day).filter(district=district).count()
    return DistrictPage(
        offers=offers,
        active_offers=len(active),
        places=sum(o.capacity or 0 for o in active),
        free_places=sum(_free(o) or 0 for o in active),
        city_wide_offers=city_wide,
        in_support=in_support,
        by_target_group=by_group,
        free_by_kind=free_by_kind,
    )


def persons_by_target_group(persons: QuerySet[Person]) -> QuerySet[Any, Any]:
    """The query behind ``support_by_target_group``, unevaluated (for callers that keep
    it with ``core.changes.kept_rows``): rows of ``target_groups__code``,
    ``target_groups__label`` and ``n``, largest first. A person in two groups counts in
    both, one without a group under code None."""
    return (
        persons.order_by()
        .values("target_groups__code", "target_groups__label")
        .annotate(n=Count("pk", distinct=True))
        .order_by("-n", "target_groups__code")
    )


def support_by_target_group(persons: QuerySet[Person]) -> list[tuple[str, str, int]]:
    """(code, label, persons) per target group, largest first; persons without a
    target group as code "" (one query). A person in two groups counts in both."""
    return [
        (row["target_groups__code"] or "", row["target_groups__label"] or "", row["n"])
        for row in persons_by_target_group(persons)
    ]
