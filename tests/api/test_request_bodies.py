"""What a request body must be, as the OpenAPI document states it and the server
enforces it (issue #20, found by schemathesis): a JSON object with the documented keys
only, strict numbers and booleans, no NUL in any text; a change the stored state
refuses is 409, a body that contradicts itself 422."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from doconnect.core.api.text import NO_NUL, NOT_BLANK, pattern_takes_nul
from doconnect.offers.models import Offer
from doconnect.people.models import Spell
from tests.apiclient import BearerClient
from tests.conftest import City, make_person


def _patch_offer(client: Client, body: object) -> Any:
    return client.patch("/api/offers/o-b", data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("body", ["AAA", [None, None], None, False, 0])
def test_a_body_that_is_no_json_object_is_refused_and_changes_nothing(
    body: object, city: City, coordinator: User, bearer: BearerClient
) -> None:
    response = _patch_offer(bearer(coordinator), body)

    assert response.status_code == 422, response.content
    assert "expected a JSON object" in response.content.decode()
    assert Offer.objects.get(pk=city.offer_b.pk).title == city.offer_b.title


def test_a_key_the_document_does_not_name_is_refused_by_name(
    city: City, coordinator: User, bearer: BearerClient
) -> None:
    response = _patch_offer(bearer(coordinator), {"title": "Neu", "titel": "Tippfehler"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "titel"
    assert Offer.objects.get(pk=city.offer_b.pk).title == city.offer_b.title


@pytest.mark.parametrize(
    "body", [{"capacity": True}, {"capacity": "5"}, {"capacity": 5.5}, {"min_age": 121}]
)
def test_a_number_is_taken_only_as_a_whole_number_in_its_range(
    body: dict[str, object], city: City, coordinator: User, bearer: BearerClient
) -> None:
    response = _patch_offer(bearer(coordinator), body)

    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"][-1] == next(iter(body))


@pytest.mark.parametrize("number", [5, 5.0])
def test_a_whole_number_is_taken_as_json_schema_means_it(
    number: float, city: City, coordinator: User, bearer: BearerClient
) -> None:
    assert _patch_offer(bearer(coordinator), {"capacity": number}).json()["capacity"] == 5


def test_one_is_no_boolean(city: City, case_worker: User, bearer: BearerClient) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    client = bearer(case_worker)
    created = client.post(
        f"/api/persons/{person.public_id}/follow-ups",
        {"due_on": (dt.date.today() + dt.timedelta(days=7)).isoformat(), "reason": "Nachfragen"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    url = f"/api/persons/{person.public_id}/follow-ups/{created.json()['id']}"

    refused = client.patch(url, {"done": 1}, content_type="application/json")
    taken = client.patch(url, {"done": True}, content_type="application/json")

    assert refused.status_code == 422 and taken.status_code == 200
    assert taken.json()["done"] is True


def test_a_spell_ending_before_it_starts_is_422_and_one_overlapping_the_file_409(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    client = bearer(case_worker)
    url = f"/api/persons/{person.public_id}/spells"

    backwards = client.post(
        url,
        {"state": "unemployed", "start": "2024-05-01", "end": "2024-04-01"},
        content_type="application/json",
    )
    first = client.post(
        url,
        {"state": "employment", "start": "2024-01-01", "end": "2024-12-31"},
        content_type="application/json",
    )
    overlapping = client.post(
        url,
        {"state": "unemployed", "start": "2024-06-01", "end": "2024-06-30"},
        content_type="application/json",
    )

    assert backwards.status_code == 422 and list(backwards.json()["detail"]) == ["end"]
    assert first.status_code == 201
    assert overlapping.status_code == 409 and list(overlapping.json()["detail"]) == ["start"]
    assert Spell.objects.filter(person=person).count() == 1


@pytest.mark.parametrize("field", ["strengths", "support_needs", "target_groups"])
def test_a_list_sent_as_null_is_refused_at_its_field(
    field: str, city: City, coordinator: User, bearer: BearerClient
) -> None:
    person = make_person(city, consent_orgs=[city.city])

    response = bearer(coordinator).patch(
        f"/api/persons/{person.public_id}", {field: None}, content_type="application/json"
    )

    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"][-1] == field


# ---------------------------------------------------------------- the document


def _request_schemas(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every schema a request's body or query parameters use, with where (the
    components they name resolved)."""
    components = document["components"]["schemas"]
    found: list[tuple[str, dict[str, Any]]] = []
    seen: set[str] = set()

    def walk(node: Any, where: str) -> None:
        if isinstance(node, list):
            for n, value in enumerate(node):
                walk(value, f"{where}[{n}]")
        if not isinstance(node, dict):
            return
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                walk(components[name], name)
            return
        found.append((where, node))
        for key, value in node.items():
            if key not in {"enum", "const", "default", "required"}:
                walk(value, f"{where}.{key}")

    for path, item in document["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    walk(parameter["schema"], f"{method} {path} ?{parameter['name']}")
            for media in operation.get("requestBody", {}).get("content", {}).values():
                walk(media["schema"], f"{method} {path} body")
    return found


def test_no_text_of_a_request_may_hold_a_nul_character_by_the_document(
    city: City, coordinator: User, bearer: BearerClient
) -> None:
    document = bearer(coordinator).get("/api/openapi.json").json()
    texts = [
        (where, node)
        for where, node in _request_schemas(document)
        if node.get("type") == "string" and "enum" not in node and "const" not in node
    ]
    takes_nul = [
        where
        for where, node in texts
        if node.get("format") not in {"date", "date-time"}
        and pattern_takes_nul(node.get("pattern", ""))
    ]

    assert len(texts) > 30
    assert takes_nul == []


def test_every_request_body_names_all_its_keys(
    city: City, coordinator: User, bearer: BearerClient
) -> None:
    document = bearer(coordinator).get("/api/openapi.json").json()
    objects = [
        where
        for where, node in _request_schemas(document)
        if node.get("type") == "object" and "properties" in node
    ]
    open_objects = [
        where
        for where, node in _request_schemas(document)
        if node.get("type") == "object"
        and "properties" in node
        and node.get("additionalProperties") is not False
    ]

    assert len(objects) > 15
    assert open_objects == []


def test_the_text_patterns_refuse_nul_and_take_text() -> None:
    assert pattern_takes_nul(r"\S") and pattern_takes_nul("")
    assert not pattern_takes_nul(NO_NUL) and not pattern_takes_nul(NOT_BLANK)
    assert re.search(NOT_BLANK, "Ana Müller") and not re.search(NOT_BLANK, " \t")
    assert re.search(NO_NUL, "Zeile 1\nZeile 2\t!") and re.search(NO_NUL, "")


def test_the_first_consent_must_include_counselling_by_the_document(
    city: City, coordinator: User, bearer: BearerClient
) -> None:
    document = bearer(coordinator).get("/api/openapi.json").json()
    pattern = document["components"]["schemas"]["PersonRegisterIn"]["properties"][
        "consent_purpose"
    ]["pattern"]

    assert re.search(pattern, "counselling") and re.search(pattern, "placement, counselling")
    assert not re.search(pattern, "placement monitoring")
