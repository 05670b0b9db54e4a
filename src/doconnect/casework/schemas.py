"""Request and response shapes of the case-work endpoints (part of the OpenAPI
description). Organisations go by external id, workers by username."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema
from pydantic import StrictBool

from doconnect.casework.models import AppointmentStatus, NotePurpose
from doconnect.core.api.dates import PastDate, UpcomingDate, UpcomingDateTime
from doconnect.core.api.schemas import BodyIn, WholeNumber


class NoteVersionOut(Schema):
    id: int
    conversation_on: dt.date
    purpose: str
    text: str
    author: str = Field(description="the author's name as written with the note")
    written_at: dt.datetime


class NoteOut(Schema):
    id: int
    person: str = Field(description="public id of the person")
    organisation: str = Field(description="external id of the author's organisation")
    conversation_on: dt.date = Field(description="the day of the conversation")
    purpose: str
    text: str
    author: str = Field(description="the author's name as written with the note")
    written_at: dt.datetime = Field(description="when this version was written")
    earlier_versions: list[NoteVersionOut] = Field(
        description="the versions this one corrects, newest first; the original last"
    )


class NoteIn(BodyIn):
    conversation_on: PastDate = Field(description="the day of the conversation, not in the future")
    purpose: NotePurpose
    text: str = Field(min_length=1, max_length=20_000)
    organisation: str | None = Field(
        None, description="external id; needed only when the caller works for several"
    )


class NoteCorrectionIn(BodyIn):
    conversation_on: PastDate
    purpose: NotePurpose
    text: str = Field(min_length=1, max_length=20_000)


class FollowUpOut(Schema):
    id: int
    person: str
    organisation: str
    due_on: dt.date
    reason: str
    worker: str | None = Field(description="username of the responsible worker")
    done: bool
    done_at: dt.datetime | None


class FollowUpIn(BodyIn):
    due_on: UpcomingDate = Field(description="not in the past")
    reason: str = Field(min_length=1, max_length=200)
    worker: str | None = Field(None, description="username; default: the caller")
    organisation: str | None = None


class FollowUpPatch(BodyIn):
    done: StrictBool


class AppointmentOut(Schema):
    id: int
    person: str
    organisation: str
    starts_at: dt.datetime
    duration_minutes: int
    place: str
    with_whom: str
    subject: str
    worker: str | None = Field(description="username of the responsible worker")
    status: str


class AppointmentIn(BodyIn):
    starts_at: UpcomingDateTime = Field(
        description="without a zone: the city's local time; not on a day already past"
    )
    duration_minutes: WholeNumber = Field(30, ge=5, le=600)
    subject: str = Field(min_length=1, max_length=200)
    place: str = Field("", max_length=200)
    with_whom: str = Field("", max_length=200)
    worker: str | None = Field(None, description="username; default: the caller")
    organisation: str | None = None


class AppointmentPatch(BodyIn):
    status: AppointmentStatus


class ResponsibilityOut(Schema):
    person: str
    organisation: str
    worker: str = Field(description="username")
    worker_name: str
    since: dt.datetime


class ResponsibilityIn(BodyIn):
    worker: str | None = Field(None, description="username; default: the caller takes over")
    organisation: str | None = None
