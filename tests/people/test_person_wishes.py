"""The person page's "goal and wishes" form (the API: tests/people/test_person_wishes_api.py)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.urls import reverse

from tests.conftest import City, logged_in, make_person


def test_a_case_worker_records_goal_and_ordered_wishes_on_the_person_page(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    client = logged_in(case_worker)
    assert (
        "Ziel und Wünsche erfassen"
        in client.get(reverse("web:person_detail", args=[person.public_id])).content.decode()
    )

    response = client.post(
        reverse("web:person_wishes", args=[person.public_id]),
        {"goal": "employment", "wish_1": "qualification", "wish_2": "", "wish_3": "job_placement"},
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.goal == "employment"
    assert person.preferred_offer_kinds == ["qualification", "job_placement"]
    page = client.get(response["Location"]).content.decode()
    assert "Qualifizierung, Vermittlung in Arbeit" in page


def test_the_same_kind_twice_is_shown_next_to_the_form_and_nothing_changes(
    city: City, coordinator: User
) -> None:
    person = make_person(city)

    response = logged_in(coordinator).post(
        reverse("web:person_wishes", args=[person.public_id]),
        {"goal": "", "wish_1": "qualification", "wish_2": "qualification", "wish_3": ""},
    )

    assert response.status_code == 400
    assert "Jede Angebotsart bitte nur einmal" in response.content.decode()
    person.refresh_from_db()
    assert person.preferred_offer_kinds == []


def test_an_analyst_gets_no_form_and_is_refused(city: City, analyst: User) -> None:
    person = make_person(city)
    client = logged_in(analyst)

    page = client.get(reverse("web:person_detail", args=[person.public_id])).content.decode()
    refused = client.post(
        reverse("web:person_wishes", args=[person.public_id]), {"goal": "employment"}
    )

    assert "Ziel und Wünsche erfassen" not in page
    assert refused.status_code == 403
    person.refresh_from_db()
    assert person.goal == ""


def test_provider_staff_without_a_link_to_the_person_get_404(
    city: City, provider_staff: User
) -> None:
    person = make_person(city, consent_orgs=[city.provider_a])

    response = logged_in(provider_staff).post(
        reverse("web:person_wishes", args=[person.public_id]), {"goal": "employment"}
    )

    assert response.status_code == 404
