"""Request and response shapes of the offer, provider and district endpoints (part of
the OpenAPI description)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import BeforeValidator, StringConstraints, WithJsonSchema

from doconnect.core.api.dates import PlausibleDate
from doconnect.core.api.references import DistrictKey, TargetGroupCode
from doconnect.core.api.schemas import BodyIn, DistrictOut, json_number, present
from doconnect.core.api.text import NOT_BLANK
from doconnect.offers.catalogue import _AGE_MAX, _CAPACITY_MAX, _TITLE_MAX
from doconnect.offers.models import OfferKind, OfferStatus
from doconnect.people.models import LegalBranch

# KldB 2010: five digits, the last the skill level (1 to 4).
Occupation = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}[1-4]$")]
# The legal branches an offer can be open to (none: open to any), each once.
_BRANCHES = WithJsonSchema(
    {
        "type": "array",
        "items": {"type": "string", "enum": [LegalBranch.SGB_II.value, LegalBranch.SGB_III.value]},
        "uniqueItems": True,
    }
)
Title = Annotated[str, StringConstraints(max_length=_TITLE_MAX, pattern=NOT_BLANK)]
# The catalogue import's limits (offers/catalogue.py), bounds before the validator
# (core/api/schemas.py says why).
Age = Annotated[int, Field(ge=0, le=_AGE_MAX), BeforeValidator(json_number)]
Capacity = Annotated[int, Field(ge=0, le=_CAPACITY_MAX), BeforeValidator(json_number)]
UniqueCodes = Annotated[list[TargetGroupCode], Field(json_schema_extra={"uniqueItems": True})]


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


class OfferPatchIn(BodyIn):
    """The fields to change; a field left out stays as it is, ``null`` empties it.
    The values are checked by the catalogue import's rules (422 with the problems by
    field); funding and follow-ons are changed by the catalogue import only."""

    # Left out: unchanged. Only the district, ages, capacity and dates can be emptied
    # with null; the other fields are not offered null (the endpoint refuses it).
    title: Annotated[str | None, present(Title)] = None
    description: Annotated[str | None, present(str)] = None
    kind: Annotated[OfferKind | None, present(OfferKind)] = None
    district: DistrictKey | None = Field(
        None, description="Amtlicher Schlüssel des Stadtbezirks; null: stadtweit"
    )
    target_groups: Annotated[list[TargetGroupCode] | None, present(UniqueCodes)] = Field(
        None, description="target group codes, each once; []: open to all"
    )
    min_age: Age | None = None
    max_age: Age | None = Field(
        None, description="not below min_age: 422 if both are sent, 409 against the stored one"
    )
    legal_branches: Annotated[list[str] | None, _BRANCHES] = Field(
        None, description='e.g. ["SGB II"]; []: any'
    )
    occupations: Annotated[list[str] | None, present(list[Occupation])] = Field(
        None, description='KldB 2010 codes, five digits, e.g. ["51312"]; []: none'
    )
    other_rules: Annotated[str | None, present(str)] = None
    capacity: Capacity | None = Field(None, description="null: unknown")
    start: PlausibleDate | None = None
    end: PlausibleDate | None = Field(
        None, description="not before start: 422 if both are sent, 409 against the stored one"
    )
    status: Annotated[OfferStatus | None, present(OfferStatus)] = None


class ProviderOut(Schema):
    external_id: str
    name: str
    district: DistrictOut | None
    offer_count: int
