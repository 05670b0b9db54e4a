"""The coordinators' queue of possible duplicates ("Mögliche Dubletten"): reading the
open pairs (each side as the coordinator may see it, names audited), dismissing a pair
and merging it (``merging.person_merge_as``). The page ``/persons/duplicates/`` and the
``/api/duplicates`` endpoints call these.

Only coordinators work the queue: every other role is refused (PermissionDenied) before
anything is looked up, so the queue says nothing to them, not even whether a pair
exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from doconnect.core.models import AuditAction, Role
from doconnect.core.refusals import ConflictsWithState
from doconnect.core.viewers import Viewer
from doconnect.people.access import (
    PersonNotFound,
    PersonRecord,
    audit_reads,
    records_for_page,
)
from doconnect.people.access_rules import Level, Purpose
from doconnect.people.merging import MergeResult, city_consented, person_merge_as
from doconnect.people.models import DuplicateCandidate, DuplicateStatus

# Zweckbindung: merging duplicates keeps the counselling file whole.
PURPOSE = Purpose.COUNSELLING


def may_review_duplicates(viewer: Viewer) -> bool:
    return viewer.has_role(Role.COORDINATOR)


def _require_reviewer(viewer: Viewer) -> None:
    if not may_review_duplicates(viewer):
        raise PermissionDenied(_("Nur die Koordination bearbeitet mögliche Dubletten."))


@dataclass(frozen=True)
class PairSide:
    record: PersonRecord
    city_consent: bool  # a valid consent covers the coordinator's organisation


@dataclass(frozen=True)
class QueuedPair:
    candidate: DuplicateCandidate
    first: PairSide
    second: PairSide

    @property
    def may_merge(self) -> bool:
        return self.first.city_consent and self.second.city_consent


def open_candidates(viewer: Viewer) -> QuerySet[DuplicateCandidate]:
    """The open pairs, oldest first (for a paginator); coordinators only."""
    _require_reviewer(viewer)
    return (
        DuplicateCandidate.objects.filter(status=DuplicateStatus.OPEN)
        .select_related("first__district", "second__district", "found_by")
        .order_by("found_at", "pk")
    )


def queued_pairs(
    viewer: Viewer, candidates: list[DuplicateCandidate], *, view: str
) -> list[QueuedPair]:
    """A page of pairs with both sides as the viewer may see them: names where a consent
    covers the city (each such read audited), the pseudonymous record otherwise. A fixed
    number of queries whatever the number of pairs."""
    _require_reviewer(viewer)
    persons = {p.pk: p for c in candidates for p in (c.first, c.second)}
    records = {
        r.person.pk: r
        for r in records_for_page(viewer, list(persons.values()), view=view, purpose=PURPOSE)
    }
    consented = city_consented(viewer, list(persons), today=timezone.localdate())
    return [
        QueuedPair(
            candidate=c,
            first=PairSide(records[c.first_id], c.first_id in consented),
            second=PairSide(records[c.second_id], c.second_id in consented),
        )
        for c in candidates
        if c.first_id in records and c.second_id in records
    ]


def open_pair_count(viewer: Viewer) -> int:
    return open_candidates(viewer).count()


def _open_candidate(viewer: Viewer, candidate_id: int) -> DuplicateCandidate:
    _require_reviewer(viewer)
    candidate = (
        DuplicateCandidate.objects.select_for_update()
        .select_related("first", "second")
        .filter(pk=candidate_id)
        .first()
    )
    if candidate is None:
        raise PersonNotFound(f"duplicate candidate {candidate_id}")
    if candidate.status != DuplicateStatus.OPEN:
        raise ConflictsWithState(_("Über dieses Paar ist schon entschieden."))
    return candidate


@transaction.atomic
def duplicate_dismiss_as(viewer: Viewer, *, candidate_id: int, view: str) -> DuplicateCandidate:
    """Mark the pair as two different persons. PermissionDenied (not a coordinator),
    PersonNotFound (no such pair), ValidationError (decided already)."""
    candidate = _open_candidate(viewer, candidate_id)
    candidate.status = DuplicateStatus.DISMISSED
    candidate.decided_by_id = viewer.user_id
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at"])
    audit_reads(
        viewer,
        [
            (candidate.first.public_id, Level.PSEUDONYMOUS),
            (candidate.second.public_id, Level.PSEUDONYMOUS),
        ],
        view=view,
        purpose=PURPOSE,
        action=AuditAction.CHANGE,
        fields=["duplicate_dismissed"],
    )
    return candidate


@transaction.atomic
def duplicate_merge_as(viewer: Viewer, *, candidate_id: int, keep: str, view: str) -> MergeResult:
    """Merge the pair, keeping the record ``keep`` (one of the pair's public ids). The
    refusals of ``merging.person_merge_as``, and ValidationError for a ``keep`` that is
    not one of the pair or a pair decided already."""
    candidate = _open_candidate(viewer, candidate_id)
    pair = {
        candidate.first.public_id: candidate.second,
        candidate.second.public_id: candidate.first,
    }
    if keep not in pair:
        # Which two persons the pair holds is stored, not stated by the request: 409.
        raise ConflictsWithState({"keep": _("Bitte eine der beiden Personen wählen.")})
    return person_merge_as(viewer, keep=keep, other=pair[keep].public_id, view=view)
