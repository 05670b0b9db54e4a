"""Who may see and write case work, and where: the organisations through which a viewer
works on a person's case.

Case notes, follow-ups, appointments and responsibilities belong to one organisation.
A viewer sees those of an organisation only while

- they work there in a case-work role (coordinator, case worker, provider staff;
  analysts and admins never), and
- that membership alone would let them see the person *with personal data*
  (``people.access_rules.decide``): a valid consent covers the organisation, and for
  provider staff the person is also their organisation's participant or referral.

The rule is the person access rule applied membership by membership, so it is checked
afresh on every read: when the consent covering an organisation ends or is withdrawn,
its case work disappears from every page and endpoint, and no other organisation ever
sees it. A case file that is invisible to the viewer is "not found", as a person is.

Case work serves counselling (``PURPOSE``): only a consent given for counselling opens
it; one for placement or a case conference alone does not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from doconnect.core.models import Role
from doconnect.core.roles import MembershipRole
from doconnect.core.viewers import Viewer
from doconnect.people.access import (
    PersonNotFound,
    consents_opening,
    levels_for,
    visible_persons,
)
from doconnect.people.access_rules import Level, Purpose
from doconnect.people.models import Person

# Zweckbindung: every page, endpoint and command of case work declares this purpose.
PURPOSE = Purpose.COUNSELLING

CASEWORK_ROLES: tuple[str, ...] = (Role.COORDINATOR, Role.CASE_WORKER, Role.PROVIDER_STAFF)


def _alone(viewer: Viewer, membership: MembershipRole) -> Viewer:
    """The viewer as if they had only this one membership."""
    return Viewer(
        user_id=viewer.user_id,
        username=viewer.username,
        memberships=(membership,),
        organisation_keys={
            membership.organisation_id: viewer.organisation_keys.get(membership.organisation_id, "")
        },
    )


def casework_memberships(viewer: Viewer) -> list[MembershipRole]:
    return [m for m in viewer.memberships if m.role in CASEWORK_ROLES]


def does_casework(viewer: Viewer) -> bool:
    """Whether the viewer could do case work on anybody (to offer pages at all)."""
    return bool(casework_memberships(viewer))


def casework_organisations(
    viewer: Viewer, person_ids: Sequence[int], *, today: dt.date | None = None
) -> dict[int, set[int]]:
    """For each person, the organisations whose case work the viewer may see and
    write: a few queries per case-work membership, whatever the number of persons."""
    found: dict[int, set[int]] = {pk: set() for pk in person_ids}
    for membership in casework_memberships(viewer):
        levels = levels_for(_alone(viewer, membership), person_ids, purpose=PURPOSE, today=today)
        for pk, level in levels.items():
            if level >= Level.PERSONAL:
                found[pk].add(membership.organisation_id)
    return found


def casework_scope(viewer: Viewer, *, today: dt.date | None = None) -> Q:
    """A filter for any case-work model (it has ``person`` and ``organisation``): the
    rows this viewer may see across all persons, for lists such as "Meine Fälle" and
    the task page. Matches nothing for a viewer without a case-work role."""
    day = today or timezone.localdate()
    scope = Q(pk__in=[])
    for membership in casework_memberships(viewer):
        org = membership.organisation_id
        persons = visible_persons(_alone(viewer, membership), purpose=PURPOSE, today=day).filter(
            pk__in=consents_opening(PURPOSE, day).filter(organisations=org).values("person_id")
        )
        scope |= Q(organisation_id=org, person_id__in=persons.values("pk"))
    return scope


@dataclass(frozen=True)
class CaseFile:
    """A person's case as one viewer may work on it: ``level`` is the viewer's access
    level (for the audit), ``organisations`` those whose case work the viewer sees
    (empty: the viewer sees the person but none of the case work)."""

    person: Person
    level: Level
    organisations: frozenset[int]

    @property
    def open(self) -> bool:
        return bool(self.organisations)


def case_file(viewer: Viewer, public_id: str, *, today: dt.date | None = None) -> CaseFile:
    """The person's case for this viewer; PersonNotFound for an unknown person and for
    one the viewer may not see at all. Writes no audit event: the caller audits what
    it shows or changes."""
    person = Person.objects.filter(public_id=public_id).first()
    if person is None:
        raise PersonNotFound(public_id)
    return case_file_of(viewer, person, today=today)


def case_file_of(viewer: Viewer, person: Person, *, today: dt.date | None = None) -> CaseFile:
    level = levels_for(viewer, [person.pk], purpose=PURPOSE, today=today)[person.pk]
    if level is Level.NONE:
        raise PersonNotFound(person.public_id)
    organisations = casework_organisations(viewer, [person.pk], today=today)[person.pk]
    return CaseFile(person=person, level=level, organisations=frozenset(organisations))


def open_case_file(viewer: Viewer, public_id: str, *, today: dt.date | None = None) -> CaseFile:
    """The case for reading or writing its case work: PersonNotFound first (as for
    any read), then PermissionDenied for a viewer who sees the person but may do no
    case work on them (analysts, a coordinator without consent, staff of a provider
    the person has nothing to do with)."""
    found = case_file(viewer, public_id, today=today)
    if not found.open:
        raise PermissionDenied(
            _(
                "Fallarbeit nur für Koordination, Fallberatung und Träger mit gültiger "
                "Einwilligung für die eigene Organisation."
            )
        )
    return found
