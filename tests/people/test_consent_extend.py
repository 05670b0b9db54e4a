"""Extending a consent on the person page: who may, errors next to the field, audited."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User

from doconnect.core.models import AuditEvent
from doconnect.people.models import Consent
from doconnect.people.services import consent_withdraw
from tests.conftest import City, logged_in, make_person


def test_a_case_worker_extends_a_consent_to_the_jobcenter(city: City, case_worker: User) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter], valid_until=dt.date(2026, 12, 31))
    consent = person.consents.get()

    response = logged_in(case_worker).post(
        f"/persons/{person.public_id}/consents/{consent.pk}/extend/",
        {"valid_until": "2027-12-31"},
    )

    assert response.status_code == 302
    assert Consent.objects.get(pk=consent.pk).valid_until == dt.date(2027, 12, 31)
    assert AuditEvent.objects.filter(
        view="web.consent_extend", action="change", person_public_id=person.public_id
    ).exists()


def test_an_empty_end_makes_the_consent_run_until_withdrawn(city: City, coordinator: User) -> None:
    person = make_person(city, consent_orgs=[city.city], valid_until=dt.date(2026, 12, 31))
    consent = person.consents.get()

    logged_in(coordinator).post(
        f"/persons/{person.public_id}/consents/{consent.pk}/extend/", {"valid_until": ""}
    )

    assert Consent.objects.get(pk=consent.pk).valid_until is None


def test_an_end_before_the_start_is_shown_next_to_the_field_and_nothing_changes(
    city: City, coordinator: User
) -> None:
    person = make_person(city, consent_orgs=[city.city], valid_until=dt.date(2026, 12, 31))
    consent = person.consents.get()

    response = logged_in(coordinator).post(
        f"/persons/{person.public_id}/consents/{consent.pk}/extend/",
        {"valid_until": "2025-01-01"},
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert f'id="consent-{consent.pk}-extend" open' in body
    assert "kern-form-input--error" in body and "vor ihrem Beginn" in body
    assert Consent.objects.get(pk=consent.pk).valid_until == dt.date(2026, 12, 31)


def test_a_withdrawn_consent_offers_no_extension_and_refuses_one(
    city: City, coordinator: User
) -> None:
    person = make_person(city, consent_orgs=[city.city])
    consent = person.consents.get()
    consent_withdraw(consent=consent)
    client = logged_in(coordinator)

    assert "Verlängern" not in client.get(f"/persons/{person.public_id}/").content.decode()
    response = client.post(
        f"/persons/{person.public_id}/consents/{consent.pk}/extend/", {"valid_until": "2030-01-01"}
    )
    assert response.status_code == 400
    assert "widerrufene Einwilligung" in response.content.decode()
    assert Consent.objects.get(pk=consent.pk).valid_until is None


def test_a_case_worker_cannot_extend_a_consent_that_does_not_include_the_jobcenter(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    other_consent = Consent.objects.create(
        person=person, placement=True, valid_from=dt.date(2026, 1, 1)
    )
    other_consent.organisations.set([city.provider_a])

    response = logged_in(case_worker).post(
        f"/persons/{person.public_id}/consents/{other_consent.pk}/extend/",
        {"valid_until": "2030-01-01"},
    )

    assert response.status_code == 403
    assert Consent.objects.get(pk=other_consent.pk).valid_until is None


def test_extending_a_consent_of_an_invisible_person_is_a_404(city: City, case_worker: User) -> None:
    person = make_person(city, consent_orgs=[city.provider_b])
    consent = person.consents.get()

    response = logged_in(case_worker).post(
        f"/persons/{person.public_id}/consents/{consent.pk}/extend/",
        {"valid_until": "2030-01-01"},
    )

    assert response.status_code == 404
    assert Consent.objects.get(pk=consent.pk).valid_until is None


def test_an_analyst_sees_no_extension_form(city: City, analyst: User) -> None:
    person = make_person(city, consent_orgs=[city.city])

    body = logged_in(analyst).get(f"/persons/{person.public_id}/").content.decode()

    assert "Verlängern" not in body
