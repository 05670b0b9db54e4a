"""A person's rights under the GDPR: a full copy of their data (Art. 15) and erasure
(Art. 17). Both are audited; the audit trail itself survives erasure because it keeps
the pseudonymous id, not a foreign key."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from doconnect.casework import privacy as casework_privacy
from doconnect.core.models import AuditAction, Role
from doconnect.core.viewers import Viewer
from doconnect.people.access import PersonRecord, access_person, audit_reads
from doconnect.people.access_rules import Level, Purpose
from doconnect.people.agreements.privacy import agreements_export
from doconnect.people.models import PERSONAL_FIELDS, Person


def may_answer_requests(viewer: Viewer) -> bool:
    """The data-subject requests page and commands: coordinators (the service still
    asks for a consent covering their organisation, person by person)."""
    return viewer.has_role(Role.COORDINATOR)


def may_read_audit_log(viewer: Viewer) -> bool:
    """The whole access log: the data-protection officer's, and nobody else's."""
    return viewer.has_role(Role.DPO)


# Zweckbindung: answering the person's own request is no use of their data; it is
# answered under any consent covering the coordinator's organisation.
PURPOSE = Purpose.DATA_SUBJECT_REQUEST


def _require_personal_coordination(viewer: Viewer, public_id: str, view: str) -> PersonRecord:
    record = access_person(viewer, public_id, view=view, purpose=PURPOSE)
    # Handing out or destroying a whole file is a coordinator's act, and only for a
    # person who consented to the coordinator's organisation.
    if record.level < Level.PERSONAL or not viewer.has_role(Role.COORDINATOR):
        raise PermissionDenied("Nur die Koordination mit gültiger Einwilligung darf das.")
    return record


def person_data_export(
    *, viewer: Viewer, public_id: str, view: str = "person_data_export"
) -> dict[str, Any]:
    """Everything stored about one person, as plain JSON-ready data (DSGVO Art. 15).
    ``view``: where it was asked for (``web.person_data_export``, ``cli:…``), for the
    audit trail; the coordinator's page and ``doconnect privacy export`` both call
    this."""
    record = _require_personal_coordination(viewer, public_id, view)
    person, personal = record.person, record.personal
    data: dict[str, Any] = {
        "public_id": person.public_id,
        "gender": person.gender,
        "birth_year": person.birth_year,
        "district": person.district.name if person.district else None,
        "school_qualification": person.school_qualification,
        "vocational_qualification": person.vocational_qualification,
        "legal_branch": person.legal_branch,
        "target_groups": sorted(person.target_groups.values_list("code", flat=True)),
        "strengths": person.strengths,
        "support_needs": person.support_needs,
        "goal": person.goal,
        "preferred_offer_kinds": person.preferred_offer_kinds,
        "personal": None,
        "consents": [
            {
                "purposes": c.purposes,
                "organisations": sorted(o.external_id for o in c.organisations.all()),
                "valid_from": c.valid_from.isoformat(),
                "valid_until": c.valid_until.isoformat() if c.valid_until else None,
                "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None,
            }
            for c in person.consents.prefetch_related("organisations")
        ],
        "spells": [
            {
                "state": s.state,
                "start": s.start.isoformat(),
                "end": s.end.isoformat() if s.end else None,
                "organisation": s.source_organisation.external_id
                if s.source_organisation
                else None,
                "offer": s.offer.external_id if s.offer else None,
                "kldb": s.kldb,
            }
            for s in person.spells.select_related("source_organisation", "offer")
        ],
        "agreements": agreements_export(person),
        "referrals": [
            {
                "offer": r.offer.external_id,
                "status": r.status,
                "created_at": r.created_at.isoformat(),
            }
            for r in person.referrals.select_related("offer")
        ],
    }
    # Notes, follow-ups and appointments of every organisation: the copy is the
    # person's right, though each organisation sees only its own.
    data.update(casework_privacy.export_for(person))
    if personal is not None:
        data["personal"] = {
            field: (str(getattr(personal, field)) if getattr(personal, field) is not None else None)
            for field in PERSONAL_FIELDS
        }
    audit_reads(
        viewer,
        [(person.public_id, Level.PERSONAL)],
        view=view,
        purpose="art15",
        action=AuditAction.EXPORT,
    )
    return data


@transaction.atomic
def person_erase(
    *, viewer: Viewer, public_id: str, reason: str, view: str = "person_erase"
) -> None:
    """Erase a person and everything hanging off them (DSGVO Art. 17). The audit events
    stay, naming only the pseudonym. A reason is required: the trail must say why."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Bitte einen Grund für die Löschung angeben."})
    person = _require_personal_coordination(viewer, public_id, view).person
    audit_reads(
        viewer,
        [(person.public_id, Level.PERSONAL)],
        view=view,
        purpose=f"art17: {reason}"[:120],
        action=AuditAction.ERASE,
    )
    erase_record(person)


def erase_record(person: Person) -> None:
    """What an erasure removes, written once (``person_erase`` and the replay after a
    restore, ``erasure_replay``): the case work of every organisation and the person
    with everything hanging off them; the audit trail stays."""
    casework_privacy.erase_for(person)
    person.delete()
