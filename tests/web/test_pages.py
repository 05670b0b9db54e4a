"""The server-rendered pages: the frame, login, the person list and search, the person
page with its sections, and the consent forms. Every page has its denied case."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from doconnect.core.models import AuditEvent
from doconnect.people.agreements.models import Agreement, AgreementItem
from doconnect.people.models import PERSONAL_FIELDS, Consent, Person
from doconnect.people.services import spell_create
from tests.conftest import City, logged_in, make_person

# --- frame, home, login ---------------------------------------------------------------


@override_settings(DEMO_MODE=True)
def test_every_page_says_synthetic_demo_data_in_demo_mode(db: None) -> None:
    body = Client().get("/").content.decode()
    assert "Synthetische Demodaten" in body
    for landmark in ("<header>", "<nav ", "<main ", "<footer>"):
        assert landmark in body


@override_settings(DEMO_MODE=False)
def test_without_demo_mode_there_is_no_demo_banner(db: None) -> None:
    assert "Synthetische Demodaten" not in Client().get("/").content.decode()


def test_the_language_switcher_posts_to_setlang_and_english_can_be_chosen(db: None) -> None:
    client = Client()
    body = client.get("/").content.decode()
    assert 'action="/i18n/setlang/"' in body and 'name="language"' in body
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    english = client.get("/").content.decode()
    assert '<html lang="en">' in english and "Log in" in english


def test_the_home_page_links_to_login_for_anonymous_and_to_persons_after_login(
    case_worker: User,
) -> None:
    assert 'href="/login/"' in Client().get("/").content.decode()
    body = logged_in(case_worker).get("/").content.decode()
    assert 'href="/persons/"' in body and 'href="/api/docs"' in body
    assert 'href="/admin/"' not in body


def test_a_user_logs_in_with_the_login_form_and_logs_out_by_post(case_worker: User) -> None:
    client = Client()
    assert "Anmelden" in client.get("/login/").content.decode()
    response = client.post(
        "/login/", {"username": "case_worker", "password": "correct horse battery 1"}
    )
    assert response.status_code == 302
    assert client.get("/persons/").status_code == 200
    assert client.post("/logout/").status_code == 302
    assert client.get("/persons/").status_code == 302


def test_a_wrong_password_shows_an_error_and_no_session(case_worker: User) -> None:
    client = Client()
    response = client.post("/login/", {"username": "case_worker", "password": "wrong"})
    assert response.status_code == 200
    assert "nicht richtig" in response.content.decode()
    assert client.get("/persons/").status_code == 302


# --- person list and search -----------------------------------------------------------


def test_the_person_list_needs_a_login(db: None) -> None:
    response = Client().get("/persons/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/persons/"


@pytest.mark.parametrize("persona", ["platform_admin", "outsider"])
def test_admins_and_users_without_membership_have_no_person_list(
    persona: str, city: City, request: pytest.FixtureRequest
) -> None:
    assert logged_in(request.getfixturevalue(persona)).get("/persons/").status_code == 403


def test_a_case_worker_lists_their_caseload_with_names_and_nobody_else(
    city: City, case_worker: User
) -> None:
    mine = make_person(city, family_name="Fallakte", consent_orgs=[city.jobcenter])
    other = make_person(city, family_name="Fremdakte", consent_orgs=[city.city])
    body = logged_in(case_worker).get("/persons/").content.decode()
    assert mine.public_id in body and "Fallakte" in body
    assert other.public_id not in body and "Fremdakte" not in body


def test_a_coordinator_finds_a_consented_person_by_name(city: City, coordinator: User) -> None:
    person = make_person(
        city, given_name="Mira", family_name="Sonnenschein", consent_orgs=[city.city]
    )
    body = logged_in(coordinator).get("/persons/?q=mira sonnen").content.decode()
    assert person.public_id in body and "Sonnenschein" in body


def test_a_coordinator_cannot_find_a_pseudonymous_person_by_name(
    city: City, coordinator: User
) -> None:
    person = make_person(city, family_name="Verborgen", consent_orgs=[city.jobcenter])
    client = logged_in(coordinator)
    assert person.public_id in client.get("/persons/").content.decode()  # listed by pseudonym
    assert person.public_id not in client.get("/persons/?q=verborgen").content.decode()


def test_an_analyst_cannot_search_by_name_at_all(city: City, analyst: User) -> None:
    person = make_person(city, family_name="Statistik", consent_orgs=[city.statistics])
    body = logged_in(analyst).get("/persons/?q=statistik").content.decode()
    assert person.public_id not in body
    assert "Pseudonym oder Name" not in body


def test_a_person_is_found_by_public_id_only_when_visible(
    city: City, case_worker: User, analyst: User
) -> None:
    person = make_person(city, consent_orgs=[city.city])
    query = f"/persons/?q={person.public_id.lower()}"
    assert person.public_id in logged_in(analyst).get(query).content.decode()
    assert person.public_id not in logged_in(case_worker).get(query).content.decode()


def test_the_person_list_filters_by_district_and_legal_branch(
    city: City, coordinator: User
) -> None:
    # (An analyst's list filters on coarsened records: tests/people/test_analyst_view.py.)
    eving = make_person(city)
    hoerde = make_person(city)
    Person.objects.filter(pk=hoerde.pk).update(district=city.other_district, legal_branch="SGB III")
    client = logged_in(coordinator)
    by_district = client.get(
        f"/persons/?district={city.other_district.official_key}"
    ).content.decode()
    assert hoerde.public_id in by_district and eving.public_id not in by_district
    by_branch = client.get("/persons/?legal_branch=SGB+II").content.decode()
    assert eving.public_id in by_branch and hoerde.public_id not in by_branch


def test_the_person_list_pages_and_keeps_the_filters_in_its_links(
    city: City, analyst: User
) -> None:
    for _ in range(30):
        make_person(city)
    client = logged_in(analyst)
    first = client.get("/persons/?legal_branch=SGB+II").content.decode()
    assert "Seite 1 von 2" in first
    assert "?legal_branch=SGB+II&amp;page=2" in first
    second = client.get("/persons/?legal_branch=SGB+II&page=2").content.decode()
    assert second.count('href="/persons/P-') == 5


def test_the_person_list_needs_as_many_queries_for_25_persons_as_for_2(
    city: City, coordinator: User, django_assert_max_num_queries: Any
) -> None:
    client = logged_in(coordinator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/persons/").status_code == 200
        return len(captured)

    for _ in range(2):
        make_person(city, consent_orgs=[city.city])
    few = queries()
    for _ in range(40):
        make_person(city, consent_orgs=[city.city])
    assert queries() == few
    # session, user, memberships, count, page, consents, details, the columns (state
    # and due dates), the responsible workers, the audit event and the persons it
    # names, the navigation's task count, districts, target groups
    with django_assert_max_num_queries(14):
        client.get("/persons/")


# --- person page ----------------------------------------------------------------------


def test_the_person_page_needs_a_login(city: City) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    response = Client().get(f"/persons/{person.public_id}/")
    assert response.status_code == 302


def test_a_person_one_may_not_see_is_a_404_like_an_unknown_one(
    city: City, case_worker: User
) -> None:
    person = make_person(city, family_name="Unsichtbar", consent_orgs=[city.city])
    client = logged_in(case_worker)
    refused = client.get(f"/persons/{person.public_id}/")
    unknown = client.get("/persons/P-00000000/")
    assert refused.status_code == unknown.status_code == 404
    assert "Unsichtbar" not in refused.content.decode()
    assert not AuditEvent.objects.exists()


def _full_person(city: City, consent_orgs: list[Any]) -> Person:
    person = make_person(city, family_name="Vollständig", consent_orgs=consent_orgs)
    spell_create(person=person, state="school", start=dt.date(2010, 8, 1), end=dt.date(2020, 7, 1))
    spell_create(
        person=person, state="offer", start=dt.date(2026, 2, 1), end=None, offer_id=city.offer_a.pk
    )
    agreement = Agreement.objects.create(
        person=person,
        organisation=city.jobcenter,
        title="Kooperationsplan",
        concluded_on=dt.date(2026, 3, 1),
    )
    AgreementItem.objects.create(
        agreement=agreement, side="person", text="Bewerbungstraining besuchen"
    )
    return person


def test_a_case_worker_with_consent_sees_name_biography_consents_agreements_and_audit_trail(
    city: City, case_worker: User, coordinator: User
) -> None:
    person = _full_person(city, [city.jobcenter, city.city])
    logged_in(coordinator).get(f"/persons/{person.public_id}/")  # an earlier reader
    body = logged_in(case_worker).get(f"/persons/{person.public_id}/").content.decode()
    assert "Vollständig" in body
    assert "Schule" in body and "Werkstatt A" in body  # the spells table
    assert "Beratung und Begleitung" in body  # the consent
    assert "Bewerbungstraining besuchen" in body  # agreement items
    assert "Wer hat diese Person angesehen?" in body
    # The earlier reader in words: user, organisation by name, what, purpose.
    assert "coordinator" in body and "Stadt" in body and "Personenseite angesehen" in body
    assert "web.person_detail" not in body


def test_a_coordinator_without_consent_sees_the_biography_but_no_name_agreement_or_trail(
    city: City, coordinator: User
) -> None:
    person = _full_person(city, [city.jobcenter])
    body = logged_in(coordinator).get(f"/persons/{person.public_id}/").content.decode()
    assert "Vollständig" not in body and "Alex" not in body
    assert "Werkstatt A" in body
    assert "Bewerbungstraining" not in body and "1 Vereinbarung" in body
    assert "Wer hat diese Person angesehen?" not in body


def test_provider_staff_with_personal_access_do_not_see_who_else_looked(
    city: City, provider_staff: User
) -> None:
    person = _full_person(city, [city.provider_a])
    body = logged_in(provider_staff).get(f"/persons/{person.public_id}/").content.decode()
    assert "Vollständig" in body
    assert "Wer hat diese Person angesehen?" not in body
    assert "Einwilligung erfassen" not in body


def test_the_person_page_writes_one_audit_event(city: City, case_worker: User) -> None:
    person = _full_person(city, [city.jobcenter])
    logged_in(case_worker).get(f"/persons/{person.public_id}/")
    # One read for the whole page, naming every kind of data its sections showed:
    # the case-work sections and the agreements write no events of their own.
    (event,) = AuditEvent.objects.filter(person_public_id=person.public_id)
    assert (event.action, event.view, event.purpose, event.actor_organisation) == (
        "read",
        "web.person_detail",
        "counselling",
        "jc",
    )
    assert event.fields == [
        "pseudonymous",
        *PERSONAL_FIELDS,
        "spells",
        "consents",
        "referrals",
        "next_steps",
        "agreements",
        "notes",
        "follow_ups",
        "appointments",
        "responsible_worker",
    ]


def test_a_refused_consent_form_shows_the_page_again_with_one_audit_event(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    response = logged_in(case_worker).post(
        f"/persons/{person.public_id}/consents/",
        {"purposes": ["placement"], "organisations": ["jc"], "valid_from": ""},
    )
    assert response.status_code == 400
    (event,) = AuditEvent.objects.filter(person_public_id=person.public_id)
    assert event.view == "web.consent_give" and "notes" in event.fields


# --- consent forms --------------------------------------------------------------------


def test_a_case_worker_records_a_consent_on_the_person_page(city: City, case_worker: User) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    client = logged_in(case_worker)
    assert "Einwilligung erfassen" in client.get(f"/persons/{person.public_id}/").content.decode()
    response = client.post(
        f"/persons/{person.public_id}/consents/",
        {"purposes": ["placement"], "organisations": ["jc", "p-a"], "valid_from": "2026-11-01"},
    )
    assert response.status_code == 302
    assert person.consents.filter(placement=True, counselling=False).exists()
    assert "Die Einwilligung ist erfasst." in client.get(response["Location"]).content.decode()


def test_a_case_worker_cannot_record_a_consent_only_for_others_on_the_page(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    response = logged_in(case_worker).post(
        f"/persons/{person.public_id}/consents/",
        {"purposes": ["placement"], "organisations": ["p-b"], "valid_from": "2026-11-01"},
    )
    assert response.status_code == 403
    assert person.consents.count() == 1


def test_an_invalid_consent_form_records_nothing_and_says_why_next_to_the_field(
    city: City, coordinator: User
) -> None:
    person = make_person(city)
    client = logged_in(coordinator)
    response = client.post(
        f"/persons/{person.public_id}/consents/",
        {
            "purposes": ["placement"],
            "organisations": ["jc"],
            "valid_from": "2026-11-01",
            "valid_until": "2026-10-01",
        },
    )
    assert response.status_code == 400
    assert not person.consents.exists()
    assert response.context["consent_form"]["valid_until"].errors == [
        "Das Ende liegt vor dem Beginn."
    ]
    body = response.content.decode()
    assert "nicht erfasst" in body and "kern-form-input--error" in body
    assert 'value="2026-10-01"' in body  # the input is kept for correcting


def test_recording_consent_for_an_invisible_person_is_a_404(city: City, case_worker: User) -> None:
    person = make_person(city, consent_orgs=[city.city])
    response = logged_in(case_worker).post(
        f"/persons/{person.public_id}/consents/",
        {"purposes": ["placement"], "organisations": ["jc"], "valid_from": "2026-11-01"},
    )
    assert response.status_code == 404
    assert person.consents.count() == 1


def test_a_coordinator_records_a_withdrawal_on_the_person_page(
    city: City, coordinator: User
) -> None:
    person = make_person(city, consent_orgs=[city.city])
    consent = person.consents.get()
    client = logged_in(coordinator)
    assert "Widerruf erfassen" in client.get(f"/persons/{person.public_id}/").content.decode()
    response = client.post(f"/persons/{person.public_id}/consents/{consent.pk}/withdraw/")
    assert response.status_code == 302
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is not None


def test_a_withdrawal_under_another_persons_address_is_a_404(city: City, coordinator: User) -> None:
    person = make_person(city, consent_orgs=[city.city])
    other = make_person(city, consent_orgs=[city.city])
    consent = person.consents.get()
    response = logged_in(coordinator).post(
        f"/persons/{other.public_id}/consents/{consent.pk}/withdraw/"
    )
    assert response.status_code == 404
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None


def test_the_consent_forms_accept_only_post(city: City, coordinator: User) -> None:
    person = make_person(city, consent_orgs=[city.city])
    client = logged_in(coordinator)
    assert client.get(f"/persons/{person.public_id}/consents/").status_code == 405


def test_a_case_worker_who_records_a_withdrawal_of_their_own_access_returns_to_the_list(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    consent = person.consents.get()
    response = logged_in(case_worker).post(
        f"/persons/{person.public_id}/consents/{consent.pk}/withdraw/"
    )
    assert response["Location"] == "/persons/"
