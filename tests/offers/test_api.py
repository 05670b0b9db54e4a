"""Non-personal endpoints: offers, providers, districts, vacancies. Anybody with a
membership reads them; a login without membership gets 403, no login 401."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from doconnect.core.models import Organisation
from doconnect.labourmarket.employers.models import Vacancy
from doconnect.offers.models import FollowOn, FundingLine, Offer
from tests.apiclient import BearerClient
from tests.conftest import City, logged_in

LANDSCAPE = ("/api/offers", "/api/offers/o-a", "/api/providers", "/api/districts", "/api/vacancies")


@pytest.mark.parametrize(
    "persona", ["coordinator", "case_worker", "provider_staff", "analyst", "platform_admin"]
)
def test_every_member_of_an_organisation_reads_the_landscape(
    city: City, persona: str, bearer: BearerClient, request: pytest.FixtureRequest
) -> None:
    client = bearer(request.getfixturevalue(persona))
    for path in LANDSCAPE:
        assert client.get(path).status_code == 200, path


def test_a_login_without_membership_cannot_read_the_landscape(
    city: City, outsider: User, bearer: BearerClient
) -> None:
    client = bearer(outsider)
    for path in LANDSCAPE:
        assert client.get(path).status_code == 403, path


def test_offers_filter_by_kind_status_district_and_provider(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    Offer.objects.create(
        external_id="o-c",
        provider=city.provider_a,
        title="Alt",
        kind="qualification",
        status="ended",
        district=city.other_district,
    )
    client = bearer(case_worker)

    def ids(query: str) -> list[str]:
        return [o["external_id"] for o in client.get(f"/api/offers?{query}").json()["items"]]

    assert ids("") == ["o-a", "o-b", "o-c"]
    assert ids("kind=qualification") == ["o-b", "o-c"]
    assert ids("status=ended") == ["o-c"]
    assert ids("district=05913008") == ["o-b", "o-c"]
    assert ids("provider=p-a") == ["o-a", "o-c"]
    assert client.get("/api/offers?kind=nonsense").status_code == 422


@pytest.mark.parametrize(
    "query",
    ["", "kind=qualification", "status=ended", "district=05913008", "kind=low_threshold"],
)
def test_the_offer_list_keeps_the_offers_the_catalogue_keeps_for_the_same_filter(
    city: City, case_worker: User, bearer: BearerClient, query: str
) -> None:
    Offer.objects.create(
        external_id="o-c",
        provider=city.provider_a,
        title="Alt",
        kind="qualification",
        status="ended",
        district=city.other_district,
    )
    # Without a status the catalogue shows active offers, the API every status.
    status = "" if "status=" in query else "status=all&"
    page = logged_in(case_worker).get(f"/offers/?{status}{query}")
    in_the_catalogue = sorted(offer.external_id for offer in page.context["page"].object_list)
    api = bearer(case_worker).get(f"/api/offers?{query}").json()
    assert [item["external_id"] for item in api["items"]] == in_the_catalogue


def test_an_offer_shows_its_provider_follow_ons_and_funding(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    FollowOn.objects.create(from_offer=city.offer_a, to_offer=city.offer_b, position=0)
    FollowOn.objects.create(from_offer=city.offer_a, destination="employment", position=1)
    FundingLine.objects.create(
        offer=city.offer_a,
        funder="esf",
        amount_eur=Decimal("12500.50"),
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 12, 31),
    )
    city.offer_a.target_groups.set([city.youth])
    body = bearer(case_worker).get("/api/offers/o-a").json()
    assert body["provider"] == {"external_id": "p-a", "name": "Träger A"}
    assert body["district"] == {"official_key": "05913004", "name": "Eving"}
    assert body["target_groups"] == ["youth_difficult_start"]
    assert body["follow_ons"] == [
        {"position": 0, "to_offer": "o-b", "destination": None},
        {"position": 1, "to_offer": None, "destination": "employment"},
    ]
    assert body["funding"] == [
        {"funder": "esf", "amount_eur": "12500.50", "start": "2026-01-01", "end": "2026-12-31"}
    ]


def test_an_unknown_offer_is_not_found(city: City, case_worker: User, bearer: BearerClient) -> None:
    assert bearer(case_worker).get("/api/offers/nope").status_code == 404


def test_providers_are_listed_with_their_number_of_offers(
    city: City, analyst: User, bearer: BearerClient
) -> None:
    Organisation.objects.create(external_id="employer-1", name="Betrieb", kind="employer")
    body = bearer(analyst).get("/api/providers").json()
    assert body["count"] == 2
    assert [(p["external_id"], p["offer_count"]) for p in body["items"]] == [
        ("p-a", 1),
        ("p-b", 1),
    ]


def test_districts_are_listed_by_official_key(
    city: City, analyst: User, bearer: BearerClient
) -> None:
    assert bearer(analyst).get("/api/districts").json() == [
        {"official_key": "05913004", "name": "Eving"},
        {"official_key": "05913008", "name": "Hörde"},
    ]


def _vacancy(city: City, reference: str, kldb: str, *, other: bool = False) -> Vacancy:
    return Vacancy.objects.create(
        source="manual",
        reference=reference,
        title=f"Stelle {reference}",
        kldb=kldb,
        employer_name="Bäckerei Kamp",
        district=city.other_district if other else city.district,
        published_on=dt.date(2026, 10, 1),
    )


def test_vacancies_filter_by_district_and_kldb_prefix(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    _vacancy(city, "v1", "29222")
    _vacancy(city, "v2", "29302", other=True)
    _vacancy(city, "v3", "62102")
    client = bearer(case_worker)

    def refs(query: str) -> list[str]:
        return [v["reference"] for v in client.get(f"/api/vacancies?{query}").json()["items"]]

    assert refs("") == ["v1", "v2", "v3"]
    assert refs("kldb=29") == ["v1", "v2"]
    assert refs("kldb=29222") == ["v1"]
    assert refs("district=05913008") == ["v2"]
    assert client.get("/api/vacancies?kldb=abc").status_code == 422
    first = client.get("/api/vacancies?kldb=29222").json()["items"][0]
    assert first["employer"] == "Bäckerei Kamp"
    assert first["district"]["name"] == "Eving"


def _count_queries(client: Client, path: str, assert_max: Any, budget: int) -> None:
    with assert_max(budget):
        assert client.get(path).status_code == 200


def test_the_offer_and_vacancy_lists_stay_within_a_fixed_query_budget(
    city: City, case_worker: User, bearer: BearerClient, django_assert_max_num_queries: Any
) -> None:
    for i in range(40):
        offer = Offer.objects.create(
            external_id=f"o-x{i:02}",
            provider=city.provider_b,
            title="x",
            kind="counselling",
            district=city.district,
        )
        offer.target_groups.set([city.youth])
        _vacancy(city, f"r{i}", "29222")
    client = bearer(case_worker)
    # token lookup and last use, memberships, count, page (+ target groups for offers)
    _count_queries(client, "/api/offers?page_size=50", django_assert_max_num_queries, 6)
    _count_queries(client, "/api/vacancies?page_size=50", django_assert_max_num_queries, 5)
    _count_queries(client, "/api/providers?page_size=50", django_assert_max_num_queries, 5)
