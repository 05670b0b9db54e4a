"""The pathways page (network drawing, dead ends, single bridges, gaps), the next steps
on the person page, and proposing a referral from them. Every view has its denied case."""

from __future__ import annotations

import datetime as dt
import html
import json
from typing import Any

import numpy as np
import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from doconnect.core.models import TargetGroup
from doconnect.offers.models import FollowOn, Offer
from doconnect.pathways.selectors import Structure, _structure, structure
from doconnect.people.models import Person, Spell
from doconnect.referrals.models import Referral, ReferralStatus
from tests.conftest import City, count_queries, logged_in, make_person


@pytest.fixture
def landscape(city: City) -> City:
    """o-a (entry, Eving) → o-b → employment; o-c (orientation, Hörde) leads nowhere;
    o-y (entry, city-wide, youth only) leads nowhere."""
    FollowOn.objects.create(from_offer=city.offer_a, to_offer=city.offer_b)
    FollowOn.objects.create(from_offer=city.offer_b, destination="employment")
    Offer.objects.create(
        external_id="o-c",
        provider=city.provider_b,
        title="Orientierung C",
        kind="orientation",
        district=city.other_district,
    )
    youth_only = Offer.objects.create(
        external_id="o-y", provider=city.provider_a, title="Jugendtreff", kind="low_threshold"
    )
    youth_only.target_groups.add(city.youth)
    return city


# --- pathways page ---------------------------------------------------------------------


def _network(body: str) -> dict[str, Any]:
    """The drawing's data the page hands to its script (json_script)."""
    start = body.index('id="pathways-network-data"')
    data: dict[str, Any] = json.loads(
        body[body.index(">", start) + 1 : body.index("</script>", start)]
    )
    return data


def _between(body: str, first: str, second: str) -> str:
    start = body.index(first)
    return body[start : body.index(second, start)]


@pytest.mark.parametrize("persona", ["coordinator", "case_worker", "provider_staff", "analyst"])
def test_the_pathways_page_leads_with_the_dead_ends_and_draws_the_network_with_titles(
    landscape: City, persona: str, request: pytest.FixtureRequest
) -> None:
    response = logged_in(request.getfixturevalue(persona)).get("/pathways/?district=")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index('id="dead-ends-heading"') < body.index('id="gaps-heading"')
    assert body.index('id="gaps-heading"') < body.index('id="graph-heading"')
    dead_ends = _between(body, 'id="dead-ends-heading"', 'id="gaps-heading"')
    assert 'href="/offers/o-c/"' in dead_ends and "Orientierung C" in dead_ends
    assert 'href="/offers/o-y/"' in dead_ends and 'href="/offers/o-a/"' not in dead_ends
    data = _network(body)
    nodes = {node["key"]: node for node in data["nodes"]}
    assert nodes["o-a"]["title"] == "Werkstatt A" and nodes["o-a"]["shape"] == "entry"
    assert nodes["o-c"]["shape"] == "dead_end"
    assert nodes["destination:employment"]["shape"] == "goal"
    # Stages left to right: entries, offers by distance, goals, dead ends.
    stages = data["stages"]
    assert stages[nodes["o-a"]["stage"]] == "Einstiege"
    assert stages[nodes["o-b"]["stage"]] == "1 Schritt bis zum Ziel"
    assert nodes["o-a"]["stage"] < nodes["o-b"]["stage"] < nodes["destination:employment"]["stage"]
    assert nodes["destination:employment"]["stage"] < nodes["o-c"]["stage"]
    assert {(e["source"], e["target"]) for e in data["edges"]} == {
        ("o-a", "o-b"),
        ("o-b", "destination:employment"),
    }
    # The same edges as text, for screen readers and for anybody without the drawing.
    table = _between(body, "Das Netz als Tabelle", "</details>")
    assert "Werkstatt A" in table and "Kurs B" in table and "Beschäftigung" in table
    assert "<script>" not in body.replace('<script id="pathways-network-data"', "")


def test_without_a_filter_the_page_shows_the_first_district_and_says_how_to_see_the_city(
    landscape: City, coordinator: User
) -> None:
    body = logged_in(coordinator).get("/pathways/").content.decode()
    assert '<option value="Eving" selected>' in body
    summary = _between(body, 'id="pathways-summary"', "</p>")
    assert "Stadtbezirk Eving" in summary and "Ganze Stadt zeigen" in summary
    assert "1 Sackgasse in diesem Ausschnitt" in summary and "2 in der ganzen Stadt" in summary
    keys = {node["key"] for node in _network(body)["nodes"]}
    assert {"o-a", "o-y"} <= keys and "o-c" not in keys
    assert "o-b" in keys  # not in Eving, but drawn as where o-a leads
    assert next(n for n in _network(body)["nodes"] if n["key"] == "o-b")["context"] is True


def test_the_pathways_page_lists_single_bridges_and_both_kinds_of_gaps(
    landscape: City, coordinator: User
) -> None:
    TargetGroup.objects.create(code="refugees", label="Geflüchtete")
    body = logged_in(coordinator).get("/pathways/?district=").content.decode()
    bridges = body[body.index('id="bridges-heading"') : body.index('id="graph-heading"')]
    assert 'href="/offers/o-b/"' in bridges and "o-a" in bridges
    no_entry = body[body.index('id="no-entry-heading"') : body.index('id="entry-gap-heading"')]
    assert "Hörde × Geflüchtete" in no_entry  # o-y serves youth only, o-a only Eving
    assert "Eving × Geflüchtete" not in no_entry
    entry_gaps = body[
        body.index('id="entry-gap-heading"') : body.index(
            "</section>", body.index('id="entry-gap-heading"')
        )
    ]
    assert 'href="/offers/o-c/"' in entry_gaps and "Ausbildung" in entry_gaps
    assert 'href="/offers/o-a/"' in entry_gaps  # reaches employment, not apprenticeship


@pytest.mark.parametrize("persona", ["platform_admin", "outsider"])
def test_the_pathways_page_is_forbidden_for_admins_and_users_without_a_role(
    landscape: City, persona: str, request: pytest.FixtureRequest
) -> None:
    assert logged_in(request.getfixturevalue(persona)).get("/pathways/").status_code == 403


def test_the_pathways_page_sends_anonymous_visitors_to_the_login(landscape: City) -> None:
    response = Client().get("/pathways/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_district_filter_keeps_the_district_s_and_the_city_wide_offers(
    landscape: City, analyst: User
) -> None:
    body = logged_in(analyst).get("/pathways/?district=H%C3%B6rde").content.decode()
    keys = {node["key"] for node in _network(body)["nodes"]}
    assert {"o-c", "o-y"} <= keys and "o-a" not in keys
    assert 'href="/offers/o-c/"' in body and 'href="/offers/o-a/"' not in body


def test_the_provider_and_stage_filters_choose_what_is_drawn(
    landscape: City, analyst: User
) -> None:
    client = logged_in(analyst)
    body = client.get("/pathways/?provider=p-b").content.decode()
    drawn = {n["key"] for n in _network(body)["nodes"] if n["offer"] and not n["context"]}
    assert drawn == {"o-b", "o-c"}
    body = client.get("/pathways/?district=&stage=dead_ends").content.decode()
    drawn = {n["key"] for n in _network(body)["nodes"] if n["offer"] and not n["context"]}
    assert drawn == {"o-c", "o-y"}
    assert "Einstiege" not in _network(body)["stages"]


def test_the_target_group_filter_keeps_offers_for_the_group_and_those_open_to_all(
    landscape: City, analyst: User
) -> None:
    TargetGroup.objects.create(code="refugees", label="Geflüchtete")
    body = logged_in(analyst).get("/pathways/?target_group=refugees").content.decode()
    assert 'href="/offers/o-c/"' in body
    assert "o-y" not in body
    youth = logged_in(analyst).get("/pathways/?target_group=youth_difficult_start")
    assert 'href="/offers/o-y/"' in youth.content.decode()


def test_the_pathways_page_needs_the_same_queries_for_many_offers_and_draws_at_most_150(
    landscape: City, coordinator: User
) -> None:
    client = logged_in(coordinator)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    client.get("/pathways/")  # the session's first request does more than any other
    few, few_city = queries("/pathways/"), queries("/pathways/?district=")
    assert "Gezeichnet sind" not in client.get("/pathways/?district=").content.decode()
    Offer.objects.bulk_create(
        Offer(
            external_id=f"o-many-{i:03}",
            provider=landscape.provider_a,
            title=f"Angebot {i:03}",
            kind="qualification",
            district=landscape.district,
        )
        for i in range(160)
    )
    assert queries("/pathways/") == few and queries("/pathways/?district=") == few_city
    body = client.get("/pathways/?district=").content.decode()
    assert "Gezeichnet sind 150 von 164" in body
    assert sum(bool(n["offer"]) and not n["context"] for n in _network(body)["nodes"]) == 150
    assert 'href="/offers/o-many-159/"' in body  # the lists are complete


# --- next steps on the person page -------------------------------------------------------


def _person(city: City) -> Person:
    """Seen by the case worker, the analyst and (through a sent referral to provider A's
    offer o-a) provider A's staff."""
    person = make_person(city, consent_orgs=[city.jobcenter, city.provider_a, city.statistics])
    Referral.objects.create(person=person, offer=city.offer_a, status=ReferralStatus.SENT)
    return person


def test_a_case_worker_with_consent_sees_ranked_next_steps_with_reasons_and_why_not(
    landscape: City, case_worker: User
) -> None:
    person = _person(landscape)
    body = logged_in(case_worker).get(f"/persons/{person.public_id}/").content.decode()
    assert "Nächste Schritte" in body
    steps = body[body.index('class="next-steps"') : body.index("Warum nicht?")]
    assert "o-a" in steps and "führt in 2 Schritten zu Beschäftigung" in steps
    assert steps.count("Zuweisung vorschlagen") >= 2
    assert 'name="csrfmiddlewaretoken"' in steps
    excluded = body[body.index("Warum nicht?") :]
    assert "o-c" in excluded and "Sackgasse: keine Kette aktiver Angebote" in excluded
    assert '<option value="apprenticeship"' in body


def test_a_city_of_many_offers_lists_25_steps_and_30_why_nots_and_counts_the_rest(
    landscape: City, case_worker: User
) -> None:
    person = _person(landscape)
    courses = Offer.objects.bulk_create(
        Offer(
            external_id=f"o-course-{i:03}",
            provider=landscape.provider_a,
            title=f"Kurs {i:03}",
            kind="qualification",
            district=landscape.district,
        )
        for i in range(40)
    )
    FollowOn.objects.bulk_create(
        FollowOn(from_offer=course, destination="employment") for course in courses
    )
    for i in range(1_050):  # for the young only: each a "why not"
        Offer.objects.create(
            external_id=f"o-young-{i:04}",
            provider=landscape.provider_b,
            title=f"Jugend {i:04}",
            kind="low_threshold",
        ).target_groups.add(landscape.youth)
    url = f"/persons/{person.public_id}/"
    for language, more_steps, more_excluded in (
        ("de", "weitere passende Angebote sind hier nicht aufgeführt", "Nicht aufgeführt: 1.0"),
        ("en", "more suitable offers are not listed here", "Not listed: 1,0"),
    ):
        body = html.unescape(logged_in(case_worker, language=language).get(url).content.decode())
        why_not = "Warum nicht?" if language == "de" else "Why not?"
        steps = body[body.index('class="next-steps"') : body.index(why_not)]
        excluded = body[body.index(why_not) :]
        assert steps.count('name="offer"') == 25
        shown = _between(steps, 'id="more-steps">', "</p>").removeprefix('id="more-steps">')
        # 42 ranked (o-a, o-b and the 40 courses), 25 listed.
        assert shown.startswith("17 ") and more_steps in shown, shown
        listed = excluded[: excluded.index('id="more-excluded"')]
        # The fewest reasons first: o-c and o-y (one each), then 28 of the young ones.
        assert listed.count("<li>o-") == 30 and listed.count("<li>o-young-") == 28
        assert more_excluded in _between(excluded, 'id="more-excluded">', "</p>")


def test_choosing_a_goal_the_network_does_not_reach_changes_the_reasons(
    landscape: City, coordinator: User
) -> None:
    person = make_person(landscape, consent_orgs=[landscape.city])
    body = logged_in(coordinator).get(f"/persons/{person.public_id}/?goal=apprenticeship")
    text = body.content.decode()
    assert "führt nicht zu Ausbildung, nur zu anderen Zielen" in text
    assert '<option value="apprenticeship" selected' in text


def test_next_step_reasons_are_plain_german_and_english_for_an_english_reader(
    landscape: City, case_worker: User
) -> None:
    person = _person(landscape)
    url = f"/persons/{person.public_id}/"
    german = logged_in(case_worker).get(url).content.decode()
    steps = german[german.index('class="next-steps"') : german.index("Warum nicht?")]
    assert "führt in 2 Schritten zu Beschäftigung" in steps
    assert "im Stadtbezirk der Person (Eving)" in steps
    assert "leads to" not in german and " / " not in steps  # no English, no pairs
    for english in (
        logged_in(case_worker, language="en").get(url),
        logged_in(case_worker).get(url, HTTP_ACCEPT_LANGUAGE="en"),
    ):
        body = html.unescape(english.content.decode())
        steps = body[body.index('class="next-steps"') : body.index("Why not?")]
        assert "Next steps" in body
        assert "leads to employment in 2 steps" in steps
        assert "in the person's district (Eving)" in steps
        assert "führt" not in body
        excluded = body[body.index("Why not?") :]
        assert "dead end: no chain of active offers reaches a goal" in excluded


def test_dead_end_reasons_on_the_pathways_page_are_german_or_english(
    landscape: City, coordinator: User
) -> None:
    """o-c → o-s (suspended) → employment: o-c is cut off by the closed o-s."""
    suspended = Offer.objects.create(
        external_id="o-s",
        provider=landscape.provider_b,
        title="Pausiert",
        kind="qualification",
        status="suspended",
    )
    FollowOn.objects.create(from_offer=Offer.objects.get(external_id="o-c"), to_offer=suspended)
    FollowOn.objects.create(from_offer=suspended, destination="employment")

    def dead_ends(body: str) -> str:
        return _between(body, 'id="dead-ends-heading"', 'id="gaps-heading"')

    german = dead_ends(logged_in(coordinator).get("/pathways/?district=").content.decode())
    assert "der einzige Weg führt über das geschlossene Angebot o-s (ausgesetzt)" in german
    assert "kein Anschluss" in german  # o-y
    assert "only path" not in german
    response = logged_in(coordinator, language="en").get("/pathways/?district=")
    english = dead_ends(response.content.decode())
    assert "the only path runs through the closed offer o-s (suspended)" in english
    assert "no follow-on at all" in english and "Reason" in english
    assert "geschlossene" not in english


@pytest.mark.parametrize("persona", ["analyst", "provider_staff"])
def test_analysts_and_provider_staff_see_the_person_but_no_next_steps(
    landscape: City, persona: str, request: pytest.FixtureRequest
) -> None:
    person = _person(landscape)
    response = logged_in(request.getfixturevalue(persona)).get(f"/persons/{person.public_id}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nächste Schritte" not in body and "Zuweisung vorschlagen" not in body


# --- proposing a referral ------------------------------------------------------------------


def test_proposing_a_next_step_creates_a_proposed_referral_by_the_user(
    landscape: City, case_worker: User
) -> None:
    person = make_person(landscape, consent_orgs=[landscape.jobcenter])
    client = logged_in(case_worker)
    response = client.post(f"/persons/{person.public_id}/referrals/", {"offer": "o-a"})
    assert response.status_code == 302
    assert response["Location"] == f"/persons/{person.public_id}/"
    referral = Referral.objects.get()
    assert referral.person == person and referral.offer.external_id == "o-a"
    assert referral.status == ReferralStatus.PROPOSED
    assert referral.created_by == case_worker
    assert (
        "Zuweisung zu Werkstatt A vorgeschlagen"
        in client.get(response["Location"]).content.decode()
    )


def test_a_second_identical_proposal_is_refused_with_a_message_and_creates_nothing(
    landscape: City, coordinator: User
) -> None:
    person = make_person(landscape, consent_orgs=[landscape.city])
    client = logged_in(coordinator)
    url = f"/persons/{person.public_id}/referrals/"
    client.post(url, {"offer": "o-a"})
    response = client.post(url, {"offer": "o-a"}, follow=True)
    assert "schon eine offene Zuweisung" in response.content.decode()
    assert Referral.objects.count() == 1


def test_a_case_worker_without_consent_gets_a_404_and_no_referral(
    landscape: City, case_worker: User
) -> None:
    person = make_person(landscape, consent_orgs=[landscape.city])
    response = logged_in(case_worker).post(
        f"/persons/{person.public_id}/referrals/", {"offer": "o-a"}
    )
    assert response.status_code == 404
    assert not Referral.objects.exists()


def test_provider_staff_who_see_the_person_may_not_propose_a_referral(
    landscape: City, provider_staff: User
) -> None:
    person = _person(landscape)
    response = logged_in(provider_staff).post(
        f"/persons/{person.public_id}/referrals/", {"offer": "o-a"}
    )
    assert response.status_code == 403
    assert Referral.objects.count() == 1  # only the fixture's sent referral


def test_proposing_needs_a_login_and_a_post(landscape: City, case_worker: User) -> None:
    person = make_person(landscape, consent_orgs=[landscape.jobcenter])
    url = f"/persons/{person.public_id}/referrals/"
    assert Client().post(url, {"offer": "o-a"}).status_code == 302
    assert logged_in(case_worker).get(url).status_code == 405
    assert not Referral.objects.exists()


def test_an_unknown_offer_is_refused_with_a_message(landscape: City, case_worker: User) -> None:
    person = make_person(landscape, consent_orgs=[landscape.jobcenter])
    response = logged_in(case_worker).post(
        f"/persons/{person.public_id}/referrals/", {"offer": "o-nope"}, follow=True
    )
    assert "Dieses Angebot gibt es nicht" in response.content.decode()
    assert not Referral.objects.exists()


def test_the_person_page_with_next_steps_needs_the_same_queries_for_more_leavers_in_the_city(
    landscape: City, case_worker: User
) -> None:
    person = _person(landscape)
    client = logged_in(case_worker)
    url = f"/persons/{person.public_id}/"

    def leave(count: int) -> None:
        for i in range(count):
            other = make_person(landscape, given_name=f"L{i}")
            Spell.objects.create(
                person=other,
                state="offer",
                start=dt.date(2025, 1, 1),
                end=dt.date(2025, 3, 31),
                offer=landscape.offer_a,
            )
            Spell.objects.create(person=other, state="employment", start=dt.date(2025, 5, 1))

    leave(3)
    client.get(url)  # a session's first request does more than any other
    few = count_queries(client, url)
    leave(30)
    assert count_queries(client, url) == few
    assert "Nächste Schritte" in client.get(url).content.decode()


def _same(kept: Structure, fresh: Structure) -> bool:
    """Equal in everything the page reads (the distance matrix element by element)."""
    return (
        (kept.offers, kept.links, kept.titles, kept.providers, kept.group_labels)
        == (fresh.offers, fresh.links, fresh.titles, fresh.providers, fresh.group_labels)
        and kept.report.to_dict() == fresh.report.to_dict()
        and kept.report.distances.offers == fresh.report.distances.offers
        and np.array_equal(kept.report.distances.steps, fresh.report.distances.steps)
        and np.array_equal(kept.report.distances.any_goal, fresh.report.distances.any_goal)
    )


def test_the_kept_pathways_analysis_equals_a_fresh_one_and_follows_a_new_follow_on(
    transactional_db: None, landscape: City, coordinator: User
) -> None:
    client = logged_in(coordinator)
    client.get("/pathways/")  # the session's first request does more; it keeps the analysis
    kept = count_queries(client, "/pathways/?district=")
    with transaction.atomic():  # nothing is kept inside a transaction: analysed afresh
        fresh = count_queries(client, "/pathways/?district=")
    assert kept < fresh
    assert _same(structure(), _structure())  # the kept analysis is a fresh one's equal
    Offer.objects.bulk_create(
        Offer(
            external_id=f"o-more-{i:03}",
            provider=landscape.provider_a,
            title=f"Angebot {i:03}",
            kind="qualification",
            district=landscape.district,
        )
        for i in range(40)
    )
    client.get("/pathways/?district=")
    assert count_queries(client, "/pathways/?district=") == kept  # the same at 4 and 44 offers
    dead_ends = _between(
        client.get("/pathways/?district=").content.decode(),
        'id="dead-ends-heading"',
        'id="gaps-heading"',
    )
    assert 'href="/offers/o-c/"' in dead_ends
    FollowOn.objects.create(
        from_offer=Offer.objects.get(external_id="o-c"), destination="employment"
    )
    dead_ends = _between(
        client.get("/pathways/?district=").content.decode(),
        'id="dead-ends-heading"',
        'id="gaps-heading"',
    )
    assert 'href="/offers/o-c/"' not in dead_ends  # no longer a dead end
    assert _same(structure(), _structure())
