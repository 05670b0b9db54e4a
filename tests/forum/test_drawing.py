"""The network drawing (pure): every actor inside the canvas, one legend entry per
kind present, labels only for the public bodies and the top brokers, placed outside the
ring without overlapping, bridging ties marked; and the demo's forum rows, both without
Django."""

from __future__ import annotations

import itertools
import math

import pytest

from doconnect.forum.engine import drawing as drawing_module
from doconnect.forum.engine.drawing import HEIGHT, LABEL_CHARS, LINE_HEIGHT, WIDTH, draw
from doconnect.forum.engine.network import NetworkActor, Tie, analyse_network


def test_actors_lie_inside_the_canvas_with_a_legend_by_kind() -> None:
    actors = [
        NetworkActor("city", "Stadt", "city"),
        NetworkActor("jc", "Jobcenter", "jobcenter"),
        NetworkActor("p1", "Träger mit einem sehr langen Namen im Quartier", "provider"),
        NetworkActor("ini", "Initiative", "civic"),
    ]
    ties = [Tie("city", "jc", "agreement"), Tie("jc", "p1", "shared_offer", 2.0)]
    drawing = draw(analyse_network(actors, ties), {"city": "Stadt", "civic": "Zivil"})
    assert len(drawing.actors) == 4 and len(drawing.ties) == 2
    for actor in drawing.actors:
        assert 0 <= actor.x <= WIDTH and 0 <= actor.y <= HEIGHT
        if actor.anchor == "end":
            assert actor.label_x < actor.x
    assert [e.kind for e in drawing.legend] == ["city", "civic", "jobcenter", "provider"]
    assert drawing.legend[0].label == "Stadt"
    labelled = {a.id: a.label for a in drawing.actors}
    assert labelled["ini"] == ""  # isolated actors are listed, not labelled
    assert labelled["p1"] == ""  # a provider no path runs through
    assert labelled["jc"] == "Jobcenter" and labelled["city"] == "Stadt"


def test_a_long_name_is_shortened_in_the_label_and_whole_in_the_name() -> None:
    actors = [
        NetworkActor("jc", "Jobcenter", "jobcenter"),
        NetworkActor("p1", "Träger mit einem sehr langen Namen im Quartier Nord", "provider"),
        NetworkActor("p2", "Zweiter", "provider"),
        NetworkActor("p3", "Dritter", "provider"),
    ]
    ties = [Tie("jc", "p1", "referral"), Tie("p1", "p2", "session"), Tie("p2", "p3", "session")]
    actor = {a.id: a for a in draw(analyse_network(actors, ties), {}).actors}["p1"]
    assert actor.label.endswith("…") and len(actor.label) == LABEL_CHARS
    assert actor.name == "Träger mit einem sehr langen Namen im Quartier Nord"


def city_of_brokers() -> tuple[list[NetworkActor], list[Tie]]:
    """Four public bodies and a long chain of 16 providers (the middle ones broker most),
    a school at each end of the chain and an isolated initiative."""
    actors = [
        NetworkActor("city", "Stadt", "city"),
        NetworkActor("jc", "Jobcenter", "jobcenter"),
        NetworkActor("aa", "Agentur für Arbeit", "federal_agency"),
        NetworkActor("land", "Land", "state"),
        NetworkActor("s1", "Schule 1", "school"),
        NetworkActor("s2", "Schule 2", "school"),
        NetworkActor("ini", "Initiative", "civic"),
    ] + [NetworkActor(f"p{i:02d}", f"Träger {i}", "provider") for i in range(16)]
    ties = [Tie(f"p{i:02d}", f"p{i + 1:02d}", "shared_offer") for i in range(15)]
    ties += [Tie("s1", "p00", "session"), Tie("p15", "s2", "session", 30.0)]
    ties += [Tie("city", "jc", "agreement"), Tie("jc", "aa", "agreement")]
    ties += [Tie("aa", "land", "agreement"), Tie("land", "s1", "referral")]
    return actors, ties


def test_only_the_public_bodies_and_the_top_brokers_are_labelled() -> None:
    report = analyse_network(*city_of_brokers())
    brokers = sorted(
        (
            a
            for a in report.actors
            if a.kind not in ("city", "jobcenter", "federal_agency", "state")
        ),
        key=lambda a: (-a.betweenness, -a.degree, a.id),
    )
    expected = {"city", "jc", "aa", "land"} | {a.id for a in brokers[:10]}
    for layout in ("milieu", "spring"):
        drawing = draw(report, {}, layout=layout)
        assert {a.id for a in drawing.labelled} == expected, layout
        assert len(drawing.labelled) == 4 + drawing_module.LABELLED_BROKERS


def test_labels_on_the_ring_lie_outside_it_and_never_on_top_of_each_other() -> None:
    drawing = draw(analyse_network(*city_of_brokers()), {})
    assert drawing.centre is not None
    (cx, cy), ring = drawing.centre, drawing.ring
    for anchor in ("start", "end"):
        ys = sorted(a.label_y for a in drawing.labelled if a.anchor == anchor)
        assert all(b - a >= LINE_HEIGHT - 0.11 for a, b in itertools.pairwise(ys))
    for actor in drawing.labelled:
        assert 0 <= actor.label_x <= WIDTH and 0 <= actor.label_y <= HEIGHT
        # Text runs away from the ring: rightwards on its right half, leftwards on its left.
        assert (actor.anchor == "start") == (actor.label_x >= actor.x)
        assert (actor.label_x - actor.x) * (actor.x - cx) >= 0
        if actor.kind == "provider":
            assert math.hypot(actor.x - cx, actor.y - cy) == pytest.approx(ring, abs=0.5)
            assert math.hypot(actor.label_x - cx, actor.label_y - cy) > ring + actor.r


def test_ties_between_kinds_are_bridging_and_drawn_on_top_of_the_others() -> None:
    drawing = draw(analyse_network(*city_of_brokers()), {})
    bridging = {t.title for t in drawing.ties if t.bridging}
    assert "Träger 15 – Schule 2" in bridging and "Stadt – Jobcenter" in bridging
    assert "Träger 0 – Träger 1" not in bridging
    assert {t.css_class for t in drawing.ties if t.bridging} == {"forum-tie-bridging"}
    assert {t.css_class for t in drawing.ties if not t.bridging} == {"forum-tie-within"}
    flags = [t.bridging for t in drawing.ties]
    assert flags == sorted(flags)  # within a kind first, bridging ones on top
    heavy = next(t for t in drawing.ties if t.title == "Träger 15 – Schule 2")
    light = next(t for t in drawing.ties if t.title == "Träger 0 – Träger 1")
    assert light.width < heavy.width <= drawing_module.MAX_TIE_WIDTH


def test_the_spring_layout_is_drawn_from_the_engine_and_an_unknown_layout_refused() -> None:
    report = analyse_network(*city_of_brokers())
    spring = draw(report, {}, layout="spring")
    milieu = draw(report, {})
    assert spring.layout == "spring" and milieu.layout == "milieu"
    assert {(a.x, a.y) for a in spring.actors} != {(a.x, a.y) for a in milieu.actors}
    for actor in spring.actors + milieu.actors:
        assert actor.x - actor.r >= 0 and actor.x + actor.r <= WIDTH
        assert actor.y - actor.r >= 0 and actor.y + actor.r <= HEIGHT
        assert not math.isnan(actor.x)
    with pytest.raises(ValueError, match="layout"):
        draw(report, {}, layout="circle")


def test_a_public_body_at_the_centre_gets_a_shorter_label_than_on_the_spring() -> None:
    actors = [
        NetworkActor("city", "Stadt Dortmund – Wirtschafts- und Beschäftigungsförderung", "city"),
        NetworkActor("p", "Träger", "provider"),
    ]
    report = analyse_network(actors, [Tie("city", "p", "session")])
    milieu = {a.id: a for a in draw(report, {}).actors}["city"]
    spring = {a.id: a for a in draw(report, {}, layout="spring").actors}["city"]
    assert len(milieu.label) == drawing_module.CENTRE_LABEL_CHARS < len(spring.label)
