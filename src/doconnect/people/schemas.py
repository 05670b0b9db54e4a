"""Request and response shapes of the person endpoints (part of the OpenAPI description).

Person responses are serialised with ``exclude_unset``: the ``personal`` object is
*absent* from the JSON unless the viewer may see personal data of that person; every
other field is always present (null where unknown)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from doconnect.core.api.schemas import DistrictOut
from doconnect.people.models import ConsentPurpose, Gender, LegalBranch


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
