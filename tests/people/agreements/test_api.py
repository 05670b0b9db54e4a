"""The agreement endpoints through the real HTTP layer with bearer tokens: conclude
(201 with the agreement and its items), list, change an item; 404 for a person the
caller may not see, 403 for a role without agreements, 422 with field names."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User

from doconnect.core.models import AuditEvent
from doconnect.people.agreements.models import Agreement, AgreementItem
from tests.apiclient import BearerClient
from tests.conftest import City, make_person, participant
from tests.people.agreements.helpers import both_sides, conclude

pytestmark = pytest.mark.usefixtures("fixed_today")  # today is 23.11.2026

BODY: dict[str, Any] = {
    "organisation": "jc",
    "title": "Kooperationsplan",
    "concluded_on": "2026-11-01",
    "review_on": "2027-02-01",
    "items": [
        {"side": "person", "text": "Bewirbt sich auf vier Stellen.", "due_on": "2026-11-15"},
        {
            "side": "institution",
            "text": "Übernimmt die Fahrtkosten.",
            "due_on": "2026-12-01",
            "owner_organisation": "jc",
            "owner_user": "case_worker",
        },
    ],
}


def _url(public_id: str, rest: str = "") -> str:
    return f"/api/persons/{public_id}/agreements{rest}"


def test_a_case_worker_concludes_an_agreement_and_gets_it_back_with_its_items(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])

    response = bearer(case_worker).post(
        _url(person.public_id), BODY, content_type="application/json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    agreement = Agreement.objects.get()
    assert body["id"] == agreement.pk and body["person"] == person.public_id
    assert (body["organisation"], body["status"], body["created_by"]) == (
        "jc",
        "active",
        "case_worker",
    )
    assert body["review_on"] == "2027-02-01" and body["review_due"] is False
    assert [
        (i["side"], i["owner_organisation"], i["owner_user"], i["status"], i["overdue"])
        for i in body["items"]
    ] == [
        ("person", None, None, "open", True),  # due 15.11., today is 23.11.
        ("institution", "jc", "case_worker", "open", False),
    ]
    assert AuditEvent.objects.filter(view="api.agreement_create", action="change").count() == 1


def test_the_list_holds_the_agreements_and_is_audited_as_a_read(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    older = conclude(case_worker, person, concluded_on=dt.date(2026, 3, 1))
    newer = conclude(case_worker, person)

    response = bearer(case_worker).get(_url(person.public_id))

    assert response.status_code == 200
    assert [a["id"] for a in response.json()] == [newer.pk, older.pk]
    assert AuditEvent.objects.get(view="api.agreements").fields == ["agreements"]


def test_provider_staff_list_only_the_agreements_their_provider_is_part_of(
    city: City, case_worker: User, provider_staff: User, bearer: BearerClient
) -> None:
    person = participant(city, city.offer_a, [city.jobcenter, city.provider_a])
    conclude(case_worker, person)
    theirs = conclude(case_worker, person, items=both_sides("p-a"))

    listed = bearer(provider_staff).get(_url(person.public_id)).json()

    assert [a["id"] for a in listed] == [theirs.pk]


def test_an_item_is_marked_done_through_patch(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    agreement = conclude(case_worker, person, items=both_sides(due=dt.date(2026, 11, 2)))
    item = agreement.items.filter(side="person").first()
    assert item is not None

    response = bearer(case_worker).patch(
        _url(person.public_id, f"/{agreement.pk}/items/{item.pk}"),
        {"status": "done"},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["overdue"]) == ("done", False)
    assert AgreementItem.objects.get(pk=item.pk).status == "done"


def test_a_refused_body_comes_back_as_422_naming_each_field_and_saves_nothing(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    body = {
        **BODY,
        "review_on": None,
        "items": [
            {"side": "person", "text": "", "due_on": "2026-10-01"},
            {"side": "institution", "text": "Ohne Stelle.", "due_on": "2026-12-01"},
        ],
    }

    response = bearer(case_worker).post(
        _url(person.public_id), body, content_type="application/json"
    )

    assert response.status_code == 422
    assert set(response.json()["detail"]) == {
        "review_on",
        "items.0.text",
        "items.0.due_on",
        "items.1.owner_organisation",
    }
    assert not Agreement.objects.exists()


def test_a_patch_to_a_closed_agreement_is_409(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    agreement = conclude(case_worker, person)
    Agreement.objects.filter(pk=agreement.pk).update(status="closed")
    item = agreement.items.first()
    assert item is not None
    response = bearer(case_worker).patch(
        _url(person.public_id, f"/{agreement.pk}/items/{item.pk}"),
        {"status": "done"},
        content_type="application/json",
    )
    # The agreement as stored refuses it: a conflict (409), not a malformed body.
    assert response.status_code == 409 and "status" in response.json()["detail"]


@pytest.mark.parametrize(
    ("persona", "consent_to", "status"),
    [
        ("analyst", "statistics", 403),
        ("coordinator", "jobcenter", 403),
        ("platform_admin", "city", 404),
        ("other_provider_staff", "provider_a", 404),
        ("case_worker", "provider_a", 404),  # a person without consent to the Jobcenter
    ],
)
def test_the_endpoints_refuse_who_may_not_and_change_nothing(
    city: City,
    case_worker: User,
    persona: str,
    consent_to: str,
    status: int,
    bearer: BearerClient,
    request: pytest.FixtureRequest,
) -> None:
    person = participant(city, city.offer_a, [getattr(city, consent_to)])
    agreement = Agreement.objects.create(
        person=person, organisation=city.jobcenter, title="Alt", concluded_on=dt.date(2026, 1, 1)
    )
    item = AgreementItem.objects.create(
        agreement=agreement, side="person", text="Alt", due_on=dt.date(2026, 2, 1)
    )
    client = bearer(request.getfixturevalue(persona))
    organisation = request.getfixturevalue(persona).memberships.get().organisation.external_id

    assert client.get(_url(person.public_id)).status_code == status
    assert (
        client.post(
            _url(person.public_id),
            {**BODY, "organisation": organisation},
            content_type="application/json",
        ).status_code
        == status
    )
    patched = client.patch(
        _url(person.public_id, f"/{agreement.pk}/items/{item.pk}"),
        {"status": "done"},
        content_type="application/json",
    )
    assert patched.status_code == status
    assert Agreement.objects.count() == 1
    assert AgreementItem.objects.get(pk=item.pk).status == "open"


def test_an_agreement_for_another_organisation_is_forbidden(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    response = bearer(case_worker).post(
        _url(person.public_id), {**BODY, "organisation": "city"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert not Agreement.objects.exists()


def test_without_a_token_the_endpoints_answer_401(city: City, client: Any) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    assert client.get(_url(person.public_id)).status_code == 401
