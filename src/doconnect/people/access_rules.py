"""Who may see how much of a person: the rule itself, as a pure function.

Kept free of Django so the whole matrix (role × own/other organisation × consent state ×
provider link) can be checked exhaustively and cheaply.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum, StrEnum

from doconnect.core.roles import MembershipRole


class Level(IntEnum):
    NONE = 0  # the person does not exist for this user
    PSEUDONYMOUS = 1  # the pseudonymous record and biography, never names or contacts
    PERSONAL = 2  # also names, birth date, contact and address


class Purpose(StrEnum):
    """What a route reads or writes a person's data for (Zweckbindung). Every view,
    API endpoint and command that touches a person declares one, once, and passes it
    to the access helpers; a consent opens the person's data only for a route whose
    purpose it was given for (``consent_purposes_opening``).

    The first four are the consent purposes (``people.models.ConsentPurpose``, the same
    codes); a data-subject request (Art. 15/17 GDPR) is the person's own right, not a
    use of their data, and is answered under any consent."""

    COUNSELLING = "counselling"  # Beratung und Begleitung: the file, case work, agreements
    PLACEMENT = "placement"  # Vermittlung: referrals, allocation, next steps, participants
    CASE_CONFERENCE = "case_conference"  # Fallkonferenz mehrerer Stellen
    MONITORING = "monitoring"  # Verlaufsbeobachtung (Übergangsmonitoring)
    DATA_SUBJECT_REQUEST = "data_subject_request"  # Auskunft, Löschung


CONSENT_PURPOSES: tuple[str, ...] = (
    Purpose.COUNSELLING,
    Purpose.PLACEMENT,
    Purpose.CASE_CONFERENCE,
    Purpose.MONITORING,
)


def consent_purposes_opening(purpose: Purpose) -> tuple[str, ...]:
    """The consent purposes of which one must be among a consent's for it to open a
    route declaring ``purpose``: that purpose itself — a consent for a case conference
    opens no counselling page — and for a data-subject request any of them."""
    declared = Purpose(purpose)  # an unknown purpose is refused, never read as "any"
    if declared is Purpose.DATA_SUBJECT_REQUEST:
        return CONSENT_PURPOSES
    return (declared.value,)


def decide(
    memberships: Iterable[MembershipRole],
    *,
    consenting_organisations: set[int],
    linked_provider_organisations: set[int],
) -> Level:
    """The most a user sees of one person, over all the user's memberships, for one
    declared purpose: ``consenting_organisations`` are those covered by a valid consent
    given for that purpose (``consent_purposes_opening``); the caller filters them.

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
