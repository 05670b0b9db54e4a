"""Recording a person's stated goal and wished kinds of offer *on behalf of a viewer*:
the city's counsellors (coordinators and case workers) who may see the person. The web
page and the JSON API both call this; each change is audited."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db import transaction

from doconnect.core.models import Role
from doconnect.core.viewers import Viewer
from doconnect.people.access import PersonNotFound, audit_change, levels_for
from doconnect.people.access_rules import Level, Purpose
from doconnect.people.models import Person
from doconnect.people.services import person_wishes_update

# Zweckbindung: a person's stated goal and wishes are recorded in counselling.
PURPOSE = Purpose.COUNSELLING

WISH_FIELDS = ("goal", "preferred_offer_kinds")


def may_record_wishes(viewer: Viewer) -> bool:
    return viewer.has_role(Role.COORDINATOR, Role.CASE_WORKER)


@transaction.atomic
def person_wishes_update_as(
    viewer: Viewer,
    *,
    public_id: str,
    goal: str,
    preferred_offer_kinds: Sequence[str],
    view: str,
) -> Person:
    """PersonNotFound when the viewer does not see the person, PermissionDenied for a
    role that does not counsel, ValidationError (by field) for unknown values."""
    person = Person.objects.select_for_update().filter(public_id=public_id).first()
    if person is None:
        raise PersonNotFound(public_id)
    level = levels_for(viewer, [person.pk], purpose=PURPOSE)[person.pk]
    if level is Level.NONE:
        raise PersonNotFound(public_id)
    if not may_record_wishes(viewer):
        raise PermissionDenied
    person = person_wishes_update(
        person=person, goal=goal, preferred_offer_kinds=preferred_offer_kinds
    )
    audit_change(viewer, person.public_id, level, list(WISH_FIELDS), view=view, purpose=PURPOSE)
    return person
