"""Who may read and write a person's agreements, and fetching one agreement *for a
viewer* or refusing. On top of the person's access rule (``people.access``):

- agreements are case content: only viewers who see the person with personal data
  (level PERSONAL) read them, and only in a role that does case work (coordinators,
  case workers, provider staff); everybody else sees at most how many there are;
- coordinators and case workers see every agreement of such a person (they run the
  case); provider staff only those their own organisation is part of (the agreement's
  organisation, or the owner of one of its guarantees), as they see only the
  referrals to their own offers;
- writing: the same viewers write agreements for one of their own organisations;
  changing an item needs the viewer's organisation to be a party of the agreement;
  closing it, to be the agreement's organisation.

A refused and an unknown agreement look the same (``AgreementNotFound``, a
``PersonNotFound``, so pages and the API answer 404 for both)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from doconnect.core.models import Role
from doconnect.core.viewers import Viewer
from doconnect.people.access import (
    PersonNotFound,
    PersonRecord,
    access_person,
    levels_for,
)
from doconnect.people.access_rules import Level, Purpose
from doconnect.people.agreements.models import Agreement, AgreementItem
from doconnect.people.models import Person

# Zweckbindung: agreements (Eingliederungsvereinbarung) are part of counselling.
PURPOSE = Purpose.COUNSELLING

AGREEMENT_ROLES = (Role.COORDINATOR, Role.CASE_WORKER, Role.PROVIDER_STAFF)
# What an agreement page reads of the person: the name it is addressed to, and the
# agreements (the strengths and support needs are part of the pseudonymous record).
NAME_AND_AGREEMENTS = ("given_name", "family_name", "agreements")


class AgreementNotFound(PersonNotFound):
    """An agreement that does not exist, belongs to another person, or is not for
    this viewer: one answer for all three."""


def may_work_on_agreements(viewer: Viewer, level: Level) -> bool:
    """Read and write agreements at all: case work roles at level PERSONAL."""
    return level >= Level.PERSONAL and viewer.has_role(*AGREEMENT_ROLES)


def agreement_organisations(viewer: Viewer) -> set[int]:
    """The organisations a viewer may write an agreement for: their own, in a case
    work role."""
    return viewer.orgs_with(*AGREEMENT_ROLES)


def sees_every_agreement(viewer: Viewer) -> bool:
    return viewer.has_role(Role.COORDINATOR, Role.CASE_WORKER)


def is_party(viewer: Viewer, agreement: Agreement, items: Iterable[AgreementItem]) -> bool:
    """The viewer's organisation wrote the agreement or guarantees one of its items."""
    mine = agreement_organisations(viewer)
    return agreement.organisation_id in mine or any(
        item.owner_organisation_id in mine for item in items
    )


def may_see_agreement(viewer: Viewer, agreement: Agreement, items: Iterable[AgreementItem]) -> bool:
    """For a viewer who may work on the person's agreements at all."""
    return sees_every_agreement(viewer) or is_party(viewer, agreement, items)


def may_change_items(viewer: Viewer, agreement: Agreement, items: Iterable[AgreementItem]) -> bool:
    return agreement.in_force and is_party(viewer, agreement, items)


def may_close(viewer: Viewer, agreement: Agreement) -> bool:
    return agreement.in_force and agreement.organisation_id in agreement_organisations(viewer)


def person_and_level(viewer: Viewer, public_id: str) -> tuple[Person, Level]:
    """The person and how much of them the viewer sees, unaudited (the caller audits
    what it then reads or changes); PersonNotFound for unknown and refused alike."""
    person = Person.objects.filter(public_id=public_id).first()
    if person is None:
        raise PersonNotFound(public_id)
    level = levels_for(viewer, [person.pk], purpose=PURPOSE)[person.pk]
    if level is Level.NONE:
        raise PersonNotFound(public_id)
    return person, level


def require_agreement_work(viewer: Viewer, level: Level) -> None:
    """PermissionDenied for a viewer who sees the person but may not work on agreements."""
    if not may_work_on_agreements(viewer, level):
        raise PermissionDenied(
            _(
                "Vereinbarungen lesen und schreiben nur Koordination, Fallberatung und "
                "Träger mit Einwilligung der Person."
            )
        )


def agreement_for(viewer: Viewer, record: PersonRecord, agreement_id: int) -> Agreement:
    """One agreement of this person with its items (owners loaded), as this viewer may
    see it, or AgreementNotFound. The record comes from ``access_person``."""
    require_agreement_work(viewer, record.level)
    agreement = (
        Agreement.objects.select_related("organisation", "created_by")
        .prefetch_related(items_with_owners())
        .filter(pk=agreement_id, person=record.person)
        .first()
    )
    if agreement is None or not may_see_agreement(viewer, agreement, agreement.items.all()):
        raise AgreementNotFound(f"agreement {agreement_id}")
    return agreement


def items_with_owners() -> Prefetch[str, QuerySet[AgreementItem], str]:
    """The items of agreements with their owners, in one query."""
    return Prefetch(
        "items",
        queryset=AgreementItem.objects.select_related("owner_organisation", "owner_user"),
    )


def access_for_agreements(
    viewer: Viewer, public_id: str, *, view: str, reads: Sequence[str] = NAME_AND_AGREEMENTS
) -> PersonRecord:
    """The person for work on their agreements: PersonNotFound when not visible,
    PermissionDenied for a viewer who sees the person but may not work on agreements
    (decided before anything is read, so nothing is audited), else ``access_person``
    (audited as a read of ``reads``)."""
    _person, level = person_and_level(viewer, public_id)
    require_agreement_work(viewer, level)
    return access_person(viewer, public_id, view=view, purpose=PURPOSE, reads=reads)


def access_agreement(
    viewer: Viewer,
    public_id: str,
    agreement_id: int,
    *,
    view: str,
    reads: Sequence[str] = NAME_AND_AGREEMENTS,
) -> tuple[PersonRecord, Agreement]:
    """The person (as ``access_for_agreements``) and one of their agreements, or
    AgreementNotFound."""
    record = access_for_agreements(viewer, public_id, view=view, reads=reads)
    return record, agreement_for(viewer, record, agreement_id)
