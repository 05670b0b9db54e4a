"""The demo city's conference: actors of every kind with profiles, the public bodies'
programmes, sessions with agenda, minutes and decisions, commitments in every status
(some overdue, some public); deterministic from the seed; its pages work for the demo
coordinator."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from doconnect.core.models import Organisation
from doconnect.demo.generator import CityGenerator
from doconnect.forum.analyses import cooperation_network, overlap_report
from doconnect.forum.models import (
    ActorProfile,
    Commitment,
    ConferenceSession,
    Minutes,
    Programme,
)
from doconnect.forum.selectors import overdue
from tests.conftest import TODAY, logged_in


def _forum_rows(seed: int) -> list[tuple[str, list[tuple[object, ...]]]]:
    generator = CityGenerator(seed, 0.05)
    for name, build in generator.phases():
        tables = build()
        if name == "forum":
            return [(t.label, t.rows) for t in tables]
    raise AssertionError("no forum phase")


def test_the_forum_phase_is_deterministic_from_the_seed() -> None:
    assert _forum_rows(7) == _forum_rows(7)
    assert _forum_rows(7) != _forum_rows(8)


@pytest.fixture
def demo_city(db: None) -> None:
    call_command("demo", "--scale", "0.05", stdout=io.StringIO(), stderr=io.StringIO())


def test_the_demo_conference_has_actors_programmes_sessions_and_commitments(
    demo_city: None,
) -> None:
    kinds = set(ActorProfile.objects.values_list("organisation__kind", flat=True).distinct())
    assert {
        "city",
        "jobcenter",
        "federal_agency",
        "state",
        "provider",
        "chamber",
        "union",
        "civic",
    } <= kinds
    assert Organisation.objects.filter(kind="civic").count() >= 3
    assert set(Programme.objects.values_list("actor__kind", flat=True)) == {
        "city",
        "jobcenter",
        "federal_agency",
        "state",
    }
    sessions = ConferenceSession.objects.all()
    assert 4 <= sessions.count() <= 6
    assert {"plenary", "working_group"} == set(sessions.values_list("kind", flat=True))
    assert Minutes.objects.count() >= 4
    commitments = Commitment.objects.all()
    assert 18 <= commitments.count() <= 25
    assert set(commitments.values_list("status", flat=True)) == {
        "open",
        "on_track",
        "late",
        "done",
        "dropped",
    }
    assert overdue(TODAY).exists()
    assert commitments.filter(public=True).exists()
    assert not commitments.filter(public=True, decision__public=False).exists()


def test_the_demo_conference_feeds_the_analyses_and_the_pages(demo_city: None) -> None:
    report = cooperation_network(today=TODAY)
    assert any(a.kind == "civic" and not a.isolated for a in report.actors)
    assert report.actor("jobcenter-dortmund").betweenness > 0
    cells = overlap_report(today=TODAY).cells.values()
    assert {c.status for c in cells} >= {"none", "overlap"}
    client = logged_in(User.objects.get(username="koordination"))
    session = ConferenceSession.objects.filter(status="held").first()
    assert session is not None
    for url in (
        "/conference/",
        f"/conference/sessions/{session.pk}/",
        "/conference/commitments/",
        "/conference/actors/",
        "/conference/network/",
        "/conference/overlap/",
        "/public/conference/",
    ):
        assert client.get(url).status_code == 200, url
