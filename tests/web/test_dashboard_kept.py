"""Issue #19: the dashboard's figures (six aggregates over every person, spell and offer;
3–5 s together at scale 20) are kept while none of the tables they read changed
(``core.changes.kept_rows``/``kept_total``), outside a transaction as in production —
and they are right again at once after any change."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import City, count_queries, logged_in, participant

pytestmark = pytest.mark.usefixtures("fixed_today")


def active_total(body: str) -> int:
    found = re.search(r"(\d+) Person(?:en)? (?:nimmt|nehmen) heute an einem Angebot teil", body)
    assert found is not None, "the dashboard says how many take part today"
    return int(found.group(1))


@pytest.fixture
def taking_part(transactional_db: None, city: City) -> City:
    participant(city, city.offer_a, [city.city], given_name="Erste")
    return city


def test_the_kept_figures_follow_a_new_participant_at_once(
    taking_part: City, coordinator: User, settings: Any
) -> None:
    settings.DASHBOARD_STALE_SECONDS = 0
    client = logged_in(coordinator)
    assert "Änderungen erscheinen hier" not in client.get("/").content.decode()
    assert active_total(client.get("/").content.decode()) == 1
    assert active_total(client.get("/").content.decode()) == 1  # kept
    participant(taking_part, taking_part.offer_b, [taking_part.city], given_name="Zweite")
    assert active_total(client.get("/").content.decode()) == 2


def test_a_dashboard_with_nothing_changed_reads_no_figure_again(
    taking_part: City, coordinator: User
) -> None:
    client = logged_in(coordinator)
    computed = count_queries(client, "/")  # reads and keeps every figure
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    sql = " ".join(query["sql"] for query in captured.captured_queries)
    assert len(captured) < computed
    assert '"people_spell"' not in sql and '"offers_offer"' not in sql


def test_with_a_stale_window_a_new_participant_shows_once_it_has_passed(
    taking_part: City, coordinator: User, settings: Any, kept_clock: list[float]
) -> None:
    settings.DASHBOARD_STALE_SECONDS = 60
    now = kept_clock
    client = logged_in(coordinator)
    page = client.get("/").content.decode()
    assert active_total(page) == 1
    assert "Änderungen erscheinen hier spätestens nach 60 Sekunden." in page
    participant(taking_part, taking_part.offer_b, [taking_part.city], given_name="Zweite")
    now[0] += 30
    assert active_total(client.get("/").content.decode()) == 1  # within the window
    now[0] += 31
    assert active_total(client.get("/").content.decode()) == 2
