"""Request and response shapes of the person endpoints (part of the OpenAPI description).

Person responses are serialised with ``exclude_unset``: the ``personal`` object is
*absent* from the JSON unless the viewer may see personal data of that person; every
other field is always present (null where unknown)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from doconnect.core.api.schemas import DistrictOut
from doconnect.people.models import (
    ConsentPurpose,
    Gender,
    LegalBranch,
    SchoolQualification,
    SpellState,
    VocationalQualification,
)


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
    id: int = Field(description="the spell's id, for PATCH /api/persons/{public_id}/spells/{id}")
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


class PersonPatchIn(Schema):
    """A partial change of a person: only the fields sent change. Provider staff may
    send only ``email``, ``phone``, ``street``, ``postcode`` and ``address_district``."""

    gender: Gender | None = None
    district: str | None = Field(
        None,
        description="official key of the district; null: unknown. Follows "
        "address_district when not sent and both were equal",
    )
    legal_branch: LegalBranch | None = None
    school_qualification: SchoolQualification | None = None
    vocational_qualification: VocationalQualification | None = None
    target_groups: list[str] | None = Field(None, description="target group codes")
    strengths: list[str] | None = Field(None, description="free tags, never a score")
    support_needs: list[str] | None = Field(None, description="free tags")
    given_name: str | None = None
    family_name: str | None = None
    birth_date: dt.date | None = Field(None, description="the birth year follows from it")
    email: str | None = None
    phone: str | None = None
    street: str | None = None
    postcode: str | None = Field(None, description="five digits or empty")
    address_district: str | None = Field(None, description="official key of the district")


class SpellIn(Schema):
    state: SpellState
    start: dt.date
    end: dt.date | None = Field(None, description="last day (inclusive); null: still running")
    source_organisation: str | None = Field(
        None,
        description="external id of the reporting organisation; provider staff report as "
        "their own organisation (the default when they have one)",
    )
    offer: str | None = Field(None, description="external id of the offer")
    kldb: str = Field("", description="KldB 2010 occupation, 5 digits, or empty")


class SpellPatchIn(Schema):
    """A correction of a spell: only the fields sent change. Ending a running spell is
    ``{"end": "YYYY-MM-DD"}``."""

    state: SpellState | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    source_organisation: str | None = None
    offer: str | None = None
    kldb: str | None = None


class PersonRegisterIn(Schema):
    """A person to register with the first consent: the fields of the form "Person
    aufnehmen" (codes as in ``GET /api/persons``). A refused value is 422 naming the
    field; possible duplicates the caller may see are 409 unless ``confirm_new``."""

    given_name: str
    family_name: str
    birth_date: dt.date | None = Field(None, description="needed for the duplicate check")
    gender: str = Field("unspecified", description="female, male, diverse, unspecified")
    postcode: str = Field("", description="five digits or empty")
    street: str = ""
    district: str = Field("", description="official key (or name) of the district; empty")
    email: str = ""
    phone: str = ""
    legal_branch: str = Field("none", description="'SGB II', 'SGB III' or 'none'")
    school_qualification: str = "unknown"
    vocational_qualification: str = "unknown"
    target_groups: list[str] = Field(default_factory=list, description="target group codes")
    consent_purpose: str = Field(
        description="counselling, placement, case_conference or monitoring"
    )
    consent_organisations: list[str] = Field(
        description="external ids; a case worker's must include their own organisation"
    )
    consent_valid_from: dt.date | None = Field(None, description="default: today")
    consent_valid_until: dt.date | None = Field(None, description="null: until withdrawn")
    confirm_new: bool = Field(
        False, description="register even though possible duplicates were shown (409)"
    )


class DuplicateCandidateOut(Schema):
    """A possible duplicate the caller may see with personal data (reading it is audited)."""

    public_id: str
    given_name: str
    family_name: str
    birth_date: dt.date | None
    district: str = Field(description="name of the district, empty if not known")
    reason: str = Field(description="same_key or similar_name")
    score: int = Field(description="similarity, 0–100")


class PossibleDuplicatesOut(Schema):
    detail: str
    candidates: list[DuplicateCandidateOut]


class DuplicatePairOut(Schema):
    """An open pair of the coordinators' queue; each side as the caller may see it."""

    id: int
    found_at: dt.datetime
    found_in: str = Field(description="the page, endpoint or import that found it")
    reason: str = Field(description="same_key or similar_name")
    score: int
    shown_to_finder: bool = Field(
        description="the registering user saw the first record and confirmed a new one"
    )
    may_merge: bool = Field(description="a valid consent of both covers the caller's city")
    first: PersonOut = Field(description="the record that was there first")
    second: PersonOut = Field(description="the record registered or imported later")


class DuplicateMergeIn(Schema):
    keep: str = Field(description="public id of the record that stays (one of the pair)")


class DuplicateMergeOut(Schema):
    kept: PersonOut
    merged_public_id: str = Field(description="the pseudonym merged into the kept record")
    moved: dict[str, int] = Field(description="rows moved into the kept record, by kind")
    dropped: dict[str, int] = Field(
        description="rows of the other record removed because the kept one held the same"
    )


class DuplicateDecisionOut(Schema):
    id: int
    status: str = Field(description="open, merged or dismissed")
