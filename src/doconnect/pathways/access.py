"""Who may see a person's ranked next steps, and fetching them *for this user* or
refusing. The web's person page, the referral proposal, the API and ``doconnect pathways
next-steps --as`` all come through here, so a refusal is the same on every interface."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied

from doconnect.core.models import Role
from doconnect.core.viewers import Viewer
from doconnect.pathways.services import PersonNextSteps, next_steps_for
from doconnect.people.access import PersonRecord, access_person, default_purpose

NEXT_STEPS_ROLES = (Role.COORDINATOR, Role.CASE_WORKER)
NEXT_STEPS_REFUSED = "Only coordinators and case workers see a person's next steps."


def may_see_next_steps(viewer: Viewer) -> bool:
    """Ranked next steps and the "propose a referral" buttons: for coordinators and
    case workers who see the person."""
    return viewer.has_role(*NEXT_STEPS_ROLES)


def access_next_steps(
    viewer: Viewer,
    public_id: str,
    *,
    view: str,
    goal: str | None = None,
    include_excluded: bool = False,
    reads: Sequence[str] | None = None,
) -> tuple[PersonRecord, PersonNextSteps]:
    """The person (through ``people.access``: PersonNotFound when unknown or not
    visible) and their ranked next steps; PermissionDenied for a role without them.
    The person comes first, so a refusal never reveals whether the person exists."""
    record = access_person(
        viewer, public_id, view=view, purpose=default_purpose(viewer), reads=reads
    )
    if not may_see_next_steps(viewer):
        raise PermissionDenied(NEXT_STEPS_REFUSED)
    found = next_steps_for(record.person, goal=goal, include_excluded=include_excluded)
    return record, found
