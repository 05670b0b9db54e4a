"""Request and response shapes of the referral endpoints (part of the OpenAPI
description)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import WithJsonSchema

from doconnect.core.api.dates import PlausibleDate
from doconnect.core.api.schemas import BodyIn
from doconnect.people.models import SpellState
from doconnect.referrals.models import DeclineReason, ReferralStatus


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


def _codes(values: list[str]) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "enum": ["", *values]})


class ReferralStepIn(BodyIn):
    """The step's input; which fields a step needs: decline ``reason`` (``note`` for
    "other"), complete and drop_out ``next_state`` and ``on``."""

    # The codes the steps take, stated in the document (issue #20); empty: not given.
    reason: Annotated[str, _codes(DeclineReason.values)] = Field(
        "", description="decline: full, not_eligible, person_unreachable, person_declined, other"
    )
    note: str = ""
    next_state: Annotated[str, _codes(SpellState.values)] = Field(
        "", description="complete, drop_out: the person's next spell state"
    )
    # A date, validated here: "2024-13-01" is a 422 for every step, not ignored by the
    # steps that do not read it (issue #20).
    on: PlausibleDate | None = Field(
        None, description="complete, drop_out: the day the next state begins (YYYY-MM-DD)"
    )


class StepErrorOut(Schema):
    # The list: a body that does not validate (e.g. "on" not a date), as ninja reports it.
    detail: str | dict[str, list[str]] | list[dict[str, object]]
    code: str | None = Field(None, description="why a step was refused, e.g. 'full', 'state'")
