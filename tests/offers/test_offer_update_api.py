"""PATCH /api/offers/{id}: the same permission (offer_for_edit) and the same service
(offer_update, the catalogue import's rules) as the web edit form."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from doconnect.offers.models import Offer
from tests.apiclient import BearerClient
from tests.conftest import City


def patch(client: Client, external_id: str, body: dict[str, Any]) -> Any:
    return client.patch(
        f"/api/offers/{external_id}", data=json.dumps(body), content_type="application/json"
    )


def test_a_coordinator_changes_an_offer_and_gets_it_back(
    city: City, coordinator: User, bearer: BearerClient
) -> None:
    response = patch(
        bearer(coordinator),
        "o-b",
        {
            "title": "Kurs B (neu)",
            "capacity": 20,
            "district": None,
            "target_groups": ["youth_difficult_start"],
            "legal_branches": ["SGB III"],
            "start": "2026-01-01",
            "end": "2026-12-31",
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Kurs B (neu)" and body["capacity"] == 20
    assert body["district"] is None and body["target_groups"] == ["youth_difficult_start"]
    assert body["legal_branches"] == ["SGB III"] and body["end"] == "2026-12-31"
    assert Offer.objects.get(pk=city.offer_b.pk).title == "Kurs B (neu)"


def test_a_field_left_out_stays_as_it_is(
    city: City, provider_staff: User, bearer: BearerClient
) -> None:
    city.offer_a.target_groups.add(city.youth)
    assert patch(bearer(provider_staff), "o-a", {"status": "suspended"}).status_code == 200
    offer = Offer.objects.get(pk=city.offer_a.pk)
    assert offer.status == "suspended" and offer.capacity == 10
    assert offer.district == city.district and offer.target_groups.count() == 1


def test_a_district_is_given_by_its_official_key(
    city: City, coordinator: User, bearer: BearerClient
) -> None:
    response = patch(bearer(coordinator), "o-a", {"district": "05913008"})
    assert response.json()["district"]["name"] == "Hörde"


@pytest.mark.parametrize(
    "persona", ["other_provider_staff", "case_worker", "analyst", "platform_admin", "outsider"]
)
def test_who_may_not_edit_the_offer_on_the_web_page_gets_403_here_too(
    persona: str, request: pytest.FixtureRequest, city: City, bearer: BearerClient
) -> None:
    response = patch(bearer(request.getfixturevalue(persona)), "o-a", {"title": "Übernommen"})
    assert response.status_code == 403
    assert Offer.objects.get(pk=city.offer_a.pk).title == "Werkstatt A"


def test_anonymous_callers_get_401(city: City) -> None:
    assert patch(Client(), "o-a", {"title": "X"}).status_code == 401


def test_an_unknown_offer_is_404(city: City, coordinator: User, bearer: BearerClient) -> None:
    assert patch(bearer(coordinator), "o-nope", {"title": "X"}).status_code == 404


def test_an_end_before_the_start_is_a_422_naming_end_and_nothing_changes(
    city: City, coordinator: User, bearer: BearerClient
) -> None:
    response = patch(
        bearer(coordinator),
        "o-a",
        {"title": "Nicht gespeichert", "start": "2026-06-01", "end": "2026-05-01"},
    )
    assert response.status_code == 422
    assert list(response.json()["detail"]) == ["end"]
    assert Offer.objects.get(pk=city.offer_a.pk).title == "Werkstatt A"


@pytest.mark.parametrize(
    ("stored", "sent", "field"),
    [
        ({"start": "2026-06-01", "end": "2026-06-30"}, {"start": "2026-07-01"}, "end"),
        ({"start": "2026-06-01", "end": "2026-06-30"}, {"end": "2026-05-01"}, "end"),
        ({"min_age": 18, "max_age": 25}, {"max_age": 16}, "max_age"),
        ({"min_age": 18, "max_age": 25}, {"min_age": 30}, "max_age"),
    ],
)
def test_one_value_clashing_with_the_stored_other_is_a_409_naming_the_field(
    city: City,
    coordinator: User,
    bearer: BearerClient,
    stored: dict[str, Any],
    sent: dict[str, Any],
    field: str,
) -> None:
    assert patch(bearer(coordinator), "o-a", stored).status_code == 200
    response = patch(bearer(coordinator), "o-a", {**sent, "title": "Nicht gespeichert"})
    assert response.status_code == 409, response.content
    assert list(response.json()["detail"]) == [field]
    offer = Offer.objects.get(pk=city.offer_a.pk)
    assert offer.title == "Werkstatt A"
    assert all(str(getattr(offer, name)) == str(value) for name, value in stored.items())


def test_the_catalogue_rules_name_every_bad_field(
    city: City, coordinator: User, bearer: BearerClient
) -> None:
    response = patch(
        bearer(coordinator),
        "o-a",
        {"min_age": 30, "max_age": 20, "legal_branches": ["SGB XII"]},
    )
    assert response.status_code == 422
    assert set(response.json()["detail"]) == {"max_age", "legal_branches"}
    # A kind outside the document's list is refused at the edge, at its field.
    response = patch(bearer(coordinator), "o-a", {"kind": "picnic"})
    assert response.status_code == 422
    assert [error["loc"][-1] for error in response.json()["detail"]] == ["kind"]


def test_unknown_district_or_target_group_and_null_titles_are_refused(
    city: City, coordinator: User, bearer: BearerClient
) -> None:
    response = patch(
        bearer(coordinator),
        "o-a",
        {"district": "99999999", "target_groups": ["nope"], "title": None},
    )
    assert response.status_code == 422
    assert set(response.json()["detail"]) == {"district", "target_groups", "title"}
    offer = Offer.objects.get(pk=city.offer_a.pk)
    assert offer.district == city.district and offer.title == "Werkstatt A"


def test_a_browser_session_needs_the_csrf_token_to_patch(city: City, coordinator: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    assert patch(client, "o-a", {"title": "X"}).status_code == 403
    assert Offer.objects.get(pk=city.offer_a.pk).title == "Werkstatt A"
