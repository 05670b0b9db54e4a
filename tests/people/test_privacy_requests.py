"""Data-subject requests as a procedure: the coordinator's page (/privacy/) and
``doconnect privacy export|erase``, both through ``people.privacy`` and audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from doconnect.core.models import AuditEvent
from doconnect.people.models import Person
from tests.conftest import City, logged_in, make_person


def test_a_coordinator_finds_a_person_by_pseudonym_and_downloads_the_art15_copy(
    city: City, coordinator: User
) -> None:
    person = make_person(city, family_name="Yilmaz", consent_orgs=[city.city])
    client = logged_in(coordinator)
    page = client.get(f"/privacy/?person={person.public_id.lower()}").content.decode()
    assert "Yilmaz" in page and "Auskunft herunterladen" in page
    response = client.post(f"/privacy/{person.public_id}/export/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["public_id"] == person.public_id
    assert data["personal"]["family_name"] == "Yilmaz"
    assert AuditEvent.objects.filter(
        person_public_id=person.public_id, action="export", view="web.person_data_export"
    ).exists()


def test_a_person_without_consent_for_the_city_is_not_found_on_the_page(
    city: City, coordinator: User
) -> None:
    person = make_person(city, family_name="Fremd", consent_orgs=[city.jobcenter])
    page = logged_in(coordinator).get(f"/privacy/?person={person.public_id}").content.decode()
    assert "Fremd" not in page and "Keine Person mit diesem Pseudonym" in page
    assert logged_in(coordinator).post(f"/privacy/{person.public_id}/export/").status_code == 403


def test_erasure_needs_a_reason_and_the_pseudonym_typed_again(
    city: City, coordinator: User
) -> None:
    person = make_person(city, consent_orgs=[city.city])
    client = logged_in(coordinator)
    url = f"/privacy/{person.public_id}/erase/"
    refused = client.post(url, {"reason": "Antrag", "confirm": "P-FALSCH"})
    assert refused.status_code == 422
    assert "stimmt nicht" in refused.content.decode()
    assert client.post(url, {"reason": "", "confirm": person.public_id}).status_code == 422
    assert Person.objects.filter(pk=person.pk).exists()
    done = client.post(url, {"reason": "Antrag vom 3.12.", "confirm": person.public_id})
    assert done.status_code == 302
    assert not Person.objects.filter(pk=person.pk).exists()
    erase = AuditEvent.objects.get(person_public_id=person.public_id, action="erase")
    assert erase.purpose == "art17: Antrag vom 3.12." and erase.view == "web.person_erase"


@pytest.mark.parametrize("who", ["case_worker", "provider_staff", "analyst", "platform_admin"])
def test_only_coordinators_answer_data_subject_requests(
    who: str, city: City, request: pytest.FixtureRequest
) -> None:
    person = make_person(city, consent_orgs=[city.city, city.jobcenter, city.provider_a])
    client = logged_in(request.getfixturevalue(who))
    assert client.get("/privacy/").status_code == 403
    assert client.post(f"/privacy/{person.public_id}/export/").status_code == 403
    erase = {"reason": "x", "confirm": person.public_id}
    assert client.post(f"/privacy/{person.public_id}/erase/", erase).status_code == 403
    assert Person.objects.filter(pk=person.pk).exists()


def test_the_privacy_commands_export_and_erase_as_the_named_coordinator(
    city: City, coordinator: User, tmp_path: Path
) -> None:
    person = make_person(city, family_name="Kaya", consent_orgs=[city.city])
    out = tmp_path / "auskunft.json"
    call_command("privacy", "export", person.public_id, "--as", "coordinator", "--out", str(out))
    assert json.loads(out.read_text())["personal"]["family_name"] == "Kaya"
    with pytest.raises(CommandError, match="--reason"):
        call_command("privacy", "erase", person.public_id, "--as", "coordinator")
    call_command("privacy", "erase", person.public_id, "--as", "coordinator", "--reason", "Antrag")
    assert not Person.objects.filter(pk=person.pk).exists()
    views = set(
        AuditEvent.objects.filter(person_public_id=person.public_id).values_list("view", "action")
    )
    assert ("cli:person_data_export", "export") in views
    assert ("cli:person_erase", "erase") in views


def test_the_privacy_commands_refuse_other_roles_and_unknown_persons(
    city: City, case_worker: User, coordinator: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    with pytest.raises(CommandError, match="Nur die Koordination"):
        call_command("privacy", "export", person.public_id, "--as", "case_worker")
    with pytest.raises(CommandError, match="not found"):
        call_command("privacy", "export", "P-00000000", "--as", "coordinator")
    with pytest.raises(CommandError, match="--as USERNAME"):
        call_command("privacy", "export", person.public_id)
    assert not AuditEvent.objects.filter(action="export").exists()
