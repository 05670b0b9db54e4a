"""The offer pages: the catalogue with its filters (and the htmx partial), one offer with
its facts, follow-ons, funding and participants, and the edit form. Every page has its
denied case; the catalogue needs as many queries for 30 offers as for 3."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from doconnect.core.models import AuditEvent, TargetGroup
from doconnect.offers.filters import OfferCriteria, find_offers
from doconnect.offers.models import FollowOn, FundingLine, Offer
from doconnect.pathways.services import free_places_from_db
from doconnect.people.models import Person
from doconnect.people.services import spell_create
from doconnect.referrals.models import Referral
from tests.conftest import City, logged_in, make_person

SINCE = dt.date(2020, 1, 1)  # spells from here on run "today" whatever the date


def takes_part(city: City, offer: Offer, **person: Any) -> Person:
    someone = make_person(city, **person)
    spell_create(person=someone, state="offer", start=SINCE, end=None, offer_id=offer.pk)
    return someone


def more_offers(city: City, n: int) -> None:
    """``n`` offers of provider B, each with a target group and a funding line."""
    for i in range(n):
        offer = Offer.objects.create(
            external_id=f"o-more-{i:02}",
            provider=city.provider_b,
            title=f"Kurs {i:02}",
            kind="qualification",
            district=city.other_district,
            capacity=5,
        )
        offer.target_groups.add(city.youth)
        FundingLine.objects.create(
            offer=offer,
            funder="esf",
            amount_eur=1000,
            start=dt.date(2026, 1, 1),
            end=dt.date(2026, 12, 31),
        )


def rows(body: str) -> list[str]:
    """The offer ids listed in the catalogue's table, in order."""
    return [
        chunk.split("/", 1)[0]
        for chunk in body.split(
            '<th scope="row" class="kern-table__header"><a class="kern-link" href="/offers/'
        )[1:]
    ]


# --- the catalogue ----------------------------------------------------------------------


def test_the_catalogue_needs_a_login(city: City) -> None:
    response = Client().get("/offers/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_login_without_membership_may_not_see_the_catalogue(outsider: User) -> None:
    assert logged_in(outsider).get("/offers/").status_code == 403


@pytest.mark.parametrize(
    "persona", ["coordinator", "case_worker", "provider_staff", "analyst", "platform_admin"]
)
def test_everybody_with_a_membership_sees_the_catalogue(
    persona: str, request: pytest.FixtureRequest, city: City
) -> None:
    body = logged_in(request.getfixturevalue(persona)).get("/offers/").content.decode()
    assert rows(body) == ["o-b", "o-a"]  # by title: "Kurs B", "Werkstatt A"


def test_the_catalogue_table_links_offer_and_provider_and_shows_places(
    city: City, case_worker: User
) -> None:
    city.offer_a.target_groups.add(city.youth)
    takes_part(city, city.offer_a)
    body = logged_in(case_worker).get("/offers/").content.decode()
    assert 'href="/offers/o-a/"' in body and 'href="/providers/p-a/"' in body
    assert "Jugendliche" in body and "Eving" in body and "Niedrigschwelliger Einstieg" in body
    row = body.split('href="/offers/o-a/"')[1].split("</tr>")[0]
    assert ">10<" in row and ">9<" in row  # ten places, one taken


def test_the_catalogue_shows_active_offers_unless_another_status_is_chosen(
    city: City, coordinator: User
) -> None:
    Offer.objects.filter(pk=city.offer_b.pk).update(status="ended")
    client = logged_in(coordinator)
    assert rows(client.get("/offers/").content.decode()) == ["o-a"]
    assert rows(client.get("/offers/?status=ended").content.decode()) == ["o-b"]
    assert rows(client.get("/offers/?status=all").content.decode()) == ["o-b", "o-a"]


def test_the_catalogue_filters_by_kind_district_target_group_and_funder(
    city: City, coordinator: User
) -> None:
    city.offer_b.target_groups.add(city.youth)
    FundingLine.objects.create(
        offer=city.offer_a,
        funder="jobcenter",
        amount_eur=500,
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 6, 30),
    )
    client = logged_in(coordinator)

    def listed(query: str) -> list[str]:
        return rows(client.get(f"/offers/?{query}").content.decode())

    assert listed("kind=qualification") == ["o-b"]
    assert listed("district=05913004") == ["o-a"]  # Eving, by official key
    assert listed("target_group=youth_difficult_start") == ["o-b"]
    assert listed("funder=jobcenter") == ["o-a"]
    assert listed("funder=esf") == []
    assert listed("q=werkstatt") == ["o-a"] and listed("q=o-b") == ["o-b"]


def test_free_1_keeps_offers_with_a_free_place_today_as_free_places_from_db_counts(
    city: City, coordinator: User
) -> None:
    Offer.objects.filter(pk=city.offer_b.pk).update(capacity=1)
    takes_part(city, city.offer_b)
    started = make_person(city)
    Referral.objects.create(person=started, offer=city.offer_a, status="started")
    Offer.objects.create(
        external_id="o-unknown",
        provider=city.provider_a,
        title="Ohne Platzzahl",
        kind="counselling",
    )
    assert rows(logged_in(coordinator).get("/offers/?free=1").content.decode()) == ["o-a"]
    today = timezone.localdate()
    annotated = {
        o.external_id: o.free_places  # type: ignore[attr-defined]
        for o in find_offers(OfferCriteria(), day=today)
    }
    assert annotated == free_places_from_db(today)
    assert annotated == {"o-a": 9, "o-b": 0, "o-unknown": None}


def test_the_catalogue_pages_25_offers_and_page_links_keep_the_filters(
    city: City, coordinator: User
) -> None:
    more_offers(city, 30)
    client = logged_in(coordinator)
    first = client.get("/offers/?district=05913008").content.decode()
    assert len(rows(first)) == 25 and "31 Angebote" in first
    assert 'href="?district=05913008&amp;page=2"' in first
    second = client.get("/offers/?district=05913008&page=2").content.decode()
    assert len(rows(second)) == 6


def test_the_filter_form_updates_the_results_with_htmx_and_still_works_without(
    city: City, coordinator: User
) -> None:
    body = logged_in(coordinator).get("/offers/").content.decode()
    form = body.split('role="search"')[1].split(">")[0]
    assert 'hx-get="/offers/"' in form and 'hx-target="#offer-results"' in form
    assert 'hx-push-url="true"' in form
    assert '<form method="get" action="/offers/"' in body  # a plain GET form without JS
    assert 'id="offer-results"' in body


def test_an_htmx_request_gets_only_the_results(city: City, coordinator: User) -> None:
    response = logged_in(coordinator).get("/offers/?kind=qualification", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and 'role="search"' not in body
    assert rows(body) == ["o-b"]
    assert "HX-Request" in response["Vary"]


def test_an_htmx_request_without_membership_is_refused_as_well(outsider: User) -> None:
    assert logged_in(outsider).get("/offers/", HTTP_HX_REQUEST="true").status_code == 403


def test_the_catalogue_needs_as_many_queries_for_30_offers_as_for_3(
    city: City, coordinator: User, django_assert_max_num_queries: Any
) -> None:
    client = logged_in(coordinator)

    def queries(query: str = "") -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/offers/{query}").status_code == 200
        return len(captured)

    more_offers(city, 1)
    takes_part(city, city.offer_a)
    few, few_filtered = queries(), queries("?free=1&target_group=youth_difficult_start")
    more_offers_start = Offer.objects.count()
    for i in range(more_offers_start, 30):
        Offer.objects.create(
            external_id=f"o-x-{i}", provider=city.provider_a, title=f"X {i}", kind="orientation"
        ).target_groups.add(city.youth)
    assert Offer.objects.count() == 30
    assert queries() == few
    assert queries("?free=1&target_group=youth_difficult_start") == few_filtered
    # session, user, memberships, count, page, target groups, districts, target groups (form)
    with django_assert_max_num_queries(9):
        client.get("/offers/?free=1&district=05913004&funder=esf")


# --- one offer --------------------------------------------------------------------------


def test_the_offer_page_needs_a_login_and_a_membership(city: City, outsider: User) -> None:
    assert Client().get("/offers/o-a/").status_code == 302
    assert logged_in(outsider).get("/offers/o-a/").status_code == 403


def test_an_unknown_offer_is_not_found(city: City, case_worker: User) -> None:
    assert logged_in(case_worker).get("/offers/o-nope/").status_code == 404


def test_the_offer_page_lists_the_facts_in_a_description_list(
    city: City, case_worker: User
) -> None:
    Offer.objects.filter(pk=city.offer_a.pk).update(
        min_age=16, max_age=25, legal_branches=["SGB II"], other_rules="Wohnsitz in Dortmund"
    )
    city.offer_a.target_groups.add(city.youth)
    takes_part(city, city.offer_a)
    body = logged_in(case_worker).get("/offers/o-a/").content.decode()
    facts = body.split('class="kern-description-list"')[1].split("</dl>")[0]
    assert 'class="kern-description-list-item__key"' in facts
    for fact in (
        'href="/providers/p-a/"',
        "Träger A",
        "Niedrigschwelliger Einstieg",
        "Eving",
        "Jugendliche",
        "16 bis 25 Jahre",
        "SGB II",
        "Wohnsitz in Dortmund",
        "aktiv",
    ):
        assert fact in facts
    free = facts.split("Freie Plätze heute")[1].split("</dd>")[0]
    assert free.endswith(">9")


def test_a_city_wide_offer_says_so(city: City, case_worker: User) -> None:
    Offer.objects.filter(pk=city.offer_b.pk).update(district=None)
    assert "stadtweit" in logged_in(case_worker).get("/offers/o-b/").content.decode()


def test_the_offer_page_shows_where_it_leads_and_what_leads_here(city: City, analyst: User) -> None:
    FollowOn.objects.create(from_offer=city.offer_a, to_offer=city.offer_b, position=0)
    FollowOn.objects.create(from_offer=city.offer_a, destination="employment", position=1)
    client = logged_in(analyst)
    out = client.get("/offers/o-a/").content.decode().split('class="leads-to"')[1]
    out = out.split("</ol>")[0]
    assert 'href="/offers/o-b/"' in out and "Kurs B" in out and "Beschäftigung" in out
    into = client.get("/offers/o-b/").content.decode().split('class="reached-from"')[1]
    assert 'href="/offers/o-a/"' in into.split("</ul>")[0]


def test_the_funding_is_a_timeline_with_the_amounts_as_euros_in_a_table(
    city: City, coordinator: User
) -> None:
    FundingLine.objects.create(
        offer=city.offer_a,
        funder="esf",
        amount_eur=12500,
        start=dt.date(2025, 1, 1),
        end=dt.date(2025, 12, 31),
    )
    FundingLine.objects.create(
        offer=city.offer_a,
        funder="city",
        amount_eur="800.50",
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 12, 31),
    )
    client = logged_in(coordinator)
    body = client.get("/offers/o-a/").content.decode()
    assert 'id="chart-funding"' in body and 'id="chart-funding-spec"' in body
    assert "Europäischer Sozialfonds" in body and "12.500,00 €" in body and "800,50 €" in body
    english = logged_in(coordinator)
    english.cookies["django_language"] = "en"
    assert "12,500.00 €" in english.get("/offers/o-a/").content.decode()


def test_the_funding_chart_exports_as_svg_and_an_unknown_chart_is_404(
    city: City, coordinator: User
) -> None:
    FundingLine.objects.create(
        offer=city.offer_a,
        funder="esf",
        amount_eur=1000,
        start=dt.date(2025, 1, 1),
        end=dt.date(2025, 12, 31),
    )
    client = logged_in(coordinator)
    svg = client.get("/offers/o-a/?chart=funding&format=svg")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert client.get("/offers/o-a/?chart=nope&format=svg").status_code == 404


def test_an_offer_without_funding_says_so_and_has_no_chart(city: City, coordinator: User) -> None:
    body = logged_in(coordinator).get("/offers/o-a/").content.decode()
    assert "Keine Finanzierung eingetragen." in body and "chart-funding" not in body


def test_the_edit_link_is_there_only_for_those_who_may_edit(
    city: City,
    coordinator: User,
    provider_staff: User,
    other_provider_staff: User,
    case_worker: User,
    analyst: User,
) -> None:
    link = 'href="/offers/o-a/edit/"'
    assert link in logged_in(coordinator).get("/offers/o-a/").content.decode()
    assert link in logged_in(provider_staff).get("/offers/o-a/").content.decode()
    for user in (other_provider_staff, case_worker, analyst):
        assert link not in logged_in(user).get("/offers/o-a/").content.decode()


# --- participants -----------------------------------------------------------------------


def test_a_case_worker_sees_the_participants_who_consented_to_the_jobcenter_with_names(
    city: City, case_worker: User
) -> None:
    named = takes_part(city, city.offer_a, family_name="Muster", consent_orgs=[city.jobcenter])
    hidden = takes_part(city, city.offer_a, family_name="Geheim", consent_orgs=[city.city])
    body = logged_in(case_worker).get("/offers/o-a/").content.decode()
    section = body.split('id="participants-heading"')[1]
    assert f'href="/persons/{named.public_id}/"' in section and "Muster" in section
    assert hidden.public_id not in body and "Geheim" not in body
    assert AuditEvent.objects.filter(
        person_public_id=named.public_id, view="web.offer_detail", actor_username="case_worker"
    ).exists()
    assert not AuditEvent.objects.filter(person_public_id=hidden.public_id).exists()


def test_a_coordinator_without_consent_sees_participants_by_pseudonym_only(
    city: City, coordinator: User
) -> None:
    someone = takes_part(city, city.offer_a, family_name="Muster")
    section = (
        logged_in(coordinator)
        .get("/offers/o-a/")
        .content.decode()
        .split('id="participants-heading"')[1]
    )
    assert someone.public_id in section and "Muster" not in section
    assert "pseudonymisiert" in section


def test_provider_staff_see_only_their_own_participants(
    city: City, provider_staff: User, other_provider_staff: User
) -> None:
    own = takes_part(city, city.offer_a, family_name="Eigen", consent_orgs=[city.provider_a])
    body = logged_in(provider_staff).get("/offers/o-a/").content.decode()
    assert own.public_id in body and "Eigen" in body
    other = logged_in(other_provider_staff).get("/offers/o-a/").content.decode()
    assert own.public_id not in other and "Eigen" not in other
    assert "Heute nimmt niemand teil, den Sie sehen dürfen." in other


def test_an_analyst_gets_no_participants_section(city: City, analyst: User) -> None:
    # Who takes part in which offer would single out the persons analysts see only
    # coarsened (issue #20, people/analyst_view.py): they have the figures instead.
    someone = takes_part(city, city.offer_a, family_name="Muster", consent_orgs=[city.statistics])
    body = logged_in(analyst).get("/offers/o-a/").content.decode()
    assert "participants-heading" not in body
    assert someone.public_id not in body and "Muster" not in body
    assert not AuditEvent.objects.filter(person_public_id=someone.public_id).exists()


def test_an_admin_gets_no_participants_section_at_all(city: City, platform_admin: User) -> None:
    someone = takes_part(city, city.offer_a, consent_orgs=[city.city])
    body = logged_in(platform_admin).get("/offers/o-a/").content.decode()
    assert "participants-heading" not in body and "Teilnehmende" not in body
    assert someone.public_id not in body
    assert not AuditEvent.objects.exists()


def test_a_chart_export_reads_no_participants(city: City, case_worker: User) -> None:
    takes_part(city, city.offer_a, consent_orgs=[city.jobcenter])
    FundingLine.objects.create(
        offer=city.offer_a,
        funder="esf",
        amount_eur=1000,
        start=dt.date(2025, 1, 1),
        end=dt.date(2025, 12, 31),
    )
    assert logged_in(case_worker).get("/offers/o-a/?chart=funding").status_code == 200
    assert not AuditEvent.objects.exists()


# --- editing ----------------------------------------------------------------------------


def edit_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Werkstatt A",
        "description": "",
        "kind": "low_threshold",
        "district": "05913004",
        "min_age": "",
        "max_age": "",
        "other_rules": "",
        "capacity": "10",
        "start": "",
        "end": "",
        "status": "active",
    }
    data.update(changes)
    return data


def test_anonymous_users_are_sent_to_the_login_before_editing(city: City) -> None:
    response = Client().get("/offers/o-a/edit/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert Client().post("/offers/o-a/edit/", edit_data(title="X")).status_code == 302
    assert Offer.objects.get(pk=city.offer_a.pk).title == "Werkstatt A"


@pytest.mark.parametrize(
    "persona", ["other_provider_staff", "case_worker", "analyst", "platform_admin", "outsider"]
)
def test_who_is_neither_coordinator_nor_the_offers_provider_may_not_edit(
    persona: str, request: pytest.FixtureRequest, city: City
) -> None:
    client = logged_in(request.getfixturevalue(persona))
    assert client.get("/offers/o-a/edit/").status_code == 403
    assert client.post("/offers/o-a/edit/", edit_data(title="Übernommen")).status_code == 403
    assert Offer.objects.get(pk=city.offer_a.pk).title == "Werkstatt A"


def test_editing_an_unknown_offer_is_not_found(city: City, coordinator: User) -> None:
    assert logged_in(coordinator).get("/offers/o-nope/edit/").status_code == 404


def test_the_edit_form_is_filled_with_the_offer(city: City, provider_staff: User) -> None:
    city.offer_a.target_groups.add(city.youth)
    body = logged_in(provider_staff).get("/offers/o-a/edit/").content.decode()
    assert 'value="Werkstatt A"' in body and 'value="10"' in body
    assert 'value="youth_difficult_start"' in body and "checked" in body
    assert 'class="kern-label"' in body


def test_provider_staff_save_their_own_offer_and_see_a_success_message(
    city: City, provider_staff: User
) -> None:
    client = logged_in(provider_staff)
    response = client.post(
        "/offers/o-a/edit/",
        edit_data(
            title="Werkstatt A+",
            capacity="14",
            target_groups=["youth_difficult_start"],
            legal_branches=["SGB II", "SGB III"],
            min_age="16",
            max_age="27",
            start="2026-01-01",
            end="2026-12-31",
        ),
    )
    assert response.status_code == 302 and response["Location"] == "/offers/o-a/"
    offer = Offer.objects.get(pk=city.offer_a.pk)
    assert (offer.title, offer.capacity, offer.min_age, offer.max_age) == (
        "Werkstatt A+",
        14,
        16,
        27,
    )
    assert offer.legal_branches == ["SGB II", "SGB III"]
    assert list(offer.target_groups.values_list("code", flat=True)) == ["youth_difficult_start"]
    assert "Das Angebot ist gespeichert." in client.get("/offers/o-a/").content.decode()


def test_a_coordinator_may_edit_any_offer_and_make_it_city_wide(
    city: City, coordinator: User
) -> None:
    response = logged_in(coordinator).post(
        "/offers/o-b/edit/", edit_data(title="Kurs B", kind="qualification", district="")
    )
    assert response.status_code == 302
    assert Offer.objects.get(pk=city.offer_b.pk).district is None


def test_an_end_before_the_start_is_shown_at_the_end_field_and_nothing_is_saved(
    city: City, coordinator: User
) -> None:
    before = Offer.objects.get(pk=city.offer_a.pk).updated_at
    response = logged_in(coordinator).post(
        "/offers/o-a/edit/",
        edit_data(title="Nicht gespeichert", start="2026-06-01", end="2026-05-01"),
    )
    assert response.status_code == 400
    body = response.content.decode()
    end_field = body.split('for="id_end"')[1].split("</div>\n</div>")[0]
    assert "Das Ende darf nicht vor dem Beginn liegen." in end_field
    assert "kern-form-input--error" in body and "Nichts gespeichert" in body
    offer = Offer.objects.get(pk=city.offer_a.pk)
    assert offer.title == "Werkstatt A" and offer.updated_at == before


def test_a_maximum_age_below_the_minimum_age_is_shown_at_max_age_and_nothing_is_saved(
    city: City, coordinator: User
) -> None:
    response = logged_in(coordinator).post(
        "/offers/o-a/edit/", edit_data(title="Nicht gespeichert", min_age="25", max_age="18")
    )
    assert response.status_code == 400
    max_age = response.content.decode().split('for="id_max_age"')[1].split('for="id_')[0]
    assert "Höchstalter darf nicht unter dem Mindestalter" in max_age
    assert Offer.objects.get(pk=city.offer_a.pk).title == "Werkstatt A"


def test_a_missing_title_and_a_negative_capacity_are_refused_by_the_form(
    city: City, coordinator: User
) -> None:
    response = logged_in(coordinator).post("/offers/o-a/edit/", edit_data(title="", capacity="-1"))
    assert response.status_code == 400
    body = response.content.decode()
    assert body.count("kern-form-input--error") == 2
    assert Offer.objects.get(pk=city.offer_a.pk).capacity == 10


def test_a_save_without_changes_says_so(city: City, coordinator: User) -> None:
    client = logged_in(coordinator)
    assert client.post("/offers/o-a/edit/", edit_data()).status_code == 302
    assert "keine Änderungen" in client.get("/offers/o-a/").content.decode()


def test_an_unknown_target_group_in_the_form_is_refused(city: City, coordinator: User) -> None:
    TargetGroup.objects.create(code="other", label="Andere")
    response = logged_in(coordinator).post("/offers/o-a/edit/", edit_data(target_groups=["nope"]))
    assert response.status_code == 400
    assert not Offer.objects.get(pk=city.offer_a.pk).target_groups.exists()


def test_an_unknown_district_key_in_a_link_drops_only_that_filter(
    city: City, coordinator: User
) -> None:
    body = logged_in(coordinator).get("/offers/?district=00000000&kind=qualification")
    assert body.status_code == 200 and rows(body.content.decode()) == ["o-b"]


def test_the_offer_page_shows_how_the_provider_answers_referrals(city: City, analyst: User) -> None:
    sent = timezone.now() - dt.timedelta(days=20)
    for status, hours in (("accepted", 24), ("declined", 72), ("expired", None)):
        Referral.objects.create(
            person=make_person(city),
            offer=city.offer_a,
            status=status,
            sent_at=sent,
            answered_at=sent + dt.timedelta(hours=hours) if hours else None,
        )
    body = logged_in(analyst).get("/offers/o-a/").content.decode()
    assert "Antworten auf Zuweisungen" in body
    assert 'data-testid="answers-sent">3<' in body
    assert 'data-testid="answers-rate">67 %<' in body
    assert "2,0 Tage" in body or "2.0 Tage" in body
    body = logged_in(analyst).get("/offers/o-b/").content.decode()
    assert "Noch keine Zuweisung an dieses Angebot gesendet." in body


def test_occupations_are_typed_as_codes_saved_and_shown_on_the_offer_page(
    city: City, coordinator: User
) -> None:
    client = logged_in(coordinator)
    response = client.post("/offers/o-a/edit/", edit_data(occupations="51312, 51311;  52122"))
    assert response.status_code == 302
    assert Offer.objects.get(pk=city.offer_a.pk).occupations == ["51311", "51312", "52122"]
    assert 'value="51311, 51312, 52122"' in client.get("/offers/o-a/edit/").content.decode()
    body = client.get("/offers/o-a/").content.decode()
    assert "Qualifiziert für Berufe (KldB 2010)" in body and "51311, 51312, 52122" in body


def test_a_bad_occupation_code_is_shown_at_its_field_and_nothing_is_saved(
    city: City, coordinator: User
) -> None:
    response = logged_in(coordinator).post("/offers/o-a/edit/", edit_data(occupations="5131"))
    assert response.status_code == 400
    field = response.content.decode().split('for="id_occupations"')[1].split("</div>\n</div>")[0]
    assert "fünfstelligen KldB-2010-Schlüssel" in field
    assert Offer.objects.get(pk=city.offer_a.pk).occupations == []
