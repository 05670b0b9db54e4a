"""Request and response shapes of ``GET /api/tasks`` (part of the OpenAPI description)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from doconnect.casework.tasks import TaskKind
from doconnect.core.api.dates import PlausibleDate


class TaskFilter(Schema):
    from_: PlausibleDate | None = Field(
        None,
        alias="from",
        description="only tasks due on or after this day (default: overdue ones included)",
    )
    to: PlausibleDate | None = Field(
        None,
        description="only tasks due on or before this day, at most 366 days after today "
        "and not before 'from' (default: 14 days ahead, consents running out 30 days ahead)",
    )
    kind: list[TaskKind] | None = Field(None, description="one or more kinds (default: all)")


class TaskOut(Schema):
    id: str = Field(description="kind and row, stable: e.g. 'follow_up:12'")
    kind: TaskKind
    kind_label: str = Field(description="the kind in the caller's language")
    due: dt.date
    at: dt.datetime | None = Field(description="an appointment's start, else null")
    overdue: bool
    title: str = Field(description="what is to be done, in the caller's language")
    detail: str = Field(
        description="the case content behind it (a follow-up's reason, an appointment's "
        "subject and place, an agreement's title or item); audited"
    )
    person: str | None = Field(
        description="public id of the person; null for a task without a person or where "
        "the caller may not see the person"
    )
    person_name: str | None = Field(
        None,
        description="Present only where the caller may see personal data of the person "
        "(audited); absent otherwise.",
    )
    url: str = Field(description="the page where the task is done")


class TaskListOut(Schema):
    today: dt.date
    from_: dt.date | None = Field(alias="from")
    to: dt.date | None
    count: int
    items: list[TaskOut]
