"""The Django admin for staff: master data is editable, the audit trail and tokens are
read-only, and persons show only their pseudonymous record. The admin must not become a
side door around the access rules."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission, User
from django.test import Client

from doconnect.core.models import (
    ApiToken,
    AuditEvent,
    District,
    Membership,
    Organisation,
    TargetGroup,
)
from doconnect.core.services import api_token_create
from doconnect.core.viewers import viewer_for
from doconnect.labourmarket.employers.models import Vacancy
from doconnect.offers.models import Offer
from doconnect.people.access import access_person
from doconnect.people.access_rules import Purpose
from doconnect.people.agreements.models import Agreement
from doconnect.people.models import Person, PersonalDetails
from doconnect.referrals.models import Referral
from tests.conftest import City, make_person


@pytest.fixture
def staff_client(db: None) -> Client:
    superuser = User.objects.create_superuser("root", "root@example.org", "correct horse 12")
    client = Client()
    client.force_login(superuser)
    return client


def test_the_admin_registers_the_master_data_and_the_records_staff_need() -> None:
    for model in (
        District,
        Organisation,
        Membership,
        TargetGroup,
        Offer,
        Vacancy,
        AuditEvent,
        ApiToken,
        Referral,
        Agreement,
        Person,
        User,
    ):
        assert admin.site.is_registered(model), model


def test_the_admin_has_no_personal_details_at_all(staff_client: Client) -> None:
    assert not admin.site.is_registered(PersonalDetails)
    assert staff_client.get("/admin/people/personaldetails/").status_code == 404
    assert "personaldetails" not in staff_client.get("/admin/").content.decode().lower()


def test_the_person_admin_shows_no_names_and_cannot_change_or_delete(
    city: City, staff_client: Client
) -> None:
    person = make_person(
        city, given_name="Adminfrei", family_name="Namenlos", consent_orgs=[city.city]
    )
    pages = [
        staff_client.get("/admin/people/person/"),
        staff_client.get(f"/admin/people/person/{person.pk}/change/"),
        staff_client.get("/admin/people/person/?q=namenl"),  # the box echoes the query
    ]
    for page in pages:
        assert page.status_code == 200
        body = page.content.decode()
        assert "Namenlos" not in body and "Adminfrei" not in body
    assert person.public_id in pages[0].content.decode()
    assert person.public_id not in pages[2].content.decode()  # no search by name either
    assert staff_client.get("/admin/people/person/add/").status_code == 403
    assert staff_client.get(f"/admin/people/person/{person.pk}/delete/").status_code == 403
    staff_client.post(f"/admin/people/person/{person.pk}/change/", {"gender": "male"})
    assert Person.objects.get(pk=person.pk).gender == "female"


def test_the_audit_trail_is_read_only_in_the_admin(city: City, staff_client: Client) -> None:
    person = make_person(city, consent_orgs=[city.city])
    coordinator = User.objects.create_user("k")
    Membership.objects.create(user=coordinator, organisation=city.city, role="coordinator")
    access_person(
        viewer_for(coordinator), person.public_id, view="test", purpose=Purpose.COUNSELLING
    )
    event = AuditEvent.objects.get()
    assert staff_client.get("/admin/core/auditevent/").status_code == 200
    assert staff_client.get("/admin/core/auditevent/add/").status_code == 403
    assert staff_client.get(f"/admin/core/auditevent/{event.pk}/delete/").status_code == 403
    change = staff_client.get(f"/admin/core/auditevent/{event.pk}/change/")
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    staff_client.post(f"/admin/core/auditevent/{event.pk}/change/", {"view": "forged"})
    assert AuditEvent.objects.get(pk=event.pk).view == "test"


def test_api_tokens_are_shown_without_hash_cannot_be_added_and_can_be_revoked(
    city: City, staff_client: Client
) -> None:
    user = User.objects.create_user("system")
    token, raw = api_token_create(user=user, name="Fachverfahren")
    listing = staff_client.get("/admin/core/apitoken/").content.decode()
    assert "Fachverfahren" in listing and token.prefix in listing
    page = staff_client.get(f"/admin/core/apitoken/{token.pk}/change/").content.decode()
    assert token.key_hash not in page and raw not in page
    assert staff_client.get("/admin/core/apitoken/add/").status_code == 403
    staff_client.post(
        "/admin/core/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_user_admin_edits_memberships_inline(city: City, staff_client: Client) -> None:
    user = User.objects.create_user("neu")
    Membership.objects.create(user=user, organisation=city.jobcenter, role="case_worker")
    body = staff_client.get(f"/admin/auth/user/{user.pk}/change/").content.decode()
    assert "memberships-TOTAL_FORMS" in body and "Jobcenter" in body


def test_the_offer_admin_edits_funding_and_follow_ons_inline(
    city: City, staff_client: Client
) -> None:
    body = staff_client.get(f"/admin/offers/offer/{city.offer_a.pk}/change/").content.decode()
    assert "funding-TOTAL_FORMS" in body and "follow_ons-TOTAL_FORMS" in body


def test_master_data_pages_open(city: City, staff_client: Client) -> None:
    for path in (
        "/admin/core/district/",
        "/admin/core/organisation/",
        "/admin/core/membership/",
        "/admin/core/targetgroup/",
        "/admin/offers/offer/",
        "/admin/employers/vacancy/",
        "/admin/referrals/referral/",
        "/admin/agreements/agreement/",
        "/admin/agreements/agreement/add/",
        "/admin/offers/offer/add/",
    ):
        assert staff_client.get(path).status_code == 200, path


def test_staff_without_permissions_see_no_agreements(city: City) -> None:
    staff = User.objects.create_user("staff", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_offer"))
    client = Client()
    client.force_login(staff)
    assert client.get("/admin/offers/offer/").status_code == 200
    assert client.get("/admin/agreements/agreement/").status_code == 403
    assert client.get("/admin/people/person/").status_code == 403


def test_a_logged_in_user_without_staff_flag_cannot_open_the_admin(case_worker: User) -> None:
    client = Client()
    client.force_login(case_worker)
    assert client.get("/admin/").status_code == 302
