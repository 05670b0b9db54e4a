"""The scenario pages: a coordinator states a funding cut, runs it (inline job runner),
reads what it does, compares runs and takes a run into a decision; analysts read;
everybody else is refused."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from doconnect.decisions.models import Decision
from doconnect.decisions.services import criterion_add, decision_create
from doconnect.offers.models import FollowOn, FundingLine
from doconnect.people.models import Person
from doconnect.scenarios.models import Scenario, ScenarioRun
from tests.conftest import City, count_queries, logged_in, waiting

pytestmark = pytest.mark.django_db

NEXT_YEAR = dt.date.today().year + 1


@pytest.fixture
def funded(city: City, settings: Any) -> City:
    """Träger A lives on the agency's vouchers for Werkstatt A; Träger B on the city's
    money for Kurs B."""
    settings.JOBS_RUNNER = "inline"
    for offer, funder in ((city.offer_a, "federal_agency"), (city.offer_b, "city")):
        FundingLine.objects.create(
            offer=offer,
            funder=funder,
            amount_eur=Decimal("100000"),
            start=dt.date(NEXT_YEAR, 1, 1),
            end=dt.date(NEXT_YEAR, 12, 31),
        )
    return city


def _cut_form(**changes: Any) -> dict[str, Any]:
    data = {
        "name": "Kürzung Bildungsgutscheine",
        "description": "",
        "start": f"{NEXT_YEAR}-01-01",
        "end": f"{NEXT_YEAR}-12-31",
        "funders": ["federal_agency"],
        "percent": "-30",
        "close_offers": "",
        "bridge_budget_eur": "20000",
        "viability_threshold": "70",
        "weight_youth_difficult_start": "3",
    }
    data.update(changes)
    return data


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks: Any) -> Callable[[Client, Scenario], None]:
    """Start a run from the scenario page; the inline runner runs it at commit."""

    def start(client: Client, scenario: Scenario) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/scenarios/{scenario.pk}/")
        assert response.status_code == 302  # to the job page

    return start


@pytest.fixture
def create_and_run(run_jobs: Callable[[Client, Scenario], None]) -> Callable[..., ScenarioRun]:
    def create(client: Client, **changes: Any) -> ScenarioRun:
        response = client.post("/scenarios/", _cut_form(**changes))
        assert response.status_code == 302, response.content.decode()[:2000]
        scenario = Scenario.objects.get(name=changes.get("name", "Kürzung Bildungsgutscheine"))
        run_jobs(client, scenario)
        return ScenarioRun.objects.filter(scenario=scenario).latest("id")

    return create


def test_a_coordinator_states_a_funding_cut_and_reads_what_it_does(
    funded: City, coordinator: User, create_and_run: Callable[..., ScenarioRun]
) -> None:
    client = logged_in(coordinator)
    run = create_and_run(client)
    scenario = run.scenario
    assert scenario.spec["changes"] == [
        {
            "type": "funding_change",
            "funder": "federal_agency",
            "percent": -30.0,
            "amount_eur": None,
            "offer_kinds": [],
            "offers": [],
        }
    ]
    assert scenario.spec["rules"]["bridge_weights"] == {"youth_difficult_start": 3}
    # 70 % of Träger A's funding is exactly the threshold: viable, 7 of 10 places.
    offers = {o["offer"]: o for o in run.result["offers"]}
    assert (offers["o-a"]["capacity_before"], offers["o-a"]["capacity_after"]) == (10, 7)
    assert run.result["providers_not_viable"] == []
    page = client.get(f"/scenarios/runs/{run.pk}/").content.decode()
    assert "Werkstatt A" in page  # losing offers by title
    assert "Kein Träger fällt unter 70 % seiner bisherigen Förderung." in page


def test_a_deeper_cut_puts_the_provider_below_the_threshold(
    funded: City, coordinator: User, create_and_run: Callable[..., ScenarioRun]
) -> None:
    client = logged_in(coordinator)
    run = create_and_run(client, percent="-31")
    assert run.result["providers_not_viable"] == ["p-a"]
    page = client.get(f"/scenarios/runs/{run.pk}/").content.decode()
    assert "Träger A" in page and "Träger nicht tragfähig" in page


def test_running_the_same_scenario_on_the_same_data_gives_the_same_result(
    funded: City,
    coordinator: User,
    create_and_run: Callable[..., ScenarioRun],
    run_jobs: Callable[[Client, Scenario], None],
) -> None:
    client = logged_in(coordinator)
    first = create_and_run(client)
    run_jobs(client, first.scenario)
    second = ScenarioRun.objects.exclude(pk=first.pk).get()
    assert second.inputs_digest == first.inputs_digest
    assert second.result == first.result


def test_two_runs_compare_side_by_side(
    funded: City, coordinator: User, create_and_run: Callable[..., ScenarioRun]
) -> None:
    client = logged_in(coordinator)
    first = create_and_run(client)
    second = create_and_run(client, name="Tiefer Schnitt", percent="-50")
    page = client.get(f"/scenarios/compare/?run={first.pk}&run={second.pk}").content.decode()
    assert "Kürzung Bildungsgutscheine" in page and "Tiefer Schnitt" in page
    csv = client.get(
        f"/scenarios/compare/?run={first.pk}&run={second.pk}&chart=szenarienvergleich&format=csv"
    )
    assert csv.status_code == 200
    text = csv.content.decode("utf-8-sig")
    places_after = next(line for line in text.splitlines() if line.startswith("Plätze nachher"))
    # -30 %: 7 + 10; -50 %: Träger A falls below 70 % and Werkstatt A closes: 0 + 10.
    assert places_after.split(";")[1:] == ["17", "10"]


def test_comparing_needs_two_runs(
    funded: City, coordinator: User, create_and_run: Callable[..., ScenarioRun]
) -> None:
    run = create_and_run(logged_in(coordinator))
    response = logged_in(coordinator).get(f"/scenarios/compare/?run={run.pk}")
    assert response.status_code == 400


def test_a_scenario_file_with_problems_is_refused_with_its_lines(
    funded: City, coordinator: User
) -> None:
    upload = SimpleUploadedFile(
        "cut.json", b'{"name": "x",\n "period": {"start": "2027-01-01", "end": "2026-01-01"}}'
    )
    response = logged_in(coordinator).post("/scenarios/", {**_cut_form(), "file": upload})
    assert response.status_code == 400
    assert "cut.json:2" in response.content.decode()
    assert not Scenario.objects.exists()


def test_an_unknown_offer_to_close_is_named(funded: City, coordinator: User) -> None:
    response = logged_in(coordinator).post("/scenarios/", _cut_form(close_offers="o-a, o-zz"))
    assert response.status_code == 400
    assert "o-zz" in response.content.decode()
    assert not Scenario.objects.exists()


def test_a_run_becomes_an_option_of_a_draft_decision(
    funded: City, coordinator: User, create_and_run: Callable[..., ScenarioRun]
) -> None:
    client = logged_in(coordinator)
    run = create_and_run(client)
    decision = decision_create(
        title="Brückenbudget 2027", question="Welches Szenario?", actor=coordinator
    )
    criterion_add(
        decision=decision,
        code="providers_kept",
        label="Träger erhalten",
        direction="higher",
        weight=Decimal(1),
        actor=coordinator,
    )
    response = client.post(
        f"/scenarios/runs/{run.pk}/to-decision/", {"decision": decision.pk, "label": "Kürzung"}
    )
    assert response.status_code == 302
    option = Decision.objects.get(pk=decision.pk).options.get()
    assert option.label == "Kürzung"
    assert option.values.get().value == 2  # both providers stay viable


def test_a_cut_by_several_funders_becomes_one_change_each(funded: City, coordinator: User) -> None:
    response = logged_in(coordinator).post(
        "/scenarios/",
        _cut_form(funders=["federal_agency", "jobcenter"], offer_kinds=["qualification"]),
    )
    assert response.status_code == 302
    changes = Scenario.objects.get().spec["changes"]
    assert [(c["funder"], c["percent"], c["offer_kinds"]) for c in changes] == [
        ("federal_agency", -30.0, ["qualification"]),
        ("jobcenter", -30.0, ["qualification"]),
    ]


def test_a_new_rule_for_target_groups_becomes_an_eligibility_change_per_funder(
    funded: City, coordinator: User
) -> None:
    response = logged_in(coordinator).post(
        "/scenarios/",
        _cut_form(
            funders=["federal_agency", "jobcenter"],
            percent="",
            offer_kinds=["further_training"],
            excluded_groups=["youth_difficult_start"],
        ),
    )
    assert response.status_code == 302
    changes = Scenario.objects.get().spec["changes"]
    assert [(c["type"], c["funder"], c["target_groups"]) for c in changes] == [
        ("eligibility_change", "federal_agency", ["youth_difficult_start"]),
        ("eligibility_change", "jobcenter", ["youth_difficult_start"]),
    ]


def test_a_new_rule_needs_its_funders(funded: City, coordinator: User) -> None:
    response = logged_in(coordinator).post(
        "/scenarios/", _cut_form(funders=[], excluded_groups=["youth_difficult_start"])
    )
    assert response.status_code == 400
    assert "Bitte die Geldgeber der neuen Regel wählen." in response.content.decode()


def test_funders_without_a_percentage_are_asked_for_one(funded: City, coordinator: User) -> None:
    response = logged_in(coordinator).post("/scenarios/", _cut_form(percent=""))
    assert response.status_code == 400
    assert "Bitte die Änderung in Prozent angeben." in response.content.decode()
    assert not Scenario.objects.exists()


def test_analysts_read_results_but_cannot_create_or_run(
    funded: City, coordinator: User, analyst: User, create_and_run: Callable[..., ScenarioRun]
) -> None:
    run = create_and_run(logged_in(coordinator))
    client = logged_in(analyst)
    assert client.get("/scenarios/").status_code == 200
    assert client.get(f"/scenarios/runs/{run.pk}/").status_code == 200
    assert client.post("/scenarios/", _cut_form()).status_code == 403
    assert client.post(f"/scenarios/{run.scenario.pk}/").status_code == 403
    assert client.post(f"/scenarios/runs/{run.pk}/to-decision/", {}).status_code == 403


@pytest.mark.parametrize("persona", ["case_worker", "provider_staff", "outsider"])
def test_other_roles_cannot_see_scenarios(
    funded: City,
    coordinator: User,
    persona: str,
    request: pytest.FixtureRequest,
    create_and_run: Callable[..., ScenarioRun],
) -> None:
    run = create_and_run(logged_in(coordinator))
    client = logged_in(request.getfixturevalue(persona))
    for url in ("/scenarios/", f"/scenarios/{run.scenario.pk}/", f"/scenarios/runs/{run.pk}/"):
        assert client.get(url).status_code == 403, url


def test_anonymous_visitors_are_sent_to_the_login(funded: City) -> None:
    response = Client().get("/scenarios/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_result_downloads_as_json(
    funded: City, coordinator: User, create_and_run: Callable[..., ScenarioRun]
) -> None:
    client = logged_in(coordinator)
    run = create_and_run(client)
    response = client.get(f"/scenarios/runs/{run.pk}/?format=json")
    assert json.loads(response.content)["summary"] == run.result["summary"]


def test_the_list_page_needs_the_same_queries_for_more_scenarios(
    funded: City, coordinator: User, create_and_run: Callable[..., ScenarioRun]
) -> None:
    client = logged_in(coordinator)
    create_and_run(client)
    few = count_queries(client, "/scenarios/")
    for name in ("B", "C", "D"):
        create_and_run(client, name=name)
    assert count_queries(client, "/scenarios/") == few


def test_the_list_shows_25_scenarios_a_page_newest_first_with_links_to_the_others(
    funded: City, coordinator: User
) -> None:
    client = logged_in(coordinator)
    assert client.post("/scenarios/", _cut_form(name="Szenario 00")).status_code == 302
    first = Scenario.objects.get()
    Scenario.objects.bulk_create(
        Scenario(name=f"Szenario {i:02}", spec=first.spec, created_by=coordinator)
        for i in range(1, 30)
    )
    one = client.get("/scenarios/").content.decode()
    two = client.get("/scenarios/?page=2").content.decode()
    assert "Szenario 29" in one and "Szenario 05" in one and "Szenario 04" not in one
    assert "Szenario 04" in two and "Szenario 00" in two and "Szenario 05" not in two
    assert "Seite 1 von 2" in one and 'href="?page=2"' in one
    assert 'href="?page=1"' in two
    assert count_queries(client, "/scenarios/?page=2") == count_queries(client, "/scenarios/")


def test_the_scenario_page_states_each_change_in_words(funded: City, coordinator: User) -> None:
    client = logged_in(coordinator)
    client.post(
        "/scenarios/",
        _cut_form(
            funders=["federal_agency"],
            offer_kinds=["further_training"],
            excluded_groups=["youth_difficult_start"],
            close_offers="o-b",
        ),
    )
    page = client.get(f"/scenarios/{Scenario.objects.get().pk}/").content.decode()
    assert "Agentur für Arbeit ändert die Förderung um -30 % (Weiterbildung)" in page
    assert (
        "Neue Förderregel von Agentur für Arbeit für Weiterbildung (ausgeschlossen: Jugendliche)"
        in page
    )
    assert "Angebot schließt: Kurs B" in page


def test_new_dead_ends_and_broken_bridges_are_told_in_the_readers_words(
    funded: City, coordinator: User, create_and_run: Callable[..., ScenarioRun]
) -> None:
    FollowOn.objects.create(from_offer=funded.offer_a, to_offer=funded.offer_b)
    FollowOn.objects.create(from_offer=funded.offer_b, destination="employment")
    client = logged_in(coordinator)
    run = create_and_run(client, close_offers="o-b")
    assert [d["offer"] for d in run.result["new_dead_ends"]] == ["o-a"]
    page = client.get(f"/scenarios/runs/{run.pk}/").content.decode()
    assert "der einzige Weg führt über das geschlossene Angebot Kurs B (beendet)" in page
    assert "der einzige Weg weiter für 1 Angebot (Werkstatt A) schließt" in page
    english = logged_in(coordinator, language="en").get(f"/scenarios/runs/{run.pk}/")
    assert "Kurs B" in english.content.decode()
    assert "der einzige Weg" not in english.content.decode()


def test_a_second_run_while_one_waits_is_refused_next_to_the_button(
    funded: City, coordinator: User
) -> None:
    client = logged_in(coordinator)
    client.post("/scenarios/", _cut_form())
    scenario = Scenario.objects.get()
    # Outside a commit the first job stays queued (the runner starts it on commit).
    assert client.post(f"/scenarios/{scenario.pk}/").status_code == 302
    response = client.post(f"/scenarios/{scenario.pk}/")
    assert response.status_code == 400
    assert "Es läuft schon eine Berechnung dieser Art" in response.content.decode()
    assert not ScenarioRun.objects.exists()


def test_a_result_without_demand_says_why_each_section_is_empty(
    funded: City, coordinator: User, create_and_run: Callable[..., ScenarioRun]
) -> None:
    # Nobody waits in this city: no chart of zeros, but the reason in words.
    client = logged_in(coordinator)
    run = create_and_run(client, percent="0", bridge_budget_eur="0")
    page = client.get(f"/scenarios/runs/{run.pk}/").content.decode()
    assert 'id="no-demand"' in page
    assert "Am Stichtag wartete niemand auf einen Platz" in page
    assert 'id="chart-versorgter-bedarf"' not in page
    assert "Das Szenario hat kein Brückenbudget." in page
    assert "Kein Angebot verliert Plätze: keine Änderung" in page
    assert "Keine gebrochenen Brücken" in page


def test_the_rules_of_a_result_are_in_the_readers_language(
    funded: City, coordinator: User, create_and_run: Callable[..., ScenarioRun]
) -> None:
    run = create_and_run(logged_in(coordinator))
    german = logged_in(coordinator).get(f"/scenarios/runs/{run.pk}/").content.decode()
    english = logged_in(coordinator, "en").get(f"/scenarios/runs/{run.pk}/").content.decode()
    assert "abgerundet auf ganze Plätze" in german and "floor(" not in german
    assert "Jugendliche: 3" in german  # the weight names its target group
    assert "rounded down to whole places" in english
    assert "Ein Träger, dessen Förderung" not in english
    assert "On the reference day nobody was waiting" in english  # no demand here either


def test_what_more_money_would_do_is_said_in_the_readers_language(
    funded: City, coordinator: User, create_and_run: Callable[..., ScenarioRun]
) -> None:
    for i in range(10):  # ten young people wait for a workshop like Werkstatt A
        person = waiting(funded, f"Person {i}")
        Person.objects.filter(pk=person.pk).update(preferred_offer_kinds=["low_threshold"])
    run = create_and_run(logged_in(coordinator), percent="-50", bridge_budget_eur="10000")
    stored = [price["text"] for price in run.result["bridge"]["shadow_prices"]]
    assert stored and all(text.startswith(("Weitere", "Ein zusätzlicher")) for text in stored)
    german = logged_in(coordinator).get(f"/scenarios/runs/{run.pk}/").content.decode()
    english = logged_in(coordinator, "en").get(f"/scenarios/runs/{run.pk}/").content.decode()
    for text in stored:  # the page says what the engine stored, word for word
        assert text in german
        assert text not in english
    assert "Another €10,000 of bridge budget would" in english


def test_the_engines_warnings_are_said_in_the_readers_language(
    funded: City, coordinator: User, create_and_run: Callable[..., ScenarioRun]
) -> None:
    # the ESF funds nothing in this city: its cut has no effect, and the engine says so
    run = create_and_run(logged_in(coordinator), funders=["esf"])
    assert [detail["code"] for detail in run.result["warning_details"]] == [
        "funding_change_no_effect"
    ]
    stored = run.result["warnings"][0]
    assert "funds none of the offers" in stored  # the file's and the command's language
    german = logged_in(coordinator).get(f"/scenarios/runs/{run.pk}/").content.decode()
    english = logged_in(coordinator, "en").get(f"/scenarios/runs/{run.pk}/").content.decode()
    assert (
        "Europäischer Sozialfonds fördert im Zeitraum keines der genannten Angebote; "
        "die Änderung wirkt nicht." in german
    )
    assert stored not in german
    assert "European Social Fund funds none of the named offers in the period" in english
