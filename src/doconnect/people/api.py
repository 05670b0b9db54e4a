"""Person endpoints. Each one starts with the access module: a single person through
``access_person`` (404 for unknown *and* refused), a page through
``records_for_page``; both write the audit trail."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router
from ninja.responses import Status

from doconnect.core.api.auth import require_person_lists, viewer
from doconnect.core.api.pagination import page_body, page_of
from doconnect.core.api.schemas import ErrorOut, Page, PageParams, district_body
from doconnect.people.access import (
    PersonRecord,
    access_person,
    audit_reads,
    records_for_page,
)
from doconnect.people.access_rules import Purpose
from doconnect.people.analyst_view import (
    ANALYSTS_SEE_RECORD_ONLY,
    QUASI_IDENTIFIERS,
    district_keys,
)
from doconnect.people.consent_actions import (
    consent_extend_as,
    consent_give_as,
    consent_withdraw_as,
)
from doconnect.people.details_actions import person_details_update_as
from doconnect.people.models import Consent, PersonalDetails, Spell
from doconnect.people.registration import NewPerson, PossibleDuplicates, person_register_as
from doconnect.people.schemas import (
    ConsentExtendIn,
    ConsentIn,
    ConsentOut,
    PersonFilter,
    PersonOut,
    PersonPatchIn,
    PersonRegisterIn,
    PossibleDuplicatesOut,
    SpellIn,
    SpellOut,
    SpellPatchIn,
    WishesIn,
)
from doconnect.people.selectors import PersonCriteria, find_persons
from doconnect.people.spell_actions import spell_correct_as, spell_record_as
from doconnect.people.wishes_actions import person_wishes_update_as

# Zweckbindung: the person endpoints serve counselling, as the person pages do.
PURPOSE = Purpose.COUNSELLING

router = Router(tags=["persons"])

NOT_FOUND = {404: ErrorOut}


def _personal(details: PersonalDetails) -> dict[str, Any]:
    return {
        "given_name": details.given_name,
        "family_name": details.family_name,
        "birth_date": details.birth_date,
        "email": details.email,
        "phone": details.phone,
        "street": details.street,
        "postcode": details.postcode,
        "address_district": district_body(details.address_district),
    }


def _statistical_body(record: PersonRecord, keys: dict[str, str]) -> dict[str, Any]:
    """An analyst's person: the pseudonym and the coarsened record, nothing else
    (``analyst_view``); the district by official key (``keys``: id → key)."""
    assert record.statistical is not None
    values = dict(zip(QUASI_IDENTIFIERS, record.statistical.values(), strict=True))
    values["district"] = keys.get(values["district"], values["district"])
    return {
        "public_id": record.person.public_id,
        "access_level": "pseudonymous",
        "gender": "",
        "birth_year": None,
        "district": None,
        "legal_branch": "",
        "school_qualification": "",
        "vocational_qualification": "",
        "target_groups": [],
        "strengths": [],
        "support_needs": [],
        "goal": "",
        "preferred_offer_kinds": [],
        "statistical": values,
    }


def person_bodies(records: list[PersonRecord]) -> list[dict[str, Any]]:
    """Persons as JSON for this viewer: coarsened where the viewer sees only that."""
    keys = district_keys() if any(r.coarsened for r in records) else {}
    return [_statistical_body(r, keys) if r.coarsened else person_body(r) for r in records]


def person_body(record: PersonRecord) -> dict[str, Any]:
    """A person as JSON for this viewer; the ``personal`` key only where allowed."""
    if record.coarsened:
        return person_bodies([record])[0]
    person = record.person
    body: dict[str, Any] = {
        "public_id": person.public_id,
        "access_level": "personal" if record.shows_personal else "pseudonymous",
        "gender": person.gender,
        "birth_year": person.birth_year,
        "district": district_body(person.district),
        "legal_branch": person.legal_branch,
        "school_qualification": person.school_qualification,
        "vocational_qualification": person.vocational_qualification,
        "target_groups": sorted(tg.code for tg in person.target_groups.all()),
        "strengths": list(person.strengths),
        "support_needs": list(person.support_needs),
        "goal": person.goal,
        "preferred_offer_kinds": list(person.preferred_offer_kinds),
    }
    if record.shows_personal and record.personal is not None:
        body["personal"] = _personal(record.personal)
    return body


def consent_body(consent: Consent, public_id: str) -> dict[str, Any]:
    return {
        "id": consent.pk,
        "person": public_id,
        "purposes": consent.purposes,
        "organisations": sorted(o.external_id for o in consent.organisations.all()),
        "valid_from": consent.valid_from,
        "valid_until": consent.valid_until,
        "withdrawn_at": consent.withdrawn_at,
        "valid_today": consent.is_valid_on(timezone.localdate()),
        "recorded_at": consent.recorded_at,
    }


def _read(
    request: HttpRequest, public_id: str, view: str, reads: tuple[str, ...] | None = None
) -> PersonRecord:
    who = viewer(request)
    return access_person(who, public_id, view=view, purpose=PURPOSE, reads=reads)


def _read_beyond_record(
    request: HttpRequest, public_id: str, view: str, reads: tuple[str, ...]
) -> PersonRecord:
    """A part of the file beyond the record (biography, consents): refused (403, no
    read audited) where the viewer sees the person only coarsened (``analyst_view``):
    dated spells would single a person out again."""
    who = viewer(request)
    record = access_person(who, public_id, view=view, purpose=PURPOSE, reads=reads, audit=False)
    if record.coarsened:
        raise PermissionDenied(ANALYSTS_SEE_RECORD_ONLY)
    audit_reads(
        who, [(record.person.public_id, record.level)], view=view, purpose=PURPOSE, fields=reads
    )
    return record


@router.get(
    "/persons",
    response=Page[PersonOut],
    exclude_unset=True,
    summary="Persons visible to the caller",
)
def list_persons(
    request: HttpRequest, filters: Query[PersonFilter], paging: Query[PageParams]
) -> dict[str, object]:
    """Persons the caller may see, ordered by public id. Personal data appears only
    where allowed, and each person shown with it is audited."""
    who = require_person_lists(request)
    # The person list page's filter (find_persons), with the parameters the API offers.
    criteria = PersonCriteria(
        district=filters.district or "",
        legal_branch=filters.legal_branch or "",
        gender=filters.gender or "",
        target_group=filters.target_group or "",
    )
    page, count = page_of(find_persons(who, criteria).prefetch_related("target_groups"), paging)
    records = records_for_page(who, page, view="api.person_list", purpose=PURPOSE)
    return page_body(person_bodies(records), count, paging)


@router.get(
    "/persons/{public_id}",
    response={200: PersonOut, **NOT_FOUND},
    exclude_unset=True,
    summary="One person",
)
def get_person(request: HttpRequest, public_id: str) -> dict[str, Any]:
    record = _read(request, public_id, "api.person_detail")
    return person_body(record)


@router.put(
    "/persons/{public_id}/wishes",
    response={200: PersonOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    exclude_unset=True,
    summary="Record the goal and the kinds of offer the person wishes",
)
def put_wishes(request: HttpRequest, public_id: str, body: WishesIn) -> dict[str, Any]:
    """Coordinators and case workers who see the person (else 404; other roles 403).
    Unknown codes, a kind twice or more than three kinds: 422. Audited as a ``change``."""
    who = viewer(request)
    person_wishes_update_as(
        who,
        public_id=public_id,
        goal=body.goal,
        preferred_offer_kinds=body.preferred_offer_kinds,
        view="api.person_wishes",
    )
    return person_body(_read(request, public_id, "api.person_wishes"))


@router.get(
    "/persons/{public_id}/spells",
    response={200: list[SpellOut], 403: ErrorOut, **NOT_FOUND},
    summary="A person's biography as dated spells",
)
def list_spells(request: HttpRequest, public_id: str) -> list[dict[str, Any]]:
    """403 for analysts: they see persons one by one only coarsened."""
    record = _read_beyond_record(request, public_id, "api.person_spells", ("spells",))
    spells = record.person.spells.select_related("source_organisation", "offer")
    return [spell_body(s) for s in spells]


def spell_body(spell: Spell) -> dict[str, Any]:
    return {
        "id": spell.pk,
        "state": spell.state,
        "start": spell.start,
        "end": spell.end,
        "source_organisation": spell.source_organisation.external_id
        if spell.source_organisation
        else None,
        "offer": spell.offer.external_id if spell.offer else None,
        "kldb": spell.kldb,
    }


@router.patch(
    "/persons/{public_id}",
    response={200: PersonOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    exclude_unset=True,
    summary="Change some of a person's details",
)
def patch_person(request: HttpRequest, public_id: str, body: PersonPatchIn) -> dict[str, Any]:
    """Only the fields sent change. Coordinators and case workers who see the person
    with personal data: every field; provider staff (own participants, with consent):
    the contact data only (else 403); the person must be visible (else 404). 422 names
    each bad field, nothing changed. Audited as a ``change`` with the changed fields."""
    person_details_update_as(
        viewer(request),
        public_id=public_id,
        view="api.person_update",
        **body.model_dump(exclude_unset=True),
    )
    return person_body(_read(request, public_id, "api.person_update"))


@router.post(
    "/persons/{public_id}/spells",
    response={201: SpellOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Record a spell of the person's biography",
)
def record_spell(request: HttpRequest, public_id: str, body: SpellIn) -> Status[Any]:
    """Same rule as changing details (provider staff: as their own organisation, in their
    own offers). An overlap with another main spell is 422 at ``start`` or ``end``.
    Audited as a ``change``."""
    spell = spell_record_as(
        viewer(request), public_id=public_id, view="api.spell_record", **body.model_dump()
    )
    return Status(201, spell_body(spell))


@router.patch(
    "/persons/{public_id}/spells/{spell_id}",
    response={200: SpellOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Correct or end a spell",
)
def patch_spell(
    request: HttpRequest, public_id: str, spell_id: int, body: SpellPatchIn
) -> dict[str, Any]:
    """Only the fields sent change; ``{"end": date}`` ends a running spell. Provider
    staff only spells their organisation reports or that run in their offers (else
    403); another person's spell is 404. 422 names each bad field."""
    spell = spell_correct_as(
        viewer(request),
        public_id=public_id,
        spell_id=spell_id,
        view="api.spell_correct",
        **body.model_dump(exclude_unset=True),
    )
    return spell_body(spell)


@router.get(
    "/persons/{public_id}/consents",
    response={200: list[ConsentOut], 403: ErrorOut, **NOT_FOUND},
    summary="A person's consents, including expired and withdrawn ones",
)
def list_consents(request: HttpRequest, public_id: str) -> list[dict[str, Any]]:
    """403 for analysts: they see persons one by one only coarsened."""
    record = _read_beyond_record(request, public_id, "api.person_consents", ("consents",))
    consents = record.person.consents.prefetch_related("organisations")
    return [consent_body(c, record.person.public_id) for c in consents]


@router.post(
    "/persons/{public_id}/consents",
    response={201: ConsentOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Record a consent the person gave",
)
def give_consent(request: HttpRequest, public_id: str, body: ConsentIn) -> Status[Any]:
    """Coordinators may record a consent for any organisations; case workers only a
    consent that includes their own organisation. The person must be visible to the
    caller (else 404). Audited as a ``change``."""
    consent = consent_give_as(
        viewer(request),
        public_id=public_id,
        purposes=[str(p) for p in body.purposes],
        organisation_external_ids=body.organisations,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
        view="api.consent_give",
    )
    return Status(201, consent_body(consent, public_id))


@router.post(
    "/consents/{consent_id}/withdraw",
    response={200: ConsentOut, 403: ErrorOut, 404: ErrorOut},
    summary="Record that the person withdrew a consent",
)
def withdraw_consent(request: HttpRequest, consent_id: int) -> dict[str, Any]:
    """Same permission as recording: a coordinator, or a case worker of one of the
    consent's organisations. Withdrawing twice keeps the first date."""
    consent = consent_withdraw_as(
        viewer(request), consent_id=consent_id, view="api.consent_withdraw"
    )
    return consent_body(consent, consent.person.public_id)


@router.post(
    "/consents/{consent_id}/extend",
    response={200: ConsentOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Record that the person extended (or shortened) a consent",
)
def extend_consent(request: HttpRequest, consent_id: int, body: ConsentExtendIn) -> dict[str, Any]:
    """Same permission as recording. A withdrawn consent cannot be extended (422)."""
    consent = consent_extend_as(
        viewer(request),
        consent_id=consent_id,
        valid_until=body.valid_until,
        view="api.consent_extend",
    )
    return consent_body(consent, consent.person.public_id)


@router.post(
    "/persons",
    response={201: PersonOut, 403: ErrorOut, 409: PossibleDuplicatesOut, 422: ErrorOut},
    exclude_unset=True,
    summary="Register a person with the first consent",
)
def register_person(request: HttpRequest, body: PersonRegisterIn) -> Status[Any]:
    """Coordinators and case workers (others 403); a case worker's consent includes
    their own organisation. Before registering, the duplicate check: possible
    duplicates the caller may see with personal data are 409 with the candidates
    (their reading audited) unless ``confirm_new``; one the caller may not see is
    never revealed (201 as without it) and goes to the coordinators' queue. 422 names
    each bad field, nothing registered. Audited as a ``change``."""
    who = viewer(request)
    try:
        registration = person_register_as(
            who,
            person=registration_input(body),
            view="api.person_register",
            confirm_new=body.confirm_new,
        )
    except PossibleDuplicates as found:
        return Status(
            409,
            {
                "detail": "possible duplicates: open an existing record, or send again "
                "with confirm_new",
                "candidates": [asdict(c) for c in found.candidates],
            },
        )
    record = _read(request, registration.person.public_id, "api.person_register")
    return Status(201, person_body(record))


def registration_input(body: PersonRegisterIn) -> NewPerson:
    return NewPerson(
        **body.model_dump(exclude={"confirm_new", "consent_valid_from"}),
        consent_valid_from=body.consent_valid_from or timezone.localdate(),
    )
