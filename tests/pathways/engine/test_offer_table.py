"""The offers as columns: what a table keeps for its callers. Its rules are checked
against ``fit``'s, offer by offer, by the ranking's tests (test_next_steps.py)."""

from __future__ import annotations

import pickle

from doconnect.pathways.engine import offer_table
from doconnect.pathways.engine.inputs import Offer
from doconnect.pathways.engine.offer_table import OfferTable

OFFERS = [Offer("b", "qualification", district="Eving"), Offer("a", "coaching")]


def test_a_result_derived_from_a_source_is_computed_once_per_source_object() -> None:
    table, calls = OfferTable.of(OFFERS), []
    first, same = tuple([1, 2]), tuple([1, 2])  # equal, but two objects

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert table.kept(first, compute) == 1
    assert table.kept(first, compute) == 1
    assert table.kept(same, compute) == 2
    assert len(calls) == 2


def test_a_table_keeps_a_bounded_number_of_results_and_drops_the_oldest() -> None:
    table = OfferTable.of(OFFERS)
    sources = [(i,) for i in range(offer_table.KEEP_DERIVED + 1)]
    for i, source in enumerate(sources):
        table.kept(source, lambda i=i: i)
    assert len(table._kept) == offer_table.KEEP_DERIVED
    assert table.kept(sources[0], lambda: "again") == "again"  # the oldest was dropped
    assert table.kept(sources[-1], lambda: "again") == len(sources) - 1


def test_what_a_table_keeps_is_not_pickled_with_it() -> None:
    table = OfferTable.of(OFFERS)
    source = ("outcomes",)
    table.kept(source, lambda: "derived")
    copy = pickle.loads(pickle.dumps(table))  # noqa: S301  (our own bytes)
    assert copy._kept == {}
    assert copy.ids == ("b", "a") and list(copy.id_order) == [1, 0]
    assert copy.kept(source, lambda: "computed again") == "computed again"
