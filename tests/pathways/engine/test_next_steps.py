"""Next steps for a person: the pure ranking, its documented order and its "why not"
reasons. No database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from doconnect.demo.districts import DISTRICTS
from doconnect.pathways.engine.analysis import analyse_pathways
from doconnect.pathways.engine.districts import BORDERS, DORTMUND_NEIGHBOURS
from doconnect.pathways.engine.empirical import empirical_dead_ends
from doconnect.pathways.engine.fit import (
    CITY_WIDE,
    NEIGHBOURING,
    OTHER_DISTRICT,
    SAME_DISTRICT,
    Factor,
    PersonFacts,
    eligibility,
    proximity,
)
from doconnect.pathways.engine.inputs import FollowOn, LeaverOutcome, Offer
from doconnect.pathways.engine.next_steps import (
    LeaverFacts,
    LeaverTallies,
    NextSteps,
    next_steps_to_dict,
    rank_next_steps,
    similar_outcomes,
)
from doconnect.pathways.engine.offer_table import OfferTable
from doconnect.pathways.engine.report import NO_ROUTE, EmpiricalResult, PathwayReport
from tests.pathways.engine.test_engine import landscapes

YOUTH = PersonFacts(
    age=19,
    legal_branch="SGB II",
    target_groups=frozenset({"youth"}),
    district="Eving",
)


def rank(
    person: PersonFacts,
    offers: Sequence[Offer],
    links: Sequence[FollowOn],
    *,
    free: dict[str, int | None] | None = None,
    outcomes: Sequence[EmpiricalResult] = (),
    leavers: Sequence[LeaverFacts] | None = None,
    include_excluded: bool = False,
) -> NextSteps:
    report = analyse_pathways(offers, links)
    return rank_next_steps(
        person,
        offers,
        free_places=free or {o.id: 5 for o in offers},
        distances=report.distances,
        neighbours=DORTMUND_NEIGHBOURS,
        outcomes=outcomes,
        leavers=leavers,
        include_excluded=include_excluded,
    )


def to_job(offer_id: str) -> FollowOn:
    return FollowOn(offer_id, destination="employment")


def ids(result: NextSteps) -> list[str]:
    return [s.offer for s in result.steps]


def why_not(result: NextSteps, offer_id: str) -> list[str]:
    return [f.name for e in result.excluded if e.offer == offer_id for f in e.why_not]


def outcome(offer_id: str, *, flagged: bool, judged: bool = True) -> EmpiricalResult:
    share = 0.1 if flagged else 0.6
    return EmpiricalResult(
        offer=offer_id,
        leavers=10 if judged else 2,
        known_6m=10 if judged else 2,
        reached_6m=1,
        share_6m=share if judged else None,
        known_12m=10 if judged else 2,
        reached_12m=1,
        share_12m=share if judged else None,
        flagged=flagged,
        reason="1 of 10 leavers (10%) reached a goal" if judged else "too few to judge",
    )


def test_offers_in_the_district_come_before_neighbouring_ones_and_those_before_others() -> None:
    offers = [
        Offer("far", "qualification", district="Hombruch"),
        Offer("near", "qualification", district="Scharnhorst"),
        Offer("here", "qualification", district="Eving"),
        Offer("anywhere", "qualification"),
    ]
    result = rank(YOUTH, offers, [to_job(o.id) for o in offers])
    assert ids(result) == ["anywhere", "here", "near", "far"]
    assert [s.proximity for s in result.steps] == [
        CITY_WIDE,
        SAME_DISTRICT,
        NEIGHBOURING,
        OTHER_DISTRICT,
    ]
    assert [s.rank for s in result.steps] == [1, 2, 3, 4]


def test_leading_to_the_goal_outranks_proximity_and_fewer_steps_come_first() -> None:
    offers = [
        Offer("a-here-no-goal", "orientation", district="Eving"),
        Offer("b-far-two-steps", "orientation", district="Hombruch"),
        Offer("c-far-one-step", "qualification", district="Hombruch"),
    ]
    links = [
        FollowOn("a-here-no-goal", destination="employment"),
        FollowOn("b-far-two-steps", to_offer="c-far-one-step"),
        FollowOn("c-far-one-step", destination="apprenticeship"),
    ]
    person = PersonFacts(age=19, district="Eving", goal="apprenticeship")
    result = rank(person, offers, links)
    assert ids(result) == ["c-far-one-step", "b-far-two-steps", "a-here-no-goal"]
    first, second, third = result.steps
    assert (first.steps_to_goal, second.steps_to_goal) == (1, 2)
    assert "leads to apprenticeship in 1 step" in first.factors[0].text
    assert not third.leads_to_goal
    assert "does not lead to apprenticeship" in third.factors[0].text


def test_known_free_places_come_before_unknown_capacity() -> None:
    offers = [Offer("a-unknown", "qualification"), Offer("b-known", "qualification")]
    result = rank(
        YOUTH, offers, [to_job(o.id) for o in offers], free={"a-unknown": None, "b-known": 3}
    )
    assert ids(result) == ["b-known", "a-unknown"]
    texts = {s.offer: s.factors[1].text for s in result.steps}
    assert texts["b-known"].startswith("3 free places")
    assert texts["a-unknown"].startswith("free places unknown")


def test_observed_outcomes_break_ties_good_then_too_few_then_poor() -> None:
    offers = [Offer(name, "qualification") for name in ("a-poor", "b-few", "c-good")]
    result = rank(
        YOUTH,
        offers,
        [to_job(o.id) for o in offers],
        outcomes=[outcome("a-poor", flagged=True), outcome("b-few", flagged=False, judged=False)],
    )
    # c-good has no observed leavers at all: it counts as "too few", like b-few.
    assert ids(result) == ["b-few", "c-good", "a-poor"]
    poor = result.steps[-1]
    assert poor.outcome == "poor"
    assert "10%" in poor.factors[-1].text


LEFT = date(2025, 3, 31)


def leavers_of(
    offer_id: str, count: int, *, reached: bool, born: int | None, groups: Sequence[str] = ()
) -> list[LeaverFacts]:
    return [
        LeaverFacts(LeaverOutcome(offer_id, LEFT, reached, reached), born, frozenset(groups))
        for _ in range(count)
    ]


def outcome_factor(result: NextSteps, offer_id: str) -> Factor:
    (step,) = [s for s in result.steps if s.offer == offer_id]
    return step.factors[-1]


def test_participants_like_the_person_outweigh_how_the_offer_did_overall() -> None:
    offers = [Offer("a-overall-good", "qualification"), Offer("b-overall-poor", "qualification")]
    # YOUTH is 19: leavers aged 19 at leaving sharing "youth" are like them. At a-… they
    # did poorly while the offer overall (30 older leavers) did well; at b-… the reverse.
    leavers = [
        *leavers_of("a-overall-good", 5, reached=False, born=2006, groups=("youth", "x")),
        *leavers_of("a-overall-good", 30, reached=True, born=1980, groups=("youth",)),
        *leavers_of("b-overall-poor", 5, reached=True, born=2006, groups=("youth",)),
        *leavers_of("b-overall-poor", 30, reached=False, born=1980, groups=("youth",)),
        # same age band, but no shared target group: not like YOUTH
        *leavers_of("b-overall-poor", 10, reached=False, born=2006, groups=("over_50",)),
    ]
    overall = empirical_dead_ends([o.id for o in offers], [f.outcome for f in leavers])
    assert [r.flagged for r in overall] == [False, True]
    result = rank(YOUTH, offers, [to_job(o.id) for o in offers], outcomes=overall, leavers=leavers)
    assert ids(result) == ["b-overall-poor", "a-overall-good"]
    assert [s.outcome for s in result.steps] == ["good", "poor"]
    good, poor = outcome_factor(result, "b-overall-poor"), outcome_factor(result, "a-overall-good")
    assert good.code == "outcome_similar_good"
    assert good.params == {
        "reached_6m": 5,
        "known_6m": 5,
        "reached_12m": 5,
        "known_12m": 5,
        "age_band": "under_25",
        "similar_groups": ("youth",),
    }
    assert good.text.startswith(
        "participants like this person (aged under 25 at leaving, target group youth): 5 of 5"
    )
    assert poor.code == "outcome_similar_poor"
    assert (poor.params["reached_6m"], poor.params["known_6m"]) == (0, 5)


def test_with_fewer_than_5_similar_leavers_all_leavers_are_compared_and_it_says_so() -> None:
    offers = [Offer("a", "qualification")]
    leavers = [
        *leavers_of("a", 4, reached=True, born=2006, groups=("youth",)),
        *leavers_of("a", 20, reached=False, born=1980, groups=("youth",)),
    ]
    overall = empirical_dead_ends(["a"], [f.outcome for f in leavers])
    result = rank(YOUTH, offers, [to_job("a")], outcomes=overall, leavers=leavers)
    factor = outcome_factor(result, "a")
    assert result.steps[0].outcome == "poor"
    assert factor.code == "outcome_poor"
    # The numbers are those of all 24 leavers, never of the 4 similar ones.
    assert factor.params == {
        "reached_6m": 4,
        "known_6m": 24,
        "reached_12m": 4,
        "known_12m": 24,
        "comparison": "similar_too_few",
        "age_band": "under_25",
        "similar_groups": ("youth",),
    }
    assert factor.text.startswith(
        "all leavers of the offer (fewer than 5 participants like this person, aged under 25"
    )
    assert "4 of 24" in factor.text


def test_without_target_groups_the_age_band_alone_makes_the_comparison_group() -> None:
    offers = [Offer("a", "qualification")]
    leavers = [
        # 24 at leaving (born 2001, left 2025) is under 25 even though 25 now
        *leavers_of("a", 5, reached=True, born=2001, groups=("youth",)),
        *leavers_of("a", 20, reached=False, born=1960),
    ]
    overall = empirical_dead_ends(["a"], [f.outcome for f in leavers])
    person = PersonFacts(age=19)
    factor = outcome_factor(
        rank(person, offers, [to_job("a")], outcomes=overall, leavers=leavers), "a"
    )
    assert factor.code == "outcome_similar_good"
    assert factor.params["similar_groups"] == ()
    unknown_age = rank(PersonFacts(), offers, [to_job("a")], outcomes=overall, leavers=leavers)
    factor = outcome_factor(unknown_age, "a")
    assert (factor.code, factor.params["comparison"]) == ("outcome_poor", "age_unknown")
    no_facts = rank(person, offers, [to_job("a")], outcomes=overall)
    assert outcome_factor(no_facts, "a").params["comparison"] == "not_compared"


def test_every_rule_that_excludes_an_offer_is_named_when_asked() -> None:
    offers = [
        Offer("closed", "qualification", status="suspended"),
        Offer("done", "qualification"),
        Offer("too-old", "qualification", min_age=25),
        Offer("sgb3", "qualification", legal_branches=("SGB III",)),
        Offer("over50", "qualification", target_groups=("over_50",)),
        Offer("full", "qualification"),
        Offer("dead", "qualification"),
        Offer("fine", "qualification", min_age=16, max_age=25, legal_branches=("SGB II",)),
    ]
    links = [to_job(o.id) for o in offers if o.id != "dead"]
    person = PersonFacts(
        age=19,
        legal_branch="SGB II",
        target_groups=frozenset({"youth"}),
        district="Eving",
        done=frozenset({"done"}),
    )
    free: dict[str, int | None] = {o.id: 4 for o in offers} | {"full": 0}
    result = rank(person, offers, links, free=free, include_excluded=True)
    assert ids(result) == ["fine"]
    assert why_not(result, "closed") == ["status"]
    assert why_not(result, "done") == ["done"]
    assert why_not(result, "too-old") == ["age"]
    assert why_not(result, "sgb3") == ["legal_branch"]
    assert why_not(result, "over50") == ["target_group"]
    assert why_not(result, "full") == ["free_places"]
    assert why_not(result, "dead") == ["dead_end"]
    fine = result.steps[0]
    assert [f.name for f in fine.factors] == [
        "goal",
        "free_places",
        "district",
        "age",
        "legal_branch",
        "target_group",
        "outcomes",
    ]
    assert "age 19 fits 16–25" in fine.factors[3].text


def test_excluded_offers_are_left_out_unless_asked_for() -> None:
    offers = [Offer("a", "qualification", min_age=30), Offer("b", "qualification")]
    result = rank(YOUTH, offers, [to_job("a"), to_job("b")])
    assert ids(result) == ["b"]
    assert result.excluded == ()


def test_an_unknown_age_does_not_exclude_but_says_to_check() -> None:
    offers = [Offer("a", "qualification", min_age=16, max_age=25)]
    result = rank(PersonFacts(), offers, [to_job("a")])
    assert ids(result) == ["a"]
    assert "age unknown" in result.steps[0].factors[3].text


def test_the_json_form_shows_the_order_and_every_factor() -> None:
    offers = [Offer("a", "qualification", district="Eving"), Offer("b", "qualification")]
    result = rank(YOUTH, [*offers], [to_job("b")], include_excluded=True)
    data = next_steps_to_dict(result, {"a": "Kurs A", "b": "Kurs B"})
    assert data["order"][0].startswith("leads to the goal")
    assert [s["offer"] for s in data["steps"]] == ["b"]
    assert data["steps"][0]["title"] == "Kurs B"
    assert {f["factor"] for f in data["steps"][0]["factors"]} >= {"goal", "district"}
    assert data["excluded"] == [
        {
            "offer": "a",
            "title": "Kurs A",
            "why_not": [
                {"factor": "dead_end", "text": "dead end: no chain of active offers reaches a goal"}
            ],
        }
    ]


def test_dortmunds_district_neighbourhood_is_symmetric_and_covers_the_twelve_districts() -> None:
    assert set(DORTMUND_NEIGHBOURS) == {d.name for d in DISTRICTS}
    for district, neighbours in DORTMUND_NEIGHBOURS.items():
        assert district not in neighbours
        for other in neighbours:
            assert district in DORTMUND_NEIGHBOURS[other]
    assert len(set(BORDERS)) == len(BORDERS)


def test_a_comparison_judged_once_for_an_age_band_and_target_groups_ranks_the_same() -> None:
    offers = [Offer("a-overall-good", "qualification"), Offer("b-overall-poor", "qualification")]
    leavers = [
        *leavers_of("a-overall-good", 5, reached=False, born=2006, groups=("youth",)),
        *leavers_of("b-overall-poor", 5, reached=True, born=2006, groups=("youth", "x")),
        *leavers_of("b-overall-poor", 30, reached=False, born=1980, groups=("youth",)),
    ]
    overall = empirical_dead_ends([o.id for o in offers], [f.outcome for f in leavers])
    links = [to_job(o.id) for o in offers]
    judged = similar_outcomes(YOUTH, leavers)
    assert set(judged) == {"a-overall-good", "b-overall-poor"}
    report = analyse_pathways(offers, links)
    kept = rank_next_steps(
        YOUTH,
        offers,
        free_places={o.id: 5 for o in offers},
        distances=report.distances,
        outcomes=overall,
        leavers=leavers,
        similar=judged,
    )
    assert kept == rank(YOUTH, offers, links, outcomes=overall, leavers=leavers)
    assert ids(kept) == ["b-overall-poor", "a-overall-good"]


def test_the_leavers_tallies_judge_participants_like_a_person_as_the_leavers_do() -> None:
    # Mixed outcomes, open windows, unknown birth years, overlapping target groups.
    leavers = [
        *leavers_of("a", 4, reached=False, born=2006, groups=("youth", "x")),
        *leavers_of("a", 3, reached=True, born=2005, groups=("youth",)),
        *leavers_of("a", 6, reached=True, born=1980, groups=("youth",)),
        *leavers_of("b", 5, reached=False, born=2006, groups=("x",)),
        *leavers_of("b", 2, reached=True, born=None, groups=("youth",)),
        *leavers_of("c", 7, reached=False, born=1960, groups=()),
        *[LeaverFacts(LeaverOutcome("c", LEFT, None, None), 2006, frozenset({"youth"}))] * 6,
    ]
    tallies = LeaverTallies.of(leavers)
    for age in (19, 30, 65, None):
        for groups in ((), ("youth",), ("x",), ("youth", "x"), ("other",)):
            person = PersonFacts(age=age, target_groups=frozenset(groups))
            assert tallies.similar_outcomes(person) == similar_outcomes(person, leavers)
            assert tallies.similar_outcomes(person) == similar_outcomes(person, leavers)  # kept
        assert tallies.similar_outcomes(
            PersonFacts(age=age, target_groups=frozenset({"youth"})), min_leavers=50
        ) == similar_outcomes(  # other thresholds: judged afresh
            PersonFacts(age=age, target_groups=frozenset({"youth"})), leavers, min_leavers=50
        )
    assert tallies.similar_outcomes(PersonFacts(age=19, target_groups=frozenset({"youth"})))


PERSONS = [
    YOUTH,
    replace(YOUTH, goal="employment", district="Hombruch"),
    replace(YOUTH, age=None, target_groups=frozenset()),
    PersonFacts(
        age=52, legal_branch="SGB III", district="Innenstadt-West", done=frozenset({"o-1"})
    ),
]


@settings(max_examples=200, deadline=None)
@given(landscapes(), st.data())
def test_asking_for_the_first_steps_gives_the_first_of_the_whole_ranking_and_its_count(
    landscape: tuple[list[Offer], list[FollowOn]], data: st.DataObject
) -> None:
    # A person page builds the factors of the ten steps it shows, not of all 4,000.
    offers, links = landscape
    report = analyse_pathways(offers, links)
    free = {o.id: data.draw(st.one_of(st.none(), st.integers(0, 3))) for o in offers}
    outcomes = [
        outcome(o.id, flagged=data.draw(st.booleans()), judged=data.draw(st.booleans()))
        for o in offers
        if data.draw(st.booleans())
    ]
    person = data.draw(st.sampled_from(PERSONS))
    first = data.draw(st.integers(0, len(offers) + 1))

    def ranked(**first_only: int) -> NextSteps:
        return rank_next_steps(
            person,
            offers,
            free_places=free,
            distances=report.distances,
            neighbours=DORTMUND_NEIGHBOURS,
            outcomes=outcomes,
            include_excluded=True,
            **first_only,
        )

    whole, part = ranked(), ranked(first=first)
    assert part.steps == whole.steps[:first]
    assert part.count == whole.count == len(whole.steps)
    assert part.excluded == whole.excluded


def plain_ranking(
    person: PersonFacts,
    offers: Sequence[Offer],
    free: dict[str, int | None],
    report: PathwayReport,
    outcomes: Sequence[EmpiricalResult],
    similar: dict[str, EmpiricalResult],
) -> tuple[list[str], dict[str, list[str]]]:
    """The documented order and "why not" rules, one offer at a time, as the ranking
    was written before it asked them of all offers at once: (the offers in order, the
    names of each excluded offer's reasons)."""
    routes = report.distances.routes(person.goal)
    by_offer = {r.offer: r for r in outcomes}
    keyed, why_not = [], {}
    for offer in offers:
        reaches_any, reaches_goal, steps, _goal = routes[offer.id] if offer.active else NO_ROUTE
        failed = [
            *(["status"] if not offer.active else []),
            *(["done"] if offer.id in person.done else []),
            *(f.name for f in eligibility(person, offer)[1]),
            *(["free_places"] if free.get(offer.id) in (0, -1) else []),
            *(["dead_end"] if offer.active and not reaches_any else []),
        ]
        if failed:
            why_not[offer.id] = failed
            continue
        result = by_offer.get(offer.id)
        like = similar.get(offer.id) if person.age is not None else None
        if like is not None and like.judged:
            result = like
        outcome = 1 if result is None or not result.judged else 2 if result.flagged else 0
        where = {SAME_DISTRICT: 0, CITY_WIDE: 0, NEIGHBOURING: 1, OTHER_DISTRICT: 3}.get(
            proximity(person, offer, DORTMUND_NEIGHBOURS), 2
        )
        keyed.append(
            (
                (
                    not reaches_goal,
                    free.get(offer.id) is None,
                    where,
                    steps if reaches_goal else 1 << 30,
                    outcome,
                    offer.id,
                ),
                offer.id,
            )
        )
    return [offer_id for _key, offer_id in sorted(keyed)], why_not


@settings(max_examples=200, deadline=None)
@given(landscapes(), st.data())
def test_the_ranking_of_all_offers_at_once_equals_the_rules_asked_one_offer_at_a_time(
    landscape: tuple[list[Offer], list[FollowOn]], data: st.DataObject
) -> None:
    offers, links = landscape
    report = analyse_pathways(offers, links)
    table = OfferTable.of(offers)  # one table for both persons: what it keeps is shared
    free = {o.id: data.draw(st.one_of(st.none(), st.integers(0, 3))) for o in offers}

    def results() -> list[EmpiricalResult]:
        return [
            outcome(o.id, flagged=data.draw(st.booleans()), judged=data.draw(st.booleans()))
            for o in offers
            if data.draw(st.booleans())
        ]

    outcomes = tuple(results())
    for _person in range(2):
        person = data.draw(
            st.builds(
                PersonFacts,
                age=st.one_of(st.none(), st.integers(14, 70)),
                legal_branch=st.sampled_from([None, "SGB II", "SGB III"]),
                target_groups=st.frozensets(st.sampled_from(["youth", "over_50", "refugees"])),
                district=st.sampled_from([None, *DORTMUND_NEIGHBOURS]),
                goal=st.sampled_from([None, "employment", "apprenticeship"]),
                done=st.frozensets(st.sampled_from([o.id for o in offers] or ["no offer"])),
            )
        )
        similar = {r.offer: r for r in results()}
        result = rank_next_steps(
            person,
            table,
            free_places=free,
            distances=report.distances,
            neighbours=DORTMUND_NEIGHBOURS,
            outcomes=outcomes,
            leavers=(),
            similar=similar,
            include_excluded=True,
        )
        in_order, why_not = plain_ranking(person, offers, free, report, outcomes, similar)
        assert ids(result) == in_order
        assert {e.offer: [f.name for f in e.why_not] for e in result.excluded} == why_not
        assert [e.offer for e in result.excluded] == sorted(why_not)


@settings(max_examples=100, deadline=None)
@given(landscapes(), st.integers(0, 12))
def test_the_first_excluded_are_those_with_fewest_reasons_and_all_are_counted(
    landscape: tuple[list[Offer], list[FollowOn]], first: int
) -> None:
    offers, links = landscape
    report = analyse_pathways(offers, links)

    def ranked(**first_only: int) -> NextSteps:
        return rank_next_steps(
            replace(PERSONS[3], done=frozenset(o.id for o in offers[::3])),
            offers,
            free_places={o.id: 0 for o in offers[::4]},
            distances=report.distances,
            include_excluded=True,
            **first_only,
        )

    whole, part = ranked(), ranked(first_excluded=first)
    fewest = sorted(whole.excluded, key=lambda e: (len(e.why_not), e.offer))
    assert part.excluded == tuple(fewest[:first])
    assert part.excluded_count == whole.excluded_count == len(whole.excluded)
    assert part.steps == whole.steps
