"""Employment potentials: the engine's bridges (``engine/bridges.py``) from the
occupations job seekers seek into the shortage occupations, with the observed moves
between occupations and the offers that qualify for them."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q

from doconnect.labourmarket.analyses.shortage import (
    ShortageResult,
    Source,
    shortage_from_db,
    spell_job_seekers,
)
from doconnect.labourmarket.engine import bridges as bridge_engine
from doconnect.labourmarket.engine.kldb import KldbError, validate
from doconnect.offers.models import Offer, OfferKind, OfferStatus
from doconnect.offers.participation import with_free_places
from doconnect.people.models import Spell
from doconnect.transparency.engine import hide_small, too_few
from doconnect.transparency.small_number import small_number

TRAINING_KINDS = (
    OfferKind.QUALIFICATION,
    OfferKind.FURTHER_TRAINING,
    OfferKind.APPRENTICESHIP,
    OfferKind.VOCATIONAL_PREPARATION,
)


def moves_from_db() -> dict[tuple[str, str], int]:
    """Observed occupation changes: per person, the spells with a KldB code in order of
    start; each pair of consecutive ones with different codes is a move ``a → b``.
    (The occupation sought on an unemployment spell counts like one held.) Raw counts,
    the engine's input, not for publication as they are. One query."""
    moves: Counter[tuple[str, str]] = Counter()
    last_person, last_code = None, ""
    rows = Spell.objects.exclude(kldb="").order_by("person_id", "start", "id")
    for person, code in rows.values_list("person_id", "kldb").iterator(chunk_size=10_000):
        if person == last_person and code != last_code:
            moves[(last_code, code)] += 1
        last_person, last_code = person, code
    return dict(moves)


@dataclass(frozen=True)
class OffersUsed:
    offers: list[bridge_engine.Offer]
    matched: int  # offers with occupations
    generic: int  # training offers without occupations
    unknown_capacity: int  # left out: free places unknown


def offers_from_db(as_of: dt.date, *, generic_offers: bool = False) -> OffersUsed:
    """Active offers with occupations, or of a training kind, and their free places on
    ``as_of`` (see the module text). One query."""
    rows = with_free_places(
        Offer.objects.filter(
            Q(end__isnull=True) | Q(end__gte=as_of), status=OfferStatus.ACTIVE
        ).order_by("external_id"),
        as_of,
    )
    offers: list[bridge_engine.Offer] = []
    matched = generic = unknown = 0
    for external_id, title, kind, codes, free in rows.values_list(  # type: ignore[misc]
        "external_id", "title", "kind", "occupations", "free_places"
    ):
        occupations = tuple(sorted(c for c in codes or () if _is_kldb(c)))
        if occupations:
            matched += 1
        elif kind in TRAINING_KINDS:
            generic += 1
            if not generic_offers:
                continue
        else:
            continue
        if free is None:
            unknown += 1
            continue
        if free > 0:
            offers.append(
                bridge_engine.Offer(
                    external_id,
                    title,
                    kind,
                    occupations,
                    int(free),
                    any_occupation=not occupations,
                )
            )
    return OffersUsed(offers, matched, generic, unknown)


def _is_kldb(code: object) -> bool:
    # The catalogue's rules keep bad codes out; a row written around them is skipped.
    try:
        validate(code)  # type: ignore[arg-type]
    except KldbError:
        return False
    return True


@dataclass(frozen=True)
class PotentialRow:
    """A potential as shown: counts of persons below ``min_count`` are ``None``."""

    rank: int
    target: str
    source: str
    job_seekers: int | None
    score: float
    distance: int
    occupation_distance: int
    skill_step: int
    moves: int | None
    move_share: float
    needs_offer: bool
    offers: tuple[bridge_engine.OfferUse, ...]
    potential: int | None
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class PotentialsResult:
    as_of: dt.date
    shortage: ShortageResult
    targets: tuple[bridge_engine.Target, ...]
    potentials: tuple[PotentialRow, ...]
    job_seekers_occupations: int  # occupations sought with at least min_count persons
    job_seekers_left_out: int  # occupations with fewer (not used, not shown)
    offers: OffersUsed
    moves_observed: int
    min_count: int
    total_potential: int  # sum of the potentials shown (each person counted once)
    rows_suppressed: int  # rows whose potential is 1 … min_count − 1: not in the total
    rules: list[str] = field(default_factory=list)


def potentials_from_db(
    *,
    as_of: dt.date,
    min_count: int | None = None,
    shortage_source: Source = "spells",
    generic_offers: bool = False,
    rules: bridge_engine.BridgeRules | None = None,
) -> PotentialsResult:
    """The engine's bridges into the shortage occupations of a 5-digit shortage table on
    ``as_of``: job seekers by occupation sought (running unemployment spells), the
    observed moves and the qualifying offers. The shortage table takes its job seekers
    from the spells by default, so both sides count the same persons and vacancies
    (the BA's statistics count every job seeker in the region, the database only the
    vacancies it knows). Occupations sought by fewer than ``min_count`` persons are left
    out; moves and potentials of 1 … ``min_count − 1`` are shown as ``None``. Seven
    queries at most."""
    floor = small_number(min_count)
    shortage = shortage_from_db(as_of=as_of, level=5, min_count=floor, source=shortage_source)
    targets = tuple(bridge_engine.targets_from_shortage(shortage.table))
    seekers, _ = spell_job_seekers(as_of, as_of)
    usable: dict[str, int] = {}
    left_out = 0
    for code, n in seekers.items():
        try:
            validate(code)
        except KldbError:
            continue
        if not too_few(n, floor):
            usable[code] = n
        else:
            left_out += 1
    moves = moves_from_db()
    offers = offers_from_db(as_of, generic_offers=generic_offers)
    found = bridge_engine.bridges(targets, usable, moves, offers.offers, rules)
    rows = tuple(
        PotentialRow(
            p.rank,
            p.target,
            p.source,
            hide_small(p.job_seekers, floor),
            p.score,
            p.distance.total,
            p.distance.occupation,
            p.distance.skill_step,
            hide_small(p.moves, floor),
            p.move_share,
            p.needs_offer,
            p.offers,
            hide_small(p.potential, floor),
            p.reasons,
        )
        for p in found
    )
    return PotentialsResult(
        as_of=as_of,
        shortage=shortage,
        targets=targets,
        potentials=rows,
        job_seekers_occupations=len(usable),
        job_seekers_left_out=left_out,
        offers=offers,
        moves_observed=sum(moves.values()),
        min_count=floor,
        total_potential=sum(p.potential or 0 for p in rows),
        rows_suppressed=sum(1 for p in rows if p.potential is None),
        rules=[
            "offers qualify by their occupations (KldB): the same code, else the same "
            "Berufsgruppe (3 digits)"
            + (
                "; training offers without occupations for any occupation" if generic_offers else ""
            ),
            f"job seekers from {shortage.source} for the shortage table",
        ],
    )
