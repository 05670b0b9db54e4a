"""A person's ranked next steps. Through ``pathways.access`` like the person page and
the command: 404 for an unknown *and* an invisible person, 403 for a role without next
steps (the API's handlers map ``PersonNotFound`` and ``PermissionDenied``); the read is
audited."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from doconnect.core.api.auth import viewer
from doconnect.core.api.schemas import ErrorOut
from doconnect.pathways.access import access_next_steps
from doconnect.pathways.schemas import NextStepsOut, NextStepsQuery, next_steps_body

router = Router(tags=["pathways"])


@router.get(
    "/persons/{public_id}/next-steps",
    response={200: NextStepsOut, 403: ErrorOut, 404: ErrorOut},
    summary="A person's ranked next steps, every factor in words",
)
def get_next_steps(
    request: HttpRequest, public_id: str, query: Query[NextStepsQuery]
) -> dict[str, Any]:
    """Coordinators and case workers who see the person (else 404; other roles 403).
    The same answer as ``doconnect pathways next-steps PERSON --as USER --format json``."""
    record, found = access_next_steps(
        viewer(request),
        public_id,
        view="api.person_next_steps",
        goal=query.goal,
        include_excluded=query.why_not,
    )
    return next_steps_body(record.person.public_id, query.goal, found, query.limit)
