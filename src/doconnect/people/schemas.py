"""Request and response shapes of the person endpoints (part of the OpenAPI description).

Person responses are serialised with ``exclude_unset``: the ``personal`` object is
*absent* from the JSON unless the viewer may see personal data of that person; every
other field is always present (null where unknown)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import StrictBool, StringConstraints, WithJsonSchema

from doconnect.core.api.dates import PastDate, PlausibleDate, UpcomingDate
from doconnect.core.api.references import (
    DistrictKeyOrEmpty,
    OfferIdOrEmpty,
    OrganisationId,
    OrganisationIdOrEmpty,
    TargetGroupCode,
)
from doconnect.core.api.schemas import NOT_NULL, BodyIn, DistrictOut, present
from doconnect.core.api.text import NOT_BLANK
from doconnect.offers.models import OfferKind
from doconnect.people.details_actions import MAX_TAG_LENGTH, MAX_TAGS
from doconnect.people.models import (
    PERSON_GOALS,
    ConsentPurpose,
    Gender,
    LegalBranch,
    SchoolQualification,
    SpellState,
    VocationalQualification,
)
from doconnect.people.services import MAX_PREFERRED_KINDS

# What the person endpoints check, stated in the document (issue #20), so that a value
# the schema allows is taken and one it forbids refused (the services check the same).
Name = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NOT_BLANK)]
Street = Annotated[str, StringConstraints(max_length=200)]
Email = Annotated[
    str,
    StringConstraints(
        max_length=254,
        # A plain address (what Django's validate_email takes, without its rare forms).
        pattern=r"^$|^[A-Za-z0-9]{1,20}(?:[._+-][A-Za-z0-9]{1,20}){0,3}"
        r"@[A-Za-z0-9]{1,20}(?:-[A-Za-z0-9]{1,20}){0,2}(?:\.[A-Za-z0-9]{1,20}){0,2}"
        r"\.[A-Za-z]{2,6}$",
    ),
]
Phone = Annotated[str, StringConstraints(pattern=r"^ *$|^[0-9+()/\-. ]{3,40}$")]
PhoneText = Annotated[str, StringConstraints(max_length=40)]
Postcode = Annotated[str, StringConstraints(pattern=r"^$|^[0-9]{5}$")]
Kldb = Annotated[str, StringConstraints(pattern=r"^$|^[0-9]{5}$")]
_PURPOSE = "(?:" + "|".join(ConsentPurpose.values) + ")"
# The first consent includes counselling (registration refuses it otherwise).
_PURPOSES = rf"^[ ,]*(?:{_PURPOSE}[ ,]+)*counselling(?:[ ,]+{_PURPOSE})*[ ,]*$"
Tags = Annotated[
    list[Annotated[str, StringConstraints(max_length=MAX_TAG_LENGTH)]],
    Field(max_length=MAX_TAGS),
]


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


class StatisticalOut(Schema):
    """What an analyst sees of a person: coarsened so that every combination of these
    values is shared by at least DOCONNECT_ANALYST_K persons. "*": not shown."""

    age_band: str = Field(
        description="age in years: u20, 20-24 … 60-64, 65+ (five-year bands) or the "
        "person list's bands u25, 25-34, 35-49, 50-64, 65+; 'unknown'"
    )
    gender: str = Field(description="a gender code, or 'other' (diverse or not stated)")
    district: str = Field(
        description="official key of the district, 'other_districts' (small ones merged) "
        "or 'unknown'"
    )
    legal_branch: str
    school_qualification: str = Field(
        description="a code, or a group: school_low, school_middle, school_high, other"
    )
    vocational_qualification: str = Field(
        description="a code, or a group: none, vocational, university, other"
    )


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
    statistical: StatisticalOut | None = Field(
        None,
        description="Present only where the viewer (an analyst) sees the person coarsened; "
        "then the other fields of the record are empty. Absent otherwise (never null).",
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
    purposes: list[str] = Field(
        description="what it was given for: counselling, placement, case_conference, "
        "monitoring; it opens the person's data only to endpoints of these purposes"
    )
    organisations: list[str] = Field(description="external ids of the organisations")
    valid_from: dt.date
    valid_until: dt.date | None
    withdrawn_at: dt.datetime | None
    valid_today: bool
    recorded_at: dt.datetime


class ConsentIn(BodyIn):
    purposes: list[ConsentPurpose] = Field(min_length=1, max_length=4)
    organisations: list[OrganisationId] = Field(min_length=1, description="external ids")
    valid_from: PlausibleDate
    valid_until: PlausibleDate | None = None


class ConsentExtendIn(BodyIn):
    valid_until: PlausibleDate | None = Field(description="new end; null: until withdrawn")


# The codes the service takes, stated in the document (issue #20); the service checks
# them and names the field.
_GOALS = WithJsonSchema({"type": "string", "enum": ["", *(code for code, _ in PERSON_GOALS)]})
_KINDS = WithJsonSchema(
    {
        "type": "array",
        "items": {"type": "string", "enum": list(OfferKind.values)},
        "uniqueItems": True,
        "maxItems": MAX_PREFERRED_KINDS,
    }
)


class WishesIn(BodyIn):
    goal: Annotated[str, _GOALS] = Field(
        "", description="a destination code the person aims at; empty: none"
    )
    preferred_offer_kinds: Annotated[list[str], _KINDS] = Field(
        default_factory=list, description="up to 3 offer kinds, most wished first, each once"
    )


class PersonPatchIn(BodyIn):
    """A partial change of a person: only the fields sent change. Provider staff may
    send only ``email``, ``phone``, ``street``, ``postcode`` and ``address_district``."""

    # Left out: unchanged; a code field cannot be emptied, so null is not offered.
    gender: Annotated[Gender | None, present(Gender)] = None
    district: DistrictKeyOrEmpty | None = Field(
        None,
        description="official key of the district; null or empty: unknown. Follows "
        "address_district when not sent and both were equal",
    )
    legal_branch: Annotated[LegalBranch | None, present(LegalBranch)] = None
    school_qualification: Annotated[SchoolQualification | None, present(SchoolQualification)] = None
    vocational_qualification: Annotated[
        VocationalQualification | None, present(VocationalQualification)
    ] = None
    target_groups: Annotated[
        list[TargetGroupCode] | None, present(list[TargetGroupCode]), NOT_NULL
    ] = Field(None, description="target group codes")
    strengths: Annotated[Tags | None, present(Tags), NOT_NULL] = Field(
        None, description="free tags, never a score"
    )
    support_needs: Annotated[Tags | None, present(Tags), NOT_NULL] = Field(
        None, description="free tags"
    )
    given_name: Annotated[Name | None, present(Name)] = None
    family_name: Annotated[Name | None, present(Name)] = None
    birth_date: PastDate | None = Field(None, description="the birth year follows from it")
    email: Email | None = None
    phone: Phone | None = None
    street: Street | None = None
    postcode: Postcode | None = Field(None, description="five digits or empty")
    address_district: DistrictKeyOrEmpty | None = Field(
        None, description="official key of the district"
    )


class SpellIn(BodyIn):
    state: SpellState
    start: PlausibleDate
    end: PlausibleDate | None = Field(None, description="last day (inclusive); null: still running")
    source_organisation: OrganisationIdOrEmpty | None = Field(
        None,
        description="external id of the reporting organisation; provider staff report as "
        "their own organisation (the default when they have one)",
    )
    offer: OfferIdOrEmpty | None = Field(None, description="external id of the offer")
    kldb: Kldb = Field("", description="KldB 2010 occupation, 5 digits, or empty")


class SpellPatchIn(BodyIn):
    """A correction of a spell: only the fields sent change. Ending a running spell is
    ``{"end": "YYYY-MM-DD"}``."""

    state: Annotated[SpellState | None, present(SpellState)] = None
    start: Annotated[PlausibleDate | None, present(PlausibleDate)] = None
    end: PlausibleDate | None = None
    source_organisation: OrganisationIdOrEmpty | None = None
    offer: OfferIdOrEmpty | None = None
    kldb: Kldb | None = None


class PersonRegisterIn(BodyIn):
    """A person to register with the first consent: the fields of the form "Person
    aufnehmen" (codes as in ``GET /api/persons``). A refused value is 422 naming the
    field; possible duplicates the caller may see are 409 unless ``confirm_new``."""

    given_name: Name
    family_name: Name
    birth_date: PastDate = Field(description="needed for the duplicate check")
    gender: Gender = Field(Gender.UNSPECIFIED, description="female, male, diverse, unspecified")
    postcode: Postcode = Field("", description="five digits or empty")
    street: Street = ""
    district: DistrictKeyOrEmpty = Field(
        "", description="official key (or name) of the district; empty"
    )
    email: Email = ""
    phone: PhoneText = ""
    legal_branch: LegalBranch = Field(LegalBranch.NONE, description="'SGB II', 'SGB III' or 'none'")
    school_qualification: SchoolQualification = SchoolQualification.UNKNOWN
    vocational_qualification: VocationalQualification = VocationalQualification.UNKNOWN
    target_groups: list[TargetGroupCode] = Field(
        default_factory=list, description="target group codes"
    )
    consent_purpose: str = Field(
        description="what the first consent is given for: one or more of counselling, "
        "placement, case_conference, monitoring, separated by spaces",
        min_length=1,
        pattern=_PURPOSES,
    )
    consent_organisations: list[OrganisationId] = Field(
        min_length=1,
        description="external ids; a case worker's must include their own organisation",
    )
    # The first consent holds today: it began by today and has not ended yet.
    consent_valid_from: PastDate | None = Field(None, description="default: today")
    consent_valid_until: UpcomingDate | None = Field(None, description="null: until withdrawn")
    confirm_new: StrictBool = Field(
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


class DuplicateMergeIn(BodyIn):
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
