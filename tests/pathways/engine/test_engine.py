"""The pathways engine on small hand-made landscapes, and against a NetworkX reference on
random ones. Pure engine: no database."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from doconnect.pathways.engine.analysis import analyse_pathways
from doconnect.pathways.engine.coverage import find_bottlenecks, find_gaps
from doconnect.pathways.engine.empirical import empirical_dead_ends
from doconnect.pathways.engine.fit import route
from doconnect.pathways.engine.inputs import (
    FollowOn,
    LeaverOutcome,
    Offer,
    PathwayConfig,
    PathwayError,
    UnknownOfferError,
)
from doconnect.pathways.engine.offer_graph import build_graph

GOALS = ("apprenticeship", "employment", "higher_education", "self_employment")


def offer(
    offer_id: str,
    kind: str = "qualification",
    status: str = "active",
    district: str | None = "Eving",
    groups: tuple[str, ...] = ("youth",),
    capacity: int | None = 10,
) -> Offer:
    return Offer(
        offer_id,
        kind=kind,
        status=status,
        district=district,
        target_groups=groups,
        capacity=capacity,
    )


def link(source: str, target: str) -> FollowOn:
    return FollowOn.parse(source, target)


def dead_end_ids(offers: Iterable[Offer], links: Iterable[FollowOn]) -> list[str]:
    return [d.offer for d in analyse_pathways(offers, links).dead_ends]


def test_a_chain_that_reaches_a_destination_has_no_dead_end_and_counts_its_steps() -> None:
    offers = [offer("o-1", "low_threshold"), offer("o-2"), offer("o-3", "job_placement")]
    links = [link("o-1", "o-2"), link("o-2", "o-3"), link("o-3", "destination:employment")]

    report = analyse_pathways(offers, links)

    assert report.dead_ends == ()
    assert report.distances.to("o-1", "employment") == 3
    assert report.distances.to("o-3", "employment") == 1
    assert report.distances.to("o-1", "apprenticeship") is None
    assert report.distances.for_offer("o-2") == {"employment": 2}


def test_a_cycle_without_exit_is_a_dead_end_and_its_reason_names_the_cycle() -> None:
    offers = [offer("o-1"), offer("o-3"), offer("o-4"), offer("o-5")]
    links = [
        link("o-1", "o-3"),
        link("o-3", "o-4"),
        link("o-4", "o-3"),
        link("o-5", "destination:employment"),
    ]

    report = analyse_pathways(offers, links)

    by_id = {d.offer: d for d in report.dead_ends}
    assert sorted(by_id) == ["o-1", "o-3", "o-4"]
    assert by_id["o-3"].cause == "cycle"
    assert by_id["o-3"].reason == "follow-ons only lead in a cycle (o-3, o-4)"
    assert by_id["o-3"].cycle == ("o-3", "o-4")
    # o-1 leads into the cycle but is not part of it.
    assert by_id["o-1"].cause == "dead_end_follow_ons"
    assert "o-3" in by_id["o-1"].reason


def test_a_cycle_with_an_exit_is_no_dead_end() -> None:
    offers = [offer("o-1"), offer("o-2")]
    links = [link("o-1", "o-2"), link("o-2", "o-1"), link("o-2", "destination:apprenticeship")]

    assert dead_end_ids(offers, links) == []


def test_a_path_through_a_suspended_offer_is_cut_and_the_reason_names_that_offer() -> None:
    offers = [
        offer("o-1", "low_threshold"),
        offer("o-2"),
        offer("o-9", status="suspended"),
        offer("o-10", "job_placement"),
    ]
    links = [
        link("o-1", "o-2"),
        link("o-2", "o-9"),
        link("o-9", "o-10"),
        link("o-10", "destination:employment"),
    ]

    report = analyse_pathways(offers, links)

    by_id = {d.offer: d for d in report.dead_ends}
    assert sorted(by_id) == ["o-1", "o-2"]
    for dead_end in by_id.values():
        assert dead_end.cause == "closed_offer"
        assert dead_end.reachable_if_reopened
        assert dead_end.blocked_by == ("o-9",)
        assert dead_end.reason == "only path runs through suspended offer o-9"
    # The closed offer is no dead end itself; the report says whom it cut off.
    assert [(c.offer, c.status, c.stranded) for c in report.closures] == [
        ("o-9", "suspended", ("o-1", "o-2"))
    ]
    assert report.distances.to("o-1", "employment") is None


def test_a_follow_on_to_an_ended_offer_makes_a_dead_end() -> None:
    offers = [offer("o-1"), offer("o-2", status="ended")]
    links = [link("o-1", "o-2"), link("o-2", "destination:employment")]

    report = analyse_pathways(offers, links)

    (dead_end,) = report.dead_ends
    assert dead_end.offer == "o-1"
    assert dead_end.reason == "only path runs through ended offer o-2"
    assert report.closures[0].status == "ended"


def test_an_ended_offer_that_leads_nowhere_does_not_count_as_cutting_a_path() -> None:
    offers = [offer("o-1"), offer("o-2", status="ended")]
    links = [link("o-1", "o-2")]

    (dead_end,) = analyse_pathways(offers, links).dead_ends

    assert not dead_end.reachable_if_reopened
    assert dead_end.blocked_by == ()
    assert dead_end.reason == "follow-ons lead only to dead ends or closed offers: o-2 (ended)"


def test_several_closed_offers_on_the_cut_paths_are_all_named() -> None:
    offers = [offer("o-1"), offer("o-2", status="ended"), offer("o-3", status="suspended")]
    links = [
        link("o-1", "o-2"),
        link("o-1", "o-3"),
        link("o-2", "destination:employment"),
        link("o-3", "destination:employment"),
    ]

    (dead_end,) = analyse_pathways(offers, links).dead_ends

    assert dead_end.blocked_by == ("o-2", "o-3")
    assert dead_end.reason == ("paths run only through closed offers o-2 (ended), o-3 (suspended)")


def test_an_offer_without_follow_on_and_one_leading_only_to_school_are_dead_ends() -> None:
    offers = [offer("o-1"), offer("o-2")]
    links = [link("o-2", "destination:school")]

    by_id = {d.offer: d for d in analyse_pathways(offers, links).dead_ends}

    assert by_id["o-1"].reason == "no follow-on at all"
    assert by_id["o-2"].cause == "non_goal_destination"
    assert by_id["o-2"].reason == "follow-ons lead only to school, which is not a goal destination"


def test_the_goal_set_is_configurable() -> None:
    offers = [offer("o-1")]
    links = [link("o-1", "destination:school")]

    report = analyse_pathways(offers, links, PathwayConfig(goals=frozenset({"school"})))

    assert report.dead_ends == ()
    assert report.goals == ("school",)


def test_an_offer_that_is_the_single_bridge_is_found_with_the_count_it_strands() -> None:
    # o-1 and o-2 reach work only through o-3; o-4 has its own second route.
    offers = [offer(f"o-{i}") for i in range(1, 7)]
    links = [
        link("o-1", "o-2"),
        link("o-2", "o-3"),
        link("o-4", "o-3"),
        link("o-4", "o-5"),
        link("o-3", "o-6"),
        link("o-5", "destination:employment"),
        link("o-6", "destination:employment"),
    ]

    bridges = {b.offer: b for b in analyse_pathways(offers, links).single_bridges}

    assert bridges["o-3"].stranded == ("o-1", "o-2")
    assert bridges["o-3"].stranded_count == 2
    # o-6 carries everything o-3 carries, plus o-3 itself.
    assert bridges["o-6"].stranded == ("o-1", "o-2", "o-3")
    assert bridges["o-2"].stranded == ("o-1",)
    assert "o-4" not in bridges and "o-5" not in bridges


def test_the_single_bridges_come_most_stranding_first() -> None:
    offers = [offer(f"o-{i}") for i in range(1, 5)]
    links = [link("o-1", "o-2"), link("o-2", "o-3"), link("o-3", "destination:employment")]

    bridges = analyse_pathways(offers, links).single_bridges

    assert [(b.offer, b.stranded_count) for b in bridges] == [("o-3", 2), ("o-2", 1)]


def test_a_follow_on_to_an_unknown_id_raises_a_clear_error_naming_both_ids() -> None:
    with pytest.raises(UnknownOfferError, match="'o-1' to unknown offer 'o-404'") as caught:
        build_graph([offer("o-1")], [link("o-1", "o-404")])

    assert caught.value.from_offer == "o-1"
    assert caught.value.target == "o-404"


def test_a_follow_on_from_an_unknown_id_raises_a_clear_error_naming_both_ids() -> None:
    with pytest.raises(UnknownOfferError, match="unknown offer 'o-404' to 'o-1'"):
        build_graph([offer("o-1")], [link("o-1", "destination:employment"), link("o-404", "o-1")])


def test_unknown_destinations_duplicate_ids_and_bad_links_are_rejected() -> None:
    with pytest.raises(PathwayError, match="unknown destination 'moon'"):
        build_graph([offer("o-1")], [link("o-1", "destination:moon")])
    with pytest.raises(PathwayError, match="'o-1' appears more than once"):
        build_graph([offer("o-1"), offer("o-1")], [])
    with pytest.raises(PathwayError, match="exactly one"):
        FollowOn("o-1", to_offer="o-2", destination="employment")
    with pytest.raises(PathwayError, match="status 'closed'"):
        offer("o-1", status="closed")


def test_an_empty_catalogue_gives_an_empty_report() -> None:
    report = analyse_pathways([], [])

    assert report.offer_count == 0
    assert report.dead_ends == report.closures == report.single_bridges == ()
    assert report.coverage == report.bottlenecks == ()
    assert report.distances.steps.shape == (0, 4)
    assert report.to_dict()["dead_ends"] == []


def test_only_inactive_offers_give_no_dead_ends_but_a_full_distance_table() -> None:
    report = analyse_pathways([offer("o-1", status="ended")], [link("o-1", "o-1")])

    assert report.dead_ends == ()
    assert report.distances.for_offer("o-1") == {}


def test_gaps_are_listed_per_district_and_target_group() -> None:
    offers = [
        offer("e-1", "low_threshold", district="Eving", groups=("youth",)),
        offer("e-2", "low_threshold", district=None, groups=("long_term",)),  # city-wide
        offer("e-3", "low_threshold", district="Hörde", groups=()),  # open to all groups
        offer("e-4", "low_threshold", status="suspended", district="Mengede", groups=("youth",)),
        offer("q-1", district="Mengede", groups=("youth",)),
        offer("j-1", "job_placement"),
    ]
    links = [
        link("e-1", "j-1"),
        link("e-2", "q-1"),
        link("e-3", "destination:school"),
        link("e-4", "j-1"),
        link("q-1", "destination:apprenticeship"),
        link("j-1", "destination:employment"),
    ]
    graph = build_graph(offers, links)

    cells = {(c.district, c.target_group): c for c in find_gaps(graph, districts=("Brackel",))}

    assert sorted(cells) == [
        (d, g) for d in ("Brackel", "Eving", "Hörde", "Mengede") for g in ("long_term", "youth")
    ]
    eving_youth = cells[("Eving", "youth")]
    assert eving_youth.entry_count == 1
    assert [(r.goal, r.entry, r.steps) for r in eving_youth.routes] == [("employment", "e-1", 2)]
    assert eving_youth.missing == ("apprenticeship", "higher_education", "self_employment")
    # The city-wide entry serves every district, even one without any offer.
    assert cells[("Brackel", "long_term")].routes[0].entry == "e-2"
    assert cells[("Brackel", "long_term")].routes[0].goal == "apprenticeship"
    # A suspended entry is no entry.
    assert not cells[("Mengede", "youth")].has_entry
    assert cells[("Brackel", "youth")].is_gap and not cells[("Brackel", "youth")].has_entry
    # An entry open to all groups that leads only to school is an entry without a goal.
    assert cells[("Hörde", "youth")].entry_count == 1
    assert cells[("Hörde", "youth")].routes == ()
    report = analyse_pathways(offers, links, PathwayConfig(districts=("Brackel",)))
    assert len(report.gaps) == len(report.coverage) == 8


def test_a_landscape_without_districts_or_target_groups_has_one_city_wide_cell() -> None:
    offers = [offer("e-1", "low_threshold", district=None, groups=())]

    (cell,) = analyse_pathways(offers, [link("e-1", "destination:employment")]).coverage

    assert (cell.district, cell.target_group, cell.entry_count) == ("all", "all", 1)
    assert cell.missing == ("apprenticeship", "higher_education", "self_employment")


def test_a_follow_on_with_far_fewer_places_than_feed_into_it_is_a_bottleneck() -> None:
    offers = [
        offer("f-1", capacity=100),
        offer("f-2", capacity=60),
        offer("f-3", capacity=None),
        offer("small", capacity=20),
        offer("wide", capacity=200),
        offer("closed", status="ended", capacity=500),
    ]
    links = [
        link("f-1", "small"),
        link("f-2", "small"),
        link("f-2", "wide"),
        link("f-3", "small"),
        link("closed", "small"),
        link("small", "destination:employment"),
        link("wide", "destination:employment"),
    ]
    graph = build_graph(offers, links)

    (bottleneck,) = find_bottlenecks(graph, ratio=0.5)

    # f-1 sends all its 100 places, f-2 half of its 60; f-3 (unknown) and the ended
    # offer do not count.
    assert bottleneck.offer == "small"
    assert bottleneck.inflow == pytest.approx(130)
    assert bottleneck.ratio == pytest.approx(20 / 130)
    assert bottleneck.feeder_count == 2
    assert bottleneck.top_feeders == (("f-1", 100.0), ("f-2", 30.0))
    full = find_bottlenecks(graph, ratio=0.5, split_inflow=False)
    assert full[0].inflow == pytest.approx(160)
    assert find_bottlenecks(graph, ratio=0.1) == ()


def outcomes(offer_id: str, reached_6: int, reached_12: int, total: int) -> list[LeaverOutcome]:
    return [
        LeaverOutcome(offer_id, date(2025, 1, 1), i < reached_6, i < reached_12)
        for i in range(total)
    ]


def test_the_empirical_small_number_rule_leaves_fewer_than_five_leavers_unjudged() -> None:
    data = (
        outcomes("few", 0, 0, 4)
        + outcomes("poor", 1, 2, 10)
        + outcomes("good", 4, 7, 10)
        + [LeaverOutcome("recent", date(2026, 9, 1), False, None) for _ in range(6)]
    )

    results = {r.offer: r for r in empirical_dead_ends(["few", "poor", "good", "recent"], data)}

    assert not results["few"].judged and not results["few"].flagged
    assert results["few"].reason.startswith("too few to judge")
    poor = results["poor"]
    assert (poor.share_6m, poor.share_12m) == (0.1, 0.2)
    assert poor.flagged
    assert "1 of 10 leavers (10%) reached a goal within 6 months, below 20%" in poor.reason
    assert "2 of 10 leavers (20%) reached a goal within 12 months, below 30%" in poor.reason
    assert not results["good"].flagged
    # Twelve months have not passed for anyone yet: only the 6-month share is judged.
    assert results["recent"].share_12m is None and results["recent"].flagged


def test_empirical_outcomes_for_an_unknown_offer_raise_a_clear_error() -> None:
    with pytest.raises(UnknownOfferError, match="'ghost'"):
        empirical_dead_ends(["o-1"], outcomes("ghost", 1, 1, 5))


def test_the_report_carries_the_empirical_dead_ends_and_serialises_to_json() -> None:
    offers = [offer("o-1"), offer("o-2")]
    links = [link("o-1", "o-2"), link("o-2", "o-1")]
    config = PathwayConfig(min_share_12m=0.5)

    report = analyse_pathways(offers, links, config, outcomes("o-1", 1, 2, 6))

    assert [r.offer for r in report.empirical_dead_ends] == ["o-1"]
    data = json.loads(json.dumps(report.to_dict()))
    assert [d["offer"] for d in data["dead_ends"]] == ["o-1", "o-2"]
    assert data["dead_ends"][0]["reason"] == "follow-ons only lead in a cycle (o-1, o-2)"
    assert set(data) >= {"dead_ends", "gaps", "single_bridges"}


# --------------------------------------------------------------------------- reference


def reference(offers: list[Offer], links: list[FollowOn]) -> dict[str, object]:
    """The analyses by brute force over NetworkX: reachability per offer, one removal
    per offer for the bridges, and immediate dominators for the same counts."""
    active = {o.id for o in offers if o.status == "active"}
    full = nx.DiGraph()
    full.add_nodes_from(o.id for o in offers)
    full.add_nodes_from(f"goal:{g}" for g in GOALS)
    for item in links:
        if item.to_offer is not None:
            full.add_edge(item.from_offer, item.to_offer)
        elif item.destination in GOALS:
            full.add_edge(item.from_offer, f"goal:{item.destination}")
    goal_nodes = {f"goal:{g}" for g in GOALS}

    def reaching(graph: nx.DiGraph, passable: set[str]) -> set[str]:
        sub = graph.subgraph(passable | goal_nodes)
        found: set[str] = set()
        for goal in goal_nodes:
            found |= nx.ancestors(sub, goal)
        return found & passable

    alive = reaching(full, active)
    dead = sorted(active - alive)
    relaxed = reaching(full, set(full.nodes) - goal_nodes)
    sub = full.subgraph(active | goal_nodes)
    distances = {}
    for o in sorted(active):
        for g in GOALS:
            if nx.has_path(sub, o, f"goal:{g}"):
                distances[(o, g)] = nx.shortest_path_length(sub, o, f"goal:{g}")
    stranded = {}
    for x in sorted(active):
        lost = alive - reaching(full, active - {x}) - {x}
        if lost:
            stranded[x] = sorted(lost)
    dominator_graph = nx.DiGraph(sub.subgraph(alive).reverse(copy=True))
    dominator_graph.add_node("*")
    dominator_graph.add_edges_from(
        ("*", o) for o in alive if any(sub.has_edge(o, g) for g in goal_nodes)
    )
    idom = nx.immediate_dominators(dominator_graph, "*")
    dominated: dict[str, int] = {}
    for node in idom:
        up = idom[node]
        while up != "*":
            dominated[up] = dominated.get(up, 0) + 1
            up = idom[up]
    blockers = {}
    for d in dead:
        seen = {d}
        stack = [d]
        found = set()
        while stack:
            node = stack.pop()
            for nxt in full.successors(node):
                if nxt in active and nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
                elif nxt not in active and nxt in relaxed:
                    found.add(nxt)
        blockers[d] = (d in relaxed, sorted(found))
    return {
        "dead": dead,
        "distances": distances,
        "stranded": stranded,
        "dominated": {k: v for k, v in dominated.items() if v},
        "blockers": blockers,
    }


@st.composite
def landscapes(draw: st.DrawFn) -> tuple[list[Offer], list[FollowOn]]:
    n = draw(st.integers(min_value=0, max_value=12))
    ids = [f"o-{i}" for i in range(n)]
    statuses = draw(
        st.lists(st.sampled_from(["active"] * 4 + ["suspended", "ended"]), min_size=n, max_size=n)
    )
    offers = [offer(i, status=s) for i, s in zip(ids, statuses, strict=True)]
    if not n:
        return offers, []
    pairs = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=3 * n))
    exits = draw(
        st.lists(st.tuples(st.sampled_from(ids), st.sampled_from([*GOALS, "school"])), max_size=n)
    )
    links = [FollowOn(a, to_offer=b) for a, b in pairs]
    links += [FollowOn(a, destination=d) for a, d in exits]
    return offers, links


@settings(max_examples=300, deadline=None)
@given(landscapes())
def test_the_engine_agrees_with_a_networkx_reference_on_random_landscapes(
    landscape: tuple[list[Offer], list[FollowOn]],
) -> None:
    offers, links = landscape
    expected = reference(offers, links)

    report = analyse_pathways(offers, links)

    assert [d.offer for d in report.dead_ends] == expected["dead"]
    distances = {
        (o, g): report.distances.to(o, g)
        for o in report.distances.offers
        for g in GOALS
        if report.distances.to(o, g) is not None
    }
    assert distances == expected["distances"]
    assert {b.offer: list(b.stranded) for b in report.single_bridges} == expected["stranded"]
    assert {b.offer: b.stranded_count for b in report.single_bridges} == expected["dominated"]
    assert {
        d.offer: (d.reachable_if_reopened, list(d.blocked_by)) for d in report.dead_ends
    } == expected["blockers"]


@given(landscapes())
def test_every_offers_route_at_once_is_the_route_of_each_offer_alone(
    landscape: tuple[list[Offer], list[FollowOn]],
) -> None:
    # Distances.routes(goal) is what a person page ranks by; fit.route the single case.
    offers, links = landscape
    distances = analyse_pathways(offers, links).distances
    for goal in (None, *GOALS, "no-such-goal"):
        routes = distances.routes(goal)
        assert routes == {o: route(o, goal, distances) for o in distances.offers}
        assert distances.routes(goal) is routes  # kept for the next person
