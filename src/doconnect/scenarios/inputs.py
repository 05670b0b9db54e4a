"""The scenario engine's inputs from the database (or, for the offers, from a catalogue
file): offers with their funding lines and follow-ons, and the demand as aggregates
only — how many waiting persons of a target group in a district need an offer kind.
No person's data leaves this module, only the counts.

Demand. The persons waiting for a place on ``today``
(``allocation.services.waiting_persons``: a running unemployment or inactivity spell,
not in active support (``offers.participation``)) — with or without an open referral:
a proposed, sent or accepted referral is not a place yet, and counting only persons
without one made the demand vanish once an allocation run had proposed a referral to
everybody it placed (issue #17). A person needs the
offer kinds they stated (``preferred_offer_kinds``); without any, the kinds that serve
their goal (``KINDS_FOR_GOAL``; the goal they stated, else the allocation's default
goal). Each person counts once in each of their target groups (without any: in
``NO_TARGET_GROUP``) × their district × each kind they need; persons without a
district are not counted (no cell to put them in).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from doconnect.allocation.services import Scope, waiting_persons
from doconnect.core.models import District, TargetGroup
from doconnect.files.importing import ImportFailed
from doconnect.offers.catalogue import Catalogue
from doconnect.offers.models import Destination, Funder, FundingLine, Offer, OfferKind
from doconnect.pathways.services import landscape_from_catalogue, landscape_from_db
from doconnect.scenarios.engine.baseline import DemandCell, ScenarioInputs, ScenarioOffer
from doconnect.scenarios.engine.baseline import FundingLine as EngineFunding
from doconnect.scenarios.engine.scenario_file import Vocabulary

# Persons without a target group are counted here; offers open to everybody serve them.
NO_TARGET_GROUP = "all"
# Which kinds of offer serve a goal, for persons who stated no preferred kinds.
KINDS_FOR_GOAL: dict[str, tuple[str, ...]] = {
    Destination.APPRENTICESHIP: (OfferKind.VOCATIONAL_PREPARATION, OfferKind.APPRENTICESHIP),
    Destination.EMPLOYMENT: (
        OfferKind.QUALIFICATION,
        OfferKind.FURTHER_TRAINING,
        OfferKind.JOB_PLACEMENT,
    ),
    Destination.HIGHER_EDUCATION: (OfferKind.ORIENTATION, OfferKind.COUNSELLING),
    Destination.SELF_EMPLOYMENT: (OfferKind.COUNSELLING, OfferKind.FURTHER_TRAINING),
}


def scenario_vocabulary() -> Vocabulary:
    return Vocabulary(kinds=tuple(OfferKind.values), funders=tuple(Funder.values))


def demand_from_db(today: dt.date) -> tuple[DemandCell, ...]:
    """Waiting persons per target group × district × offer kind they need (counts only)."""
    counts: Counter[tuple[str, str, str]] = Counter()
    # With their open referrals: an allocation run proposes a referral to every person it
    # places, and those persons still need the places a funding cut takes away.
    for person in waiting_persons(today, Scope(), with_open_referrals=True):
        facts = person.facts
        if facts.district is None:
            continue
        kinds = person.preferred_kinds or KINDS_FOR_GOAL.get(facts.goal or "", ())
        groups = sorted(facts.target_groups) or [NO_TARGET_GROUP]
        for group in groups:
            for kind in dict.fromkeys(kinds):
                counts[(group, facts.district, str(kind))] += 1
    return tuple(
        DemandCell(group, district, kind, persons)
        for (group, district, kind), persons in sorted(counts.items())
    )


def _names(with_database: bool = True) -> tuple[tuple[str, ...], dict[str, str], dict[str, str]]:
    """Names for the engine's sentences, which are German whoever asks: the same scenario
    on the same data gives the same result (and digest) in every session's language.
    Without the database: no districts, no target-group labels."""
    districts: tuple[str, ...] = ()
    groups: dict[str, str] = {}
    if with_database:
        districts = tuple(District.objects.order_by("name").values_list("name", flat=True))
        groups = dict(TargetGroup.objects.order_by("code").values_list("code", "label"))
    with translation.override("de"):
        groups[NO_TARGET_GROUP] = _("Personen ohne Zielgruppe")
        kinds = {str(code): str(label) for code, label in OfferKind.choices}
    return districts, groups, kinds


def _amount(amount: Decimal) -> float:
    return float(amount)


def scenario_inputs_from_db(today: dt.date) -> ScenarioInputs:
    """Every offer in the database with its funding lines and follow-ons, and the
    demand on ``today``. A fixed number of queries."""
    landscape, links = landscape_from_db()
    provider_of = dict(Offer.objects.values_list("external_id", "provider__external_id"))
    funding: dict[str, list[EngineFunding]] = defaultdict(list)
    for offer_id, funder, amount, start, end in FundingLine.objects.order_by(
        "offer__external_id", "start", "funder", "id"
    ).values_list("offer__external_id", "funder", "amount_eur", "start", "end"):
        funding[offer_id].append(EngineFunding(funder, _amount(amount), start, end))
    offers = tuple(
        ScenarioOffer.of(o, provider=provider_of[o.id], funding=funding.get(o.id, ()))
        for o in landscape
    )
    districts, groups, kinds = _names()
    return ScenarioInputs(
        offers=offers,
        links=tuple(links),
        demand=demand_from_db(today),
        districts=districts,
        target_groups=groups,
        offer_kinds=kinds,
    )


def scenario_inputs_from_catalogue(
    catalogue: Catalogue, today: dt.date, *, with_database: bool = True
) -> ScenarioInputs:
    """The offers of a read catalogue file (a file with problems: ImportFailed) with the
    database's demand on ``today``. Providers are the file's ids; target groups the
    file uses that the database does not know are named by their code.

    ``with_database=False``: the file on its own, nothing read from the database (a
    city's first catalogue, on an empty database or none): no demand, so coverage is
    empty; the districts are those the file's offers name, target groups named by
    their code."""
    if catalogue.problems:
        raise ImportFailed(catalogue.problems)
    landscape, links = landscape_from_catalogue(catalogue)
    entries = {entry.id: entry for entry in catalogue.offers}
    offers = tuple(
        ScenarioOffer.of(
            o,
            provider=entries[o.id].provider,
            funding=[
                EngineFunding(f.funder, _amount(f.amount_eur), f.start, f.end)
                for f in entries[o.id].funding
            ],
        )
        for o in sorted(landscape, key=lambda o: o.id)
    )
    districts, groups, kinds = _names(with_database)
    if not with_database:
        districts = tuple(sorted({o.district for o in offers if o.district}))
    for offer in offers:
        for code in offer.target_groups:
            groups.setdefault(code, code)
    return ScenarioInputs(
        offers=offers,
        links=tuple(links),
        demand=demand_from_db(today) if with_database else (),
        districts=districts,
        target_groups=groups,
        offer_kinds=kinds,
    )
