"""The database side of the pathways engine: landscape, leaver outcomes, free places, the
report and next steps, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from doconnect.core.models import TargetGroup
from doconnect.files.importing import ImportFailed
from doconnect.offers.catalogue import read_catalogue
from doconnect.offers.models import FollowOn, Offer
from doconnect.offers.selectors import catalogue_vocabulary
from doconnect.pathways import next_steps
from doconnect.pathways.engine.inputs import FollowOn as EngineFollowOn
from doconnect.pathways.engine.inputs import Offer as EngineOffer
from doconnect.pathways.engine.inputs import PathwayError
from doconnect.pathways.next_steps import next_steps_for
from doconnect.pathways.services import (
    free_places_from_db,
    landscape_from_catalogue,
    landscape_from_db,
    landscape_with_catalogue,
    leaver_facts_from_db,
    leaver_outcomes_from_db,
    pathways_report,
)
from doconnect.people.models import Person, Spell
from doconnect.referrals.models import Referral
from tests.conftest import TODAY, City, make_person
from tests.offers.catalogue_files import VALID


def catalogue(text: str = VALID) -> Any:
    return read_catalogue(text.encode(), file="offers.json", vocabulary=catalogue_vocabulary())


def link_a_to_b_to_employment(city: City) -> None:
    FollowOn.objects.create(from_offer=city.offer_a, to_offer=city.offer_b)
    FollowOn.objects.create(from_offer=city.offer_b, destination="employment")


def spell(
    person: Person, state: str, start: dt.date, end: dt.date | None, offer: Offer | None = None
) -> Spell:
    return Spell.objects.create(person=person, state=state, start=start, end=end, offer=offer)


def test_the_landscape_comes_from_the_database_in_three_queries(
    city: City, django_assert_num_queries: Any
) -> None:
    city.offer_a.target_groups.add(city.youth)
    Offer.objects.filter(pk=city.offer_a.pk).update(
        min_age=16, max_age=25, legal_branches=["SGB II"]
    )
    link_a_to_b_to_employment(city)
    with django_assert_num_queries(3):
        offers, links = landscape_from_db()
    assert offers[0] == EngineOffer(
        "o-a",
        "low_threshold",
        district="Eving",
        target_groups=("youth_difficult_start",),
        min_age=16,
        max_age=25,
        legal_branches=("SGB II",),
        capacity=10,
    )
    assert [o.id for o in offers] == ["o-a", "o-b"]
    assert links == [
        EngineFollowOn("o-a", to_offer="o-b"),
        EngineFollowOn("o-b", destination="employment"),
    ]


def test_the_landscape_of_a_catalogue_file_keeps_its_follow_ons_in_order(city: City) -> None:
    offers, links = landscape_from_catalogue(catalogue())
    assert [o.id for o in offers] == ["o-1", "o-2", "o-3"]
    assert offers[0].target_groups == ("young_parents", "youth_difficult_start")
    assert [link.reference for link in links if link.from_offer == "o-1"] == [
        "o-2",
        "o-a",
        "destination:apprenticeship",
    ]


def test_a_catalogue_file_replaces_the_stored_offers_with_its_ids_without_writing(
    city: City,
) -> None:
    link_a_to_b_to_employment(city)
    text = VALID.replace('"id": "o-3", "provider": "p-b"', '"id": "o-b", "provider": "p-b"')
    offers, links = landscape_with_catalogue(catalogue(text))
    assert [o.id for o in offers] == ["o-1", "o-2", "o-a", "o-b"]
    # o-b from the file has no follow-ons: the stored link to employment is gone.
    assert not [link for link in links if link.from_offer == "o-b"]
    assert Offer.objects.get(external_id="o-b").kind == "qualification"
    assert not Offer.objects.filter(external_id="o-1").exists()


def test_a_bad_catalogue_file_fails_like_the_import(city: City) -> None:
    text = VALID.replace('"district": "Hörde", "capacity": null', '"district": "Hoerde"')
    with pytest.raises(ImportFailed) as excinfo:
        pathways_report(source=catalogue(text))
    assert 'unknown district "Hoerde"' in str(excinfo.value)


def test_leavers_reach_a_goal_within_6_or_12_months_or_not_yet_known(city: City) -> None:
    left = dt.date(2025, 6, 30)
    early, late, never, recent = (make_person(city, given_name=n) for n in "ABCD")
    for person in (early, late, never):
        spell(person, "offer", dt.date(2025, 1, 1), left, city.offer_a)
    spell(early, "employment", dt.date(2025, 9, 1), None)
    spell(late, "unemployed", dt.date(2025, 7, 1), dt.date(2026, 2, 28))
    spell(late, "apprenticeship", dt.date(2026, 3, 1), None)
    spell(never, "unemployed", dt.date(2025, 7, 1), None)
    spell(recent, "offer", dt.date(2026, 1, 1), dt.date(2026, 10, 31), city.offer_b)
    # Still taking part: not a leaver.
    spell(make_person(city, given_name="E"), "offer", TODAY, None, city.offer_b)
    outcomes = leaver_outcomes_from_db(TODAY)
    by_offer = sorted((o.offer, o.goal_within_6m, o.goal_within_12m) for o in outcomes)
    assert by_offer == sorted(
        [
            ("o-a", True, True),
            ("o-a", False, True),
            ("o-a", False, False),
            ("o-b", None, None),
        ]
    )


def test_leaver_outcomes_take_three_queries(city: City, django_assert_num_queries: Any) -> None:
    for name in "ABC":
        person = make_person(city, given_name=name)
        spell(person, "offer", dt.date(2025, 1, 1), dt.date(2025, 3, 31), city.offer_a)
        spell(person, "employment", dt.date(2025, 4, 1), None)
    with django_assert_num_queries(3):
        outcomes = leaver_outcomes_from_db(TODAY)
    assert len(outcomes) == 3


def test_the_leavers_are_kept_until_a_spell_changes_however_it_is_written(
    transactional_db: None, city: City, django_assert_num_queries: Any
) -> None:
    person = make_person(city)
    spell(person, "offer", dt.date(2025, 1, 1), dt.date(2025, 3, 31), city.offer_a)
    goal = spell(person, "employment", dt.date(2025, 5, 1), None)
    (first,) = leaver_facts_from_db(TODAY)
    assert first.outcome.goal_within_6m is True
    with django_assert_num_queries(1):  # the change counters only
        assert leaver_facts_from_db(TODAY) == (first,)
    # Moved past the 6 months by SQL behind the ORM's back: read afresh.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE people_spell SET start = %s WHERE id = %s", [dt.date(2025, 11, 1), goal.pk]
        )
    (second,) = leaver_facts_from_db(TODAY)
    assert (second.outcome.goal_within_6m, second.outcome.goal_within_12m) == (False, True)
    Spell.objects.filter(pk=goal.pk).delete()
    (third,) = leaver_facts_from_db(TODAY)
    assert third.outcome.goal_within_12m is False


def leaver(
    city: City,
    name: str,
    *,
    born: int | None,
    groups: list[TargetGroup],
    reached: bool,
) -> Person:
    """A person who left o-b on 2025-03-31, reaching employment in May or never."""
    person = make_person(city, given_name=name)
    Person.objects.filter(pk=person.pk).update(birth_year=born)
    person.target_groups.set(groups)
    spell(person, "offer", dt.date(2025, 1, 1), dt.date(2025, 3, 31), city.offer_b)
    if reached:
        spell(person, "employment", dt.date(2025, 5, 1), None)
    return person


def test_participants_like_the_person_are_found_by_birth_year_and_target_groups(
    city: City, django_assert_num_queries: Any
) -> None:
    link_a_to_b_to_employment(city)
    parents = TargetGroup.objects.create(code="young_parents", label="Junge Eltern")
    subject = make_person(city)  # born 2004, youth: under 25
    # Like the subject: under 25 when leaving in 2025, sharing the youth group. None of
    # them reached a goal.
    for i in range(5):
        leaver(city, f"S{i}", born=2003, groups=[city.youth, parents], reached=False)
    # Not like the subject, all reached a goal: 25 at leaving (born 2000), another
    # target group only, unknown birth year, 55 years old.
    leaver(city, "Older", born=2000, groups=[city.youth], reached=True)
    leaver(city, "Parent", born=2003, groups=[parents], reached=True)
    leaver(city, "Unknown", born=None, groups=[city.youth], reached=True)
    for i in range(7):
        leaver(city, f"O{i}", born=1970, groups=[city.youth], reached=True)

    with django_assert_num_queries(3):
        facts = leaver_facts_from_db(TODAY)
    assert len(facts) == 15
    assert {(f.birth_year, f.target_groups) for f in facts} == {
        (2003, frozenset({"youth_difficult_start", "young_parents"})),
        (2000, frozenset({"youth_difficult_start"})),
        (2003, frozenset({"young_parents"})),
        (None, frozenset({"youth_difficult_start"})),
        (1970, frozenset({"youth_difficult_start"})),
    }
    assert [f.outcome for f in facts] == leaver_outcomes_from_db(TODAY)

    found = next_steps_for(subject, goal="employment", today=TODAY)
    (step_b,) = [s for s in found.result.steps if s.offer == "o-b"]
    factor = step_b.factors[-1]
    # The offer overall did well (10 of 15), participants like the subject did not.
    assert factor.code == "outcome_similar_poor"
    assert step_b.outcome == "poor"
    assert dict(factor.params) == {
        "reached_6m": 0,
        "known_6m": 5,
        "reached_12m": 0,
        "known_12m": 5,
        "age_band": "under_25",
        "similar_groups": ("youth_difficult_start",),
    }


def test_free_places_are_capacity_minus_persons_taking_part(city: City) -> None:
    running, referred = make_person(city, given_name="A"), make_person(city, given_name="B")
    finished = make_person(city, given_name="C")
    spell(running, "offer", dt.date(2026, 9, 1), None, city.offer_a)
    Referral.objects.create(person=running, offer=city.offer_a, status="started")
    Referral.objects.create(person=referred, offer=city.offer_a, status="started")
    Referral.objects.create(person=finished, offer=city.offer_a, status="proposed")
    spell(finished, "offer", dt.date(2026, 1, 1), dt.date(2026, 6, 30), city.offer_a)
    Offer.objects.create(
        external_id="o-open", provider=city.provider_a, title="Offen", kind="counselling"
    )
    assert free_places_from_db(TODAY) == {"o-a": 8, "o-b": 10, "o-open": None}


def test_the_report_on_the_database_lists_dead_ends_and_observed_outcomes(city: City) -> None:
    FollowOn.objects.create(from_offer=city.offer_a, to_offer=city.offer_b)
    report = pathways_report(today=TODAY)
    assert [d.offer for d in report.dead_ends] == ["o-a", "o-b"]
    assert {g.district for g in report.gaps} == {"Eving", "Hörde"}
    assert report.empirical == ()


def test_next_steps_for_a_person_skip_what_they_did_and_name_why_not(city: City) -> None:
    link_a_to_b_to_employment(city)
    city.offer_a.target_groups.add(city.youth)
    person = make_person(city)  # Eving, SGB II, youth, born 2004
    spell(person, "offer", dt.date(2026, 1, 1), dt.date(2026, 3, 31), city.offer_a)
    found = next_steps_for(person, goal="employment", include_excluded=True, today=TODAY)
    assert found.facts.age == 22
    assert found.facts.done == frozenset({"o-a"})
    assert [s.offer for s in found.result.steps] == ["o-b"]
    assert found.result.steps[0].steps_to_goal == 1
    assert [e.offer for e in found.result.excluded] == ["o-a"]
    assert found.to_dict()["steps"][0]["title"] == "Kurs B"


def test_next_steps_refuse_an_unknown_goal(city: City) -> None:
    with pytest.raises(PathwayError, match="unknown goal"):
        next_steps_for(make_person(city), goal="school")


@pytest.mark.django_db
def test_the_demo_citys_report_shows_its_dead_ends() -> None:
    call_command("demo", "--scale", "0.05", stdout=io.StringIO(), stderr=io.StringIO())
    report = pathways_report()
    assert len(report.dead_ends) >= 1
    dead = [d.offer for d in report.dead_ends]
    assert set(
        Offer.objects.filter(external_id__in=dead).values_list("external_id", flat=True)
    ) == set(dead)
    assert report.empirical  # the demo's biographies give observed outcomes


def test_a_booking_changes_the_free_places_of_the_next_steps_without_a_new_analysis(
    transactional_db: None, city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    link_a_to_b_to_employment(city)
    person = make_person(city)
    analysed: list[int] = []
    landscape = next_steps.landscape_from_db

    def counted() -> Any:
        analysed.append(1)
        return landscape()

    monkeypatch.setattr(next_steps, "landscape_from_db", counted)

    def free_of_b() -> int | None:
        found = next_steps_for(person, goal="employment", today=TODAY)
        return {s.offer: s.free_places for s in found.result.steps}["o-b"]

    booked = make_person(city, given_name="Gebucht")
    before = free_of_b()
    assert before is not None
    Referral.objects.create(person=booked, offer=city.offer_b, status="accepted")
    assert free_of_b() == before - 1
    assert analysed == [1]  # the landscape was analysed once, for the first call
