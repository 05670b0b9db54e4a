"""Registering a person *on behalf of a viewer*: the pseudonymous record, the personal
details and the first consent in one step, after the duplicate check. The page
``/persons/new/``, ``POST /api/persons`` and the persons import all call
``person_register_as``; its signature is kept stable for them.

Who may register: coordinators and case workers; a case worker's first consent must
include one of their own organisations (as ``consent_actions`` requires for every
consent). Provider staff, analysts, admins: never (PermissionDenied).

The duplicate check (``duplicates.CandidateFinder``) looks at every person; of what it
finds, only the persons the viewer may see *with personal data* are shown
(``PossibleDuplicates``, their reading audited), and registering goes on only with
``confirm_new``. A candidate the viewer may not see is never revealed, not even that it
exists: the answer is exactly the one without a duplicate, and the pair goes to the
coordinators' queue ("Mögliche Dubletten"). Every pair found is queued once the person
is registered, also those the viewer saw and confirmed as another person.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from doconnect.core.models import District, Organisation, Role, TargetGroup
from doconnect.core.refusals import RefusedForRole
from doconnect.core.viewers import Viewer
from doconnect.people.access import audit_change, audit_reads, levels_for
from doconnect.people.access_rules import Level, Purpose
from doconnect.people.consent_actions import may_record_consent
from doconnect.people.duplicates import Candidate, CandidateFinder, queue_candidates
from doconnect.people.models import (
    PERSONAL_FIELDS,
    Consent,
    ConsentPurpose,
    Gender,
    LegalBranch,
    MergedPerson,
    Person,
    PersonalDetails,
    SchoolQualification,
    VocationalQualification,
)
from doconnect.people.services import consent_give, person_create

# Zweckbindung: registering a person opens a counselling file.
PURPOSE = Purpose.COUNSELLING


def consent_purposes_of(value: str) -> list[str]:
    """The purposes of a registration's first consent: ``consent_purpose`` holds one or
    more codes separated by spaces or commas (the form ticks several, the API and the
    persons file send them as text, as they send target groups)."""
    return list(dict.fromkeys(value.replace(",", " ").split()))


@dataclass(frozen=True)
class NewPerson:
    """What registering a person takes. The field names are those of the form, of the
    body of ``POST /api/persons`` and of the persons file's columns, and a refusal
    (ValidationError) names the fields the same way.

    Districts by official key or name, target groups by code, organisations by
    external id; codes as in ``people.models``. ``consent_valid_until`` None: until
    withdrawn. ``source_organisation`` (external id) and ``source_id``: the record's
    origin in another organisation's system (the persons import), else empty."""

    given_name: str
    family_name: str
    birth_date: dt.date | None
    consent_purpose: str  # one or more ConsentPurpose codes, separated by spaces
    consent_organisations: Sequence[str]
    consent_valid_from: dt.date
    consent_valid_until: dt.date | None = None
    gender: str = Gender.UNSPECIFIED
    postcode: str = ""
    street: str = ""
    district: str = ""
    legal_branch: str = LegalBranch.NONE
    school_qualification: str = SchoolQualification.UNKNOWN
    vocational_qualification: str = VocationalQualification.UNKNOWN
    target_groups: Sequence[str] = ()
    email: str = ""
    phone: str = ""
    source_organisation: str = ""
    source_id: str = ""


@dataclass(frozen=True)
class Registration:
    person: Person
    consent: Consent
    # How many possible duplicates went to the coordinators' queue. Pages and the API
    # never show it (it may count persons the user cannot see); the persons import
    # reports the lines, as its command's output is specified.
    queued_duplicates: int


@dataclass(frozen=True)
class ShownCandidate:
    """A possible duplicate the viewer may see with personal data, as the form shows it."""

    public_id: str
    given_name: str
    family_name: str
    birth_date: dt.date | None
    district: str
    reason: str
    score: int


class PossibleDuplicates(Exception):
    """Registering stopped: the viewer may see possible duplicates. Nothing was written
    but the audit of reading them; again with ``confirm_new`` registers anyway."""

    def __init__(self, candidates: list[ShownCandidate]) -> None:
        super().__init__(", ".join(c.public_id for c in candidates))
        self.candidates = candidates


def person_register_as(
    viewer: Viewer,
    *,
    person: NewPerson,
    view: str,
    confirm_new: bool = False,
    finder: CandidateFinder | None = None,
) -> Registration:
    """Register ``person`` with the first consent, as this viewer, in one transaction.

    Raises PermissionDenied (role), ValidationError (by field, see ``NewPerson``) or
    PossibleDuplicates (visible candidates, and ``confirm_new`` not set). ``view``
    names the page, endpoint or import in the audit trail and the queue. A bulk
    import passes one ``CandidateFinder(whole_years=True)`` for all its lines.
    Audited as a ``change`` of the new person; candidates shown are audited as reads.
    """
    if not may_register(viewer):
        raise PermissionDenied(_("Nur Koordination und Fallberatung nehmen Personen auf."))
    today = timezone.localdate()
    data = _validated(viewer, person, today)
    assert person.birth_date is not None  # _validated requires it
    finder = finder or CandidateFinder()
    candidates = finder.find(
        person.given_name.strip(), person.family_name.strip(), person.birth_date
    )
    levels = levels_for(viewer, [c.person_id for c in candidates], today=today, purpose=PURPOSE)
    visible = {c.person_id for c in candidates if levels[c.person_id] >= Level.PERSONAL}
    if visible and not confirm_new:
        raise PossibleDuplicates(
            _shown(viewer, [c for c in candidates if c.person_id in visible], view=view)
        )
    with transaction.atomic():
        created = person_create(
            gender=person.gender,
            birth_date=person.birth_date,
            district=data.district,
            given_name=person.given_name.strip(),
            family_name=person.family_name.strip(),
            legal_branch=person.legal_branch,
            school_qualification=person.school_qualification,
            vocational_qualification=person.vocational_qualification,
            target_groups=data.target_groups,
            email=person.email.strip(),
            phone=person.phone.strip(),
            street=person.street.strip(),
            postcode=person.postcode.strip(),
            source_organisation=data.source_organisation,
            source_id=person.source_id.strip(),
        )
        consent = consent_give(
            person=created,
            purposes=consent_purposes_of(person.consent_purpose),
            organisations=data.consent_organisations,
            valid_from=person.consent_valid_from,
            valid_until=person.consent_valid_until,
            recorded_by_id=viewer.user_id,
        )
        queued = queue_candidates(
            second=created,
            candidates=candidates,
            shown=visible,
            found_by_id=viewer.user_id,
            found_in=view,
        )
        audit_change(
            viewer, created.public_id, Level.PERSONAL, REGISTERED_FIELDS, view=view, purpose=PURPOSE
        )
    finder.add(created.pk, person.given_name.strip(), person.family_name.strip(), person.birth_date)
    return Registration(person=created, consent=consent, queued_duplicates=len(queued))


# What a registration writes, as the audit trail names it.
REGISTERED_FIELDS = ("pseudonymous", *PERSONAL_FIELDS, "consents")
# What the duplicate warning shows of a candidate.
SHOWN_FIELDS = ("given_name", "family_name", "birth_date", "district")


def may_register(viewer: Viewer) -> bool:
    """Coordinators and case workers register persons (to offer the form and the link)."""
    return viewer.has_role(Role.COORDINATOR, Role.CASE_WORKER)


def person_by_source(organisation: Organisation, source_id: str) -> Person | None:
    """The person another system delivered under ``source_id``, also after that record
    was merged into another one; None if there is none. (No access check: for the
    import's idempotency, which decides what to tell the user.)"""
    found = Person.objects.filter(source_organisation=organisation, source_id=source_id).first()
    if found is not None:
        return found
    alias = (
        MergedPerson.objects.select_related("merged_into")
        .filter(source_organisation=organisation, source_id=source_id)
        .first()
    )
    return alias.merged_into if alias is not None else None


@dataclass(frozen=True)
class _Resolved:
    district: District | None
    target_groups: list[TargetGroup]
    consent_organisations: list[Organisation]
    source_organisation: Organisation | None


_POSTCODE = re.compile(r"^\d{5}$")
_NAME_MAX, _STREET_MAX, _PHONE_MAX, _SOURCE_ID_MAX = 100, 200, 40, 64
_EARLIEST_BIRTH = dt.date(1900, 1, 1)


def _validated(viewer: Viewer, person: NewPerson, today: dt.date) -> _Resolved:
    """Every problem of the input at once, by field; the looked-up objects otherwise."""
    errors: dict[str, list[str]] = {}

    def refuse(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    for name in ("given_name", "family_name"):
        value = getattr(person, name).strip()
        if not value:
            refuse(name, _("Bitte ausfüllen."))
        elif len(value) > _NAME_MAX:
            refuse(name, _("Höchstens %(n)d Zeichen.") % {"n": _NAME_MAX})
    if person.birth_date is None:
        refuse("birth_date", _("Das Geburtsdatum ist für die Dublettenprüfung nötig."))
    elif person.birth_date > today:
        refuse("birth_date", _("Das Geburtsdatum liegt in der Zukunft."))
    elif person.birth_date < _EARLIEST_BIRTH:
        refuse("birth_date", _("Das Geburtsdatum liegt vor 1900."))
    for name, codes in (
        ("gender", Gender.values),
        ("legal_branch", LegalBranch.values),
        ("school_qualification", SchoolQualification.values),
        ("vocational_qualification", VocationalQualification.values),
    ):
        if getattr(person, name) not in codes:
            refuse(name, _("Unbekannter Wert %(value)r.") % {"value": getattr(person, name)})
    purposes = consent_purposes_of(person.consent_purpose)
    if not purposes:
        refuse("consent_purpose", _("Mindestens einen Zweck angeben."))
    for purpose in purposes:
        if purpose not in ConsentPurpose.values:
            refuse("consent_purpose", _("Unbekannter Wert %(value)r.") % {"value": purpose})
    if purposes and PURPOSE not in purposes:
        # Registering opens a counselling file; without that purpose nobody could open it.
        refuse("consent_purpose", _("Die erste Einwilligung muss die Beratung einschließen."))
    postcode = person.postcode.strip()
    if postcode and not _POSTCODE.match(postcode):
        refuse("postcode", _("Eine Postleitzahl hat fünf Ziffern."))
    if len(person.street.strip()) > _STREET_MAX:
        refuse("street", _("Höchstens %(n)d Zeichen.") % {"n": _STREET_MAX})
    if len(person.phone.strip()) > _PHONE_MAX:
        refuse("phone", _("Höchstens %(n)d Zeichen.") % {"n": _PHONE_MAX})
    if person.email.strip():
        try:
            validate_email(person.email.strip())
        except ValidationError:
            refuse("email", _("Keine gültige E-Mail-Adresse."))

    district = None
    if person.district.strip():
        key = person.district.strip()
        district = District.objects.filter(Q(official_key=key) | Q(name__iexact=key)).first()
        if district is None:
            refuse("district", _("Unbekannter Stadtbezirk %(value)r.") % {"value": key})
    codes = sorted(set(person.target_groups))
    target_groups = list(TargetGroup.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {g.code for g in target_groups})
    if unknown:
        refuse(
            "target_groups", _("Unbekannte Zielgruppen: %(codes)s.") % {"codes": ", ".join(unknown)}
        )

    not_for_viewer = ""
    keys = sorted(set(person.consent_organisations))
    organisations = list(Organisation.objects.filter(external_id__in=keys))
    unknown = sorted(set(keys) - {o.external_id for o in organisations})
    if not keys:
        refuse("consent_organisations", _("Mindestens eine Organisation ist nötig."))
    elif unknown:
        refuse(
            "consent_organisations",
            _("Unbekannte Organisationen: %(keys)s.") % {"keys": ", ".join(unknown)},
        )
    elif not may_record_consent(viewer, [o.pk for o in organisations]):
        not_for_viewer = _("Die Einwilligung muss Ihre eigene Organisation einschließen.")
    if person.consent_valid_from > today:
        refuse("consent_valid_from", _("Die erste Einwilligung muss heute schon gelten."))
    until = person.consent_valid_until
    if until is not None and until < person.consent_valid_from:
        refuse("consent_valid_until", _("Das Ende liegt vor dem Beginn."))
    elif until is not None and until < today:
        refuse("consent_valid_until", _("Die erste Einwilligung muss heute noch gelten."))

    source = None
    source_id = person.source_id.strip()
    if person.source_organisation or source_id:
        source = Organisation.objects.filter(external_id=person.source_organisation).first()
        if source is None:
            refuse(
                "source_organisation",
                _("Unbekannte Organisation %(value)r.") % {"value": person.source_organisation},
            )
        if not source_id:
            refuse("source_id", _("Bitte ausfüllen."))
        elif len(source_id) > _SOURCE_ID_MAX:
            refuse("source_id", _("Höchstens %(n)d Zeichen.") % {"n": _SOURCE_ID_MAX})
        elif source is not None and person_by_source(source, source_id) is not None:
            refuse("source_id", _("Diese Person ist aus diesem System schon aufgenommen."))
    if errors:
        raise ValidationError(errors)
    if not_for_viewer:  # the input is good; this caller may not record it
        raise RefusedForRole({"consent_organisations": [not_for_viewer]})
    return _Resolved(district, target_groups, organisations, source)


def _shown(viewer: Viewer, candidates: list[Candidate], *, view: str) -> list[ShownCandidate]:
    """The candidates as the warning shows them; reading them is audited."""
    details = {
        d.person_id: d
        for d in PersonalDetails.objects.select_related("person__district").filter(
            person_id__in=[c.person_id for c in candidates]
        )
    }
    shown = [
        ShownCandidate(
            public_id=d.person.public_id,
            given_name=d.given_name,
            family_name=d.family_name,
            birth_date=d.birth_date,
            district=d.person.district.name if d.person.district else "",
            reason=c.reason,
            score=c.score,
        )
        for c in candidates
        for d in [details[c.person_id]]
    ]
    audit_reads(
        viewer,
        [(s.public_id, Level.PERSONAL) for s in shown],
        view=view,
        purpose=PURPOSE,
        fields=SHOWN_FIELDS,
    )
    return shown
