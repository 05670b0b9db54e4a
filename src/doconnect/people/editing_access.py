"""Who may change a person's file (personal details and biography), and how much.

Changing a file is case work, and case work needs what reading names needs: the viewer
must see the person *with personal data* (``Level.PERSONAL``, i.e. a valid consent
covers the viewer's organisation). On top of that the role decides the scope:

- coordinators and case workers (the city's and the Jobcenter's counsellors): the whole
  file (``EditScope.ALL``);
- provider staff, for their own participants under consent: their own part
  (``EditScope.OWN``) — the contact data, which they are often the first to hear has
  changed, and the spells they report or that run in their own offers;
- analysts, admins and anybody else: nothing.

A person the viewer does not see at all is "not found" (PersonNotFound), exactly as for
a read; a person the viewer sees but may not change is PermissionDenied. The web pages
and the JSON API both ask here, so the answer is the same on both.
"""

from __future__ import annotations

import dataclasses
import enum

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from doconnect.core.models import Role
from doconnect.core.viewers import Viewer
from doconnect.people.access import PersonNotFound, levels_for
from doconnect.people.access_rules import Level, Purpose
from doconnect.people.models import Person

# Zweckbindung: changing a file is counselling work, as the person page is.
PURPOSE = Purpose.COUNSELLING

COUNSELLING_ROLES = (Role.COORDINATOR, Role.CASE_WORKER)


class EditScope(enum.Enum):
    NONE = "none"
    OWN = "own"  # provider staff: contact data, own spells
    ALL = "all"  # coordinators and case workers


def _level_in_roles(
    viewer: Viewer, roles: tuple[str, ...], person_pk: int, overall: Level
) -> Level:
    """The level the viewer would have with only the memberships in these roles (no
    query when those are all the viewer's memberships, or none of them)."""
    memberships = tuple(m for m in viewer.memberships if m.role in roles)
    if not memberships:
        return Level.NONE
    if len(memberships) == len(viewer.memberships):
        return overall
    narrowed = dataclasses.replace(viewer, memberships=memberships)
    return levels_for(narrowed, [person_pk], purpose=PURPOSE)[person_pk]


def edit_scope_for(
    viewer: Viewer, person: Person, *, level: Level | None = None
) -> tuple[Level, EditScope]:
    """The viewer's level for this person and what they may change; PersonNotFound when
    the person does not exist for the viewer. ``level``: the one the caller fetched
    already (the person page's record). A viewer with several memberships gets the
    widest scope one role *with personal access* gives: a coordinator who sees the
    person only pseudonymously does not gain the whole file through a provider role."""
    if level is None:
        level = levels_for(viewer, [person.pk], purpose=PURPOSE)[person.pk]
    if level is Level.NONE:
        raise PersonNotFound(person.public_id)
    if level < Level.PERSONAL:
        return level, EditScope.NONE
    if _level_in_roles(viewer, COUNSELLING_ROLES, person.pk, level) >= Level.PERSONAL:
        return level, EditScope.ALL
    if _level_in_roles(viewer, (Role.PROVIDER_STAFF,), person.pk, level) >= Level.PERSONAL:
        return level, EditScope.OWN
    return level, EditScope.NONE


def person_for_editing(
    viewer: Viewer, public_id: str, *, lock: bool = False
) -> tuple[Person, Level, EditScope]:
    """The person to change, the viewer's level and scope; PersonNotFound when unknown
    or invisible, PermissionDenied when the viewer may change nothing of the file.
    With ``lock`` the person row is locked until the transaction ends, so two writers
    cannot both pass a check (e.g. the overlap of spells) and then both write."""
    persons = Person.objects.select_for_update() if lock else Person.objects.all()
    person = persons.filter(public_id=public_id).first()
    if person is None:
        raise PersonNotFound(public_id)
    level, scope = edit_scope_for(viewer, person)
    if scope is EditScope.NONE:
        raise PermissionDenied(
            _(
                "Nur Koordination und Fallberatung mit Einwilligung (und Träger bei "
                "eigenen Teilnehmenden) ändern die Akte einer Person."
            )
        )
    return person, level, scope
