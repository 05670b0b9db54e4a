"""Issue #17: a long inbox stays short — one group at a time, 25 rows a page, the
groups' counts as links, the offer filter kept in every link, and the same number of
queries on every page."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.auth.models import User

from doconnect.referrals.services import referral_accept
from tests.conftest import City, count_queries, logged_in
from tests.referrals.test_referral_inbox import inbox, section, sent

ROWS = 25


@pytest.fixture
def busy(city: City, coordinator: User, provider_staff: User) -> City:
    """27 referrals wait for Träger A's answer to Werkstatt A, two are accepted, one
    went to Kurs B."""
    for i in range(ROWS + 2):
        sent(city, coordinator, given_name=f"P{i}")
    for name in ("Q", "R"):
        referral_accept(referral=sent(city, coordinator, given_name=name), actor=provider_staff)
    sent(city, coordinator, offer=city.offer_b)
    return city


def links(body: str, rel: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(rf'href="([^"]+)" rel="{rel}"', body)]


def test_the_inbox_shows_one_group_with_the_counts_of_all_groups(
    busy: City, coordinator: User
) -> None:
    body = inbox(logged_in(coordinator))
    assert 'aria-current="page">Warten auf Antwort (28)' in body  # the first with any
    assert "Angenommen, noch nicht begonnen (2)</a>" in body
    assert body.count('class="kern-table__row" id="referral-') == ROWS
    assert 'id="section-accepted"' not in body
    accepted = inbox(logged_in(coordinator), "?section=accepted")
    assert accepted.count('class="kern-table__row" id="referral-') == 2


def test_the_pages_keep_the_filter_and_the_group(busy: City, coordinator: User) -> None:
    client = logged_in(coordinator)
    first = inbox(client, "?offer=o-a")
    (next_url,) = links(first, "next")
    assert "offer=o-a" in next_url and "section=waiting" in next_url and "page=2" in next_url
    second = inbox(client, next_url.split("#")[0])
    rows = section(second, "waiting").count('id="referral-')
    assert rows == 2 and "Seite 2 von 2" in second
    (back,) = links(second, "prev")
    assert "offer=o-a" in back and "page=1" in back
    assert "Kurs B" not in section(second, "waiting")


def test_every_page_needs_the_same_queries(busy: City, coordinator: User) -> None:
    client = logged_in(coordinator)
    client.get("/referrals/")  # a session's first page may do once what later ones need not
    first = count_queries(client, "/referrals/?section=waiting")
    assert count_queries(client, "/referrals/?section=waiting&page=2") == first
    assert count_queries(client, "/referrals/?section=accepted") == first


def test_provider_staff_page_through_their_own_inbox(busy: City, provider_staff: User) -> None:
    body = inbox(logged_in(provider_staff))
    assert "Warten auf Antwort (27)" in body  # Kurs B belongs to Träger B
    assert "Vorgeschlagen" not in body
    assert links(body, "next")


def test_each_rows_step_forms_have_ids_of_their_own_that_their_labels_name(
    busy: City, provider_staff: User
) -> None:
    # The blank forms are rendered once per page and given each row's ids: every label
    # must still point at its own row's field, and no id may appear twice.
    body = inbox(logged_in(provider_staff))
    ids = re.findall(r' id="(id_r[^"]+)"', body)
    labels = re.findall(r' for="(id_r[^"]+)"', body)
    assert len(ids) == len(set(ids)) and "ROWID" not in body
    assert labels and set(labels) <= set(ids)
    for row in re.findall(
        r'<tr class="kern-table__row" id="referral-(\d+)">(.*?)</tr>', body, re.S
    ):
        pk, markup = row
        assert re.search(rf'id="id_r{pk}_decline_reason"', markup)
        assert not re.search(r'id="id_r(?!' + pk + r"_)\d+_", markup)
