"""``GET /api/tasks``: the caller's tasks, from the selector the task page uses
(``tasks.tasks_for``), with the same access: coordinators, case workers, provider staff
and analysts (who get conference commitments only); admins and callers without
membership 403. Names only where the caller sees personal data; each person shown with
a name or with case content is audited (view ``api.tasks``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router
from ninja.errors import HttpError

from doconnect.casework.task_schemas import TaskFilter, TaskListOut
from doconnect.casework.tasks import Reading, Task, may_use_tasks, tasks_for
from doconnect.core.api.auth import viewer
from doconnect.core.api.schemas import ErrorOut
from doconnect.people.access_rules import Purpose

# Zweckbindung: what is due (follow-ups, appointments, reviews) serves counselling.
PURPOSE = Purpose.COUNSELLING

router = Router(tags=["tasks"])

# How far ahead a caller may ask: the list is not paginated, so its span is bounded.
MAX_DAYS_AHEAD = 366


def task_body(task: Task) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": task.key,
        "kind": task.kind,
        "kind_label": task.kind_label,
        "due": task.due,
        "at": task.at,
        "overdue": task.overdue,
        "title": task.title,
        "detail": task.detail,
        "person": task.person,
        "url": task.url,
    }
    if task.person_name is not None:
        body["person_name"] = task.person_name
    return body


@router.get(
    "/tasks",
    response={200: TaskListOut, 403: ErrorOut, 422: ErrorOut},
    exclude_unset=True,
    by_alias=True,
    summary="What is due for the caller",
)
def list_tasks(request: HttpRequest, filters: Query[TaskFilter]) -> Any:
    """Follow-ups and appointments of the caller, agreement reviews and overdue
    agreement items, referrals waiting for an answer, consents running out and
    conference commitments, soonest first. Default window: everything overdue and
    what is due in the next 14 days (consents 30); ``from`` and ``to`` narrow or widen
    it (``to`` at most a year ahead), ``kind`` (repeatable) picks kinds."""
    who = viewer(request)
    if not may_use_tasks(who):
        raise HttpError(403, "Forbidden")
    today = timezone.localdate()
    since, until = filters.from_, filters.to
    if since is not None and until is not None and since > until:
        raise ValidationError({"from": ["'from' liegt nach 'to'."]})
    if until is not None and until > today + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationError({"to": [f"Höchstens {MAX_DAYS_AHEAD} Tage im Voraus."]})
    tasks = tasks_for(
        who,
        today=today,
        since=since,
        until=until,
        kinds=[str(kind) for kind in filters.kind] if filters.kind else None,
        reading=Reading(view="api.tasks", purpose=PURPOSE),
    )
    return {
        "today": today,
        "from": since,
        "to": until,
        "count": len(tasks),
        "items": [task_body(task) for task in tasks],
    }
