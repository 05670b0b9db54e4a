"""The cooperation network engine on small networks worked out by hand, and against
NetworkX (betweenness, articulation points) and brute force on seeded random graphs.
Pure engine: no database."""

from __future__ import annotations

import json
import random
from itertools import combinations

import networkx as nx
import numpy as np
import pytest

from doconnect.forum.engine import betweenness as betweenness_module
from doconnect.forum.engine import network
from doconnect.forum.engine.milieu import MilieuLayout, milieu_layout
from doconnect.forum.engine.network import NetworkActor, Tie, analyse_network


def actor(actor_id: str, kind: str = "city") -> NetworkActor:
    return NetworkActor(actor_id, f"Name of {actor_id}", kind)


def star() -> tuple[list[NetworkActor], list[Tie]]:
    """A centre with four leaves."""
    actors = [actor("centre", "jobcenter")] + [actor(f"leaf-{i}", "provider") for i in range(4)]
    ties = [Tie("centre", f"leaf-{i}", "referral") for i in range(4)]
    return actors, ties


def two_triangles() -> tuple[list[NetworkActor], list[Tie]]:
    """Triangles a1-a2-a3 and b1-b2-b3, joined by the single tie a1-b1."""
    actors = [
        actor("a1", "city"),
        actor("a2", "city"),
        actor("a3", "jobcenter"),
        actor("b1", "civic"),
        actor("b2", "civic"),
        actor("b3", "provider"),
    ]
    ties = [
        Tie("a1", "a2", "session"),
        Tie("a1", "a3", "agreement"),
        Tie("a2", "a3", "shared_offer"),
        Tie("b1", "b2", "session"),
        Tie("b1", "b3", "shared_offer"),
        Tie("b2", "b3", "referral"),
        Tie("a1", "b1", "referral"),
    ]
    return actors, ties


def betweenness(report: network.NetworkReport) -> dict[str, float]:
    return {a.id: a.betweenness for a in report.actors}


def test_the_centre_of_a_star_lies_on_every_path_between_leaves() -> None:
    report = analyse_network(*star())

    # 6 pairs of leaves, all through the centre, out of (5 - 1)(5 - 2) / 2 = 6 pairs.
    assert betweenness(report) == {
        "centre": 1.0,
        "leaf-0": 0.0,
        "leaf-1": 0.0,
        "leaf-2": 0.0,
        "leaf-3": 0.0,
    }
    assert report.actors[0].id == "centre"
    assert report.actor("centre").degree == 4
    assert report.actor("centre").bridging_ties == 4
    assert report.actor("centre").bridged_kinds == ("provider",)
    assert report.actor("leaf-2").bridged_kinds == ("jobcenter",)


def test_the_centre_of_a_star_is_a_broker_splitting_it_into_four_parts() -> None:
    (broker,) = analyse_network(*star()).brokers

    assert broker.id == "centre"
    assert broker.parts == 4
    # The largest remaining part is one leaf, so three leaves are cut off from it, and
    # none of the six pairs of leaves stays connected.
    assert broker.cut_off == 3
    assert broker.pairs_cut == 6


def test_the_ends_of_a_bridge_between_two_triangles_carry_the_paths_across() -> None:
    report = analyse_network(*two_triangles())

    # a1 lies on the paths from a2 and a3 to b1, b2, b3: 2 × 3 = 6 of (6-1)(6-2)/2 = 10.
    assert betweenness(report) == pytest.approx(
        {"a1": 0.6, "b1": 0.6, "a2": 0.0, "a3": 0.0, "b2": 0.0, "b3": 0.0}
    )
    assert [a.id for a in report.actors] == ["a1", "b1", "a2", "a3", "b2", "b3"]


def test_the_ends_of_a_bridge_are_brokers_that_cut_off_the_smaller_triangle() -> None:
    brokers = {b.id: b for b in analyse_network(*two_triangles()).brokers}

    assert set(brokers) == {"a1", "b1"}
    # Without a1: {a2, a3} and {b1, b2, b3}; two actors lose the larger part, and of the
    # 10 pairs among the five remaining actors only 1 + 3 stay connected.
    assert (brokers["a1"].parts, brokers["a1"].cut_off, brokers["a1"].pairs_cut) == (2, 2, 6)
    assert (brokers["b1"].parts, brokers["b1"].cut_off, brokers["b1"].pairs_cut) == (2, 2, 6)


def test_bridging_ties_count_neighbours_of_another_kind() -> None:
    report = analyse_network(*two_triangles())

    a1 = report.actor("a1")
    assert (a1.degree, a1.bridging_ties, a1.bridged_kinds) == (3, 2, ("civic", "jobcenter"))
    a2 = report.actor("a2")
    assert (a2.degree, a2.bridging_ties, a2.bridged_kinds) == (2, 1, ("jobcenter",))


def test_the_kind_matrix_counts_ties_between_every_pair_of_present_kinds() -> None:
    report = analyse_network(*two_triangles())

    assert report.kind_matrix == {
        ("city", "city"): 1,
        ("city", "civic"): 1,
        ("city", "jobcenter"): 2,
        ("city", "provider"): 0,
        ("civic", "civic"): 1,
        ("civic", "jobcenter"): 0,
        ("civic", "provider"): 2,
        ("jobcenter", "jobcenter"): 0,
        ("jobcenter", "provider"): 0,
        ("provider", "provider"): 0,
    }


def test_isolated_actors_are_flagged_and_count_in_the_normalisation() -> None:
    actors, ties = two_triangles()
    report = analyse_network([*actors, actor("x", "union"), actor("y", "school")], ties)

    # Still 6 pairs through a1, now of (8 - 1)(8 - 2) / 2 = 21.
    assert report.actor("a1").betweenness == pytest.approx(6 / 21)
    assert report.isolated == ("x", "y")
    assert report.actor("x").isolated
    assert not report.actor("a1").isolated
    assert (report.actor("x").degree, report.actor("x").strength) == (0, 0.0)
    assert report.component_sizes == (6,)


def test_parallel_ties_are_aggregated_by_kind_and_weigh_in_the_strength() -> None:
    actors, ties = two_triangles()
    ties += [Tie("b1", "a1", "referral", 1.0), Tie("a1", "b1", "agreement", 2.0)]

    report = analyse_network(actors, ties)

    bridge = next(t for t in report.ties if {t.a, t.b} == {"a1", "b1"})
    assert (bridge.a, bridge.b) == ("a1", "b1")
    assert bridge.counts == {"agreement": 1, "referral": 2}
    assert bridge.weights == {"agreement": 2.0, "referral": 2.0}
    assert (bridge.count, bridge.weight) == (3, 4.0)
    assert len(report.ties) == 7
    a1 = report.actor("a1")
    assert (a1.degree, a1.strength) == (3, 6.0)
    # Weights do not shorten paths: betweenness is the same as with single ties.
    assert a1.betweenness == pytest.approx(0.6)


def test_aggregated_ties_are_ordered_and_have_the_smaller_id_first() -> None:
    report = analyse_network([actor("b"), actor("a"), actor("c")], [Tie("c", "a", "session")])

    assert [(t.a, t.b) for t in report.ties] == [("a", "c")]


def test_a_tie_from_an_actor_to_itself_is_ignored() -> None:
    report = analyse_network([actor("a"), actor("b")], [Tie("a", "a", "session")])

    assert report.ties == ()
    assert report.isolated == ("a", "b")
    assert report.actor("a").strength == 0.0


def test_a_tie_naming_an_unknown_actor_is_refused_with_its_id() -> None:
    with pytest.raises(ValueError, match="unknown actor 'ghost'"):
        analyse_network([actor("a")], [Tie("a", "ghost", "referral")])


def test_an_unknown_actor_is_refused_even_when_its_tie_kind_is_filtered_out() -> None:
    with pytest.raises(ValueError, match="'ghost'"):
        analyse_network([actor("a")], [Tie("ghost", "a", "referral")], tie_kinds={"session"})


@pytest.mark.parametrize(
    ("tie", "message"),
    [
        (Tie("a", "b", "friendship"), "unknown kind 'friendship'"),
        (Tie("a", "b", "session", 0.0), "weight 0.0"),
        (Tie("a", "b", "session", -1.0), "weight -1.0"),
        (Tie("a", "b", "session", float("nan")), "weight nan"),
    ],
)
def test_a_tie_of_unknown_kind_or_without_positive_weight_is_refused(
    tie: Tie, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        analyse_network([actor("a"), actor("b")], [tie])


def test_an_actor_listed_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="actor 'a' is listed twice"):
        analyse_network([actor("a"), actor("a", "civic")], [])


def test_filtering_by_actor_kind_drops_the_other_actors_and_their_ties() -> None:
    report = analyse_network(*two_triangles(), actor_kinds={"city", "jobcenter", "provider"})

    assert sorted(a.id for a in report.actors) == ["a1", "a2", "a3", "b3"]
    assert [(t.a, t.b) for t in report.ties] == [("a1", "a2"), ("a1", "a3"), ("a2", "a3")]
    assert report.isolated == ("b3",)
    assert report.brokers == ()
    assert report.actor("a1").bridged_kinds == ("jobcenter",)
    assert set(report.layout) == {"a1", "a2", "a3", "b3"}


def test_filtering_by_tie_kind_keeps_every_actor_but_only_those_ties() -> None:
    report = analyse_network(*two_triangles(), tie_kinds={"referral"})

    assert [(t.a, t.b) for t in report.ties] == [("a1", "b1"), ("b2", "b3")]
    assert report.isolated == ("a2", "a3")
    assert len(report.actors) == 6
    assert report.kind_matrix[("city", "civic")] == 1
    assert report.kind_matrix[("city", "jobcenter")] == 0


def test_an_empty_network_gives_an_empty_report() -> None:
    report = analyse_network([], [])

    assert report.to_dict() == {
        "actors": [],
        "ties": [],
        "kind_matrix": [],
        "brokers": [],
        "layout": {},
        "component_sizes": [],
        "isolated": [],
    }


def test_the_report_is_json_ready_and_independent_of_input_order() -> None:
    actors, ties = two_triangles()
    ties.append(Tie("a1", "b1", "agreement", 2.5))
    shuffled_actors, shuffled_ties = actors[:], ties[:]
    random.Random(3).shuffle(shuffled_actors)
    random.Random(4).shuffle(shuffled_ties)

    first = analyse_network(actors, ties).to_dict()
    second = analyse_network(shuffled_actors, shuffled_ties).to_dict()

    assert json.dumps(first) == json.dumps(second)
    assert json.loads(json.dumps(first))["kind_matrix"][0] == {
        "a": "city",
        "b": "city",
        "ties": 1,
    }


def test_the_layout_is_deterministic_inside_the_unit_square_with_isolated_actors_below() -> None:
    actors, ties = two_triangles()
    actors += [actor(f"iso-{i:02d}", "civic") for i in range(25)]

    layout = analyse_network(actors, ties).layout
    again = analyse_network(list(reversed(actors)), list(reversed(ties))).layout

    assert layout == again
    assert all(0.0 <= x <= 1.0 and 0.0 <= y <= 1.0 for x, y in layout.values())
    lowest_connected = max(layout[a][1] for a in ("a1", "a2", "a3", "b1", "b2", "b3"))
    isolated = [layout[f"iso-{i:02d}"] for i in range(25)]
    assert min(y for _, y in isolated) > lowest_connected
    # 25 isolated actors: two rows (20 + 5), every position distinct.
    assert len({y for _, y in isolated}) == 2
    assert len(set(layout.values())) == len(layout)


def test_the_layout_keeps_tied_actors_closer_than_untied_ones() -> None:
    layout = analyse_network(*two_triangles()).layout

    def distance(a: str, b: str) -> float:
        return float(np.hypot(layout[a][0] - layout[b][0], layout[a][1] - layout[b][1]))

    assert distance("a2", "a3") < distance("a2", "b3")
    assert distance("b2", "b3") < distance("b2", "a3")


# --------------------------------------------------------------------------- references


def random_graph(seed: int) -> nx.Graph:
    rng = random.Random(seed)
    n = rng.randint(3, 40)
    graph = nx.gnm_random_graph(n, rng.randint(0, min(3 * n, n * (n - 1) // 2)), seed=seed)
    return graph


def analysed(graph: nx.Graph) -> network.NetworkReport:
    kinds = network.ACTOR_KINDS
    actors = [actor(f"n{v:03d}", kinds[v % len(kinds)]) for v in graph]
    ties = [Tie(f"n{u:03d}", f"n{v:03d}", "session") for u, v in graph.edges]
    return analyse_network(actors, ties)


@pytest.mark.parametrize("seed", range(40))
def test_betweenness_matches_networkx_on_random_graphs(seed: int) -> None:
    graph = random_graph(seed)

    report = analysed(graph)

    expected = nx.betweenness_centrality(graph)
    assert betweenness(report) == pytest.approx({f"n{v:03d}": b for v, b in expected.items()})


@pytest.mark.parametrize("seed", range(5))
def test_betweenness_matches_networkx_when_sources_come_in_several_batches(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(betweenness_module, "BATCH_CELLS", 50)
    graph = nx.connected_watts_strogatz_graph(60, 4, 0.2, seed=seed)

    expected = nx.betweenness_centrality(graph)
    assert betweenness(analysed(graph)) == pytest.approx(
        {f"n{v:03d}": b for v, b in expected.items()}
    )


@pytest.mark.parametrize("python_step_cells", [0, 10**9])
def test_on_a_long_path_both_ways_of_counting_give_the_hand_counted_values(
    python_step_cells: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 0: always NetworkX's Brandes; 10**9: always the batched searches.
    monkeypatch.setattr(betweenness_module, "PYTHON_STEP_CELLS", python_step_cells)
    n = 30
    actors = [actor(f"p{i:02d}") for i in range(n)]
    ties = [Tie(f"p{i:02d}", f"p{i + 1:02d}", "referral") for i in range(n - 1)]

    values = betweenness(analyse_network(actors, ties))

    # The i-th actor lies between the i actors before and the n - 1 - i after it.
    pairs = (n - 1) * (n - 2) / 2
    assert values == pytest.approx({f"p{i:02d}": i * (n - 1 - i) / pairs for i in range(n)})


def brute_force_cut(graph: nx.Graph, v: int) -> tuple[int, int, int]:
    """(parts, cut_off, pairs_cut) by removing ``v`` and counting components."""
    component = nx.node_connected_component(graph, v)
    rest = graph.subgraph(component - {v})
    parts = [len(c) for c in nx.connected_components(rest)]
    before = sum(1 for _ in combinations(component - {v}, 2))
    after = sum(p * (p - 1) // 2 for p in parts)
    return len(parts), len(component) - 1 - max(parts), before - after


@pytest.mark.parametrize("seed", range(40))
def test_brokers_are_the_articulation_points_and_their_cuts_match_brute_force(
    seed: int,
) -> None:
    graph = random_graph(seed)

    report = analysed(graph)

    assert {int(b.id[1:]) for b in report.brokers} == set(nx.articulation_points(graph))
    for broker in report.brokers:
        expected = brute_force_cut(graph, int(broker.id[1:]))
        assert (broker.parts, broker.cut_off, broker.pairs_cut) == expected
    assert [(-b.cut_off, -b.pairs_cut, b.id) for b in report.brokers] == sorted(
        (-b.cut_off, -b.pairs_cut, b.id) for b in report.brokers
    )


@pytest.mark.parametrize("seed", range(10))
def test_degree_strength_and_kind_matrix_match_networkx(seed: int) -> None:
    graph = random_graph(seed)

    report = analysed(graph)

    for a in report.actors:
        assert a.degree == graph.degree(int(a.id[1:]))
        assert a.strength == float(a.degree)
        assert a.isolated == (a.degree == 0)
    assert sum(report.kind_matrix.values()) == graph.number_of_edges()


# --------------------------------------------------------------------------- milieu layout


def milieu_network() -> tuple[list[NetworkActor], list[Tie]]:
    """Four public bodies, providers, schools and a civic group, each milieu a path so
    betweenness differs inside it, ties across milieus, and three isolated actors."""
    actors = [actor("city", "city"), actor("jc", "jobcenter"), actor("aa", "federal_agency")]
    actors += [actor("land", "state")]
    actors += [actor(f"p{i}", "provider") for i in range(7)]
    actors += [actor(f"s{i}", "school") for i in range(3)]
    actors += [actor("civ", "civic")] + [actor(f"iso{i}", "provider") for i in range(3)]
    ties = [Tie(f"p{i}", f"p{i + 1}", "shared_offer") for i in range(6)]
    ties += [Tie("s0", "s1", "session"), Tie("s1", "s2", "session")]
    ties += [Tie("jc", "p3", "referral"), Tie("city", "jc", "agreement")]
    ties += [
        Tie("aa", "s1", "referral"),
        Tie("land", "civ", "agreement"),
        Tie("p6", "s0", "session"),
    ]
    ties += [
        Tie("city", "civ", "session"),
        Tie("aa", "jc", "agreement"),
        Tie("land", "p0", "session"),
    ]
    return actors, ties


def polar(layout: MilieuLayout, actor_id: str) -> tuple[float, float]:
    """Distance from the ring's centre (in units of ``y``) and angle of an actor."""
    x, y = layout.positions[actor_id]
    dx = (x - layout.centre[0]) * layout.aspect
    dy = y - layout.centre[1]
    return float(np.hypot(dx, dy)), float(np.arctan2(dy, dx))


@pytest.mark.parametrize("aspect", [1.0, 1.5])
def test_the_milieu_layout_is_deterministic_and_inside_the_unit_square(aspect: float) -> None:
    actors, ties = milieu_network()
    layout = milieu_layout(analyse_network(actors, ties).actors, aspect=aspect)
    again = milieu_layout(
        analyse_network(list(reversed(actors)), list(reversed(ties))).actors, aspect=aspect
    )
    assert layout == again
    assert set(layout.positions) == {a.id for a in actors}
    assert all(0.0 <= x <= 1.0 and 0.0 <= y <= 1.0 for x, y in layout.positions.values())
    assert len(set(layout.positions.values())) == len(actors)


def test_the_public_bodies_sit_on_the_inner_circle_and_the_others_on_the_ring() -> None:
    layout = milieu_layout(analyse_network(*milieu_network()).actors, aspect=1.5)
    for public in ("city", "jc", "aa", "land"):
        assert polar(layout, public)[0] == pytest.approx(layout.inner_radius, abs=1e-3)
    assert layout.inner_radius < layout.radius / 2
    for other in ("p0", "p6", "s1", "civ"):
        assert polar(layout, other)[0] == pytest.approx(layout.radius, abs=1e-3)


def test_each_kind_fills_one_contiguous_sector_in_the_fixed_order() -> None:
    layout = milieu_layout(analyse_network(*milieu_network()).actors)
    ring = [f"p{i}" for i in range(7)] + ["s0", "s1", "s2", "civ"]
    around = sorted(ring, key=lambda a: polar(layout, a)[1] % (2 * np.pi))
    kinds = [a[0] for a in around]
    # Cyclically, the kind changes exactly once per kind: one run each.
    changes = sum(kinds[i] != kinds[i - 1] for i in range(len(kinds)))
    assert changes == 3
    assert [s.kind for s in layout.sectors] == ["provider", "school", "civic"]
    sizes = [s.end - s.start for s in layout.sectors]
    assert sizes[0] == pytest.approx(7 * sizes[2]) and sizes[1] == pytest.approx(3 * sizes[2])


def test_the_broker_of_a_milieu_sits_in_the_middle_of_its_sector() -> None:
    report = analyse_network(*milieu_network())
    layout = milieu_layout(report.actors)
    providers = sorted(
        (a for a in report.actors if a.kind == "provider" and not a.isolated),
        key=lambda a: polar(layout, a.id)[1] % (2 * np.pi),
    )
    sector = layout.sectors[0]
    middle = (sector.start + sector.end) / 2
    top = max(providers, key=lambda a: a.betweenness)
    assert top.id == "p3"  # the middle of the provider path, tied to the Jobcenter
    x, y = layout.positions["p3"]
    expected = (
        layout.centre[0] + layout.radius * np.cos(middle),
        layout.centre[1] + layout.radius * np.sin(middle),
    )
    assert (x, y) == pytest.approx(expected, abs=1e-3)


def test_isolated_actors_lie_in_a_row_below_the_ring() -> None:
    layout = milieu_layout(analyse_network(*milieu_network()).actors)
    lowest_connected = layout.centre[1] + layout.radius
    rows = {layout.positions[f"iso{i}"][1] for i in range(3)}
    assert len(rows) == 1 and min(rows) > lowest_connected


def test_a_lone_public_body_sits_at_the_centre_and_an_empty_network_has_no_layout() -> None:
    report = analyse_network(
        [actor("jc", "jobcenter"), actor("p", "provider")], [Tie("jc", "p", "referral")]
    )
    layout = milieu_layout(report.actors)
    assert layout.positions["jc"] == pytest.approx(layout.centre)
    assert milieu_layout(()).positions == {}
    with pytest.raises(ValueError, match="aspect"):
        milieu_layout(report.actors, aspect=0)
