"""The one rendering of the pathways' reason codes: every code the pure engine and the
next-step ranking can emit has a German message and its English translation."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import translation

from doconnect.pathways.engine.analysis import analyse_pathways
from doconnect.pathways.engine.fit import FACTOR_CODES, PersonFacts
from doconnect.pathways.engine.inputs import FollowOn, LeaverOutcome, Offer
from doconnect.pathways.engine.next_steps import LeaverFacts, rank_next_steps
from doconnect.pathways.engine.report import DEAD_END_CODES, EmpiricalResult, ReasonParam
from doconnect.pathways.texts import MESSAGES, dead_end_text, factor_text, render_reason

SAMPLE: dict[str, ReasonParam] = {
    "goal": "employment",
    "steps": 2,
    "count": 3,
    "district": "Eving",
    "age": 19,
    "min_age": 16,
    "max_age": 25,
    "branch": "SGB II",
    "accepted": ("SGB III",),
    "groups": ("youth",),
    "leavers": 2,
    "min_leavers": 5,
    "reached_6m": 3,
    "known_6m": 10,
    "reached_12m": None,
    "known_12m": None,
    "status": "suspended",
    "comparison": "similar_too_few",
    "age_band": "under_25",
    "similar_groups": ("youth",),
}


def test_every_code_the_pure_modules_can_emit_has_a_message_and_no_more() -> None:
    assert not set(FACTOR_CODES) & set(DEAD_END_CODES)
    assert set(MESSAGES) == set(FACTOR_CODES) | set(DEAD_END_CODES)


@pytest.mark.parametrize("code", sorted(FACTOR_CODES))
def test_every_factor_code_renders_in_german_and_in_english(code: str) -> None:
    params = {name: SAMPLE[name] for name in FACTOR_CODES[code]}
    with translation.override("de"):
        german = render_reason(code, params)
    with translation.override("en"):
        english = render_reason(code, params)
    assert german and english and german != english
    assert not re.search(r"%\(\w+\)", german + english)


def _factors_and_dead_ends() -> tuple[list[tuple[str, dict[str, ReasonParam]]], list[str]]:
    """Codes and params the modules really emit, on a landscape with every case."""
    offers = [
        Offer("closed", "qualification", status="suspended"),
        Offer("cut", "qualification"),
        Offer("ring-1", "qualification"),
        Offer("ring-2", "qualification"),
        Offer("school", "qualification"),
        Offer("lonely", "qualification"),
        Offer("to-dead", "qualification"),
        Offer("young", "qualification", min_age=16, max_age=25, legal_branches=("SGB II",)),
        Offer("old", "qualification", min_age=30, target_groups=("over_50",)),
        Offer("sgb3", "qualification", legal_branches=("SGB III",), district="Hörde"),
        Offer("near", "qualification", district="Innenstadt-Nord", target_groups=("youth",)),
        Offer("far", "qualification", max_age=99, district="Hombruch"),
        Offer("taken", "qualification"),
        Offer("full", "qualification"),
        Offer("poor", "qualification", district="Eving"),
    ]
    links = [
        FollowOn("cut", to_offer="closed"),
        FollowOn("closed", destination="employment"),
        FollowOn("ring-1", to_offer="ring-2"),
        FollowOn("ring-2", to_offer="ring-1"),
        FollowOn("school", destination="school"),
        FollowOn("to-dead", to_offer="lonely"),
        FollowOn("to-dead", destination="school"),
        *(
            FollowOn(o, destination=goal)
            for o in ("young", "old", "sgb3", "near", "far", "taken", "full", "poor")
            for goal in ("employment",)
        ),
        FollowOn("young", destination="apprenticeship"),
    ]
    report = analyse_pathways(offers, links)
    outcomes = [
        EmpiricalResult("poor", 10, 10, 1, 0.1, 10, 1, 0.1, True, "poor"),
        EmpiricalResult("near", 10, 10, 6, 0.6, 0, 0, None, False, "good"),
        EmpiricalResult("far", 2, 2, 1, None, 2, 1, None, False, "too few"),
        EmpiricalResult("taken", 10, 10, 6, 0.6, 0, 0, None, False, "good"),
    ]
    left = date(2025, 1, 1)
    # Leavers like the 40-year-old did well at "poor"; those like the 19-year-old
    # youth did poorly at "near" and are too few at "poor" and "taken".
    leavers = [
        *(LeaverFacts(LeaverOutcome("poor", left, True, True), 1985) for _ in range(5)),
        *(
            LeaverFacts(LeaverOutcome("near", left, False, False), 2006, frozenset({"youth"}))
            for _ in range(5)
        ),
    ]
    emitted: list[tuple[str, dict[str, ReasonParam]]] = []
    for person in (
        PersonFacts(
            19, "SGB II", frozenset({"youth"}), "Eving", "apprenticeship", frozenset({"taken"})
        ),
        PersonFacts(),
        PersonFacts(40, None, frozenset(), None, None),
    ):
        result = rank_next_steps(
            person,
            offers,
            free_places={
                o.id: (0 if o.id == "full" else 4 if o.id != "far" else None) for o in offers
            },
            distances=report.distances,
            neighbours={"Eving": ("Innenstadt-Nord",)},
            outcomes=outcomes,
            leavers=leavers,
            include_excluded=True,
        )
        for step in result.steps:
            emitted += [(f.code, dict(f.params)) for f in step.factors]
        for excluded in result.excluded:
            emitted += [(f.code, dict(f.params)) for f in excluded.why_not]
    return emitted, [d.code for d in report.dead_ends]


def test_the_codes_really_emitted_are_declared_with_their_params_and_all_render() -> None:
    emitted, dead_end_codes = _factors_and_dead_ends()
    for code, params in emitted:
        assert code in FACTOR_CODES, code
        assert set(params) == set(FACTOR_CODES[code]), code
    assert {code for code, _ in emitted} == set(FACTOR_CODES)
    assert set(dead_end_codes) == set(DEAD_END_CODES)
    for language in ("de", "en"):
        with translation.override(language):
            for code, params in emitted:
                assert not re.search(r"%\(\w+\)", render_reason(code, params))


def test_dead_ends_and_factors_render_in_plain_words_of_the_active_language() -> None:
    offers = [Offer(f"o-{i}", "qualification", status="ended") for i in range(7)]
    offers.append(Offer("cut", "qualification"))
    links = [FollowOn("cut", to_offer=o.id) for o in offers[:7]] + [
        FollowOn(o.id, destination="employment") for o in offers[:7]
    ]
    (dead_end,) = analyse_pathways(offers, links).dead_ends
    with translation.override("de"):
        assert dead_end_text(dead_end) == (
            "alle Wege führen über geschlossene Angebote: o-0 (beendet), o-1 (beendet), "
            "o-2 (beendet), o-3 (beendet), o-4 (beendet) und 2 weitere"
        )
    with translation.override("en"):
        assert dead_end_text(dead_end) == (
            "all paths run through closed offers: o-0 (ended), o-1 (ended), o-2 (ended), "
            "o-3 (ended), o-4 (ended) and 2 more"
        )
    report = analyse_pathways(
        [Offer("a", "qualification")], [FollowOn("a", destination="employment")]
    )
    step = rank_next_steps(
        PersonFacts(target_groups=frozenset({"youth"})),
        [Offer("a", "qualification", target_groups=("youth",))],
        free_places={"a": 1},
        distances=report.distances,
    ).steps[0]
    with translation.override("de"):
        texts = [factor_text(f, {"youth": "Jugendliche"}) for f in step.factors]
        assert texts[:3] == ["führt in 1 Schritt zu Beschäftigung", "1 freier Platz", "stadtweit"]
        assert "Zielgruppe Jugendliche" in texts
    with translation.override("en"):
        texts = [factor_text(f) for f in step.factors]
        assert texts[:3] == ["leads to employment in 1 step", "1 free place", "city-wide"]
        assert "target group youth" in texts


def test_the_comparison_group_and_the_fallback_are_described_in_words() -> None:
    shares: dict[str, ReasonParam] = {
        "reached_6m": 4,
        "known_6m": 5,
        "reached_12m": None,
        "known_12m": None,
    }
    similar = {**shares, "age_band": "under_25", "similar_groups": ("youth",)}
    fallback = {**similar, "comparison": "similar_too_few"}
    labels = {"youth": "Jugendliche"}
    with translation.override("de"):
        assert render_reason("outcome_similar_good", similar, group_labels=labels) == (
            "Verbleib von Teilnehmenden wie der Person (unter 25 Jahre beim Abgang, "
            "Zielgruppe Jugendliche) gut: 4 von 5 (80 %) erreichten binnen 6 Monaten ein Ziel"
        )
        assert render_reason("outcome_poor", fallback, group_labels=labels).endswith(
            "(zu wenige vergleichbare Teilnehmende (unter 25 Jahre beim Abgang, "
            "Zielgruppe Jugendliche), daher alle Abgänge des Angebots)"
        )
    with translation.override("en"):
        assert render_reason("outcome_similar_poor", {**similar, "similar_groups": ()}) == (
            "participants like this person (aged under 25 when leaving) fared poorly: "
            "4 of 5 (80%) reached a goal within 6 months"
        )
        no_age = {**shares, "comparison": "age_unknown", "age_band": None, "similar_groups": ()}
        assert render_reason("outcome_good", no_age).endswith(
            "(the person's age is unknown, so all leavers of the offer)"
        )
