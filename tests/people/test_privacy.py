"""DSGVO Art. 15 export and Art. 17 erasure."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied

from doconnect.core.models import AuditEvent
from doconnect.core.viewers import viewer_for
from doconnect.people.access import PersonNotFound
from doconnect.people.models import Person, PersonalDetails, Spell
from doconnect.people.privacy import person_data_export, person_erase
from doconnect.people.services import spell_create
from tests.conftest import City, make_person


def test_a_coordinator_with_consent_exports_everything_stored_about_a_person(
    city: City, coordinator: User
) -> None:
    person = make_person(city, family_name="Yilmaz", consent_orgs=[city.city])
    spell_create(person=person, state="school", start=dt.date(2015, 8, 1), end=dt.date(2021, 7, 31))
    data = person_data_export(viewer=viewer_for(coordinator), public_id=person.public_id)
    assert data["public_id"] == person.public_id
    assert data["personal"]["family_name"] == "Yilmaz"
    assert data["spells"] == [
        {
            "state": "school",
            "start": "2015-08-01",
            "end": "2021-07-31",
            "organisation": None,
            "offer": None,
            "kldb": "",
        }
    ]
    assert data["consents"][0]["organisations"] == ["city"]
    assert (
        AuditEvent.objects.filter(person_public_id=person.public_id, action="export").count() == 1
    )


def test_an_analyst_cannot_export_a_person(city: City, analyst: User) -> None:
    person = make_person(city, consent_orgs=[city.statistics])
    with pytest.raises(PermissionDenied):
        person_data_export(viewer=viewer_for(analyst), public_id=person.public_id)
    assert not AuditEvent.objects.filter(action="export").exists()


def test_a_coordinator_without_consent_cannot_erase_a_person(city: City, coordinator: User) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    with pytest.raises(PermissionDenied):
        person_erase(viewer=viewer_for(coordinator), public_id=person.public_id, reason="request")
    assert Person.objects.filter(pk=person.pk).exists()


def test_erasure_removes_the_person_and_keeps_the_audit_trail(
    city: City, coordinator: User, outsider: User
) -> None:
    person = make_person(city, consent_orgs=[city.city])
    spell_create(person=person, state="unemployed", start=dt.date(2025, 1, 1), end=None)
    public_id = person.public_id
    person_erase(viewer=viewer_for(coordinator), public_id=public_id, reason="Antrag vom 1.11.")
    assert not Person.objects.filter(public_id=public_id).exists()
    assert not PersonalDetails.objects.filter(person_id=person.pk).exists()
    assert not Spell.objects.filter(person_id=person.pk).exists()
    trail = list(
        AuditEvent.objects.filter(person_public_id=public_id).values_list("action", flat=True)
    )
    assert "erase" in trail and "read" in trail
    with pytest.raises(PersonNotFound):
        person_erase(viewer=viewer_for(coordinator), public_id=public_id, reason="again")
