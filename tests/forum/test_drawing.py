"""The network drawing (pure): every actor inside the canvas, one legend entry per
kind present, labels that stay inside the drawing; and the demo's forum rows, both
without Django."""

from __future__ import annotations

from doconnect.forum.drawing import HEIGHT, WIDTH, draw
from doconnect.forum.network import NetworkActor, Tie, analyse_network
from tests.purity import imports_without_django


def test_the_drawing_and_the_demo_rows_import_without_django() -> None:
    assert imports_without_django("doconnect.forum.drawing", "doconnect.demo.forum") == ""


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
    assert labelled["p1"].endswith("…") and len(labelled["p1"]) <= 28
