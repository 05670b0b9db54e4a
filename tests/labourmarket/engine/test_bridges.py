from datetime import date

import pytest

from doconnect.labourmarket.engine.bridges import (
    BridgeRules,
    Offer,
    OfferUse,
    Target,
    bridges,
    targets_from_shortage,
)
from doconnect.labourmarket.engine.kldb import KldbError
from doconnect.labourmarket.engine.shortage import ShortageRules, shortage_table

# The shortage occupation 26123 misses 5 job seekers. Nearby:
#   26122  4 job seekers, same Berufsuntergruppe one skill level up (distance 1);
#          2 of its 4 observed moves went to 26123 (share 1/2)
#          score = 0.5·(1 − 1/7) + 0.5·1/2 = 3/7 + 1/4 ≈ 0.679, needs an offer (skill up)
#   26113  3 job seekers, same Berufsgruppe, same level (distance 1), no moves
#          score = 0.5·6/7 = 3/7 ≈ 0.429, no offer needed
#   51312  6 job seekers, nothing shared, one level up (distance 5), but 4 of its 8 moves
#          went to 26123: score = 0.5·2/7 + 0.5·1/2 ≈ 0.393, needs an offer
#   26212  distance 3, no moves: not a candidate
# Offers for 26123: O3 for 26123 itself (exact, 1 place), O1 for 26122 (same
# Berufsgruppe 261, 3 places); O2 (43412) and O4 (26212, Berufsgruppe 262) do not qualify.
# Down the list: 26122 takes 4 (O3's 1 first, then O1's 3), gap 1 left; 26113 takes 1;
# 51312 gets 0.
TARGETS = [Target("26123", 5)]
JOB_SEEKERS = {"26122": 4, "26113": 3, "51312": 6, "26212": 9}
MOVES = {
    ("26122", "26123"): 2,
    ("26122", "43412"): 2,
    ("51312", "26123"): 4,
    ("51312", "51212"): 4,
    ("51312", "51312"): 50,  # staying is not a move
}
OFFERS = [
    Offer("O1", "Weiterbildung Mechatronik", "course", ("26122",), 3),
    Offer("O2", "Fachinformatik", "course", ("43412",), 10),
    Offer("O3", "Meisterkurs", "course", ("26123",), 1),
    Offer("O4", "Elektroniker/in", "course", ("26212",), 8),
]


def test_candidates_are_ranked_by_hierarchy_nearness_and_observed_moves() -> None:
    ranked = bridges(TARGETS, JOB_SEEKERS, MOVES, OFFERS)

    assert [p.source for p in ranked] == ["26122", "26113", "51312"]
    assert [p.score for p in ranked] == pytest.approx([3 / 7 + 1 / 4, 3 / 7, 1 / 7 + 1 / 4])
    assert [p.rank for p in ranked] == [1, 2, 3]


def test_each_potential_carries_its_evidence() -> None:
    first, second, third = bridges(TARGETS, JOB_SEEKERS, MOVES, OFFERS)

    assert (first.moves, first.move_share, first.distance.total) == (2, 0.5, 1)
    assert first.reasons == (
        "same_berufsuntergruppe",
        "skill_up",
        "needs_offer",
        "offer_same_occupation",
        "offer_same_berufsgruppe",
    )
    assert second.reasons == ("same_berufsgruppe",)
    assert third.reasons == (
        "observed_moves",
        "skill_up",
        "needs_offer",
        "no_offer_places",
        "gap_closed",
    )


def test_the_gap_is_closed_down_the_list_with_offer_places_counted_once() -> None:
    first, second, third = bridges(TARGETS, JOB_SEEKERS, MOVES, OFFERS)

    assert first.potential == 4
    assert first.offers == (OfferUse("O3", 1, "exact"), OfferUse("O1", 3, "berufsgruppe"))
    assert (second.potential, second.offers) == (1, ())
    assert (third.potential, third.offers) == (0, ())


def test_without_offer_places_a_move_up_a_skill_level_closes_nothing() -> None:
    ranked = bridges(TARGETS, JOB_SEEKERS, MOVES, [OFFERS[1]])

    assert [(p.source, p.potential) for p in ranked] == [("26122", 0), ("26113", 3), ("51312", 0)]


def test_offers_match_by_the_exact_code_else_the_berufsgruppe_else_not() -> None:
    mechatronik, fachinformatik, meister, elektronik = OFFERS

    assert meister.match("26123") == "exact"
    assert mechatronik.match("26123") == "berufsgruppe"
    assert elektronik.match("26123") is None  # 262 is another Berufsgruppe
    assert fachinformatik.match("26123") is None


def test_an_offer_for_any_occupation_is_taken_after_the_matching_ones() -> None:
    anything = Offer("O9", "Deutsch für den Beruf", "course", (), 50, any_occupation=True)
    first, *_ = bridges(TARGETS, JOB_SEEKERS, MOVES, [anything, OFFERS[2]])

    assert first.offers == (OfferUse("O3", 1, "exact"), OfferUse("O9", 3, "any"))
    assert first.reasons[-2:] == ("offer_same_occupation", "offer_any_occupation")


def test_an_offer_with_a_code_that_is_no_occupation_is_refused() -> None:
    with pytest.raises(KldbError):
        bridges(TARGETS, JOB_SEEKERS, MOVES, [Offer("X", "x", "course", ("2612",), 1)])


def test_the_rules_widen_or_narrow_the_candidates() -> None:
    wide = bridges(TARGETS, JOB_SEEKERS, MOVES, OFFERS, BridgeRules(max_distance=3))
    hierarchy_only = bridges(TARGETS, JOB_SEEKERS, MOVES, OFFERS, BridgeRules(min_moves=99))

    assert "26212" in [p.source for p in wide]
    assert [p.source for p in hierarchy_only] == ["26122", "26113"]


def test_targets_come_from_the_shortage_rows_with_the_gap_to_the_threshold() -> None:
    table = shortage_table({"26123": 10}, {"26123": 8}, as_of=date(2025, 1, 1), rules=None)
    # No vacancy records: the duration is unknown, so no shortage is confirmed.
    assert targets_from_shortage(table) == []

    table = shortage_table(
        {"26123": 10},
        {"26123": 8},
        as_of=date(2025, 1, 1),
        rules=ShortageRules(long_vacancies=False),
    )
    # ceil(1.5 · 8) − 10 = 2 job seekers missing.
    assert targets_from_shortage(table) == [Target("26123", 2)]
