"""Request and response shapes of the JSON API (they are the OpenAPI description).

Person responses are serialised with ``exclude_unset``: the ``personal`` object is
*absent* from the JSON unless the viewer may see personal data of that person; every
other field is always present (null where unknown)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Generic, TypeVar

from ninja import Field, Schema

from doconnect.offers.models import OfferKind, OfferStatus
from doconnect.people.models import ConsentPurpose, Gender, LegalBranch
from doconnect.referrals.models import ReferralStatus

T = TypeVar("T")


class PageParams(Schema):
    page: int = Field(1, ge=1, description="Seite, ab 1")
    page_size: int = Field(50, ge=1, le=200, description="Einträge je Seite (höchstens 200)")


class Page(Schema, Generic[T]):
    count: int = Field(description="Treffer insgesamt (über alle Seiten)")
    page: int
    page_size: int
    items: list[T]


class DistrictOut(Schema):
    official_key: str
    name: str


class OrganisationRef(Schema):
    external_id: str
    name: str


# --- persons -------------------------------------------------------------------------


class PersonFilter(Schema):
    district: str | None = Field(None, description="Amtlicher Schlüssel des Stadtbezirks")
    legal_branch: LegalBranch | None = Field(None, description="Rechtskreis")
    gender: Gender | None = None
    target_group: str | None = Field(None, description="Kennung der Zielgruppe")


class PersonalOut(Schema):
    """Names and contacts: only with a role and a valid consent that allow it."""

    given_name: str
    family_name: str
    birth_date: dt.date | None
    email: str
    phone: str
    street: str
    postcode: str
    address_district: DistrictOut | None


class PersonOut(Schema):
    public_id: str
    access_level: str = Field(description="'pseudonymous' or 'personal'")
    gender: str
    birth_year: int | None
    district: DistrictOut | None
    legal_branch: str
    school_qualification: str
    vocational_qualification: str
    target_groups: list[str]
    strengths: list[str]
    support_needs: list[str]
    goal: str = Field(description="the goal the person stated (a destination code); empty: none")
    preferred_offer_kinds: list[str] = Field(
        description="offer kinds the person wishes, most wished first"
    )
    personal: PersonalOut | None = Field(
        None,
        description="Present only where the viewer may see personal data of this person; "
        "absent otherwise (never null).",
    )


class SpellOut(Schema):
    state: str
    start: dt.date
    end: dt.date | None
    source_organisation: str | None = Field(description="external id of the organisation")
    offer: str | None = Field(description="external id of the offer")
    kldb: str = Field(
        "",
        description="occupation as a KldB 2010 code (5 digits; for unemployment the "
        "occupation sought), empty if not known",
    )


class ConsentOut(Schema):
    id: int
    person: str = Field(description="public id of the person")
    purpose: str
    organisations: list[str] = Field(description="external ids of the organisations")
    valid_from: dt.date
    valid_until: dt.date | None
    withdrawn_at: dt.datetime | None
    valid_today: bool
    recorded_at: dt.datetime


class ConsentIn(Schema):
    purpose: ConsentPurpose
    organisations: list[str] = Field(min_length=1, description="external ids")
    valid_from: dt.date
    valid_until: dt.date | None = None


class ConsentExtendIn(Schema):
    valid_until: dt.date | None = Field(description="new end; null: until withdrawn")


class WishesIn(Schema):
    goal: str = Field("", description="a destination code the person aims at; empty: none")
    preferred_offer_kinds: list[str] = Field(
        default_factory=list, description="up to 3 offer kinds, most wished first"
    )


class ErrorOut(Schema):
    detail: str | dict[str, list[str]] | list[dict[str, object]]


# --- landscape: offers, providers, districts, vacancies ------------------------------


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


class ProviderOut(Schema):
    external_id: str
    name: str
    district: DistrictOut | None
    offer_count: int


class VacancyFilter(Schema):
    district: str | None = Field(None, description="Amtlicher Schlüssel des Stadtbezirks")
    kldb: str | None = Field(
        None,
        pattern=r"^\d{1,5}$",
        description="KldB 2010 code or its leading digits (prefix match)",
    )


class VacancyOut(Schema):
    source: str
    reference: str
    title: str
    employer: str = Field(description="employer name")
    kldb: str
    district: DistrictOut | None
    postcode: str
    place: str
    published_on: dt.date | None
    entry_on: dt.date | None
    positions: int


# --- referrals -----------------------------------------------------------------------


class ReferralFilter(Schema):
    status: ReferralStatus | None = None
    offer: str | None = Field(None, description="external id of the offer")


class OfferRef(Schema):
    external_id: str
    title: str
    provider: str = Field(description="external id of the provider")


class ReferralOut(Schema):
    id: int
    person: str | None = Field(
        description="public id of the person; null where the caller may not see the person"
    )
    person_name: str | None = Field(
        None,
        description="Present only where the caller may see personal data of the person "
        "(audited); absent otherwise.",
    )
    offer: OfferRef
    status: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    answer_by: dt.date | None = Field(description="last day to answer a sent referral")
    answered_at: dt.datetime | None
    decline_reason: str = Field(description="coded reason of a decline, else empty")
    actions: list[str] = Field(description="the steps the caller may take now")


class ReferralStepIn(Schema):
    """The step's input; which fields a step needs: decline ``reason`` (``note`` for
    "other"), complete and drop_out ``next_state`` and ``on``."""

    reason: str = Field(
        "", description="decline: full, not_eligible, person_unreachable, person_declined, other"
    )
    note: str = ""
    next_state: str = Field("", description="complete, drop_out: the person's next spell state")
    on: str | None = Field(
        None,
        description="complete, drop_out: the day the next state begins (YYYY-MM-DD)",
        json_schema_extra={"format": "date"},
    )


class StepErrorOut(Schema):
    detail: str | dict[str, list[str]]
    code: str | None = Field(None, description="why a step was refused, e.g. 'full', 'state'")
