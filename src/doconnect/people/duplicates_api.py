"""The coordinators' queue of possible duplicates as JSON: ``GET /api/duplicates``,
``POST /api/duplicates/{id}/merge`` and ``…/dismiss``. The same services as the page
``/persons/duplicates/``; every other role gets 403."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from doconnect.core.api.auth import viewer
from doconnect.core.api.pagination import page_body
from doconnect.core.api.schemas import ErrorOut, Page, PageParams
from doconnect.people.access import access_person
from doconnect.people.access_rules import Purpose
from doconnect.people.api import person_body
from doconnect.people.duplicate_queue import (
    duplicate_dismiss_as,
    duplicate_merge_as,
    open_candidates,
    queued_pairs,
)
from doconnect.people.schemas import (
    DuplicateDecisionOut,
    DuplicateMergeIn,
    DuplicateMergeOut,
    DuplicatePairOut,
)

# Zweckbindung: merging duplicates keeps the counselling file whole.
PURPOSE = Purpose.COUNSELLING

router = Router(tags=["duplicates"])


@router.get(
    "/duplicates",
    response={200: Page[DuplicatePairOut], 403: ErrorOut},
    exclude_unset=True,
    summary="Open pairs of possible duplicates (coordinators)",
)
def list_duplicates(request: HttpRequest, paging: Query[PageParams]) -> dict[str, object]:
    """Oldest first. Each side as the caller may see it: personal data only where a
    valid consent covers the city (each such read audited). ``may_merge`` says whether
    both consents allow a merge."""
    who = viewer(request)
    candidates = open_candidates(who)
    count = candidates.count()
    offset = (paging.page - 1) * paging.page_size
    page = list(candidates[offset : offset + paging.page_size]) if offset < count else []
    pairs = queued_pairs(who, page, view="api.duplicates")
    items = [
        {
            "id": pair.candidate.pk,
            "found_at": pair.candidate.found_at,
            "found_in": pair.candidate.found_in,
            "reason": pair.candidate.reason,
            "score": pair.candidate.score,
            "shown_to_finder": pair.candidate.shown_to_finder,
            "may_merge": pair.may_merge,
            "first": person_body(pair.first.record),
            "second": person_body(pair.second.record),
        }
        for pair in pairs
    ]
    return page_body(items, count, paging)


@router.post(
    "/duplicates/{candidate_id}/merge",
    response={200: DuplicateMergeOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    exclude_unset=True,
    summary="Merge a pair of possible duplicates into one record (coordinators)",
)
def merge_duplicates(
    request: HttpRequest, candidate_id: int, body: DuplicateMergeIn
) -> dict[str, Any]:
    """Only where a valid consent of both persons covers the caller's city (else 403).
    Overlapping spells are 422 naming them, nothing changed. The other pseudonym stays
    findable; both are audited."""
    who = viewer(request)
    result = duplicate_merge_as(
        who, candidate_id=candidate_id, keep=body.keep, view="api.duplicate_merge"
    )
    record = access_person(who, result.kept.public_id, view="api.duplicate_merge", purpose=PURPOSE)
    return {
        "kept": person_body(record),
        "merged_public_id": result.merged_public_id,
        "moved": result.moved,
        "dropped": result.dropped,
    }


@router.post(
    "/duplicates/{candidate_id}/dismiss",
    response={200: DuplicateDecisionOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Mark a pair as two different persons (coordinators)",
)
def dismiss_duplicates(request: HttpRequest, candidate_id: int) -> dict[str, Any]:
    candidate = duplicate_dismiss_as(
        viewer(request), candidate_id=candidate_id, view="api.duplicate_dismiss"
    )
    return {"id": candidate.pk, "status": candidate.status}
