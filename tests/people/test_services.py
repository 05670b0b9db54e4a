"""Person, consent and spell writes: the one place each rule lives."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from doconnect.people.models import Consent, PersonalDetails, Spell
from doconnect.people.services import (
    consent_extend,
    consent_give,
    consent_withdraw,
    spell_create,
)
from tests.conftest import City, make_person

D = dt.date


def test_a_new_person_keeps_personal_details_apart_from_the_pseudonymous_record(
    city: City,
) -> None:
    person = make_person(city, given_name="Maria", family_name="Musterfrau")
    assert person.public_id.startswith("P-") and len(person.public_id) == 10
    assert person.birth_year == 2004
    details = PersonalDetails.objects.get(person=person)
    assert details.family_name == "Musterfrau"
    pseudonymous_columns = {f.attname for f in person._meta.concrete_fields}
    assert not pseudonymous_columns & {"given_name", "family_name", "birth_date", "email"}


def test_the_public_id_never_changes_on_save(city: City) -> None:
    person = make_person(city)
    before = person.public_id
    person.gender = "diverse"
    person.save()
    person.refresh_from_db()
    assert person.public_id == before


def test_a_spell_that_ends_before_it_starts_is_refused(city: City) -> None:
    person = make_person(city)
    with pytest.raises(ValidationError, match="vor Beginn"):
        spell_create(person=person, state="school", start=D(2024, 5, 1), end=D(2024, 4, 1))
    assert not Spell.objects.filter(person=person).exists()


def test_the_database_refuses_a_spell_ending_before_it_starts_even_without_the_service(
    city: City,
) -> None:
    person = make_person(city)
    with pytest.raises(IntegrityError):
        Spell.objects.create(person=person, state="school", start=D(2024, 5, 1), end=D(2024, 1, 1))


def test_a_marginal_job_beside_unemployment_is_accepted(city: City) -> None:
    person = make_person(city)
    spell_create(person=person, state="unemployed", start=D(2025, 1, 1), end=None)
    spell_create(person=person, state="marginal_employment", start=D(2025, 2, 1), end=None)
    assert Spell.objects.filter(person=person).count() == 2


def test_two_overlapping_main_states_are_refused_with_the_other_spell_named(city: City) -> None:
    person = make_person(city)
    spell_create(person=person, state="employment", start=D(2025, 1, 1), end=D(2025, 12, 31))
    with pytest.raises(ValidationError) as excinfo:
        spell_create(person=person, state="unemployed", start=D(2025, 6, 1), end=None)
    assert "employment 2025-01-01–2025-12-31" in str(excinfo.value)
    assert Spell.objects.filter(person=person).count() == 1


def test_consent_is_valid_from_its_start_until_its_end_or_withdrawal(city: City) -> None:
    person = make_person(city)
    consent = consent_give(
        person=person,
        purposes=["counselling"],
        organisations=[city.jobcenter],
        valid_from=D(2026, 1, 1),
        valid_until=D(2026, 12, 31),
    )
    assert not consent.is_valid_on(D(2025, 12, 31))
    assert consent.is_valid_on(D(2026, 6, 1))
    assert not consent.is_valid_on(D(2027, 1, 1))
    assert list(Consent.objects.valid_on(D(2026, 6, 1))) == [consent]

    consent_extend(consent=consent, valid_until=D(2027, 6, 30))
    assert consent.is_valid_on(D(2027, 1, 1))

    consent_withdraw(consent=consent)
    assert consent.withdrawn_at is not None
    assert not Consent.objects.valid_on(dt.date.today() + dt.timedelta(days=1)).exists()


def test_consent_needs_an_organisation_and_an_end_after_its_start(city: City) -> None:
    person = make_person(city)
    with pytest.raises(ValidationError, match="Organisation"):
        consent_give(
            person=person,
            purposes=["counselling"],
            organisations=[],
            valid_from=D(2026, 1, 1),
            valid_until=None,
        )
    with pytest.raises(ValidationError, match="vor ihrem Beginn"):
        consent_give(
            person=person,
            purposes=["counselling"],
            organisations=[city.city],
            valid_from=D(2026, 1, 1),
            valid_until=D(2025, 1, 1),
        )
    assert not Consent.objects.filter(person=person).exists()


def test_a_withdrawn_consent_cannot_be_extended(city: City) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    consent = Consent.objects.get(person=person)
    consent_withdraw(consent=consent)
    with pytest.raises(ValidationError, match="widerrufene"):
        consent_extend(consent=consent, valid_until=D(2030, 1, 1))
