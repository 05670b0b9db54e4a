"""The agreement pages: "Vereinbarung schließen" with rows for both sides, an
agreement with its items' status changes, closing it, and the agreements section of
the person page. Every page has its refusals; the form shows the service's errors next
to the fields, and "Weitere Zeile" works without JavaScript."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from doconnect.core.models import AuditEvent
from doconnect.people.agreements.models import Agreement, AgreementItem
from doconnect.people.models import Person
from tests.conftest import City, count_queries, logged_in, make_person, participant
from tests.people.agreements.helpers import both_sides, conclude

pytestmark = pytest.mark.usefixtures("fixed_today")  # today is 23.11.2026


def _post_data(**overrides: Any) -> dict[str, Any]:
    """A filled form as the browser posts it: three rows per side, some left empty."""
    data: dict[str, Any] = {
        "title": "Kooperationsplan",
        "organisation": "jc",
        "concluded_on": "2026-11-23",
        "review_on": "2027-02-22",
        "person-TOTAL_FORMS": "3",
        "person-INITIAL_FORMS": "0",
        "person-0-text": "Bewirbt sich auf vier Stellen im Monat.",
        "person-0-due_on": "2026-12-31",
        "person-1-text": "",
        "person-1-due_on": "",
        "person-2-text": "Meldet sich bei der Schuldnerberatung an.",
        "person-2-due_on": "2026-12-10",
        "institution-TOTAL_FORMS": "3",
        "institution-INITIAL_FORMS": "0",
        "institution-0-text": "Übernimmt die Fahrtkosten.",
        "institution-0-owner_organisation": "jc",
        "institution-0-owner_user": "case_worker",
        "institution-0-due_on": "2026-12-01",
        "institution-1-text": "",
        "institution-1-owner_organisation": "jc",
        "institution-1-due_on": "",
        "institution-2-text": "",
        "institution-2-owner_organisation": "jc",
        "institution-2-due_on": "",
    }
    data.update(overrides)
    return data


def _new(person: Person) -> str:
    return f"/persons/{person.public_id}/agreements/new/"


def _detail(agreement: Agreement) -> str:
    return f"/persons/{agreement.person.public_id}/agreements/{agreement.pk}/"


# --- the form ---------------------------------------------------------------------------


def test_the_form_offers_three_rows_per_side_with_date_inputs_and_the_persons_strengths(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    Person.objects.filter(pk=person.pk).update(
        strengths=["zuverlässig"], support_needs=["Kinderbetreuung"]
    )

    body = logged_in(case_worker).get(_new(person)).content.decode()

    assert "Das tue ich" in body and "Das sichern wir zu" in body
    assert body.count('name="person-') - body.count('name="person-TOTAL') > 0
    for side in ("person", "institution"):
        assert f'name="{side}-TOTAL_FORMS" value="3"' in body
        assert f'name="{side}-2-due_on"' in body and f'name="{side}-3-due_on"' not in body
        assert f'id="{side}-row-template"' in body  # for "Weitere Zeile" with JavaScript
    assert 'type="date" name="review_on" value="2027-02-22"' in body
    assert 'name="institution-0-owner_organisation"' in body
    assert '<option value="jc" selected>Jobcenter</option>' in body
    assert "zuverlässig" in body and "Kinderbetreuung" in body
    assert "Alex Beispiel" in body  # the agreement is with this person, by name


def test_a_case_worker_concludes_an_agreement_and_lands_on_it(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    client = logged_in(case_worker)

    response = client.post(_new(person), _post_data())

    agreement = Agreement.objects.get()
    assert response.status_code == 302 and response["Location"] == _detail(agreement)
    texts = sorted(agreement.items.values_list("side", "text", "owner_organisation__external_id"))
    assert texts == [
        ("institution", "Übernimmt die Fahrtkosten.", "jc"),
        ("person", "Bewirbt sich auf vier Stellen im Monat.", None),
        ("person", "Meldet sich bei der Schuldnerberatung an.", None),
    ]
    assert agreement.items.get(side="institution").owner_user == case_worker
    # Saving is a change, not a read of the person: one event.
    events = AuditEvent.objects.filter(view="web.agreement_new")
    assert list(events.values_list("action", "fields")) == [("change", ["agreements"])]
    assert "Die Vereinbarung ist geschlossen." in client.get(response["Location"]).content.decode()


def test_the_services_errors_appear_next_to_the_fields_and_nothing_is_saved(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])

    response = logged_in(case_worker).post(
        _new(person),
        _post_data(
            title="",
            **{
                "person-0-due_on": "2026-01-01",
                "institution-0-text": "",
                "institution-0-owner_user": "",
                "institution-0-due_on": "",
            },
        ),
    )

    assert response.status_code == 400
    assert not Agreement.objects.exists()
    body = response.content.decode()
    assert "Die Vereinbarung wurde nicht gespeichert." in body
    assert "Bitte geben Sie der Vereinbarung einen Titel." in body
    assert "Fällig frühestens am Tag der Vereinbarung (23.11.2026)." in body
    assert "Bitte tragen Sie mindestens eine Zusage der Institutionen ein." in body
    rows = response.context["rows"]
    assert list(rows["person"].forms[0].errors) == ["due_on"]
    assert "Meldet sich bei der Schuldnerberatung an." in body  # what was typed stays


def test_weitere_zeile_without_javascript_adds_a_row_and_keeps_what_was_typed(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])

    response = logged_in(case_worker).post(
        _new(person), _post_data(add_row="institution", title="")
    )

    assert response.status_code == 200
    assert not Agreement.objects.exists()
    body = response.content.decode()
    assert 'name="institution-TOTAL_FORMS" value="4"' in body
    assert 'name="person-TOTAL_FORMS" value="3"' in body
    assert 'name="institution-3-text"' in body and "autofocus" in body
    assert "Übernimmt die Fahrtkosten." in body
    assert "Bitte geben Sie" not in body  # asking for a row is not submitting


def test_without_js_rows_stop_at_twenty(city: City, case_worker: User) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    body = (
        logged_in(case_worker)
        .post(_new(person), _post_data(add_row="person", **{"person-TOTAL_FORMS": "20"}))
        .content.decode()
    )
    assert 'name="person-TOTAL_FORMS" value="20"' in body
    assert "Höchstens 20 Zeilen je Seite." in body


@pytest.mark.parametrize(
    ("persona", "consent_to", "status"),
    [
        ("analyst", "statistics", 403),
        ("coordinator", "jobcenter", 403),  # sees the person, but not with personal data
        ("platform_admin", "city", 404),
        ("other_provider_staff", "provider_a", 404),  # another provider's participant
        ("case_worker", "provider_a", 404),  # no consent to the Jobcenter
        ("outsider", "city", 404),
    ],
)
def test_the_form_is_refused_and_a_post_saves_nothing(
    city: City, persona: str, consent_to: str, status: int, request: pytest.FixtureRequest
) -> None:
    person = participant(city, city.offer_a, [getattr(city, consent_to)])
    client = logged_in(request.getfixturevalue(persona))

    assert client.get(_new(person)).status_code == status
    assert client.post(_new(person), _post_data()).status_code == status
    assert not Agreement.objects.exists()
    assert not AuditEvent.objects.filter(view__startswith="web.agreement").exists()


def test_the_form_needs_a_login(city: City) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    response = Client().get(_new(person))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_provider_staff_conclude_for_their_own_provider_only(
    city: City, provider_staff: User
) -> None:
    person = participant(city, city.offer_a, [city.provider_a])
    client = logged_in(provider_staff)
    body = client.get(_new(person)).content.decode()
    assert '<option value="p-a" selected>Träger A</option>' in body
    assert '<option value="jc">' not in body.split('name="organisation"')[1].split("</select>")[0]

    response = client.post(
        _new(person),
        _post_data(
            organisation="p-a",
            **{"institution-0-owner_organisation": "p-a", "institution-0-owner_user": ""},
        ),
    )
    assert response.status_code == 302
    assert Agreement.objects.get().organisation == city.provider_a


# --- the agreement page -----------------------------------------------------------------


def test_the_agreement_page_shows_both_sides_owners_due_dates_and_what_is_overdue(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    agreement = conclude(
        case_worker,
        person,
        items=both_sides(due=dt.date(2026, 11, 1)),
        review_on=dt.date(2026, 11, 20),
    )

    body = logged_in(case_worker).get(_detail(agreement)).content.decode()

    assert "Das tut die Person" in body and "Das sichern die Stellen zu" in body
    assert "Zuständig: die Person selbst" in body and "Zuständig: Jobcenter" in body
    assert body.count(">überfällig<") == 2  # the two items due on 01.11.
    assert "fällig am 01.11.2026" in body and "15.01.2027" in body
    assert ">fällig<" in body  # the review date has passed
    assert "von case_worker am" in body
    assert f"/persons/{person.public_id}/agreements/{agreement.pk}.pdf" in body
    assert "Vereinbarung abschließen" in body


def test_the_agreement_page_needs_as_many_queries_for_many_items_as_for_few(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    few = conclude(case_worker, person)
    many = conclude(case_worker, person, items=both_sides() * 6)
    client = logged_in(case_worker)
    assert count_queries(client, _detail(few)) == count_queries(client, _detail(many))


def test_an_item_is_marked_done_on_the_agreement_page(city: City, case_worker: User) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    agreement = conclude(case_worker, person, items=both_sides(due=dt.date(2026, 11, 1)))
    item = agreement.items.filter(side="person").first()
    assert item is not None
    client = logged_in(case_worker)

    response = client.post(
        f"{_detail(agreement)}items/{item.pk}/",
        {f"item-{item.pk}-status": "done", f"item-{item.pk}-due_on": "2026-11-01"},
    )

    assert response.status_code == 302
    assert AgreementItem.objects.get(pk=item.pk).status == "done"
    body = client.get(_detail(agreement)).content.decode()
    assert "Der Punkt ist geändert." in body and body.count(">überfällig<") == 1


def test_a_due_date_before_the_agreement_is_shown_at_the_item_and_nothing_changes(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    agreement = conclude(case_worker, person)
    item = agreement.items.filter(side="person").first()
    assert item is not None

    response = logged_in(case_worker).post(
        f"{_detail(agreement)}items/{item.pk}/",
        {f"item-{item.pk}-status": "open", f"item-{item.pk}-due_on": "2020-01-01"},
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "Fällig frühestens am Tag der Vereinbarung (01.10.2026)." in body
    assert "<details open>" in body
    assert AgreementItem.objects.get(pk=item.pk).due_on == item.due_on


def test_closing_an_agreement_ends_the_changes(city: City, case_worker: User) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    agreement = conclude(case_worker, person)
    client = logged_in(case_worker)

    response = client.post(f"{_detail(agreement)}close/")

    assert response.status_code == 302
    assert Agreement.objects.get(pk=agreement.pk).status == "closed"
    body = client.get(_detail(agreement)).content.decode()
    assert "abgeschlossen" in body
    assert "Status oder Frist ändern" not in body and "Vereinbarung abschließen" not in body


@pytest.mark.parametrize(
    ("persona", "consent_to", "status"),
    [
        ("analyst", "statistics", 403),
        ("coordinator", "jobcenter", 403),
        ("platform_admin", "city", 404),
        ("other_provider_staff", "jobcenter", 404),
        ("provider_staff", "provider_a", 404),  # their participant, but not their agreement
    ],
)
def test_the_agreement_page_its_changes_and_closing_are_refused(
    city: City,
    case_worker: User,
    persona: str,
    consent_to: str,
    status: int,
    request: pytest.FixtureRequest,
) -> None:
    person = participant(city, city.offer_a, [city.jobcenter, getattr(city, consent_to)])
    agreement = conclude(case_worker, person)
    item = agreement.items.first()
    assert item is not None
    client = logged_in(request.getfixturevalue(persona))

    assert client.get(_detail(agreement)).status_code == status
    assert (
        client.post(
            f"{_detail(agreement)}items/{item.pk}/", {f"item-{item.pk}-status": "done"}
        ).status_code
        == status
    )
    assert client.post(f"{_detail(agreement)}close/").status_code == status
    assert AgreementItem.objects.get(pk=item.pk).status == "open"
    assert Agreement.objects.get(pk=agreement.pk).status == "active"


def test_an_agreement_of_another_person_or_an_unknown_one_is_not_found(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    other = make_person(city, given_name="Bo", consent_orgs=[city.jobcenter])
    agreement = conclude(case_worker, other)
    client = logged_in(case_worker)
    assert client.get(f"/persons/{person.public_id}/agreements/{agreement.pk}/").status_code == 404
    assert client.get(f"/persons/{person.public_id}/agreements/999999/").status_code == 404


# --- the section on the person page -----------------------------------------------------


def test_the_person_page_marks_overdue_items_and_offers_vereinbarung_schliessen(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    agreement = conclude(case_worker, person, items=both_sides(due=dt.date(2026, 11, 1)))

    body = logged_in(case_worker).get(f"/persons/{person.public_id}/").content.decode()

    section = body.split('id="agreements"')[1].split("</section>")[0]
    assert f'href="/persons/{person.public_id}/agreements/new/"' in section
    assert "Vereinbarung schließen" in section
    assert "2 Punkte überfällig" in section
    assert f'href="{_detail(agreement)}"' in section
    assert "Bewirbt sich auf vier Stellen im Monat." in section


def test_provider_staff_see_their_own_agreements_and_only_how_many_others_there_are(
    city: City, case_worker: User, provider_staff: User
) -> None:
    person = participant(city, city.offer_a, [city.jobcenter, city.provider_a])
    conclude(case_worker, person, title="Plan des Jobcenters")
    conclude(case_worker, person, title="Plan mit dem Träger", items=both_sides("p-a"))

    body = logged_in(provider_staff).get(f"/persons/{person.public_id}/").content.decode()

    assert "Plan mit dem Träger" in body
    assert "Plan des Jobcenters" not in body
    assert "Dazu 1 Vereinbarung einer anderen Stelle" in body


def test_an_analyst_sees_neither_the_agreements_nor_a_button(
    city: City, case_worker: User, analyst: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    conclude(case_worker, person)

    body = logged_in(analyst).get(f"/persons/{person.public_id}/").content.decode()

    # An analyst's person page is the coarsened statistical record alone: not even how
    # many agreements there are (a count per person is one more quasi-identifier).
    assert "Statistischer Datensatz" in body and "Vereinbarung" not in body
    assert "Vereinbarung schließen" not in body and "Kooperationsplan" not in body


def test_the_pages_speak_english_when_asked(city: City, case_worker: User) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    agreement = conclude(case_worker, person)
    client = logged_in(case_worker, "en")
    assert "Conclude agreement" in client.get(f"/persons/{person.public_id}/").content.decode()
    body = client.get(_detail(agreement)).content.decode()
    assert "What the person does" in body and "Download as PDF for the person" in body
