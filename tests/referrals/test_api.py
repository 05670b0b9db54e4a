"""Referral endpoints: who sees which referrals, the steps with their JSON body, and the
answers for refusals — 404 for a referral that is not the caller's, 400 naming the
field for a bad body, 403 for the other side's step, 422 (the API's convention for a
refused step) with ``code`` ``full`` when the offer is booked out."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from doconnect.core.models import AuditEvent
from doconnect.offers.models import Offer
from doconnect.people.models import Spell
from doconnect.people.services import spell_create
from doconnect.referrals.models import Referral, ReferralStatus
from doconnect.referrals.services import referral_accept, referral_start
from tests.apiclient import BearerClient
from tests.conftest import City
from tests.referrals.test_referral_inbox import proposed, sent, status_of


def post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(path, json.dumps(body or {}), content_type="application/json")


def ids(client: Client, query: str = "") -> set[int]:
    response = client.get(f"/api/referrals{query}")
    assert response.status_code == 200
    return {item["id"] for item in response.json()["items"]}


# --- the list ---------------------------------------------------------------------------


def test_provider_staff_list_only_the_referrals_sent_to_their_own_offers(
    city: City, coordinator: User, provider_staff: User, bearer: BearerClient
) -> None:
    mine = sent(city, coordinator)
    sent(city, coordinator, offer=city.offer_b)
    proposed(city)  # not sent yet: the city's business
    assert ids(bearer(provider_staff)) == {mine.pk}


def test_coordinators_list_all_referrals_and_case_workers_those_of_persons_they_see(
    city: City, coordinator: User, case_worker: User, bearer: BearerClient
) -> None:
    visible = sent(city, coordinator, consent_orgs=[city.jobcenter])
    hidden = proposed(city, offer=city.offer_b, consent_orgs=[city.provider_b])
    assert ids(bearer(coordinator)) == {visible.pk, hidden.pk}
    assert ids(bearer(case_worker)) == {visible.pk}


@pytest.mark.parametrize("persona", ["analyst", "outsider"])
def test_an_analyst_and_an_outsider_may_not_list_referrals(
    persona: str, request: pytest.FixtureRequest, city: City, bearer: BearerClient
) -> None:
    assert bearer(request.getfixturevalue(persona)).get("/api/referrals").status_code == 403


def test_the_list_filters_by_status_and_offer_and_pages(
    city: City, coordinator: User, provider_staff: User, bearer: BearerClient
) -> None:
    waiting = sent(city, coordinator)
    accepted = referral_accept(referral=sent(city, coordinator), actor=provider_staff)
    to_b = sent(city, coordinator, offer=city.offer_b)
    client = bearer(coordinator)
    assert ids(client, "?status=sent") == {waiting.pk, to_b.pk}
    assert ids(client, "?status=accepted") == {accepted.pk}
    assert ids(client, "?offer=o-b") == {to_b.pk}
    body = client.get("/api/referrals?page_size=2&page=2").json()
    assert (body["count"], body["page"], len(body["items"])) == (3, 2, 1)
    assert client.get("/api/referrals?status=nonsense").status_code == 422


def test_a_referral_shows_offer_deadline_and_the_callers_next_steps(
    city: City, coordinator: User, provider_staff: User, bearer: BearerClient
) -> None:
    referral = sent(city, coordinator)
    (item,) = bearer(provider_staff).get("/api/referrals").json()["items"]
    assert item["offer"] == {"external_id": "o-a", "title": "Werkstatt A", "provider": "p-a"}
    assert item["status"] == "sent"
    deadline = timezone.localdate(referral.sent_at) + dt.timedelta(days=14)
    assert item["answer_by"] == deadline.isoformat()
    assert item["actions"] == ["accept", "decline"]
    (city_item,) = bearer(coordinator).get("/api/referrals").json()["items"]
    assert city_item["actions"] == ["cancel"]


def test_names_appear_only_with_consent_and_are_audited(
    city: City, coordinator: User, provider_staff: User, bearer: BearerClient
) -> None:
    consented = sent(city, coordinator, consent_orgs=[city.provider_a], given_name="Mira")
    without = sent(city, coordinator, consent_orgs=[city.jobcenter], given_name="Otto")
    items = {i["id"]: i for i in bearer(provider_staff).get("/api/referrals").json()["items"]}
    assert items[consented.pk]["person"] == consented.person.public_id
    assert items[consented.pk]["person_name"] == "Mira Beispiel"
    assert items[without.pk]["person"] is None and "person_name" not in items[without.pk]
    events = AuditEvent.objects.filter(view="api.referral_list")
    assert [e.person_public_id for e in events] == [consented.person.public_id]


def test_the_list_needs_as_many_queries_for_12_referrals_as_for_3(
    city: City, coordinator: User, provider_staff: User, bearer: BearerClient
) -> None:
    client = bearer(provider_staff)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/referrals").status_code == 200
        return len(captured)

    for i in range(3):
        sent(city, coordinator, consent_orgs=[city.provider_a], given_name=f"P{i}")
    few = queries()
    for i in range(9):
        sent(city, coordinator, consent_orgs=[city.provider_a], given_name=f"Q{i}")
    assert queries() == few


# --- the steps --------------------------------------------------------------------------


def test_provider_staff_accept_and_a_place_is_booked(
    city: City, coordinator: User, provider_staff: User, bearer: BearerClient
) -> None:
    referral = sent(city, coordinator)
    response = post(bearer(provider_staff), f"/api/referrals/{referral.pk}/accept")
    assert response.status_code == 200
    assert response.json()["status"] == "accepted" and response.json()["actions"] == ["start"]
    assert status_of(referral) == ReferralStatus.ACCEPTED


def test_accepting_a_booked_out_offer_is_refused_with_code_full_and_nothing_changes(
    city: City, coordinator: User, provider_staff: User, bearer: BearerClient
) -> None:
    Offer.objects.filter(pk=city.offer_a.pk).update(capacity=1)
    referral_accept(referral=sent(city, coordinator), actor=provider_staff)
    referral = sent(city, coordinator)
    response = post(bearer(provider_staff), f"/api/referrals/{referral.pk}/accept")
    assert response.status_code == 422
    assert response.json()["code"] == "full"
    assert "ausgebucht" in response.json()["detail"]["__all__"][0]
    assert status_of(referral) == ReferralStatus.SENT


def test_declining_needs_a_known_reason_and_other_needs_a_note(
    city: City, coordinator: User, provider_staff: User, bearer: BearerClient
) -> None:
    referral = sent(city, coordinator)
    client = bearer(provider_staff)
    path = f"/api/referrals/{referral.pk}/decline"
    assert set(post(client, path).json()["detail"]) == {"reason"}
    assert post(client, path, {"reason": "bored"}).status_code == 400
    response = post(client, path, {"reason": "other"})
    assert response.status_code == 400 and set(response.json()["detail"]) == {"note"}
    assert status_of(referral) == ReferralStatus.SENT
    response = post(client, path, {"reason": "person_declined"})
    assert response.status_code == 200
    assert response.json()["decline_reason"] == "person_declined"


def test_completing_writes_the_next_state_into_the_biography(
    city: City, coordinator: User, provider_staff: User, bearer: BearerClient
) -> None:
    referral = referral_start(
        referral=referral_accept(referral=sent(city, coordinator), actor=provider_staff),
        actor=provider_staff,
    )
    client = bearer(provider_staff)
    path = f"/api/referrals/{referral.pk}/complete"
    response = post(client, path, {"next_state": "apprenticeship", "on": "not a day"})
    # Validated by the schema (issue #20): a 422 naming the field, nothing changed.
    assert response.status_code == 422
    assert [error["loc"][-1] for error in response.json()["detail"]] == ["on"]
    on = timezone.localdate()
    response = post(client, path, {"next_state": "apprenticeship", "on": on.isoformat()})
    assert response.status_code == 200 and response.json()["status"] == "completed"
    spell = Spell.objects.get(person=referral.person, state="apprenticeship")
    assert (spell.start, spell.end) == (on, None)


def test_the_city_sends_and_cancels(city: City, case_worker: User, bearer: BearerClient) -> None:
    referral = proposed(city, consent_orgs=[city.jobcenter])
    client = bearer(case_worker)
    response = post(client, f"/api/referrals/{referral.pk}/send", {"note": "bitte melden"})
    assert response.status_code == 200 and response.json()["answer_by"] is not None
    assert post(client, f"/api/referrals/{referral.pk}/cancel").status_code == 200
    assert status_of(referral) == ReferralStatus.CANCELLED
    # Nothing follows a cancel: the step is refused, not hidden.
    response = post(client, f"/api/referrals/{referral.pk}/send")
    assert response.status_code == 422 and response.json()["code"] == "state"


def test_another_providers_staff_get_404_for_every_step(
    city: City, coordinator: User, other_provider_staff: User, bearer: BearerClient
) -> None:
    referral = sent(city, coordinator)
    client = bearer(other_provider_staff)
    for action in ("accept", "decline", "start", "complete", "cancel"):
        assert post(client, f"/api/referrals/{referral.pk}/{action}").status_code == 404
    assert ids(client) == set()
    assert status_of(referral) == ReferralStatus.SENT


@pytest.mark.parametrize("persona", ["analyst", "outsider"])
def test_an_analyst_and_an_outsider_get_404_for_a_step(
    persona: str,
    request: pytest.FixtureRequest,
    city: City,
    coordinator: User,
    bearer: BearerClient,
) -> None:
    referral = sent(city, coordinator)
    response = post(
        bearer(request.getfixturevalue(persona)), f"/api/referrals/{referral.pk}/accept"
    )
    assert response.status_code == 404
    assert status_of(referral) == ReferralStatus.SENT


def test_a_case_worker_gets_404_for_a_referral_of_a_person_they_may_not_see(
    city: City, coordinator: User, case_worker: User, bearer: BearerClient
) -> None:
    referral = proposed(city, consent_orgs=[city.provider_a])
    assert post(bearer(case_worker), f"/api/referrals/{referral.pk}/send").status_code == 404
    assert status_of(referral) == ReferralStatus.PROPOSED


def test_the_other_sides_step_is_forbidden(
    city: City, coordinator: User, provider_staff: User, bearer: BearerClient
) -> None:
    referral = sent(city, coordinator)
    assert post(bearer(provider_staff), f"/api/referrals/{referral.pk}/cancel").status_code == 403
    assert post(bearer(coordinator), f"/api/referrals/{referral.pk}/accept").status_code == 403
    assert status_of(referral) == ReferralStatus.SENT


def test_an_unknown_step_or_referral_is_not_found(
    city: City, provider_staff: User, bearer: BearerClient
) -> None:
    client = bearer(provider_staff)
    assert not Referral.objects.filter(pk=999).exists()
    assert post(client, "/api/referrals/999/accept").status_code == 404
    assert post(client, "/api/referrals/1/expire").status_code == 404  # the platform's step


def test_a_person_with_a_running_spell_at_the_offer_ends_it_on_completion(
    city: City, coordinator: User, provider_staff: User, bearer: BearerClient
) -> None:
    referral = referral_start(
        referral=referral_accept(referral=sent(city, coordinator), actor=provider_staff),
        actor=provider_staff,
    )
    begun = timezone.localdate() - dt.timedelta(days=30)
    spell_create(
        person=referral.person, state="offer", start=begun, end=None, offer_id=city.offer_a.pk
    )
    on = timezone.localdate()
    response = post(
        bearer(provider_staff),
        f"/api/referrals/{referral.pk}/drop_out",
        {"next_state": "unemployed", "on": on.isoformat()},
    )
    assert response.status_code == 200 and response.json()["status"] == "dropped_out"
    at_offer = Spell.objects.get(person=referral.person, offer=city.offer_a)
    assert at_offer.end == on - dt.timedelta(days=1)


def test_sending_with_an_impossible_date_is_refused_not_sent(
    city: City, coordinator: User, case_worker: User, bearer: BearerClient
) -> None:
    """The date is checked for every step, even one that does not read it (issue #20:
    schemathesis found "2024-13-01" accepted and the referral sent)."""
    referral = proposed(city)
    path = f"/api/referrals/{referral.pk}/send"
    response = post(bearer(coordinator), path, {"on": "2024-13-01"})
    assert response.status_code == 422
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.PROPOSED
