"""Changing a person's details *on behalf of a viewer*: the pseudonymous record (gender,
district, legal branch, qualifications, target groups, strengths and support needs) and
the personal details (names, birth date, contact, address). The person page's form, the
API's ``PATCH /api/persons/{id}`` and any import call this one function.

Who may (``editing_access``): coordinators and case workers who see the person with
personal data change everything; provider staff, for their own participants under
consent, only the contact data (e-mail, phone, street, postcode, address district) —
they meet the participants every week and often hear first of a new number or address,
but who the person is (names, birth date: the duplicate check's key) and how the person
is counted (legal branch, qualifications, target groups) is the city's and the
Jobcenter's record. Analysts and admins never.

Derived values follow: the birth year of the pseudonymous record from the birth date,
and the record's district from the address district while the two agreed (a move is a
move; a district set apart from the address stays, and one changed in the same request
wins — a form that sends the district unchanged lets it follow). Each change is audited as a
``change`` naming the fields that changed; a request that changes nothing writes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any, TypedDict, Unpack

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from doconnect.core.models import District, TargetGroup
from doconnect.core.viewers import Viewer
from doconnect.people.access import audit_change
from doconnect.people.access_rules import Purpose
from doconnect.people.duplicates import match_key_refresh
from doconnect.people.editing_access import EditScope, person_for_editing
from doconnect.people.models import (
    PERSONAL_FIELDS,
    Gender,
    LegalBranch,
    Person,
    PersonalDetails,
    SchoolQualification,
    VocationalQualification,
)

# Zweckbindung: changing a file is counselling work, as the person page is.
PURPOSE = Purpose.COUNSELLING


class DetailChanges(TypedDict, total=False):
    """The fields one may change; each absent one stays as it is. Districts by official
    key, target groups by code, strengths and support needs as short free tags."""

    gender: str
    district: str | None
    legal_branch: str
    school_qualification: str
    vocational_qualification: str
    target_groups: Sequence[str]
    strengths: Sequence[str]
    support_needs: Sequence[str]
    given_name: str
    family_name: str
    birth_date: dt.date | None
    email: str
    phone: str
    street: str
    postcode: str
    address_district: str | None


RECORD_FIELDS: tuple[str, ...] = (
    "gender",
    "district",
    "legal_branch",
    "school_qualification",
    "vocational_qualification",
    "target_groups",
    "strengths",
    "support_needs",
)
DETAIL_FIELDS: tuple[str, ...] = PERSONAL_FIELDS  # every personal field may be edited
CONTACT_FIELDS: tuple[str, ...] = ("email", "phone", "street", "postcode", "address_district")
EDITABLE_FIELDS: tuple[str, ...] = RECORD_FIELDS + DETAIL_FIELDS
# Names and the birth date identify the person: the duplicate check's key hangs on them.
IDENTITY_FIELDS: frozenset[str] = frozenset({"given_name", "family_name", "birth_date"})

MAX_TAGS = 20
MAX_TAG_LENGTH = 80
_PHONE = re.compile(r"[0-9+()/\-. ]{3,40}")
_POSTCODE = re.compile(r"\d{5}")
_CHOICES = {
    "gender": Gender.values,
    "legal_branch": LegalBranch.values,
    "school_qualification": SchoolQualification.values,
    "vocational_qualification": VocationalQualification.values,
}
_TEXT_LIMITS = {"given_name": 100, "family_name": 100, "street": 200}


def editable_fields(scope: EditScope) -> tuple[str, ...]:
    """The fields a viewer with this scope may change (the page offers only these)."""
    if scope is EditScope.ALL:
        return EDITABLE_FIELDS
    if scope is EditScope.OWN:
        return CONTACT_FIELDS
    return ()


def _tags(values: Sequence[str], errors: dict[str, str], name: str) -> list[str]:
    """Free tags, trimmed, empty ones dropped, each once in the order given."""
    tags = list(dict.fromkeys(v.strip() for v in values if v.strip()))
    if len(tags) > MAX_TAGS:
        errors[name] = _("Höchstens %(n)d Angaben.") % {"n": MAX_TAGS}
    elif any(len(t) > MAX_TAG_LENGTH for t in tags):
        errors[name] = _("Jede Angabe höchstens %(n)d Zeichen.") % {"n": MAX_TAG_LENGTH}
    return tags


def _district(key: str | None, errors: dict[str, str], name: str) -> District | None:
    if not key:
        return None
    district = District.objects.filter(official_key=key).first()
    if district is None:
        errors[name] = _("Unbekannter Stadtbezirk „%(key)s“.") % {"key": key}
    return district


def _cleaned(changes: DetailChanges) -> dict[str, Any]:
    """The changes as model values, or ValidationError naming every bad field."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    given: dict[str, Any] = dict(changes)
    for name, allowed in _CHOICES.items():
        if name in given:
            if given[name] not in allowed:
                errors[name] = _("Unbekannter Wert „%(value)s“.") % {"value": given[name]}
            values[name] = given[name]
    for name in ("district", "address_district"):
        if name in given:
            values[name] = _district(given[name], errors, name)
    if "target_groups" in given:
        codes = sorted(set(given["target_groups"]))
        groups = list(TargetGroup.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {g.code for g in groups})
        if unknown:
            errors["target_groups"] = _("Unbekannte Zielgruppen: %(codes)s.") % {
                "codes": ", ".join(unknown)
            }
        values["target_groups"] = groups
    for name in ("strengths", "support_needs"):
        if name in given:
            values[name] = _tags(given[name], errors, name)
    for name in ("given_name", "family_name", "street"):
        if name in given:
            text = values[name] = (given[name] or "").strip()
            if not text and name != "street":
                errors[name] = _("Bitte angeben.")
            elif len(text) > _TEXT_LIMITS[name]:
                errors[name] = _("Höchstens %(n)d Zeichen.") % {"n": _TEXT_LIMITS[name]}
    if "birth_date" in given:
        born = values["birth_date"] = given["birth_date"]
        if born is not None and born > timezone.localdate():
            errors["birth_date"] = _("Das Geburtsdatum liegt in der Zukunft.")
        elif born is not None and born.year < 1900:
            errors["birth_date"] = _("Das Geburtsdatum liegt vor 1900.")
    if "email" in given:
        email = values["email"] = (given["email"] or "").strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors["email"] = _("Bitte eine gültige E-Mail-Adresse angeben.")
    if "phone" in given:
        phone = values["phone"] = (given["phone"] or "").strip()
        if phone and not _PHONE.fullmatch(phone):
            errors["phone"] = _(
                "Bitte eine Telefonnummer aus Ziffern angeben (auch +, /, -, Klammern)."
            )
    if "postcode" in given:
        postcode = values["postcode"] = (given["postcode"] or "").strip()
        if postcode and not _POSTCODE.fullmatch(postcode):
            errors["postcode"] = _("Bitte eine Postleitzahl aus fünf Ziffern angeben.")
    if errors:
        raise ValidationError(errors)
    return values


def _current(person: Person, details: PersonalDetails | None, name: str) -> Any:
    if name in ("district",):
        return person.district_id
    if name == "target_groups":
        return sorted(person.target_groups.values_list("code", flat=True))
    if name in RECORD_FIELDS:
        return getattr(person, name)
    if details is None:
        return None
    if name == "address_district":
        return details.address_district_id
    return getattr(details, name)


def _comparable(name: str, value: Any) -> Any:
    if name in ("district", "address_district"):
        return value.pk if value is not None else None
    if name == "target_groups":
        return sorted(g.code for g in value)
    return value


@transaction.atomic
def person_details_update_as(
    viewer: Viewer, *, public_id: str, view: str, **changes: Unpack[DetailChanges]
) -> list[str]:
    """Change the given fields of the person's record and personal details, as this
    viewer; returns the names of the fields that really changed (derived ones included:
    ``birth_year``, ``district``). PersonNotFound when the viewer does not see the
    person, PermissionDenied when the viewer may not change these fields,
    ValidationError naming each bad field (nothing is changed then)."""
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError(
            {NON_FIELD_ERRORS: [_("Nicht änderbar: %(f)s.") % {"f": ", ".join(unknown)}]}
        )
    person, level, scope = person_for_editing(viewer, public_id, lock=True)
    forbidden = sorted(set(changes) - set(editable_fields(scope)))
    if forbidden:
        raise PermissionDenied(
            _("Träger ändern nur Kontaktdaten (E-Mail, Telefon, Anschrift), nicht: %(f)s.")
            % {"f": ", ".join(forbidden)}
        )
    values = _cleaned(changes)
    details = PersonalDetails.objects.filter(person=person).first()
    changed = [
        name
        for name in EDITABLE_FIELDS
        if name in values and _comparable(name, values[name]) != _current(person, details, name)
    ]
    if not changed:
        return []
    old_address_district = details.address_district_id if details is not None else None
    is_new = details is None
    if details is None:  # a record made without details (e.g. by an old import)
        missing = [name for name in ("given_name", "family_name") if name not in values]
        if missing:
            raise ValidationError({name: _("Bitte angeben.") for name in missing})
        details = PersonalDetails(person=person)
    if (
        "address_district" in changed
        and "district" not in changed
        and person.district_id == old_address_district
        and person.district_id != _comparable("district", values["address_district"])
    ):
        # The record's district followed the address so far: it moves with it.
        values["district"] = values["address_district"]
        changed.append("district")
    record_columns = [name for name in changed if name in RECORD_FIELDS and name != "target_groups"]
    for name in record_columns:
        setattr(person, name, values[name])
    if "birth_date" in changed:
        born = values["birth_date"]
        person.birth_year = born.year if born is not None else None
        record_columns.append("birth_year")
        changed.append("birth_year")
    if record_columns:
        person.save(update_fields=record_columns)
    if "target_groups" in changed:
        person.target_groups.set(values["target_groups"])
    detail_columns = [name for name in changed if name in DETAIL_FIELDS]
    for name in detail_columns:
        setattr(details, name, values[name])
    if detail_columns:
        details.save(force_insert=is_new)
    if IDENTITY_FIELDS & set(changed):
        # The duplicate check's key follows the names and birth date (save() keeps it
        # in step too; this says so where the identity changes).
        match_key_refresh(details)
    audit_change(viewer, person.public_id, level, changed, view=view, purpose=PURPOSE)
    return changed
