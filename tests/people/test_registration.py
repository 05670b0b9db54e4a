"""Registering a person ("Person aufnehmen"): the page and POST /api/persons through one
service, the first consent, field-level errors, the audit, and who may not."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from doconnect.core.models import AuditEvent
from doconnect.core.viewers import viewer_for
from doconnect.people.models import Consent, Person, PersonalDetails, match_key_of
from doconnect.people.registration import NewPerson, person_by_source, person_register_as
from tests.apiclient import BearerClient
from tests.conftest import City, logged_in
from tests.people.registering import api_body, form_data


def test_a_case_worker_registers_a_person_with_the_first_consent_on_the_page(
    city: City, case_worker: User
) -> None:
    response = logged_in(case_worker).post("/persons/new/", form_data(city))

    person = Person.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/persons/{person.public_id}/"
    details = PersonalDetails.objects.get(person=person)
    assert (details.given_name, details.family_name) == ("Mira", "Sommer")
    assert details.birth_date == dt.date(1999, 3, 8)
    assert (details.street, details.postcode, details.address_district) == (
        "Evinger Straße 12",
        "44339",
        city.district,
    )
    assert details.match_key == match_key_of("Mira", "Sommer", dt.date(1999, 3, 8))
    assert (person.birth_year, person.gender, person.legal_branch) == (1999, "female", "SGB II")
    assert list(person.target_groups.all()) == [city.youth]
    consent = Consent.objects.get(person=person)
    assert list(consent.organisations.all()) == [city.jobcenter]
    assert consent.valid_from == timezone.localdate() and consent.valid_until is None
    assert consent.recorded_by_id == case_worker.pk


def test_the_new_person_page_greets_with_the_pseudonym_and_the_name(
    city: City, case_worker: User
) -> None:
    client = logged_in(case_worker)

    page = client.post("/persons/new/", form_data(city), follow=True).content.decode()

    person = Person.objects.get()
    assert f"Die Person {person.public_id} ist aufgenommen." in page
    assert "Mira Sommer" in page


def test_registering_is_audited_as_a_change_of_the_new_person(
    city: City, case_worker: User
) -> None:
    logged_in(case_worker).post("/persons/new/", form_data(city))

    person = Person.objects.get()
    event = AuditEvent.objects.get(person_public_id=person.public_id, action="change")
    assert event.view == "web.person_register"
    assert event.actor_username == "case_worker"
    assert {"given_name", "birth_date", "consents"} <= set(event.fields)


def test_the_form_offers_iso_dates_and_the_own_organisation_for_the_consent(
    city: City, case_worker: User
) -> None:
    page = logged_in(case_worker).get("/persons/new/").content.decode()

    assert '<input type="date" name="birth_date"' in page
    assert f'value="{timezone.localdate().isoformat()}"' in page  # consent from today
    assert f'<option value="{city.jobcenter.external_id}" selected>' in page


def test_errors_stand_next_to_their_fields_and_nothing_is_saved(
    city: City, case_worker: User
) -> None:
    response = logged_in(case_worker).post(
        "/persons/new/", form_data(city, given_name="", birth_date="", postcode="4433")
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert body.count("kern-form-input--error") == 3
    assert "Die Person wurde nicht aufgenommen." in body
    assert "Eine Postleitzahl hat fünf Ziffern." in body
    assert not Person.objects.exists()


def test_a_case_worker_must_include_the_jobcenter_in_the_first_consent(
    city: City, case_worker: User
) -> None:
    response = logged_in(case_worker).post(
        "/persons/new/", form_data(city, consent_organisations=[city.provider_a.external_id])
    )

    assert response.status_code == 400
    assert (
        "Die Einwilligung muss Ihre eigene Organisation einschließen." in response.content.decode()
    )
    assert not Person.objects.exists()


def test_a_coordinator_may_record_a_consent_for_any_organisations(
    city: City, coordinator: User
) -> None:
    response = logged_in(coordinator).post(
        "/persons/new/", form_data(city, consent_organisations=[city.provider_a.external_id])
    )

    assert response.status_code == 302
    assert list(Consent.objects.get().organisations.all()) == [city.provider_a]


def test_a_first_consent_must_hold_today(city: City, case_worker: User) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = logged_in(case_worker).post(
        "/persons/new/", form_data(city, consent_valid_from=tomorrow.isoformat())
    )

    assert response.status_code == 400
    assert "muss heute schon gelten" in response.content.decode()


@pytest.mark.parametrize("persona", ["provider_staff", "analyst", "platform_admin", "outsider"])
def test_other_roles_may_neither_see_nor_post_the_form(
    city: City, persona: str, request: pytest.FixtureRequest
) -> None:
    client = logged_in(request.getfixturevalue(persona))

    assert client.get("/persons/new/").status_code == 403
    assert client.post("/persons/new/", form_data(city)).status_code == 403
    assert not Person.objects.exists()


def test_the_form_needs_a_login(city: City) -> None:
    response = Client().get("/persons/new/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_person_list_links_to_the_form_for_those_who_may_register(
    city: City, case_worker: User, provider_staff: User
) -> None:
    assert "/persons/new/" in logged_in(case_worker).get("/persons/").content.decode()
    assert "/persons/new/" not in logged_in(provider_staff).get("/persons/").content.decode()


# -- the API ---------------------------------------------------------------------------


def test_the_api_registers_a_person_and_answers_201_with_the_person(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    response = bearer(case_worker).post(
        "/api/persons", api_body(city), content_type="application/json"
    )

    assert response.status_code == 201
    body = response.json()
    person = Person.objects.get()
    assert body["public_id"] == person.public_id
    assert body["access_level"] == "personal"
    assert body["personal"]["family_name"] == "Sommer"
    assert body["personal"]["address_district"]["official_key"] == city.district.official_key
    assert body["target_groups"] == [city.youth.code]
    assert AuditEvent.objects.filter(
        person_public_id=person.public_id, action="change", view="api.person_register"
    ).exists()


def test_the_api_names_each_bad_field_with_422_and_registers_nothing(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    response = bearer(case_worker).post(
        "/api/persons",
        api_body(city, birth_date=None, gender="robot", target_groups=["astronauts"]),
        content_type="application/json",
    )

    # The schema's own rules (a birth date, a known gender) are checked at the edge,
    # each error at its field; the stored vocabulary (target groups) by the service.
    assert response.status_code == 422
    assert {error["loc"][-1] for error in response.json()["detail"]} == {"birth_date", "gender"}
    response = bearer(case_worker).post(
        "/api/persons",
        api_body(city, target_groups=["astronauts"]),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert set(response.json()["detail"]) == {"target_groups"}
    assert not Person.objects.exists()


def test_the_api_refuses_a_case_workers_consent_without_their_organisation_with_403(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    # Well formed, and taken from a coordinator: refused for who asks, not for its shape.
    response = bearer(case_worker).post(
        "/api/persons",
        api_body(city, consent_organisations=[city.provider_a.external_id]),
        content_type="application/json",
    )

    assert response.status_code == 403
    assert response.json()["detail"] == {
        "consent_organisations": ["Die Einwilligung muss Ihre eigene Organisation einschließen."]
    }
    assert not Person.objects.exists()


@pytest.mark.parametrize("persona", ["provider_staff", "analyst", "platform_admin", "outsider"])
def test_the_api_refuses_roles_that_cannot_register_with_403(
    city: City, persona: str, request: pytest.FixtureRequest, bearer: BearerClient
) -> None:
    response = bearer(request.getfixturevalue(persona)).post(
        "/api/persons", api_body(city), content_type="application/json"
    )

    assert response.status_code == 403
    assert not Person.objects.exists()


def test_the_api_needs_authentication(city: City) -> None:
    response = Client().post("/api/persons", api_body(city), content_type="application/json")
    assert response.status_code == 401


# -- the service, as the persons import calls it ---------------------------------------


def _import_row(city: City, source_id: str) -> NewPerson:
    return NewPerson(
        given_name="Jonas",
        family_name="Keller",
        birth_date=dt.date(2001, 2, 3),
        consent_purpose="counselling",
        consent_organisations=(city.jobcenter.external_id,),
        consent_valid_from=timezone.localdate(),
        source_organisation=city.jobcenter.external_id,
        source_id=source_id,
    )


def test_a_delivered_record_keeps_its_source_and_is_not_registered_twice(
    city: City, case_worker: User
) -> None:
    viewer = viewer_for(case_worker)
    first = person_register_as(viewer, person=_import_row(city, "JC-17"), view="import.persons")

    assert person_by_source(city.jobcenter, "JC-17") == first.person
    with pytest.raises(ValidationError) as refused:
        person_register_as(
            viewer, person=_import_row(city, "JC-17"), view="import.persons", confirm_new=True
        )
    assert "source_id" in refused.value.message_dict
    assert Person.objects.count() == 1


def test_the_service_refuses_provider_staff_before_looking_at_anything(
    city: City, provider_staff: User
) -> None:
    with pytest.raises(PermissionDenied):
        person_register_as(
            viewer_for(provider_staff), person=_import_row(city, "x"), view="import.persons"
        )


def test_the_openapi_description_lists_registering_and_the_queue(db: None) -> None:
    paths = Client().get("/api/openapi.json").json()["paths"]

    assert set(paths["/api/persons"]) == {"get", "post"}
    assert set(paths["/api/persons"]["post"]["responses"]) == {
        "201",
        "400",
        "401",
        "403",
        "409",
        "413",
        "422",
    }
    assert "get" in paths["/api/duplicates"]
    assert "post" in paths["/api/duplicates/{candidate_id}/merge"]


def test_the_first_consent_may_be_given_for_several_purposes_on_the_form_and_the_api(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    ticked = form_data(city, consent_purpose=["counselling", "placement"])
    assert logged_in(case_worker).post("/persons/new/", ticked).status_code == 302
    on_form = Consent.objects.get(person__personal__family_name="Sommer")
    assert on_form.purposes == ["counselling", "placement"]

    body = api_body(
        city, given_name="Ida", family_name="Winter", consent_purpose="monitoring counselling"
    )
    response = bearer(case_worker).post("/api/persons", body, content_type="application/json")
    assert response.status_code == 201
    by_api = Consent.objects.get(person__public_id=response.json()["public_id"])
    assert by_api.purposes == ["counselling", "monitoring"]


def test_a_first_consent_without_a_purpose_or_with_an_unknown_one_is_refused(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    client = bearer(case_worker)
    # Registering opens a counselling file: its first consent must allow counselling.
    for purposes in (" ", "counselling advertising", "placement"):
        body = api_body(city, consent_purpose=purposes)
        response = client.post("/api/persons", body, content_type="application/json")
        assert response.status_code == 422
        assert "consent_purpose" in str(response.json())
    assert not Person.objects.exists()
