"""Recording, extending and withdrawing consent *on behalf of a viewer*: who may do it, on top of
the plain writes in ``people.services``. The web pages and the JSON API both call these,
so the rule lives once.

Who may record, extend or withdraw a consent:

- the person must exist for the viewer (``access.levels_for`` above NONE), otherwise the
  person is "not found", exactly as for a read, so nothing leaks;
- a coordinator may record consent for any organisations (the city's employment office
  runs the case conferences that consents are given in);
- a case worker only for a consent that includes one of their own organisations (they
  record what the person agreed to with them, and cannot hand a file to others alone);
- provider staff, analysts, admins: never (PermissionDenied).

Each change is written to the audit trail as a ``change`` event.

Purpose: recording, extending and withdrawing a consent is the person deciding about
their own data, not a use of it, so the person counts as seen under any consent covering
the viewer's organisation (``Purpose.DATA_SUBJECT_REQUEST``) — a withdrawal must be
recordable whatever the consent was given for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from doconnect.core.models import Organisation, Role
from doconnect.core.viewers import Viewer
from doconnect.people.access import PersonNotFound, audit_change, levels_for
from doconnect.people.access_rules import Level, Purpose
from doconnect.people.models import Consent, ConsentPurpose, Person
from doconnect.people.services import consent_extend, consent_give, consent_withdraw


def may_record_consent(viewer: Viewer, organisation_ids: Iterable[int]) -> bool:
    """Whether the viewer may record or withdraw a consent for these organisations
    (the person's visibility is checked separately)."""
    if viewer.has_role(Role.COORDINATOR):
        return True
    return bool(viewer.orgs_with(Role.CASE_WORKER) & set(organisation_ids))


def may_record_any_consent(viewer: Viewer) -> bool:
    """Whether the viewer could record some consent at all (to offer the form)."""
    return viewer.has_role(Role.COORDINATOR, Role.CASE_WORKER)


PURPOSE = Purpose.DATA_SUBJECT_REQUEST


def _visible_level(viewer: Viewer, person: Person) -> Level:
    return levels_for(viewer, [person.pk], purpose=PURPOSE)[person.pk]


@transaction.atomic
def consent_give_as(
    viewer: Viewer,
    *,
    public_id: str,
    purposes: Collection[str],
    organisation_external_ids: Iterable[str],
    valid_from: dt.date,
    valid_until: dt.date | None,
    view: str,
) -> Consent:
    """Record a consent the person gave, as this viewer. Raises PersonNotFound,
    PermissionDenied or ValidationError."""
    person = Person.objects.filter(public_id=public_id).first()
    if person is None:
        raise PersonNotFound(public_id)
    level = _visible_level(viewer, person)
    if level is Level.NONE:
        raise PersonNotFound(public_id)
    if not may_record_any_consent(viewer):
        raise PermissionDenied("Nur Koordination und Fallberatung erfassen Einwilligungen.")
    if not purposes:
        raise ValidationError({"purposes": "Mindestens einen Zweck angeben."})
    unknown = sorted(set(purposes) - set(ConsentPurpose.values))
    if unknown:
        raise ValidationError({"purposes": f"Unbekannter Zweck {', '.join(unknown)}."})
    keys = sorted(set(organisation_external_ids))
    organisations = list(Organisation.objects.filter(external_id__in=keys))
    unknown = sorted(set(keys) - {o.external_id for o in organisations})
    if unknown:
        raise ValidationError(
            {"organisations": f"Unbekannte Organisationen: {', '.join(unknown)}."}
        )
    if not may_record_consent(viewer, [o.pk for o in organisations]):
        raise PermissionDenied(
            "Die Fallberatung erfasst nur Einwilligungen, die die eigene Organisation einschließen."
        )
    consent = consent_give(
        person=person,
        purposes=purposes,
        organisations=organisations,
        valid_from=valid_from,
        valid_until=valid_until,
        recorded_by_id=viewer.user_id,
    )
    audit_change(viewer, person.public_id, level, ["consents"], view=view, purpose=PURPOSE)
    return consent


def _consent_for_change(
    viewer: Viewer, consent_id: int, public_id: str | None
) -> tuple[Consent, Level]:
    """The consent to change, for this viewer, or refuse: a consent of a person the
    viewer cannot see (or, with ``public_id``, of another person) is "not found"
    (PersonNotFound); one the viewer may not record is PermissionDenied."""
    consent = (
        Consent.objects.select_related("person")
        .prefetch_related("organisations")
        .filter(pk=consent_id)
        .first()
    )
    if consent is None or public_id not in (None, consent.person.public_id):
        raise PersonNotFound(f"consent {consent_id}")
    level = _visible_level(viewer, consent.person)
    if level is Level.NONE:
        raise PersonNotFound(f"consent {consent_id}")
    if not may_record_consent(viewer, [o.pk for o in consent.organisations.all()]):
        raise PermissionDenied(
            "Nur Koordination oder die Fallberatung einer berechtigten Organisation "
            "kann Einwilligungen ändern."
        )
    return consent, level


@transaction.atomic
def consent_withdraw_as(
    viewer: Viewer, *, consent_id: int, view: str, public_id: str | None = None
) -> Consent:
    """Record that the person withdrew this consent, as this viewer."""
    consent, level = _consent_for_change(viewer, consent_id, public_id)
    consent = consent_withdraw(consent=consent)
    audit_change(viewer, consent.person.public_id, level, ["consents"], view=view, purpose=PURPOSE)
    return consent


@transaction.atomic
def consent_extend_as(
    viewer: Viewer,
    *,
    consent_id: int,
    valid_until: dt.date | None,
    view: str,
    public_id: str | None = None,
) -> Consent:
    """Record that the person extended (or shortened) this consent to ``valid_until``
    (None: until withdrawn), as this viewer. ValidationError for a withdrawn consent or
    an end before the start."""
    consent, level = _consent_for_change(viewer, consent_id, public_id)
    consent = consent_extend(consent=consent, valid_until=valid_until)
    audit_change(viewer, consent.person.public_id, level, ["consents"], view=view, purpose=PURPOSE)
    return consent
