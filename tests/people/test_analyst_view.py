"""Analysts see persons one by one only coarsened (issue #20, item 3): every combination
of what they see of a person — age band, gender, district, legal branch, school and
vocational qualification — is shared by at least ``DOCONNECT_ANALYST_K`` persons, on the
list page, its CSV export, the API and the person page alike; what the coarsened record
does not hold (biography, consents, participation) they do not get one by one."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from doconnect.core.models import District
from doconnect.demo.services import load_demo_city
from doconnect.people.analyst_view import QUASI_IDENTIFIERS, five_year_band
from doconnect.people.models import Person
from doconnect.transparency.engine.k_anonymity import SUPPRESSED, share_unique
from tests.apiclient import BearerClient
from tests.conftest import City, count_queries, logged_in, make_person, participant

K = 5


def export_rows(client: Client, query: str = "") -> list[list[str]]:
    response = client.get(f"/persons/export/?format=csv{query}")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def api_people(client: Client) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        body = client.get(f"/api/persons?page_size=200&page={page}").json()
        items += body["items"]
        if len(items) >= body["count"]:
            return items
        page += 1


def combinations(rows: list[tuple[str, ...]]) -> Counter[tuple[str, ...]]:
    return Counter(rows)


def raw_share_unique() -> float:
    """The share of persons unique on what analysts saw before: birth year, gender,
    district, legal branch and the two qualifications."""
    return share_unique(
        list(
            Person.objects.values_list(
                "birth_year",
                "gender",
                "district_id",
                "legal_branch",
                "school_qualification",
                "vocational_qualification",
            )
        )
    )


def person_count(body: str) -> int:
    found = re.search(r'<p role="status">([\d.]+) Person', body)
    assert found is not None
    return int(found.group(1).replace(".", ""))


# -- the demo city at two scales -------------------------------------------------------------


@pytest.mark.parametrize("scale", [1, 2])
def test_on_the_demo_city_no_combination_an_analyst_sees_covers_fewer_than_k_persons(
    db: None, bearer: BearerClient, scale: int
) -> None:
    load_demo_city(seed=2026, scale=scale)
    analyst = User.objects.get(username="analyse")
    persons = Person.objects.count()
    assert raw_share_unique() > 0.5  # what analysts saw before: most persons unique

    # The export: every person, the coarsened record only.
    header, *rows = export_rows(logged_in(analyst))
    assert header == [
        "Pseudonym",
        "Altersgruppe",
        "Geschlecht",
        "Stadtbezirk",
        "Rechtskreis",
        "Schulabschluss",
        "Berufsabschluss",
    ]
    assert len(rows) == persons
    shown = combinations([tuple(row[1:]) for row in rows])
    assert min(shown.values()) >= K
    assert share_unique([tuple(row[1:]) for row in rows]) == 0
    # Not everything hidden: most persons keep their district and legal branch.
    districts = set(District.objects.values_list("name", flat=True))
    assert sum(row[3] in districts for row in rows) > persons / 2

    # The API: the same, as codes.
    items = api_people(bearer(analyst))
    assert len(items) == persons
    assert all(item["birth_year"] is None and item["district"] is None for item in items)
    by_api = combinations(
        [tuple(item["statistical"][q] for q in QUASI_IDENTIFIERS) for item in items]
    )
    assert min(by_api.values()) >= K
    assert sorted(by_api.values()) == sorted(shown.values())

    # The list page's filters count coarsened records: any filter keeps 0 or >= k.
    client = logged_in(analyst)
    for district in District.objects.all()[:4]:
        for gender in ("female", "male", "diverse"):
            body = client.get(
                f"/persons/?district={district.official_key}&gender={gender}&age_band=25-34"
            ).content.decode()
            assert person_count(body) == 0 or person_count(body) >= K
            assert ">Geburtsjahr<" not in body and "Altersgruppe" in body


# -- the pages, the API and what is refused (a small city) -----------------------------------


def test_an_analyst_sees_age_bands_and_a_coordinator_the_birth_year(
    city: City, analyst: User, coordinator: User
) -> None:
    for _ in range(6):
        make_person(city)  # six alike: born 2004, female, Eving, SGB II
    person = Person.objects.first()
    assert person is not None
    low, high = five_year_band(2004, timezone.localdate().year).split("-")
    band = f"{low} bis {high} Jahre"
    analyst_page = logged_in(analyst).get(f"/persons/{person.public_id}/").content.decode()
    assert "Altersgruppe" in analyst_page and band in analyst_page
    assert "2004" not in analyst_page and city.district.name in analyst_page
    assert 'id="spells-heading"' not in analyst_page
    assert 'id="consents-heading"' not in analyst_page
    listed = logged_in(analyst).get("/persons/").content.decode()
    assert band in listed and ">2004<" not in listed
    # A coordinator plans with the city's list as it is.
    assert ">2004<" in logged_in(coordinator).get("/persons/").content.decode()


def test_a_person_unlike_any_other_is_not_shown_to_an_analyst_at_all(
    city: City, analyst: User
) -> None:
    for _ in range(6):
        make_person(city)
    odd = make_person(city)
    Person.objects.filter(pk=odd.pk).update(
        birth_year=1950, gender="diverse", district=city.other_district, legal_branch="SGB III"
    )
    page = logged_in(analyst).get(f"/persons/{odd.public_id}/").content.decode()
    # Age, gender, district and legal branch hidden for all seven; the qualifications
    # (unknown for all of them) tell nobody apart.
    assert page.count("nicht ausgewiesen") == 4
    assert city.other_district.name not in page and "Jahre" not in page
    assert "SGB III" not in page


def test_fewer_persons_than_k_show_nothing_but_their_pseudonyms(
    city: City, analyst: User, bearer: BearerClient
) -> None:
    for _ in range(K - 1):
        make_person(city)
    items = api_people(bearer(analyst))
    assert len(items) == K - 1
    assert {tuple(item["statistical"].values()) for item in items} == {
        (SUPPRESSED,) * len(QUASI_IDENTIFIERS)
    }


def test_an_analyst_filter_matches_the_coarsened_district_not_the_true_one(
    city: City, analyst: User
) -> None:
    for _ in range(10):
        make_person(city)
    odd = make_person(city)
    Person.objects.filter(pk=odd.pk).update(district=city.other_district)
    client = logged_in(analyst)
    assert person_count(client.get("/persons/").content.decode()) == 11
    # The one person in the other district would stand out, so no district is shown,
    # and a filter by district finds nobody: it must not tell what the record hides.
    for district in (city.other_district, city.district):
        by_district = client.get(f"/persons/?district={district.official_key}").content.decode()
        assert person_count(by_district) == 0 and odd.public_id not in by_district


def test_analysts_cannot_filter_or_sort_by_what_the_record_does_not_show(
    city: City, analyst: User
) -> None:
    for _ in range(6):
        make_person(city)
    client = logged_in(analyst)
    assert person_count(client.get("/persons/").content.decode()) == 6
    for query in ("target_group=youth", "state=unemployed", "support=active"):
        refused = client.get(f"/persons/?{query}").content.decode()
        assert person_count(refused) == 0, query
        assert "filtern nicht nach Zielgruppe, Status oder Teilnahme" in refused
    page = client.get("/persons/?sort=district").content.decode()
    assert 'name="target_group"' not in page and 'name="state"' not in page
    # One sortable column, the pseudonym; no current state.
    assert page.count('class="kern-link sort-link"') == 1 and "Aktueller Status" not in page


def test_analysts_get_no_biography_consents_or_timeline_of_a_person(
    city: City, analyst: User, bearer: BearerClient
) -> None:
    person = make_person(city, consent_orgs=[city.statistics])
    api = bearer(analyst)
    for part in ("spells", "consents"):
        refused = api.get(f"/api/persons/{person.public_id}/{part}")
        assert refused.status_code == 403
        assert "coarsened" in refused.json()["detail"]
    chart = logged_in(analyst).get(f"/persons/{person.public_id}/?chart=biographie&format=csv")
    assert chart.status_code == 403


def test_an_analyst_sees_no_participants_of_an_offer(
    city: City, analyst: User, coordinator: User
) -> None:
    person = participant(city, city.offer_a, [city.city, city.statistics])
    coordinator_page = logged_in(coordinator).get(f"/offers/{city.offer_a.external_id}/")
    assert person.public_id in coordinator_page.content.decode()
    offer_page = logged_in(analyst).get(f"/offers/{city.offer_a.external_id}/").content.decode()
    assert 'id="participants-heading"' not in offer_page and person.public_id not in offer_page


def test_an_outsider_and_an_admin_get_no_analyst_list(
    city: City, outsider: User, platform_admin: User
) -> None:
    for user in (outsider, platform_admin):
        assert logged_in(user).get("/persons/export/?format=csv").status_code == 403


def test_the_setting_refuses_a_k_that_protects_nobody() -> None:
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, "-c", "import doconnect.settings"],
        env={"DOCONNECT_DEBUG": "1", "DOCONNECT_ANALYST_K": "1", "PATH": "/usr/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode != 0
    assert "DOCONNECT_ANALYST_K must be at least 2; got 1" in run.stderr
    assert settings.ANALYST_K == K


def test_an_analysts_list_and_export_need_as_many_queries_for_25_persons_as_for_6(
    city: City, analyst: User
) -> None:
    client = logged_in(analyst)
    for _ in range(6):
        make_person(city)
    few = count_queries(client, "/persons/")
    few_exported = count_queries(client, "/persons/export/?format=csv")
    for _ in range(19):
        make_person(city)
    assert count_queries(client, "/persons/") == few
    assert count_queries(client, "/persons/export/?format=csv") == few_exported
