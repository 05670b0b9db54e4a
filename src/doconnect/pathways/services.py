"""The database side of the pathways engine: load the offer landscape (from the database
or from a catalogue file), observed leaver outcomes and free places, call the pure
engine (``doconnect.pathways``) and hand back its results. Every loader runs a fixed
number of ``values_list`` queries, whatever the number of offers or persons."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from doconnect.core.models import District, TargetGroup
from doconnect.months import add_months
from doconnect.offers.catalogue import Catalogue
from doconnect.offers.models import FollowOn, Offer
from doconnect.offers.participation import with_free_places
from doconnect.offers.services import catalogue_check
from doconnect.pathways.engine.analysis import analyse_pathways
from doconnect.pathways.engine.districts import DORTMUND_NEIGHBOURS
from doconnect.pathways.engine.fit import PersonFacts
from doconnect.pathways.engine.inputs import (
    GOAL_DESTINATIONS,
    LeaverOutcome,
    PathwayConfig,
    PathwayError,
)
from doconnect.pathways.engine.inputs import FollowOn as EngineFollowOn
from doconnect.pathways.engine.inputs import Offer as EngineOffer
from doconnect.pathways.engine.next_steps import (
    LeaverFacts,
    NextSteps,
    next_steps_to_dict,
    rank_next_steps,
)
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


def _ended_spells(day: dt.date) -> QuerySet[Spell]:
    return Spell.objects.filter(offer__isnull=False, end__isnull=False, end__lt=day)


def _leavers(day: dt.date) -> list[tuple[int, LeaverFacts]]:
    """(person id, facts with birth year but no target groups yet) per spell with an
    offer that ended before ``day`` (two queries)."""
    ended = _ended_spells(day)
    leavers = list(
        ended.order_by("offer__external_id", "end", "id").values_list(
            "person_id", "offer__external_id", "end", "person__birth_year"
        )
    )
    goal_starts: dict[int, list[dt.date]] = defaultdict(list)
    for person_id, start in (
        Spell.objects.filter(state__in=GOAL_STATES, person_id__in=ended.values("person_id"))
        .order_by("start")
        .values_list("person_id", "start")
    ):
        goal_starts[person_id].append(start)

    def reached(person_id: int, left_on: dt.date, months: int) -> bool | None:
        until = add_months(left_on, months)
        if any(left_on <= start <= until for start in goal_starts.get(person_id, ())):
            return True
        return None if until >= day else False

    return [
        (
            person_id,
            LeaverFacts(
                LeaverOutcome(
                    offer=offer,
                    left_on=left_on,
                    goal_within_6m=reached(person_id, left_on, 6),
                    goal_within_12m=reached(person_id, left_on, 12),
                ),
                birth_year=birth_year,
            ),
        )
        for person_id, offer, left_on, birth_year in leavers
        if left_on is not None  # filtered in the query; for the type checker
    ]


def leaver_outcomes_from_db(today: dt.date | None = None) -> list[LeaverOutcome]:
    """One outcome per spell with an offer that ended before ``today``: did a spell in a
    goal state (employment, apprenticeship, higher education, self-employment) start
    within 6 and within 12 months after the end? ``None`` while that window has not yet
    passed and no goal was reached (two queries)."""
    return [facts.outcome for _person, facts in _leavers(today or _today())]


def leaver_facts_from_db(today: dt.date | None = None) -> list[LeaverFacts]:
    """The leaver outcomes of ``leaver_outcomes_from_db``, each with the leaver's birth
    year and target group codes, for comparing a person with participants like them
    (three queries)."""
    day = today or _today()
    leavers = _leavers(day)
    groups: dict[int, set[str]] = defaultdict(set)
    for person_id, code in Person.target_groups.through.objects.filter(
        person_id__in=_ended_spells(day).values("person_id")
    ).values_list("person_id", "targetgroup__code"):
        groups[person_id].add(code)
    return [
        replace(facts, target_groups=frozenset(groups.get(person_id, ())))
        for person_id, facts in leavers
    ]


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
    *, source: Catalogue | None = None, today: dt.date | None = None
) -> PathwayReport:
    """The engine's report on the database (``source=None``, with observed leaver
    outcomes) or on the landscape a catalogue file would give once imported (checked
    like the import: ``ImportFailed``; no outcomes, the file's offers have no
    participants yet)."""
    if source is None:
        offers, links = landscape_from_db()
        return analyse_pathways(offers, links, pathway_config(), leaver_outcomes_from_db(today))
    offers, links = landscape_with_catalogue(source)
    return analyse_pathways(offers, links, pathway_config())


# --------------------------------------------------------------------------- next steps


def person_facts(
    person: Person, *, goal: str | None = None, today: dt.date | None = None
) -> PersonFacts:
    """What the ranking needs to know of a person already fetched through
    ``people.access`` (pseudonymous fields only; two queries). Without ``goal``, the
    goal the person stated, if any."""
    day = today or _today()
    return PersonFacts(
        age=day.year - person.birth_year if person.birth_year else None,
        legal_branch=person.legal_branch,
        target_groups=frozenset(person.target_groups.values_list("code", flat=True)),
        district=person.district.name if person.district_id and person.district else None,
        goal=goal if goal is not None else (person.goal or None),
        done=frozenset(
            Spell.objects.filter(person=person, offer__isnull=False).values_list(
                "offer__external_id", flat=True
            )
        ),
    )


@dataclass(frozen=True)
class PersonNextSteps:
    facts: PersonFacts
    result: NextSteps
    titles: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        return next_steps_to_dict(self.result, self.titles)


def next_steps_for(
    person: Person,
    *,
    goal: str | None = None,
    include_excluded: bool = False,
    today: dt.date | None = None,
) -> PersonNextSteps:
    """Ranked next steps for a person the caller has already fetched through
    ``people.access`` (the access check is the caller's duty)."""
    if goal is not None and goal not in GOAL_DESTINATIONS:
        raise PathwayError(
            f"unknown goal {goal!r}; expected one of {', '.join(sorted(GOAL_DESTINATIONS))}"
        )
    facts = person_facts(person, goal=goal, today=today)
    offers, links = landscape_from_db()
    config = PathwayConfig()
    leavers = leaver_facts_from_db(today)
    report = analyse_pathways(offers, links, config, [f.outcome for f in leavers])
    result = rank_next_steps(
        facts,
        offers,
        free_places=free_places_from_db(today),
        distances=report.distances,
        neighbours=DORTMUND_NEIGHBOURS,
        outcomes=report.empirical,
        leavers=leavers,
        include_excluded=include_excluded,
        min_leavers=config.min_leavers,
        min_share_6m=config.min_share_6m,
        min_share_12m=config.min_share_12m,
    )
    titles = dict(Offer.objects.values_list("external_id", "title"))
    return PersonNextSteps(facts=facts, result=result, titles=titles)
