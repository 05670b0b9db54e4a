"""Reads behind the dashboard: counts only, never a person's name or pseudonym.

Every person figure is an aggregate (GROUP BY in the database) over the persons the
viewer may see (``visible_persons``), so provider staff see their own participants'
figures and analysts the whole city, pseudonymously. A fixed number of queries
whatever the number of persons, spells or offers; each result is kept while none of
the tables its SQL names changed (``core.changes.kept_rows`` and ``kept_total``: at
scale 20, 100,000 persons, the six aggregates took 3–5 s together on PostgreSQL), so
a dashboard with nothing changed asks only the change counters (issue #19); after a
change a result read at most ``DOCONNECT_DASHBOARD_STALE_SECONDS`` ago in this process
is still shown (the page says how far behind it may be), so a day's referral steps do
not make every look read them all again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, OuterRef, Subquery

from doconnect.core.changes import kept_rows, kept_total
from doconnect.core.viewers import Viewer
from doconnect.core.vocabulary import data_label
from doconnect.offers.models import Offer
from doconnect.offers.participation import in_active_support
from doconnect.offers.places_selectors import (
    active_offers_with_free_places,
    persons_by_target_group,
)
from doconnect.people.access import visible_persons
from doconnect.people.access_rules import Purpose
from doconnect.people.models import Gender, Spell, SpellState

# Zweckbindung: each figure opens the person list filtered to it, so it counts under the
# list's purpose (case work); a figure counted under another purpose would promise
# persons the list then does not show.
PURPOSE = Purpose.COUNSELLING

TOP_OFFERS = 5
TOP_TRANSITIONS = 10
TRANSITION_DAYS = 90


@dataclass(frozen=True)
class Figure:
    """One figure of a breakdown: the filter value for the person list ("" when the
    persons have no value there and the figure cannot be filtered), label, count."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class ActiveSupport:
    total: int
    by_district: list[Figure]
    by_target_group: list[Figure]
    by_gender: list[Figure]


def active_support(viewer: Viewer, day: dt.date) -> ActiveSupport:
    """Persons in active support on ``day`` among those the viewer may see, by
    district, target group and gender: three queries, each kept while none of the
    tables it reads changed (``core.changes.kept_rows``; at scale 20 each takes about
    half a second on PostgreSQL) — one query for the counters when nothing changed."""
    persons = in_active_support(visible_persons(viewer, purpose=PURPOSE, today=day), day)
    district_rows, group_rows, gender_rows = kept_rows(
        stale_seconds=settings.DASHBOARD_STALE_SECONDS,
        querysets=[
            persons.order_by()
            .values("district__official_key", "district__name")
            .annotate(n=Count("pk"))
            .order_by("district__official_key"),
            persons_by_target_group(persons),
            persons.order_by().values("gender").annotate(n=Count("pk")).values_list("gender", "n"),
        ],
    )
    districts = [
        Figure(row["district__official_key"] or "", row["district__name"] or "", row["n"])
        for row in district_rows
    ]
    groups = [
        Figure(
            row["target_groups__code"] or "",
            data_label(row["target_groups__label"] or ""),
            row["n"],
        )
        for row in group_rows
    ]
    by_gender = dict(gender_rows)
    genders = [
        Figure(value, str(label), by_gender[value])
        for value, label in Gender.choices
        if by_gender.get(value)
    ]
    # Every person has exactly one gender: their sum is the total, no extra query.
    return ActiveSupport(
        total=sum(g.count for g in genders),
        by_district=districts,
        by_target_group=groups,
        by_gender=genders,
    )


@dataclass(frozen=True)
class FreeOffers:
    count: int
    top: list[Offer]  # annotated with ``free``


def offers_with_free_places(day: dt.date, *, top: int = TOP_OFFERS) -> FreeOffers:
    """Active offers with free places today: how many, and those with the most free
    places (two queries, kept as ``active_support``'s). Offers are not personal data;
    every role sees them."""
    offers = active_offers_with_free_places(day)
    (top_rows,) = kept_rows(
        [
            offers.select_related("provider", "district").order_by(
                F("free_places").desc(), "title", "external_id"
            )[:top]
        ],
        stale_seconds=settings.DASHBOARD_STALE_SECONDS,
    )
    count = kept_total([offers], stale_seconds=settings.DASHBOARD_STALE_SECONDS)
    return FreeOffers(count=count, top=list(top_rows))


@dataclass(frozen=True)
class Transition:
    from_state: str
    from_label: str
    to_state: str
    to_label: str
    persons: int


def recent_transitions(
    viewer: Viewer, day: dt.date, *, days: int = TRANSITION_DAYS, top: int = TOP_TRANSITIONS
) -> list[Transition]:
    """From-state → to-state pairs of the last ``days`` days among the persons the
    viewer may see, most frequent first (one query).

    A transition: a spell ended in the window and the person's next spell (the first
    one starting on or after that end) started by ``day``. Counted in persons: a person
    with the same change twice in the window counts once for that pair."""
    later = Spell.objects.filter(person_id=OuterRef("person_id"), start__gte=OuterRef("end"))
    later = later.exclude(pk=OuterRef("pk")).order_by("start", "id")
    query = (
        Spell.objects.filter(
            person__in=visible_persons(viewer, purpose=PURPOSE, today=day),
            end__gte=day - dt.timedelta(days=days),
            end__lte=day,
        )
        .annotate(
            next_state=Subquery(later.values("state")[:1]),
            next_start=Subquery(later.values("start")[:1]),
        )
        .filter(next_start__lte=day)
        .order_by()
        .values("state", "next_state")
        .annotate(n=Count("person_id", distinct=True))
        .order_by("-n", "state", "next_state")[:top]
    )
    (rows,) = kept_rows([query], stale_seconds=settings.DASHBOARD_STALE_SECONDS)
    labels = dict(SpellState.choices)
    return [
        Transition(
            from_state=row["state"],
            from_label=str(labels.get(row["state"], row["state"])),
            to_state=row["next_state"],
            to_label=str(labels.get(row["next_state"], row["next_state"])),
            persons=row["n"],
        )
        for row in rows
    ]
