"""PUT /api/persons/{id}/wishes: the same rule as the person page's form."""

from __future__ import annotations

from django.contrib.auth.models import User

from doconnect.core.models import AuditEvent
from tests.apiclient import BearerClient
from tests.conftest import City, make_person


def test_the_api_records_wishes_and_answers_with_the_person(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])

    response = bearer(case_worker).put(
        f"/api/persons/{person.public_id}/wishes",
        {"goal": "apprenticeship", "preferred_offer_kinds": ["apprenticeship"]},
        content_type="application/json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["goal"] == "apprenticeship" and body["preferred_offer_kinds"] == ["apprenticeship"]
    assert AuditEvent.objects.filter(action="change", view="api.person_wishes").count() == 1


def test_the_api_refuses_unknown_kinds_with_422_and_a_stranger_with_404(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    mine = make_person(city, consent_orgs=[city.jobcenter])
    stranger = make_person(city, consent_orgs=[city.provider_b])
    client = bearer(case_worker)

    bad = client.put(
        f"/api/persons/{mine.public_id}/wishes",
        {"goal": "", "preferred_offer_kinds": ["space_travel"]},
        content_type="application/json",
    )
    hidden = client.put(
        f"/api/persons/{stranger.public_id}/wishes",
        {"goal": "employment", "preferred_offer_kinds": []},
        content_type="application/json",
    )

    assert bad.status_code == 422 and "preferred_offer_kinds" in str(bad.json()["detail"])
    assert hidden.status_code == 404
