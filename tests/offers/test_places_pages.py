"""The provider and district pages: offers, places and free places for every role with
a membership; participant figures only over the persons the viewer may see, and absent
for roles that see none. Fixed number of queries on the lists."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client

from doconnect.core.models import District, Organisation, TargetGroup
from doconnect.offers.models import FundingLine, Offer
from doconnect.offers.places_selectors import offers_with_places
from doconnect.pathways.services import free_places_from_db
from doconnect.people.models import Person
from doconnect.people.services import spell_create
from doconnect.referrals.models import Referral
from tests.browser import log_in, serious_violations
from tests.conftest import TODAY, City, count_queries, logged_in, make_person, participant

pytestmark = pytest.mark.usefixtures("fixed_today")


PAGES = ["/providers/", "/providers/p-a/", "/districts/", "/districts/05913004/"]


# --- denied -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_an_anonymous_visitor_is_sent_to_the_login_page(city: City, url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("url", PAGES)
def test_a_user_without_membership_is_refused(city: City, outsider: User, url: str) -> None:
    assert logged_in(outsider).get(url).status_code == 403


def test_an_unknown_provider_or_an_organisation_that_is_no_provider_is_not_found(
    city: City, coordinator: User
) -> None:
    client = logged_in(coordinator)
    assert client.get("/providers/p-unknown/").status_code == 404
    assert client.get("/providers/jc/").status_code == 404


def test_an_unknown_district_is_not_found(city: City, coordinator: User) -> None:
    assert logged_in(coordinator).get("/districts/00000000/").status_code == 404


# --- free places: the one definition ----------------------------------------------------


def test_the_pages_free_places_are_the_same_as_the_pathways_free_places(city: City) -> None:
    running, referred = make_person(city, given_name="A"), make_person(city, given_name="B")
    spell_create(
        person=running, state="offer", start=dt.date(2026, 9, 1), end=None, offer_id=city.offer_a.pk
    )
    Referral.objects.create(person=running, offer=city.offer_a, status="started")
    Referral.objects.create(person=referred, offer=city.offer_a, status="started")
    Offer.objects.create(
        external_id="o-open", provider=city.provider_a, title="Offen", kind="counselling"
    )
    ours = {o.external_id: o.free_places for o in offers_with_places(TODAY)}
    assert ours == free_places_from_db(TODAY) == {"o-a": 8, "o-b": 10, "o-open": None}


# --- providers ----------------------------------------------------------------------------


def test_the_provider_list_shows_offers_places_free_places_and_district(
    city: City, case_worker: User
) -> None:
    participant(city, city.offer_a, [city.city])
    body = logged_in(case_worker).get("/providers/").content.decode()
    assert 'href="/providers/p-a/"' in body and 'href="/providers/p-b/"' in body
    assert "Jobcenter" not in body.split("<main", 1)[1]  # not a provider
    assert 'href="/districts/05913004/"' in body
    assert body.index("Träger A") < body.index("Träger B")
    assert ">9<" in body and ">10<" in body  # free places of A and B


def test_the_provider_list_can_be_sorted_by_name_descending(city: City, analyst: User) -> None:
    body = logged_in(analyst).get("/providers/?sort=-name").content.decode()
    assert body.index("Träger B") < body.index("Träger A")
    assert 'aria-sort="descending"' in body


def test_the_provider_list_shows_fifty_providers_a_page_with_links_to_the_others(
    city: City, analyst: User
) -> None:
    for i in range(55):
        Organisation.objects.create(
            external_id=f"p-many-{i:02}", name=f"Z Träger {i:02}", kind="provider"
        )
    client = logged_in(analyst)
    first = client.get("/providers/").content.decode()
    second = client.get("/providers/?page=2").content.decode()
    shown = [body.count('href="/providers/p-') for body in (first, second)]
    total = Organisation.objects.filter(kind="provider").count()
    assert shown == [50, total - 50]
    assert f"{total} Träger" in first and "Seite 1 von 2" in first
    assert 'rel="next"' in first and 'rel="prev"' in second
    # The sort holds across pages: the last names come on the second page.
    assert "Z Träger 54" in second and "Z Träger 54" not in first
    descending = client.get("/providers/?sort=-name").content.decode()
    assert "Z Träger 54" in descending and "sort=-name&amp;page=2" in descending


def test_provider_staff_count_only_participants_they_may_see(
    city: City, provider_staff: User, coordinator: User
) -> None:
    for name in ("Ada", "Ben"):
        participant(city, city.offer_a, [city.provider_a], given_name=name)
    participant(city, city.offer_a, [city.jobcenter], given_name="Cem")  # no consent for A
    staff = logged_in(provider_staff).get("/providers/p-a/").content.decode()
    coordination = logged_in(coordinator).get("/providers/p-a/").content.decode()
    assert "Teilnehmende heute" in staff
    figure = '<dd class="kern-description-list-item__value">{}</dd>'
    assert figure.format(2) in staff
    assert figure.format(3) in coordination
    assert figure.format(7) in staff  # free places count everybody: 10 - 3


def test_a_platform_admin_sees_the_providers_but_no_participant_figures(
    city: City, platform_admin: User
) -> None:
    participant(city, city.offer_a, [city.city])
    client = logged_in(platform_admin)
    assert "Teilnehmende" not in client.get("/providers/").content.decode()
    detail = client.get("/providers/p-a/").content.decode()
    assert "Werkstatt A" in detail and "Teilnehmende" not in detail


def test_the_provider_page_shows_facts_offers_and_funding_of_this_year_by_funder(
    city: City, analyst: User
) -> None:
    FundingLine.objects.create(
        offer=city.offer_a,
        funder="jobcenter",
        amount_eur=Decimal("12000"),
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 12, 31),
    )
    FundingLine.objects.create(
        offer=city.offer_a,
        funder="esf",
        amount_eur=Decimal("5000"),
        start=dt.date(2025, 1, 1),
        end=dt.date(2026, 3, 31),
    )
    FundingLine.objects.create(
        offer=city.offer_a,
        funder="city",
        amount_eur=Decimal("4321"),
        start=dt.date(2024, 1, 1),
        end=dt.date(2024, 12, 31),
    )
    participant(city, city.offer_a, [city.city], given_name="Zacharias")
    body = logged_in(analyst).get("/providers/p-a/").content.decode()
    assert "<h1" in body and "Träger A" in body
    assert "kern-description-list" in body and "p-a" in body and "Eving" in body
    assert 'href="/offers/o-a/"' in body and "Niedrigschwelliger Einstieg" in body
    assert "aktiv" in body
    assert "Jobcenter" in body and "Europäischer Sozialfonds" in body
    main = body.split("<main", 1)[1]
    assert ">12.000<" in main and ">5.000<" in main  # with the thousands separator
    assert "4321" not in main  # funding of another year
    assert "Zacharias" not in body


def test_the_funding_chart_of_a_provider_exports_as_svg(city: City, coordinator: User) -> None:
    FundingLine.objects.create(
        offer=city.offer_a,
        funder="city",
        amount_eur=Decimal("1000"),
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 12, 31),
    )
    response = logged_in(coordinator).get("/providers/p-a/?chart=finanzierung&format=svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content


# --- districts ----------------------------------------------------------------------------


def test_the_district_list_is_ordered_by_official_key_and_notes_city_wide_offers(
    city: City, coordinator: User
) -> None:
    District.objects.create(name="Aplerbeck", official_key="05913006")
    Offer.objects.create(
        external_id="o-city", provider=city.provider_a, title="Stadtweit", kind="counselling"
    )
    participant(city, city.offer_a, [city.city])
    body = logged_in(coordinator).get("/districts/").content.decode()
    assert body.index("Eving") < body.index("Aplerbeck") < body.index("Hörde")
    assert "1 stadtweites Angebot" in body
    assert 'href="/persons/?support=active&amp;district=05913004"' in body
    assert 'href="/districts/05913004/"' in body


def test_provider_staff_see_district_support_figures_only_of_persons_they_may_see(
    city: City, provider_staff: User
) -> None:
    participant(city, city.offer_a, [city.provider_a], given_name="Ada")
    participant(city, city.offer_b, [city.provider_b], given_name="Ben")
    body = logged_in(provider_staff).get("/districts/05913004/").content.decode()
    assert (
        '<a class="kern-link" href="/persons/?support=active&amp;district=05913004">1</a>' in body
    )


def test_the_district_page_shows_its_offers_support_by_target_group_and_free_places_by_kind(
    city: City, coordinator: User
) -> None:
    other = TargetGroup.objects.create(code="long_term", label="Langzeitarbeitslose")
    person = participant(city, city.offer_a, [city.city])
    person.target_groups.add(other)
    Offer.objects.create(
        external_id="o-city", provider=city.provider_b, title="Stadtweit", kind="counselling"
    )
    body = logged_in(coordinator).get("/districts/05913004/").content.decode()
    assert "<h1" in body and "Eving" in body
    assert 'href="/offers/o-a/"' in body and 'href="/offers/o-b/"' not in body
    assert "1 stadtweites Angebot" in body and 'href="/offers/"' in body
    assert "/persons/?support=active&amp;district=05913004&amp;target_group=long_term" in body
    assert "Freie Plätze nach Art des Angebots" in body and "Niedrigschwelliger Einstieg" in body


def test_an_analyst_sees_district_figures_but_no_names(city: City, analyst: User) -> None:
    person = participant(city, city.offer_a, [city.city], given_name="Zacharias")
    body = logged_in(analyst).get("/districts/05913004/").content.decode()
    assert "Personen in aktiver Förderung nach Zielgruppe" in body
    assert "Zacharias" not in body and person.public_id not in body


def test_a_platform_admin_sees_the_district_offers_but_no_person_figures(
    city: City, platform_admin: User
) -> None:
    participant(city, city.offer_a, [city.city])
    client = logged_in(platform_admin)
    assert "Personen in aktiver Förderung" not in client.get("/districts/").content.decode()
    detail = client.get("/districts/05913004/").content.decode()
    assert "Werkstatt A" in detail and "Personen in aktiver Förderung" not in detail
    assert "/persons/" not in detail.split("<main", 1)[1]


def test_a_district_chart_exports_as_svg(city: City, coordinator: User) -> None:
    participant(city, city.offer_a, [city.city])
    response = logged_in(coordinator).get(
        "/districts/05913004/?chart=foerderung-zielgruppe&format=svg"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"


# --- bounded queries --------------------------------------------------------------------------


def _grow(city: City, n: int) -> None:
    for i in range(n):
        district = District.objects.create(name=f"Bezirk {n}-{i}", official_key=f"9{n:03}{i:04}")
        provider = Organisation.objects.create(
            external_id=f"p-{n}-{i}", name=f"Träger {n}-{i}", kind="provider", district=district
        )
        offer = Offer.objects.create(
            external_id=f"o-{n}-{i}",
            provider=provider,
            title=f"Kurs {n}-{i}",
            kind="qualification",
            district=district if i % 2 else None,
            capacity=4,
        )
        person = participant(city, offer, [city.city], given_name=f"P{n}-{i}")
        Person.objects.filter(pk=person.pk).update(district=district)


@pytest.mark.parametrize(
    ("url", "limit"), [("/providers/", 8), ("/districts/", 9), ("/districts/05913004/", 12)]
)
def test_the_lists_issue_the_same_bounded_number_of_queries_for_3_and_30_rows(
    city: City,
    coordinator: User,
    url: str,
    limit: int,
    django_assert_max_num_queries: object,
) -> None:
    client = logged_in(coordinator)
    _grow(city, 3)
    few = count_queries(client, url)
    _grow(city, 30)
    many = count_queries(client, url)
    assert few == many
    with django_assert_max_num_queries(limit):  # type: ignore[operator]
        client.get(url)


def test_provider_staff_get_the_provider_list_in_the_same_number_of_queries(
    city: City, provider_staff: User
) -> None:
    client = logged_in(provider_staff)
    _grow(city, 3)
    few = count_queries(client, "/providers/")
    _grow(city, 30)
    assert count_queries(client, "/providers/") == few


def _table(body: str) -> str:
    return body.split("<tbody", 1)[1].split("</tbody>", 1)[0]


def _participants_of(body: str, provider: str) -> str:
    """The provider list's participant cell of ``provider`` (the row's last figure)."""
    row = body.split(f'href="/providers/{provider}/"', 1)[1].split("</tr>", 1)[0]
    return row.rsplit("<td", 1)[1].split(">", 1)[1].split("<", 1)[0].strip()


def test_the_kept_provider_list_equals_a_fresh_one_and_follows_every_new_participant(
    transactional_db: None, city: City, coordinator: User, settings: Any
) -> None:
    settings.DASHBOARD_STALE_SECONDS = 0  # figures read again after every change
    client = logged_in(coordinator)
    client.get("/providers/")  # a session's first request does more than any other
    _grow(city, 3)
    first = count_queries(client, "/providers/")  # computes and keeps the rows
    kept = count_queries(client, "/providers/")
    assert kept < first
    _grow(city, 30)
    client.get("/providers/")
    assert count_queries(client, "/providers/") == kept  # the same at 3 and 30 rows
    warm = client.get("/providers/").content.decode()
    with transaction.atomic():  # nothing is kept inside a transaction: a fresh build
        fresh = client.get("/providers/").content.decode()
    assert _table(warm) == _table(fresh) and "Träger 30-29" in _table(warm)
    before = _participants_of(warm, "p-a")
    participant(city, city.offer_a, [city.city], given_name="Neu")
    after = _participants_of(client.get("/providers/").content.decode(), "p-a")
    assert int(after) == int(before) + 1


def test_with_a_stale_window_the_provider_figures_follow_once_it_has_passed(
    transactional_db: None,
    city: City,
    coordinator: User,
    settings: Any,
    kept_clock: list[float],
) -> None:
    settings.DASHBOARD_STALE_SECONDS = 60
    now = kept_clock
    client = logged_in(coordinator)
    page = client.get("/providers/").content.decode()
    assert "Änderungen erscheinen hier spätestens nach 60 Sekunden." in page
    before = int(_participants_of(page, "p-a"))
    participant(city, city.offer_a, [city.city], given_name="Neu")
    now[0] += 30
    within = client.get("/providers/").content.decode()
    assert int(_participants_of(within, "p-a")) == before  # within the window
    now[0] += 31
    after = client.get("/providers/").content.decode()
    assert int(_participants_of(after, "p-a")) == before + 1


# --- accessibility ------------------------------------------------------------------------


@pytest.fixture
def busy_city(transactional_db: None, city: City, coordinator: User) -> City:
    """Made before Playwright starts its event loop (see tests/browser_fixtures.py)."""
    participant(city, city.offer_a, [city.city])
    FundingLine.objects.create(
        offer=city.offer_a,
        funder="city",
        amount_eur=Decimal("1000"),
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 12, 31),
    )
    return city


@pytest.mark.browser
def test_the_dashboard_provider_and_district_pages_have_no_serious_axe_violations(
    live_server: Any, busy_city: City, page: Any, axe_path: Path
) -> None:
    found: list[str] = []
    log_in(page, live_server.url, "coordinator")
    for path in ("/", *PAGES):
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        found += serious_violations(page, axe_path)
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
