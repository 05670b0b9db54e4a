"""Who may see how much of a person: the rule itself, as a pure function.

Kept free of Django so the whole matrix (role × own/other organisation × consent state ×
provider link) can be checked exhaustively and cheaply.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum

from doconnect.core.roles import MembershipRole


class Level(IntEnum):
    NONE = 0  # the person does not exist for this user
    PSEUDONYMOUS = 1  # the pseudonymous record and biography, never names or contacts
    PERSONAL = 2  # also names, birth date, contact and address


def decide(
    memberships: Iterable[MembershipRole],
    *,
    consenting_organisations: set[int],
    linked_provider_organisations: set[int],
) -> Level:
    """The most a user sees of one person, over all the user's memberships.

    - coordinator: the pseudonymous record always (city-wide planning); personal fields
      only while a valid consent covers the coordinator's organisation.
    - case worker: the person exists for them only while a valid consent covers their
      organisation (their caseload), and then with personal fields.
    - provider staff: only with a referral to or participation in one of their own
      organisation's offers *and* a valid consent covering that organisation.
    - analyst: the pseudonymous record, never personal fields.
    - admin and anybody else: nothing (running the platform is no reason to read files).
    """
    best = Level.NONE
    for membership in memberships:
        org, role = membership.organisation_id, membership.role
        consented = org in consenting_organisations
        if role == "coordinator":
            level = Level.PERSONAL if consented else Level.PSEUDONYMOUS
        elif role == "case_worker":
            level = Level.PERSONAL if consented else Level.NONE
        elif role == "provider_staff":
            level = (
                Level.PERSONAL if consented and org in linked_provider_organisations else Level.NONE
            )
        elif role == "analyst":
            level = Level.PSEUDONYMOUS
        else:
            level = Level.NONE
        best = max(best, level)
    return best
