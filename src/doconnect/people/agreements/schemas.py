"""Request and response shapes of the agreement endpoints (part of the OpenAPI
description). Organisations go by external id, workers by username."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import StringConstraints

from doconnect.core.api.dates import PlausibleDate
from doconnect.core.api.references import OrganisationId
from doconnect.people.agreements.models import ItemSide, ItemStatus
from doconnect.people.agreements.services import TITLE_MAX_LENGTH


class AgreementItemIn(Schema):
    side: ItemSide = Field(description="'person': what the person does; 'institution': a guarantee")
    text: str
    due_on: PlausibleDate | None = Field(None, description="required; not before concluded_on")
    owner_organisation: str = Field(
        "",
        description="institutions' side only, required there: external id of the city, "
        "Jobcenter, agency or provider that guarantees it",
    )
    owner_user: str = Field(
        "", description="institutions' side only, optional: username of a worker there"
    )


class AgreementIn(Schema):
    organisation: OrganisationId = Field(
        description="external id of one of the caller's organisations (another: 403)"
    )
    title: Annotated[
        str, StringConstraints(min_length=1, max_length=TITLE_MAX_LENGTH, pattern=r"\S")
    ]
    concluded_on: PlausibleDate
    review_on: PlausibleDate | None = Field(None, description="required; not before concluded_on")
    items: list[AgreementItemIn] = Field(
        description="at least one item on each side; errors name items.<n>.<field>"
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


class AgreementItemPatch(Schema):
    status: ItemStatus | None = Field(None, description="open, done or dropped; absent: keep")
    due_on: PlausibleDate | None = Field(None, description="absent: keep; not before concluded_on")
