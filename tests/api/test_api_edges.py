"""What the API refuses at its edge (issue #20), found by schemathesis: a NUL character in
any text of a body or a query is a 422 naming where it is, not a server error inside a
database lookup; every operation documents the errors it can answer."""

from __future__ import annotations

import json

from django.contrib.auth.models import User
from django.test import Client

from doconnect.people.models import Person
from tests.apiclient import BearerClient
from tests.conftest import City


def test_a_nul_character_in_a_body_is_a_422_naming_the_field(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    persons = Person.objects.count()
    response = bearer(case_worker).post(
        "/api/persons",
        data={"given_name": "Ana", "consent_organisations": ["jc", "D\x00x"]},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "consent_organisations", 1]
    assert Person.objects.count() == persons


def test_a_nul_character_in_a_query_is_a_422(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    response = bearer(case_worker).get("/api/persons?q=a%00b")
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"] == ["query", "q"]


def _no_key_twice(pairs: list[tuple[str, object]]) -> dict[str, object]:
    keys = [key for key, _value in pairs]
    assert len(keys) == len(set(keys)), keys
    return dict(pairs)


def test_every_operation_documents_401_and_its_validation_errors(city: City) -> None:
    text = Client().get("/api/openapi.json").content
    # No key twice (Swagger UI's reader refuses the document then).
    document = json.loads(text, object_pairs_hook=_no_key_twice)
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = set(operation["responses"])
            assert "401" in responses, (method, path)
            if "requestBody" in operation:
                assert {"400", "413", "422"} <= responses, (method, path)


# pydantic's own names for bounds: JSON Schema knows "minimum", "maxLength" and so on,
# and a client reading "ge" learns nothing (a bounded field that may be null wrote them
# so until core/api/schemas.py said how to declare one).
NOT_JSON_SCHEMA = {"ge", "gt", "le", "lt", "min_length", "max_length", "multiple_of"}


def _bounds_not_json_schema(node: object, where: str = "") -> list[str]:
    if isinstance(node, list):
        return [
            hit
            for i, item in enumerate(node)
            for hit in _bounds_not_json_schema(item, f"{where}/{i}")
        ]
    if not isinstance(node, dict):
        return []
    found = [
        f"{where}/{key}"
        for key, value in node.items()
        if key in NOT_JSON_SCHEMA and not isinstance(value, dict)
    ]
    return found + [
        hit
        for key, value in node.items()
        for hit in _bounds_not_json_schema(value, f"{where}/{key}")
    ]


def test_every_bound_of_a_value_is_stated_in_json_schema_words(city: City) -> None:
    document = Client().get("/api/openapi.json").json()
    assert _bounds_not_json_schema(document) == []
    age = document["components"]["schemas"]["OfferPatchIn"]["properties"]["max_age"]["anyOf"][0]
    assert (age["minimum"], age["maximum"]) == (0, 120)


def test_an_offer_age_below_zero_is_a_422_naming_the_field(
    city: City, coordinator: User, bearer: BearerClient
) -> None:
    offer = city.offer_a
    response = bearer(coordinator).patch(
        f"/api/offers/{offer.external_id}", data={"max_age": -1}, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"][-1] == "max_age"
    offer.refresh_from_db()
    assert offer.max_age != -1
