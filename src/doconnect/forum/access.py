"""Who may do what in the conference's pages, one place for views, commands and tests.

- Coordinators (the city's employment office convenes the conference): read and write
  everything.
- Case workers, provider staff and analysts: read the internal pages.
- A commitment's owner organisation: its members (any role that reads the forum) may
  change that commitment's status.
- Everybody else, including anonymous visitors: only the public decision log.
"""

from __future__ import annotations

from doconnect.core.models import Role
from doconnect.core.viewers import Viewer
from doconnect.forum.models import Commitment

READ_ROLES = (Role.COORDINATOR, Role.CASE_WORKER, Role.PROVIDER_STAFF, Role.ANALYST)


def may_read_forum(viewer: Viewer) -> bool:
    return viewer.has_role(*READ_ROLES)


def may_run_conference(viewer: Viewer) -> bool:
    """Sessions, agenda, minutes, decisions, commitments and what is public."""
    return viewer.has_role(Role.COORDINATOR)


def may_update_commitment(viewer: Viewer, commitment: Commitment) -> bool:
    if may_run_conference(viewer):
        return True
    return may_read_forum(viewer) and commitment.owner_id in viewer.organisation_ids
