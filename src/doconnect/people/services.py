"""Writes about persons: one function per rule, called by the web, the API and the CLI."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from doconnect.core.models import District, Organisation, TargetGroup
from doconnect.core.refusals import ConflictsWithState
from doconnect.offers.models import OfferKind
from doconnect.people.biography import SpellSpan, overlap_conflicts
from doconnect.people.models import (
    PERSON_GOALS,
    Consent,
    ConsentPurpose,
    Person,
    PersonalDetails,
    Spell,
)


@transaction.atomic
def person_create(
    *,
    gender: str,
    birth_date: dt.date | None,
    district: District | None,
    given_name: str,
    family_name: str,
    legal_branch: str = "none",
    school_qualification: str = "unknown",
    vocational_qualification: str = "unknown",
    target_groups: Iterable[TargetGroup] = (),
    strengths: list[str] | None = None,
    support_needs: list[str] | None = None,
    email: str = "",
    phone: str = "",
    street: str = "",
    postcode: str = "",
    source_organisation: Organisation | None = None,
    source_id: str = "",
) -> Person:
    """The pseudonymous record and its personal details (the match key follows from the
    names and birth date). No checks: a person is registered on behalf of a user with
    ``registration.person_register_as``, which runs the duplicate check first."""
    person = Person.objects.create(
        gender=gender,
        birth_year=birth_date.year if birth_date else None,
        district=district,
        legal_branch=legal_branch,
        school_qualification=school_qualification,
        vocational_qualification=vocational_qualification,
        strengths=strengths or [],
        support_needs=support_needs or [],
        source_organisation=source_organisation,
        source_id=source_id,
    )
    person.target_groups.set(list(target_groups))
    PersonalDetails.objects.create(
        person=person,
        given_name=given_name,
        family_name=family_name,
        birth_date=birth_date,
        email=email,
        phone=phone,
        street=street,
        postcode=postcode,
        address_district=district,
    )
    return person


@transaction.atomic
def consent_give(
    *,
    person: Person,
    purposes: Collection[str],
    organisations: Iterable[Organisation],
    valid_from: dt.date,
    valid_until: dt.date | None,
    recorded_by_id: int | None = None,
) -> Consent:
    if valid_until is not None and valid_until < valid_from:
        raise ValidationError({"valid_until": "Das Ende der Einwilligung liegt vor ihrem Beginn."})
    orgs = list(organisations)
    if not orgs:
        raise ValidationError({"organisations": "Mindestens eine Organisation ist nötig."})
    if not purposes:
        raise ValidationError({"purposes": "Mindestens ein Zweck ist nötig."})
    unknown = sorted(set(purposes) - set(ConsentPurpose.values))
    if unknown:
        raise ValidationError({"purposes": f"Unbekannter Zweck: {', '.join(unknown)}."})
    consent = Consent(
        person=person,
        valid_from=valid_from,
        valid_until=valid_until,
        recorded_by_id=recorded_by_id,
    )
    consent.purposes = purposes
    consent.save()
    consent.organisations.set(orgs)
    return consent


@transaction.atomic
def consent_extend(*, consent: Consent, valid_until: dt.date | None) -> Consent:
    if consent.withdrawn_at is not None:
        raise ConflictsWithState("Eine widerrufene Einwilligung kann nicht verlängert werden.")
    if valid_until is not None and valid_until < consent.valid_from:
        # Against the stored start: a conflict with the consent, not a malformed request.
        raise ConflictsWithState(
            {"valid_until": "Das Ende der Einwilligung liegt vor ihrem Beginn."}
        )
    consent.valid_until = valid_until
    consent.save(update_fields=["valid_until"])
    return consent


@transaction.atomic
def consent_withdraw(*, consent: Consent, at: dt.datetime | None = None) -> Consent:
    if consent.withdrawn_at is None:
        consent.withdrawn_at = at or timezone.now()
        consent.save(update_fields=["withdrawn_at"])
    return consent


def spell_problems(*, existing: Iterable[SpellSpan], new: SpellSpan) -> list[str]:
    """Why a new spell cannot join a biography; empty when it can."""
    if new.end is not None and new.end < new.start:
        return [f"Ende {new.end} liegt vor Beginn {new.start}."]
    return [
        f"überschneidet sich mit {other.state} {other.start}–{other.end or 'offen'}"
        for first, second in overlap_conflicts([*existing, new])
        for other in (first, second)
        if other is not new and new in (first, second)
    ]


@transaction.atomic
def spell_create(
    *,
    person: Person,
    state: str,
    start: dt.date,
    end: dt.date | None,
    source_organisation: Organisation | None = None,
    offer_id: int | None = None,
    kldb: str = "",
) -> Spell:
    # Lock the person row so two concurrent writers cannot both pass the overlap check.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    existing = [SpellSpan(s.state, s.start, s.end) for s in Spell.objects.filter(person=person)]
    problems = spell_problems(existing=existing, new=SpellSpan(state, start, end))
    if problems:
        raise ValidationError({"start": problems})
    return Spell.objects.create(
        person=person,
        state=state,
        start=start,
        end=end,
        source_organisation=source_organisation,
        offer_id=offer_id,
        kldb=kldb,
    )


MAX_PREFERRED_KINDS = 3


@transaction.atomic
def person_wishes_update(
    *, person: Person, goal: str, preferred_offer_kinds: Sequence[str]
) -> Person:
    """Record what the person said they want: a goal (empty: none stated) and up to
    three kinds of offer, most wished first. The next steps and the allocation rank by
    them."""
    errors: dict[str, str] = {}
    if goal and goal not in {code for code, _label in PERSON_GOALS}:
        errors["goal"] = f"unknown goal {goal!r}"
    kinds = list(preferred_offer_kinds)
    unknown = [k for k in kinds if k not in OfferKind.values]
    if unknown:
        errors["preferred_offer_kinds"] = f"unknown kinds of offer: {', '.join(unknown)}"
    elif len(set(kinds)) != len(kinds):
        errors["preferred_offer_kinds"] = "each kind of offer at most once"
    elif len(kinds) > MAX_PREFERRED_KINDS:
        errors["preferred_offer_kinds"] = f"at most {MAX_PREFERRED_KINDS} kinds of offer"
    if errors:
        raise ValidationError(errors)
    person.goal = goal
    person.preferred_offer_kinds = kinds
    person.save(update_fields=["goal", "preferred_offer_kinds"])
    return person
