"""The offer's occupations through the API: read in the offer and changed by PATCH with
the catalogue's rules (the API's own tests live in tests/offers/test_api.py)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from doconnect.offers.models import Offer
from tests.apiclient import BearerClient, bearer  # noqa: F401  (the fixture)
from tests.conftest import City


def patch(client: Client, external_id: str, body: dict[str, Any]) -> Any:
    return client.patch(
        f"/api/offers/{external_id}", data=json.dumps(body), content_type="application/json"
    )


def test_occupations_are_patched_sorted_and_shown(
    city: City,
    coordinator: User,
    bearer: BearerClient,  # noqa: F811
) -> None:
    client = bearer(coordinator)
    response = patch(client, "o-b", {"occupations": ["51312", "51311"]})
    assert response.status_code == 200
    assert response.json()["occupations"] == ["51311", "51312"]
    listed = client.get("/api/offers").json()["items"]
    assert {o["external_id"]: o["occupations"] for o in listed}["o-b"] == ["51311", "51312"]


def test_a_bad_occupation_is_a_422_naming_the_field_and_nothing_changes(
    city: City,
    coordinator: User,
    bearer: BearerClient,  # noqa: F811
) -> None:
    client = bearer(coordinator)
    bad = patch(client, "o-b", {"occupations": ["5131"]})
    null = patch(client, "o-b", {"occupations": None})
    assert bad.status_code == null.status_code == 422
    assert "occupations" in json.dumps(bad.json()) and "occupations" in json.dumps(null.json())
    assert Offer.objects.get(external_id="o-b").occupations == []


def test_provider_staff_of_another_provider_may_not_patch_occupations(
    city: City,
    other_provider_staff: User,
    bearer: BearerClient,  # noqa: F811
) -> None:
    response = patch(bearer(other_provider_staff), "o-a", {"occupations": ["51312"]})
    assert response.status_code == 403
    assert Offer.objects.get(external_id="o-a").occupations == []
