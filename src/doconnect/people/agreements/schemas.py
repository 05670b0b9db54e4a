"""Request and response shapes of the agreement endpoints (part of the OpenAPI
description). Organisations go by external id, workers by username."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, StringConstraints

from doconnect.core.api.dates import PlausibleDate
from doconnect.core.api.references import OrganisationId, names_of
from doconnect.core.api.schemas import BodyIn, documented_required, present
from doconnect.core.api.text import NOT_BLANK
from doconnect.core.models import Organisation
from doconnect.people.agreements.models import GUARANTOR_KINDS, ItemSide, ItemStatus
from doconnect.people.agreements.services import ITEMS_MAX, TITLE_MAX_LENGTH

# What the service requires, stated in the document (issue #20); the service checks it
# with the agreement's other rules and names every problem at once.
NotBlank = Annotated[str, StringConstraints(pattern=NOT_BLANK)]


def _guarantors() -> list[str]:
    return sorted(
        Organisation.objects.filter(kind__in=GUARANTOR_KINDS)
        .exclude(external_id="")
        .values_list("external_id", flat=True)
    )


# The organisations that may guarantee an item, as stored now (the document's enum).
Guarantor = Annotated[str, names_of("guarantor", _guarantors)]


def _owner_by_side(schema: dict[str, Any]) -> None:
    """The document states which side names an owner: the person's side none, the
    institutions' side one of the guarantors."""
    schema["required"] = sorted({*schema.get("required", []), "due_on"})
    schema["if"] = {"properties": {"side": {"const": ItemSide.PERSON.value}}}
    schema["then"] = {
        "properties": {"owner_organisation": {"const": ""}, "owner_user": {"const": ""}}
    }
    schema["else"] = {
        "required": ["owner_organisation"],
        "properties": {"owner_organisation": {"minLength": 1}},
    }


class AgreementItemIn(BodyIn):
    """``due_on`` not before the agreement's ``concluded_on`` (a rule across fields, in
    words: a JSON schema does not compare values). The person's side names no owner,
    the institutions' side the organisation that guarantees it (stated in the schema:
    if/then/else)."""

    model_config = ConfigDict(json_schema_extra=_owner_by_side)

    side: ItemSide = Field(description="'person': what the person does; 'institution': a guarantee")
    text: Annotated[str, present(NotBlank)]
    due_on: Annotated[PlausibleDate | None, present(PlausibleDate)] = Field(
        None, description="not before concluded_on"
    )
    owner_organisation: Annotated[str, present(Guarantor | Literal[""])] = Field(
        "",
        description="institutions' side only, required there: external id of the city, "
        "Jobcenter, agency or provider that guarantees it",
    )
    owner_user: str = Field(
        "", description="institutions' side only, optional: username of a worker there"
    )


class AgreementIn(BodyIn):
    """Rules across fields, in words: ``review_on`` not before ``concluded_on``; at least
    one item on each side."""

    model_config = documented_required("review_on")

    organisation: OrganisationId = Field(
        description="external id of one of the caller's organisations (another: 403)"
    )
    title: Annotated[
        str, StringConstraints(min_length=1, max_length=TITLE_MAX_LENGTH, pattern=NOT_BLANK)
    ]
    concluded_on: PlausibleDate
    review_on: Annotated[PlausibleDate | None, present(PlausibleDate)] = Field(
        None, description="not before concluded_on"
    )
    items: list[AgreementItemIn] = Field(
        description="at least one item on each side; errors name items.<n>.<field>",
        json_schema_extra={
            "minItems": 2,
            "maxItems": ITEMS_MAX,
            "allOf": [
                {"contains": {"properties": {"side": {"const": side}}, "required": ["side"]}}
                for side in ItemSide.values
            ],
        },
    )


class AgreementItemOut(Schema):
    id: int
    side: str
    text: str
    due_on: dt.date | None
    status: str = Field(description="open, done or dropped")
    overdue: bool = Field(description="derived: open, due before today, the agreement not closed")
    owner_organisation: str | None = Field(description="external id; null on the person's side")
    owner_user: str | None = Field(description="username, if a worker was named")


class AgreementOut(Schema):
    id: int
    person: str = Field(description="public id of the person")
    organisation: str = Field(description="external id")
    title: str
    concluded_on: dt.date
    review_on: dt.date | None
    review_due: bool = Field(description="derived: in force and the review date has come")
    status: str = Field(description="draft, active or closed")
    created_at: dt.datetime
    created_by: str | None = Field(description="username of the author, if known")
    items: list[AgreementItemOut]


class AgreementItemPatch(BodyIn):
    status: ItemStatus | None = Field(None, description="open, done or dropped; absent: keep")
    due_on: PlausibleDate | None = Field(None, description="absent: keep; not before concluded_on")
