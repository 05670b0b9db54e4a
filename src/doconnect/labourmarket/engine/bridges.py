"""Bridges into shortage occupations: job seekers in nearby occupations and the offers
that would close the gap — the ranked list of employment potentials, each with its
evidence.

Inputs (plain data): the shortage occupations as ``Target`` (5-digit KldB code and the
gap, the number of job seekers missing; ``targets_from_shortage`` derives them from a
5-digit ``ShortageTable``), job seekers per 5-digit occupation, the observed moves between
occupations in biographies (``moves[(a, b)]`` = number of moves from ``a`` to ``b``) and
the offer catalogue (``Offer``: the 5-digit KldB codes it qualifies for, free places).

**Candidates.** For a target ``t``, each other occupation ``s`` with job seekers is a
candidate when it is near by the hierarchy (``kldb.distance(s, t).total <=
max_distance``, default 2) or by observed moves (at least ``min_moves`` moves ``s → t``,
default 3, and a move share of at least ``min_move_share``, default 0.05). The move
share is ``moves(s → t) / moves(s → any other occupation)``.

**Score** ``= hierarchy_weight · (1 − total / 7) + moves_weight · move_share``, weights
0.5 and 0.5 by default, so 0 … 1; 7 is the largest hierarchy distance.

**Offer needed** when the move goes up a skill level (``skill_step > 0``) or leaves the
Berufsgruppe (``occupation >= 2``, not the same 3 digits). An offer qualifies for the
target when one of its ``occupations`` is the target's code (match ``exact``), else when
one is in the target's Berufsgruppe, the same first 3 digits (match ``berufsgruppe``: an
offer for 81301 Pflegehelfer/in leads towards 81302 Pflegefachmann/-frau too, a course
for 26112 Mechatroniker/in not towards 26212 Elektroniker/in); an offer marked
``any_occupation`` qualifies for every target (match ``any``). Places are taken from the
exact matches first, then the Berufsgruppe, then any; within each, the offers with most
free places first.

**Potential.** Down the ranked list (score, then job seekers, descending; then codes)
each candidate takes ``min(job seekers of s not yet counted, gap of t still open, free
places of qualifying offers not yet taken — when an offer is needed)``; the places are
taken from the qualifying offers in the order above. A job seeker and an offer place
count once. Each offer used says how it matched (``OfferUse.match``). Candidates that
get 0 stay in the list with the reason.

Reason codes: ``same_berufsuntergruppe``, ``same_berufsgruppe``,
``same_berufshauptgruppe``, ``same_berufsbereich``, ``observed_moves``, ``skill_up``,
``skill_down``, ``needs_offer``, ``no_offer_places``, ``offer_same_occupation``,
``offer_same_berufsgruppe``, ``offer_any_occupation`` (places taken from offers that
matched so), ``gap_closed``, ``job_seekers_counted``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

from doconnect.labourmarket.engine.kldb import MAX_DISTANCE, KldbDistance, distance, validate
from doconnect.labourmarket.engine.shortage import ShortageTable


@dataclass(frozen=True)
class Target:
    kldb: str
    gap: int  # job seekers missing


Match = Literal["exact", "berufsgruppe", "any"]
_MATCH_ORDER: dict[str, int] = {"exact": 0, "berufsgruppe": 1, "any": 2}
_MATCH_REASON: dict[str, str] = {
    "exact": "offer_same_occupation",
    "berufsgruppe": "offer_same_berufsgruppe",
    "any": "offer_any_occupation",
}


@dataclass(frozen=True)
class Offer:
    id: str
    title: str
    kind: str
    occupations: tuple[str, ...]  # KldB 2010 codes, five digits
    free_places: int
    any_occupation: bool = False  # qualifies for every occupation

    def match(self, code: str) -> Match | None:
        """How the offer qualifies for the 5-digit ``code``, or None."""
        if code in self.occupations:
            return "exact"
        if any(own[:3] == code[:3] for own in self.occupations):
            return "berufsgruppe"
        return "any" if self.any_occupation else None


class OfferUse(NamedTuple):
    offer: str  # the offer's id
    places: int  # places counted for this potential
    match: Match


@dataclass(frozen=True)
class BridgeRules:
    hierarchy_weight: float = 0.5
    moves_weight: float = 0.5
    max_distance: int = 2
    min_moves: int = 3
    min_move_share: float = 0.05


@dataclass(frozen=True)
class Potential:
    rank: int
    target: str
    source: str
    job_seekers: int  # in the source occupation
    score: float
    distance: KldbDistance
    moves: int  # observed moves source → target
    move_share: float
    needs_offer: bool
    offers: tuple[OfferUse, ...]
    potential: int  # job seekers counted towards the target's gap
    reasons: tuple[str, ...]


def targets_from_shortage(table: ShortageTable) -> list[Target]:
    """The ``shortage`` rows of a 5-digit table (without ``with_skill``) as targets, the
    gap being the job seekers missing to reach the shortage threshold:
    ``ceil(shortage_ratio · vacancies) − job_seekers`` (at least 1)."""
    if table.level != 5:
        raise ValueError("targets need a table at 5 digits")
    targets = []
    for row in table.rows:
        if row.status == "shortage" and row.vacancies is not None and row.job_seekers is not None:
            needed = math.ceil(table.rules.shortage_ratio * row.vacancies) - row.job_seekers
            targets.append(Target(row.key, max(needed, 1)))
    return targets


_SHARED = {
    0: "same_berufsuntergruppe",
    1: "same_berufsgruppe",
    2: "same_berufshauptgruppe",
    3: "same_berufsbereich",
}


def bridges(
    targets: Sequence[Target],
    job_seekers: Mapping[str, int],
    moves: Mapping[tuple[str, str], int],
    offers: Sequence[Offer],
    rules: BridgeRules | None = None,
) -> list[Potential]:
    """The ranked employment potentials (see the module text)."""
    rules = rules or BridgeRules()
    for offer in offers:
        for code in offer.occupations:
            validate(code)
    out_moves: dict[str, int] = {}
    for (a, b), n in moves.items():
        if n < 0:
            raise ValueError(f"moves {a} → {b}: negative count {n}")
        if a != b:
            out_moves[a] = out_moves.get(a, 0) + n
    candidates = []
    for target in targets:
        validate(target.kldb)
        for source, seekers in job_seekers.items():
            validate(source)
            if source == target.kldb or seekers <= 0:
                continue
            d = distance(source, target.kldb)
            n_moves = moves.get((source, target.kldb), 0)
            share = n_moves / out_moves[source] if n_moves else 0.0
            by_moves = n_moves >= rules.min_moves and share >= rules.min_move_share
            if d.total > rules.max_distance and not by_moves:
                continue
            score = (
                rules.hierarchy_weight * (1 - d.total / MAX_DISTANCE) + rules.moves_weight * share
            )
            candidates.append((score, seekers, target, source, d, n_moves, share, by_moves))
    candidates.sort(key=lambda c: (-c[0], -c[1], c[2].kldb, c[3]))

    seekers_left = dict(job_seekers)
    gap_left = {t.kldb: t.gap for t in targets}
    places_left = {o.id: o.free_places for o in offers}
    potentials = []
    for rank, (score, seekers, target, source, d, n_moves, share, by_moves) in enumerate(
        candidates, 1
    ):
        reasons = []
        if d.occupation in _SHARED:
            reasons.append(_SHARED[d.occupation])
        if by_moves:
            reasons.append("observed_moves")
        if d.skill_step > 0:
            reasons.append("skill_up")
        elif d.skill_step < 0:
            reasons.append("skill_down")
        needs_offer = d.skill_step > 0 or d.occupation >= 2
        take = min(seekers_left[source], gap_left[target.kldb])
        used: list[OfferUse] = []
        if needs_offer:
            reasons.append("needs_offer")
            matches = {o.id: o.match(target.kldb) for o in offers if places_left[o.id] > 0}
            qualifying = sorted(
                (o for o in offers if matches.get(o.id) is not None),
                key=lambda o: (_MATCH_ORDER[str(matches[o.id])], -places_left[o.id], o.id),
            )
            available = sum(places_left[o.id] for o in qualifying)
            if available == 0:
                reasons.append("no_offer_places")
            take = min(take, available)
            rest = take
            for offer in qualifying:
                if rest == 0:
                    break
                n = min(rest, places_left[offer.id])
                places_left[offer.id] -= n
                match = matches[offer.id]
                assert match is not None
                used.append(OfferUse(offer.id, n, match))
                rest -= n
            for match in sorted({u.match for u in used}, key=_MATCH_ORDER.__getitem__):
                reasons.append(_MATCH_REASON[match])
        if gap_left[target.kldb] == 0:
            reasons.append("gap_closed")
        elif seekers_left[source] == 0:
            reasons.append("job_seekers_counted")
        seekers_left[source] -= take
        gap_left[target.kldb] -= take
        potentials.append(
            Potential(
                rank=rank,
                target=target.kldb,
                source=source,
                job_seekers=seekers,
                score=score,
                distance=d,
                moves=n_moves,
                move_share=share,
                needs_offer=needs_offer,
                offers=tuple(used),
                potential=take,
                reasons=tuple(reasons),
            )
        )
    return potentials
