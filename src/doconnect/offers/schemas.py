"""Request and response shapes of the offer, provider and district endpoints (part of
the OpenAPI description)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from doconnect.core.api.schemas import DistrictOut
from doconnect.offers.models import OfferKind, OfferStatus


class OrganisationRef(Schema):
    external_id: str
    name: str


class OfferFilter(Schema):
    kind: OfferKind | None = None
    status: OfferStatus | None = None
    district: str | None = Field(None, description="Amtlicher Schlüssel des Stadtbezirks")
    provider: str | None = Field(None, description="external id of the provider")


class OfferOut(Schema):
    external_id: str
    title: str
    kind: str
    status: str
    provider: OrganisationRef
    district: DistrictOut | None
    target_groups: list[str]
    capacity: int | None
    start: dt.date | None
    end: dt.date | None
    min_age: int | None
    max_age: int | None
    legal_branches: list[str]
    occupations: list[str] = Field(description="KldB 2010 codes the offer qualifies for")


class FollowOnOut(Schema):
    position: int
    to_offer: str | None = Field(description="external id of the next offer, or null")
    destination: str | None = Field(description="goal destination, or null")


class FundingOut(Schema):
    funder: str
    amount_eur: Decimal
    start: dt.date
    end: dt.date


class OfferDetailOut(OfferOut):
    description: str
    other_rules: str
    follow_ons: list[FollowOnOut]
    funding: list[FundingOut]


class OfferPatchIn(Schema):
    """The fields to change; a field left out stays as it is, ``null`` empties it.
    The values are checked by the catalogue import's rules (422 with the problems by
    field); funding and follow-ons are changed by the catalogue import only."""

    title: str | None = None
    description: str | None = None
    kind: str | None = None
    district: str | None = Field(
        None, description="Amtlicher Schlüssel des Stadtbezirks; null: stadtweit"
    )
    target_groups: list[str] | None = Field(None, description="target group codes; []: open to all")
    min_age: int | None = None
    max_age: int | None = None
    legal_branches: list[str] | None = Field(None, description='e.g. ["SGB II"]; []: any')
    occupations: list[str] | None = Field(
        None, description='KldB 2010 codes, five digits, e.g. ["51312"]; []: none'
    )
    other_rules: str | None = None
    capacity: int | None = Field(None, description="null: unknown")
    start: dt.date | None = None
    end: dt.date | None = None
    status: str | None = None


class ProviderOut(Schema):
    external_id: str
    name: str
    district: DistrictOut | None
    offer_count: int
