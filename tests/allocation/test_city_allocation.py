"""The city's allocation from the database: who waits, what is free, who comes first,
what a run stores and proposes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from doconnect.allocation.engine.city import CostRules, PriorityWeights, Waiting, city_problem
from doconnect.allocation.models import AllocationOutcome, AllocationRun
from doconnect.allocation.services import (
    Scope,
    allocation_run,
    default_goal,
    priority_weights_record,
    waiting_persons,
)
from doconnect.offers.models import FollowOn, Offer
from doconnect.pathways.engine.analysis import analyse_pathways
from doconnect.pathways.engine.fit import PersonFacts
from doconnect.pathways.engine.inputs import FollowOn as EngineFollowOn
from doconnect.pathways.engine.inputs import Offer as EngineOffer
from doconnect.people.models import Person
from doconnect.people.services import spell_create
from doconnect.referrals.models import Referral, ReferralStatus
from doconnect.referrals.services import referral_create
from tests.conftest import TODAY, City, make_person, waiting


def test_only_persons_without_a_place_or_open_referral_are_waiting(
    scarce: City, coordinator: User
) -> None:
    free = waiting(scarce, "Frei")
    busy = waiting(scarce, "Busy")
    referral_create(person=busy, offer=scarce.offer_b, created_by_id=None)
    employed = make_person(scarce, given_name="Emil")
    spell_create(person=employed, state="employment", start=dt.date(2025, 1, 1), end=None)

    ids = [w.id for w in waiting_persons(TODAY, Scope())]

    assert ids == [free.public_id]


def test_the_scarce_place_goes_to_the_person_with_the_higher_recorded_priority(
    scarce: City, coordinator: User
) -> None:
    other = waiting(scarce, "Anna", youth=False)
    young = waiting(scarce, "Ben")
    priority_weights_record(
        target_groups={scarce.youth.code: 2},
        support_needs={},
        note="Junge Menschen zuerst",
        recorded_by=coordinator,
    )

    run = allocation_run(started_by=coordinator, scope=Scope(), day=TODAY)

    placed = AllocationOutcome.objects.get(run=run, offer__isnull=False)
    assert placed.person_id == young.pk and placed.priority == 3
    left = AllocationOutcome.objects.get(run=run, person=other)
    assert left.offer is None and left.reason == "capacity_taken"
    assert run.summary["assigned"] == 1 and run.summary["weighted_assigned"] == 3
    assert run.weights is not None and run.weights.note == "Junge Menschen zuerst"
    assert len(run.inputs_digest) == 64


def test_a_run_proposes_one_referral_per_placed_person_for_review(
    scarce: City, coordinator: User
) -> None:
    person = waiting(scarce, "Carla")

    run = allocation_run(started_by=coordinator, scope=Scope(), day=TODAY)

    referral = Referral.objects.get(person=person)
    assert referral.status == ReferralStatus.PROPOSED and referral.offer == scarce.offer_a
    assert AllocationOutcome.objects.get(run=run, person=person).referral == referral


def test_the_same_inputs_give_the_same_digest(scarce: City, coordinator: User) -> None:
    waiting(scarce, "Dora")

    first = allocation_run(started_by=coordinator, scope=Scope(), day=TODAY, propose=False)
    second = allocation_run(started_by=coordinator, scope=Scope(), day=TODAY, propose=False)

    assert first.inputs_digest == second.inputs_digest
    assert not Referral.objects.exists()


def test_an_offer_the_person_is_too_old_for_is_no_candidate(
    scarce: City, coordinator: User
) -> None:
    Offer.objects.update(max_age=18)
    waiting(scarce, "Emma")  # 22 years old in the fixture

    run = allocation_run(started_by=coordinator, scope=Scope(), day=TODAY)

    assert run.summary["candidates"] == 0
    assert AllocationOutcome.objects.get(run=run).reason == "no_candidate"


def test_the_command_runs_the_database_mode_as_a_coordinator_and_dry_run_stores_nothing(
    scarce: City, coordinator: User, capsys: pytest.CaptureFixture[str]
) -> None:
    waiting(scarce, "Finn")

    call_command("allocate", as_user="coordinator", dry_run=True, verbosity=0)

    assert "dry run, nothing stored: 1 of 1 waiting persons placed" in capsys.readouterr().out
    assert not AllocationRun.objects.exists() and not Referral.objects.exists()


def test_the_command_refuses_a_case_worker(scarce: City, case_worker: User) -> None:
    with pytest.raises(CommandError, match="is not a coordinator"):
        call_command("allocate", as_user="case_worker", verbosity=0)


def test_the_young_without_a_vocational_qualification_aim_for_an_apprenticeship() -> None:
    assert default_goal(19, "none") == "apprenticeship"
    assert default_goal(19, "apprenticeship") == "employment"
    assert default_goal(40, "none") == "employment"
    assert default_goal(None, "none") == "employment"


def test_cost_parts_follow_the_rules_and_add_up() -> None:
    offers = [
        EngineOffer("near", "qualification", district="Eving", target_groups=("youth",)),
        EngineOffer("next", "qualification", district="Scharnhorst"),
        EngineOffer("far", "qualification", district="Hombruch"),
    ]
    links = [EngineFollowOn(o.id, destination="employment") for o in offers]
    report = analyse_pathways(offers, links)
    person = Waiting(
        "P-1",
        PersonFacts(
            age=30, target_groups=frozenset({"youth"}), district="Eving", goal="employment"
        ),
    )
    rules = CostRules(neighbouring=10, other_district=None, open_offer=5, per_step=3)

    problem = city_problem(
        [person],
        offers,
        free_places={"near": 1, "next": 1, "far": 1},
        distances=report.distances,
        neighbours={"Eving": frozenset({"Scharnhorst"})},
        weights=PriorityWeights(),
        rules=rules,
    )

    pairs = zip(problem.pair_place, problem.pair_cost, strict=True)
    costs = {problem.place_ids[j]: int(c) for j, c in pairs}
    assert costs == {"near": 3, "next": 10 + 5 + 3}  # "far" is no candidate
    assert sum(int(part[-1]) for part in problem.cost_parts.values()) == costs["next"]


def test_a_priority_is_one_plus_the_weights_of_the_persons_groups_and_needs() -> None:
    weights = PriorityWeights(
        target_groups={"youth_difficult_start": 2, "refugees": 4},
        support_needs={"childcare": 1},
    )
    assert weights.priority({"youth_difficult_start"}, ()) == 3
    assert weights.priority({"youth_difficult_start", "refugees"}, ("childcare", "other")) == 8
    assert weights.priority(set(), ()) == 1


def test_a_scope_chooses_the_places_while_routes_run_through_the_whole_landscape(
    scarce: City, coordinator: User
) -> None:
    Offer.objects.filter(pk=scarce.offer_b.pk).update(capacity=5)
    FollowOn.objects.create(from_offer=scarce.offer_b, to_offer=scarce.offer_a, position=1)
    person = waiting(scarce, "Gina")

    run = allocation_run(
        started_by=coordinator, scope=Scope(district="Eving"), day=TODAY, propose=False
    )

    assert run.scope["district"] == "Eving"
    assert run.summary["places"] == 1  # offer A only; offer B lies in Hörde
    assert AllocationOutcome.objects.get(run=run, person=person).offer == scarce.offer_a


def test_a_persons_stated_wishes_steer_the_choice_among_free_places(
    city: City, coordinator: User
) -> None:
    FollowOn.objects.create(from_offer=city.offer_a, destination="employment")
    FollowOn.objects.create(from_offer=city.offer_b, destination="employment")
    plain = waiting(city, "Ohne Wunsch")
    wishing = waiting(city, "Mit Wunsch")
    Person.objects.filter(pk=wishing.pk).update(
        goal="employment", preferred_offer_kinds=["qualification"]
    )

    run = allocation_run(
        started_by=coordinator, scope=Scope(), day=TODAY, rules=CostRules(unpreferred=50)
    )

    chosen = AllocationOutcome.objects.get(run=run, person=wishing)
    assert chosen.offer == city.offer_b and chosen.cost_parts["preference"] == 0
    assert AllocationOutcome.objects.get(run=run, person=plain).offer == city.offer_a


def test_the_goal_a_person_stated_wins_over_the_assumed_one(city: City) -> None:
    young = waiting(city, "Jung")  # 22 and without a vocational qualification
    Person.objects.filter(pk=young.pk).update(goal="self_employment")

    (facts,) = waiting_persons(TODAY, Scope())

    assert facts.facts.goal == "self_employment"
    assert facts.preferred_kinds == ()
