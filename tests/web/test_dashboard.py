"""The start page: visitors get the landing page, staff the dashboard. The dashboard
shows counts only, over the persons the viewer may see, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client

from doconnect.core.models import District, TargetGroup
from doconnect.offers.models import Offer
from doconnect.people.models import Person
from doconnect.people.services import spell_create
from doconnect.referrals.models import Referral
from tests.conftest import TODAY, City, count_queries, logged_in, make_person, participant

pytestmark = pytest.mark.usefixtures("fixed_today")


# --- who gets what ----------------------------------------------------------------------


def test_an_anonymous_visitor_gets_the_landing_page_with_a_login_link(db: None) -> None:
    body = Client().get("/").content.decode()
    assert 'href="/login/"' in body and "Verbinden statt Abhängen" in body
    assert "Personen in aktiver Förderung" not in body
    assert "Angebote mit freien Plätzen" not in body


def test_a_signed_in_coordinator_gets_the_dashboard_instead_of_the_landing_page(
    city: City, coordinator: User
) -> None:
    body = logged_in(coordinator).get("/").content.decode()
    assert "<h1" in body and "Übersicht" in body
    assert "Personen in aktiver Förderung" in body
    assert "Angebote mit freien Plätzen" in body and "Aktuelle Übergänge" in body
    assert "Verbinden statt Abhängen" not in body


def test_an_outsider_is_told_they_have_no_role_yet_and_whom_to_ask_and_sees_no_figures(
    city: City, outsider: User
) -> None:
    participant(city, city.offer_a, [city.city])
    response = logged_in(outsider).get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "noch keine Rolle" in body and "Administration" in body
    assert "Personen in aktiver Förderung" not in body
    assert "Angebote mit freien Plätzen" not in body and "Werkstatt A" not in body


def test_a_platform_admin_sees_the_offers_with_free_places_but_no_person_figures(
    city: City, platform_admin: User
) -> None:
    participant(city, city.offer_a, [city.city])
    body = logged_in(platform_admin).get("/").content.decode()
    assert "Angebote mit freien Plätzen" in body and "Werkstatt A" in body
    assert "Personen in aktiver Förderung" not in body
    assert "Aktuelle Übergänge" not in body
    assert "/persons/?" not in body


# --- persons in active support ---------------------------------------------------------


def test_the_coordinator_sees_persons_in_active_support_by_district_target_group_and_gender(
    city: City, coordinator: User
) -> None:
    for name in ("Ada", "Ben"):
        participant(city, city.offer_a, [city.city], given_name=name)
    make_person(city, given_name="Carla")  # not in any offer: not counted
    body = logged_in(coordinator).get("/").content.decode()
    assert "2 Personen nehmen heute an einem Angebot teil" in body
    assert "/persons/?support=active&amp;district=05913004" in body
    assert "/persons/?support=active&amp;target_group=youth_difficult_start" in body
    assert "/persons/?support=active&amp;gender=female" in body
    assert "Eving" in body and "Jugendliche" in body and "weiblich" in body


def test_a_started_referral_counts_as_active_support_like_a_running_spell(
    city: City, coordinator: User
) -> None:
    participant(city, city.offer_a, [city.city])
    referred = make_person(city, given_name="Dora")
    Referral.objects.create(person=referred, offer=city.offer_b, status="started")
    ended = make_person(city, given_name="Emil")
    spell_create(
        person=ended,
        state="offer",
        start=dt.date(2025, 1, 1),
        end=dt.date(2025, 6, 30),
        offer_id=city.offer_a.pk,
    )
    body = logged_in(coordinator).get("/").content.decode()
    assert "2 Personen nehmen heute an einem Angebot teil" in body


def test_provider_staff_see_only_their_own_participants_in_the_dashboard_figures(
    city: City, provider_staff: User, other_provider_staff: User, coordinator: User
) -> None:
    for name in ("Ada", "Ben"):
        participant(city, city.offer_a, [city.provider_a], given_name=name)
    for name in ("Cem", "Dana", "Eli"):
        participant(city, city.offer_b, [city.provider_b], given_name=name)
    # Taking part in A's offer without consent for A: A's staff do not see (or count) her.
    participant(city, city.offer_a, [city.jobcenter], given_name="Fe")
    assert "2 Personen nehmen" in logged_in(provider_staff).get("/").content.decode()
    assert "3 Personen nehmen" in logged_in(other_provider_staff).get("/").content.decode()
    assert "6 Personen nehmen" in logged_in(coordinator).get("/").content.decode()


def test_an_analyst_sees_the_counts_but_no_name_or_pseudonym(city: City, analyst: User) -> None:
    people = [
        participant(city, city.offer_a, [city.city], given_name=name)
        for name in ("Zacharias", "Yvonne")
    ]
    body = logged_in(analyst).get("/").content.decode()
    assert "2 Personen nehmen heute an einem Angebot teil" in body
    for person in people:
        assert person.public_id not in body
    assert "Zacharias" not in body and "Yvonne" not in body and "Beispiel" not in body


def test_an_analyst_gets_no_links_to_lists_their_coarsened_records_cannot_filter(
    city: City, analyst: User, coordinator: User
) -> None:
    participant(city, city.offer_a, [city.city], given_name="Zacharias")
    analysts = logged_in(analyst).get("/").content.decode()
    coordinators = logged_in(coordinator).get("/").content.decode()
    # By participation, target group or state an analyst's list keeps nobody: the
    # figure stands without a link rather than leading to an empty list.
    assert "/persons/?support=active" in coordinators
    assert "/persons/?support=active" not in analysts
    assert "Zur Personenliste" in coordinators and "Zur Personenliste" not in analysts
    assert "1 Person nimmt heute an einem Angebot teil" in analysts


def test_a_person_without_district_or_target_group_is_counted_but_not_linked(
    city: City, coordinator: User
) -> None:
    person = participant(city, city.offer_a, [city.city])
    Person.objects.filter(pk=person.pk).update(district=None)
    person.target_groups.clear()
    body = logged_in(coordinator).get("/").content.decode()
    assert "ohne Stadtbezirk" in body and "ohne Zielgruppe" in body
    assert "district=&" not in body and "target_group=&" not in body


def test_a_dashboard_chart_exports_as_svg(city: City, coordinator: User) -> None:
    participant(city, city.offer_a, [city.city])
    response = logged_in(coordinator).get("/?chart=foerderung-stadtbezirk&format=svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content


def test_a_chart_the_viewer_does_not_get_cannot_be_exported(
    city: City, platform_admin: User
) -> None:
    response = logged_in(platform_admin).get("/?chart=foerderung-stadtbezirk&format=svg")
    assert response.status_code == 404


# --- offers with free places --------------------------------------------------------------


def test_the_offers_with_most_free_places_are_listed_with_links_and_a_link_to_all(
    city: City, case_worker: User
) -> None:
    participant(city, city.offer_a, [city.city])
    Offer.objects.create(
        external_id="o-full", provider=city.provider_a, title="Voll", kind="counselling", capacity=0
    )
    Offer.objects.create(
        external_id="o-ended",
        provider=city.provider_a,
        title="Beendet",
        kind="counselling",
        capacity=20,
        status="ended",
    )
    Offer.objects.create(
        external_id="o-open", provider=city.provider_a, title="Offen", kind="counselling"
    )
    body = logged_in(case_worker).get("/").content.decode()
    assert "2 aktive Angebote haben heute freie Plätze" in body
    assert 'href="/offers/o-a/"' in body and 'href="/offers/o-b/"' in body
    assert "Voll" not in body and "Beendet" not in body and "/offers/o-open/" not in body
    assert body.index("/offers/o-b/") < body.index("/offers/o-a/")  # 10 free before 9
    assert 'href="/offers/?free=1"' in body


# --- recent transitions ---------------------------------------------------------------------


def test_recent_transitions_are_counted_as_from_to_pairs_and_link_to_the_person_list(
    city: City, coordinator: User
) -> None:
    for name in ("Ada", "Ben"):
        person = make_person(city, given_name=name)
        spell_create(
            person=person,
            state="school",
            start=dt.date(2015, 8, 1),
            end=TODAY - dt.timedelta(days=20),
        )
        spell_create(
            person=person,
            state="apprenticeship",
            start=TODAY - dt.timedelta(days=19),
            end=None,
        )
    older = make_person(city, given_name="Cem")
    spell_create(person=older, state="school", start=dt.date(2015, 8, 1), end=dt.date(2025, 7, 1))
    spell_create(person=older, state="unemployed", start=dt.date(2025, 7, 2), end=None)
    body = logged_in(coordinator).get("/").content.decode()
    section = body[body.index("Aktuelle Übergänge") :]
    assert "Schule" in section and "Ausbildung" in section
    assert 'href="/persons/?state=apprenticeship"' in section
    assert "arbeitslos" not in section  # that change was more than 90 days ago
    assert ">2<" in section


def test_provider_staff_see_no_transitions_of_persons_they_may_not_see(
    city: City, provider_staff: User
) -> None:
    person = make_person(city, given_name="Ada", consent_orgs=[city.provider_a])
    spell_create(
        person=person, state="school", start=dt.date(2015, 8, 1), end=TODAY - dt.timedelta(days=5)
    )
    spell_create(person=person, state="unemployed", start=TODAY - dt.timedelta(days=4), end=None)
    body = logged_in(provider_staff).get("/").content.decode()
    assert "Keine Übergänge in diesem Zeitraum." in body  # no link to provider A: not visible


# --- bounded queries --------------------------------------------------------------------------


def _busy_city(city: City, persons: int) -> None:
    district = District.objects.create(name=f"Bezirk {persons}", official_key=f"0591399{persons}")
    group = TargetGroup.objects.create(code=f"group-{persons}", label=f"Gruppe {persons}")
    for i in range(persons):
        person = participant(
            city, city.offer_a if i % 2 else city.offer_b, [city.city], given_name=f"P{i}"
        )
        if i % 3 == 0:
            Person.objects.filter(pk=person.pk).update(district=district, gender="male")
            person.target_groups.add(group)
        spell_create(
            person=person,
            state="school",
            start=dt.date(2015, 8, 1),
            end=TODAY - dt.timedelta(days=40),
        )
        Offer.objects.create(
            external_id=f"o-{persons}-{i}",
            provider=city.provider_b,
            title=f"Kurs {i}",
            kind="counselling",
            capacity=5,
        )


def test_the_dashboard_issues_the_same_bounded_number_of_queries_for_3_and_30_persons(
    city: City, coordinator: User, django_assert_max_num_queries: object
) -> None:
    client = logged_in(coordinator)
    _busy_city(city, 3)
    few = count_queries(client, "/")
    _busy_city(city, 30)
    many = count_queries(client, "/")
    assert few == many
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        client.get("/")
