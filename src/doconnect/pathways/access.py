"""Who may see a person's ranked next steps, and fetching them *for this user* or
refusing. The web's person page, the referral proposal, the API and ``doconnect pathways
next-steps --as`` all come through here, so a refusal is the same on every interface:
``PermissionDenied(NEXT_STEPS_REFUSED)``, which the person page answers by leaving the
section out, the proposal and the API with 403, the command with this message."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied

from doconnect.core.models import Role
from doconnect.core.viewers import Viewer
from doconnect.pathways.next_steps import PersonNextSteps, next_steps_for
from doconnect.people.access import PersonRecord, access_person
from doconnect.people.access_rules import Purpose

# Zweckbindung: next steps are proposed for placement into offers.
PURPOSE = Purpose.PLACEMENT

NEXT_STEPS_ROLES = (Role.COORDINATOR, Role.CASE_WORKER)
# The pathways page shows offers only, no person data: every role of an organisation
# but the platform's administrators.
PATHWAY_ROLES = (Role.COORDINATOR, Role.CASE_WORKER, Role.PROVIDER_STAFF, Role.ANALYST)
NEXT_STEPS_REFUSED = "Only coordinators and case workers see a person's next steps."
# What the ranking reads of the person: the pseudonymous record and the biography.
NEXT_STEPS_READS = ("birth_year", "district", "legal_branch", "target_groups", "spells")


def may_see_pathways(viewer: Viewer) -> bool:
    """The pathways page (and its link in the navigation)."""
    return viewer.has_role(*PATHWAY_ROLES)


def may_see_next_steps(viewer: Viewer) -> bool:
    """Ranked next steps and the "propose a referral" buttons: for coordinators and
    case workers who see the person."""
    return viewer.has_role(*NEXT_STEPS_ROLES)


def _refuse_unless_allowed(viewer: Viewer) -> None:
    if not may_see_next_steps(viewer):
        raise PermissionDenied(NEXT_STEPS_REFUSED)


def access_person_for_next_steps(
    viewer: Viewer, public_id: str, *, view: str, reads: Sequence[str] | None = None
) -> PersonRecord:
    """The person (through ``people.access``: PersonNotFound when unknown or not
    visible, the read audited), if this viewer may see their next steps or act on them
    (propose one as a referral); PermissionDenied otherwise. The person comes first, so
    a refusal never reveals whether the person exists."""
    record = access_person(viewer, public_id, view=view, purpose=PURPOSE, reads=reads)
    _refuse_unless_allowed(viewer)
    return record


def next_steps_of(
    viewer: Viewer,
    record: PersonRecord,
    *,
    goal: str | None = None,
    include_excluded: bool = False,
    first: int | None = None,
    first_excluded: int | None = None,
) -> PersonNextSteps:
    """The ranked next steps of a person this viewer already fetched through
    ``people.access`` (a page showing more of the person than its next steps);
    PermissionDenied for a role without them. ``first`` and ``first_excluded``: only
    that many steps and excluded offers built (``result.count`` and
    ``result.excluded_count`` say how many there are)."""
    _refuse_unless_allowed(viewer)
    return next_steps_for(
        record.person,
        goal=goal,
        include_excluded=include_excluded,
        first=first,
        first_excluded=first_excluded,
    )


def access_next_steps(
    viewer: Viewer,
    public_id: str,
    *,
    view: str,
    goal: str | None = None,
    include_excluded: bool = False,
    reads: Sequence[str] | None = NEXT_STEPS_READS,
) -> tuple[PersonRecord, PersonNextSteps]:
    """The person (``access_person_for_next_steps``: PersonNotFound, then
    PermissionDenied) and their ranked next steps."""
    record = access_person_for_next_steps(viewer, public_id, view=view, reads=reads)
    found = next_steps_of(viewer, record, goal=goal, include_excluded=include_excluded)
    return record, found
