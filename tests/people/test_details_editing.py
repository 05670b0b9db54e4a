"""Changing a person's details ("Angaben ändern"): the service, the page and
``PATCH /api/persons/{id}``. Coordinators and case workers who see the person with
personal data change everything; provider staff only their own participants' contact
data; analysts, admins and anybody who does not see the person nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from doconnect.core.models import AuditEvent, District, Membership, Role, TargetGroup
from doconnect.core.viewers import viewer_for
from doconnect.people.access import PersonNotFound
from doconnect.people.details_actions import person_details_update_as
from doconnect.people.models import Person, PersonalDetails, match_key_of
from doconnect.people.privacy import person_data_export
from tests.apiclient import BearerClient
from tests.conftest import City, logged_in, make_person, participant

NEW_ADDRESS = {"street": "Bahnhofstraße 12", "postcode": "44263", "address_district": "05913008"}


def details_of(person: Person) -> PersonalDetails:
    return PersonalDetails.objects.get(person=person)


def edit_url(person: Person) -> str:
    return reverse("web:person_edit", args=[person.public_id])


# --- the service ----------------------------------------------------------------------


def test_a_case_worker_changes_the_address_and_the_district_moves_with_it(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])

    changed = person_details_update_as(
        viewer_for(case_worker), public_id=person.public_id, view="test", **NEW_ADDRESS
    )

    details = details_of(person)
    person.refresh_from_db()
    assert (details.street, details.postcode) == ("Bahnhofstraße 12", "44263")
    assert details.address_district == city.other_district
    # The record's district followed the address before, so it moves with it.
    assert person.district == city.other_district
    assert set(changed) == {"street", "postcode", "address_district", "district"}
    event = AuditEvent.objects.get(action="change", person_public_id=person.public_id)
    assert set(event.fields) == set(changed) and event.actor_username == "case_worker"


def test_a_district_sent_unchanged_follows_the_address_and_a_changed_one_wins(
    city: City, case_worker: User
) -> None:
    """A form sends every field: the district it sends as it was must not pin it."""
    follows = make_person(city, consent_orgs=[city.jobcenter])
    wins = make_person(city, consent_orgs=[city.jobcenter])
    third = District.objects.create(name="Innenstadt-Nord", official_key="05913001")

    for person, district in ((follows, "05913004"), (wins, third.official_key)):
        person_details_update_as(
            viewer_for(case_worker),
            public_id=person.public_id,
            view="test",
            district=district,
            **NEW_ADDRESS,
        )

    follows.refresh_from_db()
    wins.refresh_from_db()
    assert follows.district == city.other_district
    assert wins.district == third


def test_a_district_set_apart_from_the_address_stays_when_the_address_changes(
    city: City, coordinator: User
) -> None:
    person = make_person(city, consent_orgs=[city.city])
    Person.objects.filter(pk=person.pk).update(district=None)

    person_details_update_as(
        viewer_for(coordinator), public_id=person.public_id, view="test", **NEW_ADDRESS
    )

    person.refresh_from_db()
    assert person.district is None


def test_new_names_and_birth_date_change_the_birth_year_and_the_match_key(
    city: City, coordinator: User
) -> None:
    person = make_person(city, consent_orgs=[city.city])

    changed = person_details_update_as(
        viewer_for(coordinator),
        public_id=person.public_id,
        view="test",
        given_name=" Alexandra ",
        family_name="Beispiel-Meier",
        birth_date=dt.date(2003, 2, 1),
    )

    person.refresh_from_db()
    details = details_of(person)
    assert (details.given_name, details.family_name) == ("Alexandra", "Beispiel-Meier")
    assert person.birth_year == 2003
    assert details.match_key == match_key_of("Alexandra", "Beispiel-Meier", dt.date(2003, 2, 1))
    assert "birth_year" in changed


def test_the_record_fields_change_with_codes_and_tags(city: City, case_worker: User) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    TargetGroup.objects.create(code="refugees", label="Geflüchtete")

    person_details_update_as(
        viewer_for(case_worker),
        public_id=person.public_id,
        view="test",
        gender="diverse",
        legal_branch="SGB III",
        school_qualification="mittlerer",
        vocational_qualification="apprenticeship",
        target_groups=["refugees"],
        strengths=[" mehrsprachig ", "", "mehrsprachig", "zuverlässig"],
        support_needs=["Kinderbetreuung"],
    )

    person.refresh_from_db()
    assert (person.gender, person.legal_branch) == ("diverse", "SGB III")
    assert (person.school_qualification, person.vocational_qualification) == (
        "mittlerer",
        "apprenticeship",
    )
    assert list(person.target_groups.values_list("code", flat=True)) == ["refugees"]
    assert person.strengths == ["mehrsprachig", "zuverlässig"]
    assert person.support_needs == ["Kinderbetreuung"]


def test_every_bad_field_is_named_and_nothing_changes(city: City, case_worker: User) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])

    with pytest.raises(ValidationError) as refused:
        person_details_update_as(
            viewer_for(case_worker),
            public_id=person.public_id,
            view="test",
            given_name="  ",
            birth_date=dt.date(2999, 1, 1),
            email="not an address",
            postcode="4426",
            address_district="99999999",
            target_groups=["astronauts"],
            gender="robot",
            street="Neue Straße 1",
        )

    assert set(refused.value.message_dict) == {
        "given_name",
        "birth_date",
        "email",
        "postcode",
        "address_district",
        "target_groups",
        "gender",
    }
    assert details_of(person).street == ""
    assert not AuditEvent.objects.filter(action="change").exists()


def test_a_change_that_changes_nothing_writes_nothing(city: City, case_worker: User) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])

    changed = person_details_update_as(
        viewer_for(case_worker),
        public_id=person.public_id,
        view="test",
        given_name="Alex",
        address_district="05913004",
    )

    assert changed == []
    assert not AuditEvent.objects.filter(action="change").exists()


def test_provider_staff_correct_the_contact_data_of_their_own_participant(
    city: City, provider_staff: User
) -> None:
    person = participant(city, city.offer_a, [city.provider_a])

    changed = person_details_update_as(
        viewer_for(provider_staff), public_id=person.public_id, view="test", phone="0231 12345"
    )

    assert changed == ["phone"] and details_of(person).phone == "0231 12345"


def test_provider_staff_may_not_change_names_or_the_record(
    city: City, provider_staff: User
) -> None:
    person = participant(city, city.offer_a, [city.provider_a])

    for change in ({"given_name": "Eva"}, {"legal_branch": "SGB III"}, {"birth_date": None}):
        with pytest.raises(PermissionDenied):
            person_details_update_as(
                viewer_for(provider_staff),
                public_id=person.public_id,
                view="test",
                **change,  # type: ignore[arg-type]
            )

    assert details_of(person).given_name == "Alex"


def test_a_second_role_does_not_widen_what_a_membership_may_change(
    city: City, provider_staff: User
) -> None:
    """Provider staff who also coordinate for the city, without a consent to the city:
    the coordinator role sees the person only pseudonymously, so they change what the
    provider role allows — the contact data — and nothing more."""
    Membership.objects.create(user=provider_staff, organisation=city.city, role=Role.COORDINATOR)
    person = participant(city, city.offer_a, [city.provider_a])
    viewer = viewer_for(provider_staff)

    person_details_update_as(viewer, public_id=person.public_id, view="test", phone="0231 5")
    with pytest.raises(PermissionDenied):
        person_details_update_as(viewer, public_id=person.public_id, view="test", given_name="Eva")

    assert (details_of(person).phone, details_of(person).given_name) == ("0231 5", "Alex")


@pytest.mark.parametrize(
    ("persona", "consent", "refusal"),
    [
        ("analyst", "city", PermissionDenied),  # sees the record, never names
        ("coordinator", "jobcenter", PermissionDenied),  # pseudonymous without consent
        ("platform_admin", "city", PersonNotFound),  # sees no person files at all
        ("case_worker", "city", PersonNotFound),  # no consent to the Jobcenter
        ("other_provider_staff", "provider_a", PersonNotFound),  # not their participant
    ],
)
def test_who_may_not_change_details_is_refused(
    persona: str, consent: str, refusal: type[Exception], request: pytest.FixtureRequest
) -> None:
    city: City = request.getfixturevalue("city")
    organisation = {"city": city.city, "jobcenter": city.jobcenter, "provider_a": city.provider_a}
    person = participant(city, city.offer_a, [organisation[consent]])
    user = request.getfixturevalue(persona)

    with pytest.raises(refusal):
        person_details_update_as(
            viewer_for(user), public_id=person.public_id, view="test", phone="0231 1"
        )

    assert details_of(person).phone == ""


# --- the page -------------------------------------------------------------------------


def test_the_edit_page_is_filled_with_the_details_and_iso_dates(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])

    response = logged_in(case_worker).get(edit_url(person))

    body = response.content.decode()
    assert response.status_code == 200
    assert 'type="date" name="birth_date" value="2004-05-17"' in body
    assert 'name="given_name" value="Alex"' in body
    assert 'name="legal_branch"' in body  # the whole file: the record too
    assert AuditEvent.objects.filter(view="web.person_edit", action="read").count() == 1


def test_a_case_worker_saves_a_new_address_and_sees_it_on_the_person_page(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    client = logged_in(case_worker)
    form = client.get(edit_url(person)).context
    data = {
        **{
            name: form["personal_form"][name].value() or "" for name in form["personal_form"].fields
        },
        **{name: form["record_form"][name].value() or "" for name in form["record_form"].fields},
        "street": "Bahnhofstraße 12",
        "postcode": "44263",
        "address_district": "05913008",
        "target_groups": ["youth_difficult_start"],
    }

    response = client.post(edit_url(person), data)

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Die Angaben sind gespeichert." in page
    assert "Bahnhofstraße 12 44263" in page
    person.refresh_from_db()
    assert list(person.target_groups.all()) == [city.youth]  # unchanged, not lost


def test_a_bad_postcode_is_shown_next_to_the_field_and_nothing_is_saved(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])

    response = logged_in(case_worker).post(
        edit_url(person),
        {
            "given_name": "Alex",
            "family_name": "Beispiel",
            "postcode": "4426",
            "street": "Bahnhofstraße 12",
            "gender": "female",
            "legal_branch": "SGB II",
            "school_qualification": "unknown",
            "vocational_qualification": "unknown",
        },
    )

    assert response.status_code == 400
    body = response.content.decode()
    postcode_block = body.split('for="id_postcode"')[0].rsplit('<div class="kern-form-input', 1)[1]
    assert "kern-form-input--error" in postcode_block
    assert "fünf Ziffern" in body
    assert details_of(person).street == ""


def test_provider_staff_get_only_the_contact_fields(city: City, provider_staff: User) -> None:
    person = participant(city, city.offer_a, [city.provider_a])
    client = logged_in(provider_staff)

    body = client.get(edit_url(person)).content.decode()
    saved = client.post(edit_url(person), {"email": "alex@example.org", "phone": ""})

    assert 'name="email"' in body and 'name="given_name"' not in body
    assert 'name="legal_branch"' not in body
    assert saved.status_code == 302 and details_of(person).email == "alex@example.org"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("analyst", 403), ("platform_admin", 404), ("other_provider_staff", 404)],
)
def test_the_edit_page_refuses_who_may_not(
    persona: str, status: int, city: City, request: pytest.FixtureRequest
) -> None:
    person = participant(city, city.offer_a, [city.city, city.provider_a, city.provider_b])
    client = logged_in(request.getfixturevalue(persona))

    assert client.get(edit_url(person)).status_code == status
    assert client.post(edit_url(person), {"phone": "0231 1"}).status_code == status
    assert details_of(person).phone == ""
    assert not AuditEvent.objects.filter(view="web.person_edit").exists()


def test_the_edit_page_of_an_invisible_person_is_a_404(city: City, case_worker: User) -> None:
    person = make_person(city, consent_orgs=[city.city])

    assert logged_in(case_worker).get(edit_url(person)).status_code == 404


def test_the_person_page_offers_angaben_aendern_only_to_who_may(
    city: City, case_worker: User, analyst: User, provider_staff: User
) -> None:
    person = participant(city, city.offer_a, [city.jobcenter, city.provider_a])
    page = reverse("web:person_detail", args=[person.public_id])

    assert edit_url(person) in logged_in(case_worker).get(page).content.decode()
    assert edit_url(person) in logged_in(provider_staff).get(page).content.decode()
    assert edit_url(person) not in logged_in(analyst).get(page).content.decode()


# --- the API --------------------------------------------------------------------------


def test_the_api_changes_only_the_fields_sent(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])

    response = bearer(case_worker).patch(
        f"/api/persons/{person.public_id}",
        {"street": "Bahnhofstraße 12", "support_needs": ["Deutschkurs"]},
        content_type="application/json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["personal"]["street"] == "Bahnhofstraße 12"
    assert body["personal"]["given_name"] == "Alex"  # not sent, not changed
    assert body["support_needs"] == ["Deutschkurs"]
    assert AuditEvent.objects.filter(view="api.person_update", action="change").exists()


def test_the_api_names_each_bad_field_with_422(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])

    response = bearer(case_worker).patch(
        f"/api/persons/{person.public_id}",
        {"postcode": "ABCDE", "email": "keine-adresse"},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert {error["loc"][-1] for error in response.json()["detail"]} == {"postcode", "email"}


def test_the_api_lets_provider_staff_change_contact_data_only(
    city: City, provider_staff: User, bearer: BearerClient
) -> None:
    person = participant(city, city.offer_a, [city.provider_a])
    client = bearer(provider_staff)

    names = client.patch(
        f"/api/persons/{person.public_id}", {"family_name": "X"}, content_type="application/json"
    )
    phone = client.patch(
        f"/api/persons/{person.public_id}", {"phone": "0231 9"}, content_type="application/json"
    )

    assert names.status_code == 403
    assert phone.status_code == 200 and phone.json()["personal"]["phone"] == "0231 9"
    assert details_of(person).family_name == "Beispiel"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("analyst", 403), ("platform_admin", 404), ("other_provider_staff", 404)],
)
def test_the_api_refuses_who_may_not(
    persona: str, status: int, city: City, bearer: BearerClient, request: pytest.FixtureRequest
) -> None:
    person = participant(city, city.offer_a, [city.city, city.provider_a])

    response = bearer(request.getfixturevalue(persona)).patch(
        f"/api/persons/{person.public_id}", {"phone": "0231 1"}, content_type="application/json"
    )

    assert response.status_code == status
    assert details_of(person).phone == ""


def test_the_api_answers_an_unknown_person_with_404(
    city: City, coordinator: User, bearer: BearerClient
) -> None:
    response = bearer(coordinator).patch(
        "/api/persons/P-00000000", {"phone": "0231 123456"}, content_type="application/json"
    )

    assert response.status_code == 404


# --- the DSGVO copy -------------------------------------------------------------------


def test_the_data_export_holds_the_changed_details(city: City, coordinator: User) -> None:
    person = make_person(city, consent_orgs=[city.city])
    viewer = viewer_for(coordinator)
    person_details_update_as(
        viewer, public_id=person.public_id, view="test", strengths=["zuverlässig"], **NEW_ADDRESS
    )

    data = person_data_export(viewer=viewer, public_id=person.public_id)

    assert data["personal"]["street"] == "Bahnhofstraße 12"
    assert data["personal"]["address_district"] == "Hörde"
    assert data["strengths"] == ["zuverlässig"]
