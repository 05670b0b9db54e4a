"""The database side of the pathways engine: load the offer landscape (from the database
or from a catalogue file), observed leaver outcomes and free places, call the pure
engine (``doconnect.pathways``) and hand back its results. Every loader runs a fixed
number of ``values_list`` queries, whatever the number of offers or persons."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections import defaultdict

from django.db.models import QuerySet
from django.utils import timezone

from doconnect.core.changes import cached
from doconnect.core.models import District, TargetGroup
from doconnect.files.importing import raise_if_any
from doconnect.months import add_months
from doconnect.offers.catalogue import Catalogue
from doconnect.offers.models import FollowOn, Offer
from doconnect.offers.participation import with_free_places
from doconnect.offers.services import catalogue_check
from doconnect.pathways.engine.analysis import analyse_pathways
from doconnect.pathways.engine.inputs import (
    GOAL_DESTINATIONS,
    LeaverOutcome,
    PathwayConfig,
)
from doconnect.pathways.engine.inputs import FollowOn as EngineFollowOn
from doconnect.pathways.engine.inputs import Offer as EngineOffer
from doconnect.pathways.engine.next_steps import LeaverFacts
from doconnect.pathways.engine.report import PathwayReport
from doconnect.people.models import Person, Spell

Landscape = tuple[list[EngineOffer], list[EngineFollowOn]]

# The goal destinations as spell states: a spell in one of them after leaving an offer
# means the leaver reached a goal.
GOAL_STATES: tuple[str, ...] = tuple(sorted(GOAL_DESTINATIONS))
HORIZONS_MONTHS = (6, 12)


def _today() -> dt.date:
    return timezone.localdate()


# --------------------------------------------------------------------------- landscape


def landscape_from_db() -> Landscape:
    """Every offer and follow-on in the database, as the engine's dataclasses (three
    queries)."""
    groups: dict[int, list[str]] = defaultdict(list)
    for offer_id, code in Offer.target_groups.through.objects.values_list(
        "offer_id", "targetgroup__code"
    ):
        groups[offer_id].append(code)
    offers = [
        EngineOffer(
            id=external_id,
            kind=kind,
            status=status,
            district=district,
            target_groups=tuple(sorted(groups.get(pk, ()))),
            min_age=min_age,
            max_age=max_age,
            legal_branches=tuple(sorted(legal_branches or ())),
            capacity=capacity,
        )
        for (
            pk,
            external_id,
            kind,
            status,
            district,
            min_age,
            max_age,
            legal_branches,
            capacity,
        ) in Offer.objects.order_by("external_id").values_list(
            "pk",
            "external_id",
            "kind",
            "status",
            "district__name",
            "min_age",
            "max_age",
            "legal_branches",
            "capacity",
        )
    ]
    links = [
        EngineFollowOn(source, to_offer=target)
        if target is not None
        else EngineFollowOn(source, destination=destination)
        for source, target, destination in FollowOn.objects.order_by(
            "from_offer__external_id", "position", "id"
        ).values_list("from_offer__external_id", "to_offer__external_id", "destination")
    ]
    return offers, links


def landscape_from_catalogue(catalogue: Catalogue) -> Landscape:
    """The offers and follow-ons of a read catalogue file (pure conversion; a follow-on
    to an offer outside the file makes the engine raise ``UnknownOfferError``)."""
    offers = [
        EngineOffer(
            id=entry.id,
            kind=entry.kind,
            status=entry.status,
            district=entry.district,
            target_groups=tuple(sorted(entry.target_groups)),
            min_age=entry.min_age,
            max_age=entry.max_age,
            legal_branches=tuple(sorted(entry.legal_branches)),
            capacity=entry.capacity,
        )
        for entry in catalogue.offers
    ]
    links = [
        EngineFollowOn.parse(entry.id, ref)
        for entry in catalogue.offers
        for ref in entry.follow_ons
    ]
    return offers, links


def landscape_with_catalogue(catalogue: Catalogue) -> Landscape:
    """The landscape as it would be after importing ``catalogue``: the database's offers,
    each offer of the file replacing the stored one with the same id (follow-ons
    included). Checks the file first exactly as the import does (``ImportFailed``)."""
    catalogue_check(catalogue)
    file_offers, file_links = landscape_from_catalogue(catalogue)
    replaced = catalogue.declared_offer_ids
    db_offers, db_links = landscape_from_db()
    offers = [o for o in db_offers if o.id not in replaced] + file_offers
    links = [link for link in db_links if link.from_offer not in replaced] + file_links
    return sorted(offers, key=lambda o: o.id), links


# --------------------------------------------------------------------------- outcomes

# What the leavers are read from: a change in any of these computes them afresh.
LEAVER_TABLES = (Spell, Person, Person.target_groups.through, TargetGroup, Offer)


def _ended_spells(day: dt.date) -> QuerySet[Spell]:
    return Spell.objects.filter(offer__isnull=False, end__isnull=False, end__lt=day)


def _leavers(day: dt.date) -> list[LeaverFacts]:
    """Per spell with an offer that ended before ``day``: its outcome, with the leaver's
    birth year and target group codes (three queries)."""
    ended = _ended_spells(day)
    leavers = ended.order_by("offer__external_id", "end", "id").values_list(
        "person_id", "offer__external_id", "end", "person__birth_year"
    )
    goal_starts: dict[int, list[dt.date]] = defaultdict(list)
    for person_id, start in (
        Spell.objects.filter(state__in=GOAL_STATES, person_id__in=ended.values("person_id"))
        .order_by("start")
        .values_list("person_id", "start")
    ):
        goal_starts[person_id].append(start)
    groups: dict[int, frozenset[str]] = {}
    for person_id, code in Person.target_groups.through.objects.filter(
        person_id__in=ended.values("person_id")
    ).values_list("person_id", "targetgroup__code"):
        groups[person_id] = groups.get(person_id, frozenset()) | {code}
    later: dict[tuple[dt.date, int], dt.date] = {}  # many leavers share an end date
    nothing: frozenset[str] = frozenset()

    def reached(first_goal: dt.date | None, left_on: dt.date, months: int) -> bool | None:
        until = later.get((left_on, months))
        if until is None:
            until = later[(left_on, months)] = add_months(left_on, months)
        if first_goal is not None and first_goal <= until:
            return True
        return None if until >= day else False

    facts = []
    for person_id, offer, left_on, birth_year in leavers:
        if left_on is None:  # filtered in the query; for the type checker
            continue
        starts: list[dt.date] = goal_starts.get(person_id, [])
        # The first goal spell starting on or after the day the person left.
        at = bisect_left(starts, left_on)
        first_goal = starts[at] if at < len(starts) else None
        facts.append(
            LeaverFacts(
                LeaverOutcome(
                    offer=offer,
                    left_on=left_on,
                    goal_within_6m=reached(first_goal, left_on, 6),
                    goal_within_12m=reached(first_goal, left_on, 12),
                ),
                birth_year=birth_year,
                target_groups=groups.get(person_id, nothing),
            )
        )
    return facts


def leaver_facts_from_db(today: dt.date | None = None) -> tuple[LeaverFacts, ...]:
    """One outcome per spell with an offer that ended before ``today``: did a spell in a
    goal state (employment, apprenticeship, higher education, self-employment) start
    within 6 and within 12 months after the end? ``None`` while that window has not yet
    passed and no goal was reached. With the leaver's birth year and target group codes,
    for comparing a person with participants like them. Three queries, or one while
    no spell, person or target group changed (``core.changes``)."""
    day = today or _today()
    return cached("pathways.leavers", LEAVER_TABLES, day, lambda: tuple(_leavers(day)))


def leaver_outcomes_from_db(today: dt.date | None = None) -> list[LeaverOutcome]:
    """The outcomes of ``leaver_facts_from_db``, for the engine's empirical analysis."""
    return [facts.outcome for facts in leaver_facts_from_db(today)]


def free_places_from_db(today: dt.date | None = None) -> dict[str, int | None]:
    """Free places per offer on ``today`` (``participation.with_free_places``: capacity
    minus persons taking part and booked places); None where the capacity is unknown."""
    offers = with_free_places(Offer.objects.all(), today or _today())
    return dict(offers.values_list("external_id", "free_places"))  # type: ignore[misc]  # annotated


# --------------------------------------------------------------------------- report


def pathway_config() -> PathwayConfig:
    """The city's districts and target groups widen the gap table to every combination."""
    return PathwayConfig(
        districts=tuple(District.objects.values_list("name", flat=True)),
        target_groups=tuple(TargetGroup.objects.values_list("code", flat=True)),
    )


def pathways_report(
    *,
    source: Catalogue | None = None,
    today: dt.date | None = None,
    with_database: bool = True,
) -> PathwayReport:
    """The engine's report on the database (``source=None``, with observed leaver
    outcomes) or on the landscape a catalogue file would give once imported (checked
    like the import: ``ImportFailed``; no outcomes, the file's offers have no
    participants yet). ``with_database=False``: the catalogue file on its own (its
    offers, follow-ons, districts and target groups; only the file's own problems are
    checked), reading nothing from the database, so a city's first catalogue can be
    analysed on an empty database or without one; a follow-on to an offer outside the
    file is a ``PathwayError``."""
    if source is None:
        offers, links = landscape_from_db()
        return analyse_pathways(offers, links, pathway_config(), leaver_outcomes_from_db(today))
    if not with_database:
        raise_if_any(source.problems)
        offers, links = landscape_from_catalogue(source)
        return analyse_pathways(offers, links, PathwayConfig())
    offers, links = landscape_with_catalogue(source)
    return analyse_pathways(offers, links, pathway_config())
