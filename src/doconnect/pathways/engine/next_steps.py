"""Next steps for one person: the offers they can take next, ranked, every factor shown.

Pure Python, no Django: the caller (``pathways/services.py``) loads the person's
facts, the offers with their free places, the engine's distances and observed outcomes.

Never a hidden score. Offers that fail a rule are *excluded* with their "why not"
reasons (``include_excluded=True`` returns them). Every other offer is ranked by this
**lexicographic order**, each step only breaking ties of the one before:

1. leads to the person's goal (or, without a goal, to any goal) through active offers
   — offers that do come before those that do not;
2. free places: known free places before unknown capacity;
3. proximity: in the person's district or city-wide, then a neighbouring district,
   then any other district;
4. fewer follow-on steps to the goal first;
5. observed outcomes of participants *like the person* (only with at least
   ``min_leavers`` known leavers): leavers of the offer in the person's age band at
   leaving (under 25 / 25–49 / 50+) sharing at least one of the person's target groups
   (same age band only when the person has none). With too few of them, all leavers of
   the offer are compared instead, and the reason says so. Offers whose leavers reached
   a goal at no less than the expected share, then offers with too few leavers to
   judge, then offers whose leavers fared worse;
6. the offer id, so the order is stable.

Exclusion rules ("why not"): the offer is not active; the person already took part;
the age is outside the offer's range; the legal branch (SGB II/III) is not one the offer
takes; no target group of the person is one the offer is for; no free place; the offer
reaches no goal at all (a dead end).

The eligibility, proximity and route factors are ``fit``'s, shared with the allocation.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from doconnect.pathways.engine.empirical import (
    Tally,
    empirical_dead_ends,
    judge_tallies,
    tally_outcomes,
)
from doconnect.pathways.engine.fit import (
    CITY_WIDE,
    NEIGHBOURING,
    OTHER_DISTRICT,
    SAME_DISTRICT,
    UNKNOWN_DISTRICT,
    Factor,
    PersonFacts,
    eligibility,
    proximity_factor,
)
from doconnect.pathways.engine.inputs import LeaverOutcome, Offer
from doconnect.pathways.engine.offer_table import PROXIMITIES, OfferTable
from doconnect.pathways.engine.report import (
    Distances,
    EmpiricalResult,
    ReasonParam,
    RouteColumns,
)

# The order of the ranking, in words (shown by the CLI and the web page).
RANKING_ORDER: tuple[str, ...] = (
    "leads to the goal / führt zum Ziel",
    "free places / freie Plätze",
    "in or near the district / im oder nahe dem Stadtbezirk",
    "fewer steps to the goal / weniger Schritte bis zum Ziel",
    "how participants fared / Verbleib früherer Teilnehmender",
    "offer id / Kennung",
)

_PROXIMITY_RANK = {
    SAME_DISTRICT: 0,
    CITY_WIDE: 0,
    NEIGHBOURING: 1,
    UNKNOWN_DISTRICT: 2,
    OTHER_DISTRICT: 3,
}

OUTCOME_GOOD = "good"
OUTCOME_TOO_FEW = "too_few"
OUTCOME_POOR = "poor"
_OUTCOME_RANK = {OUTCOME_GOOD: 0, OUTCOME_TOO_FEW: 1, OUTCOME_POOR: 2}

# Age bands of the comparison group (age at leaving, by birth year).
AGE_UNDER_25 = "under_25"
AGE_25_TO_49 = "25_49"
AGE_50_PLUS = "50_plus"
AGE_BAND_TEXT = {AGE_UNDER_25: "under 25", AGE_25_TO_49: "25–49", AGE_50_PLUS: "50+"}

# Why the offer-level outcome is shown (the ``comparison`` param of outcome_good/poor):
# fewer than ``min_leavers`` similar leavers with known outcomes; the person's age is
# unknown; or no per-leaver facts were given at all.
SIMILAR_TOO_FEW = "similar_too_few"
AGE_UNKNOWN = "age_unknown"
NOT_COMPARED = "not_compared"


@dataclass(frozen=True)
class LeaverFacts:
    """One leaver of an offer with what the comparison group needs: the birth year
    (None: unknown, never similar) and the target groups of the person who left."""

    outcome: LeaverOutcome
    birth_year: int | None = None
    target_groups: frozenset[str] = frozenset()

    @property
    def age_band(self) -> str | None:
        if self.birth_year is None:
            return None
        return age_band(self.outcome.left_on.year - self.birth_year)


def age_band(age: int | None) -> str | None:
    """The comparison age band of an age: under 25, 25–49, 50+ (None when unknown)."""
    if age is None:
        return None
    if age < 25:
        return AGE_UNDER_25
    return AGE_25_TO_49 if age < 50 else AGE_50_PLUS


def similar_leavers(person: PersonFacts, leavers: Iterable[LeaverFacts]) -> list[LeaverOutcome]:
    """The outcomes of leavers like ``person``: same age band at leaving and at least one
    shared target group (the age band only when the person has no target group). None
    when the person's age is unknown."""
    band = age_band(person.age)
    if band is None:
        return []
    return [
        leaver.outcome
        for leaver in leavers
        if leaver.age_band == band
        and (not person.target_groups or person.target_groups & leaver.target_groups)
    ]


def similar_outcomes(
    person: PersonFacts,
    leavers: Iterable[LeaverFacts],
    min_share_6m: float = 0.2,
    min_share_12m: float = 0.3,
    min_leavers: int = 5,
) -> dict[str, EmpiricalResult]:
    """The empirical results per offer of the leavers like ``person``
    (``similar_leavers``): it depends on the person's age band and target groups
    alone, so callers may keep it for everybody who shares them."""
    similar = similar_leavers(person, leavers)
    return {
        r.offer: r
        for r in empirical_dead_ends(
            {o.offer for o in similar}, similar, min_share_6m, min_share_12m, min_leavers
        )
    }


# A comparison group's key: the age band at leaving and the leaver's target groups.
GroupKey = tuple[str | None, frozenset[str]]


@dataclass(frozen=True)
class LeaverTallies:
    """The leavers boiled down to counts per age band, set of target groups and offer
    (``tally_outcomes`` of each group): everything ``similar_outcomes`` needs, a few
    hundred rows however many leavers there are, so it can be kept and shared."""

    groups: Mapping[GroupKey, Mapping[str, Tally]]
    # Judgements already made, by age band, target groups and thresholds: everybody of
    # the same band and groups is compared with the same leavers.
    _judged: dict[tuple[Any, ...], dict[str, EmpiricalResult]] = field(
        default_factory=dict, repr=False, compare=False
    )

    @classmethod
    def of(cls, leavers: Iterable[LeaverFacts]) -> LeaverTallies:
        grouped: dict[GroupKey, list[LeaverOutcome]] = {}
        for leaver in leavers:
            grouped.setdefault((leaver.age_band, leaver.target_groups), []).append(leaver.outcome)
        return cls({key: tally_outcomes(outcomes) for key, outcomes in grouped.items()})

    def similar_outcomes(
        self,
        person: PersonFacts,
        min_share_6m: float = 0.2,
        min_share_12m: float = 0.3,
        min_leavers: int = 5,
    ) -> dict[str, EmpiricalResult]:
        """``similar_outcomes(person, leavers, …)`` of the leavers these tallies count
        (the same groups: tallies of disjoint groups add up)."""
        band = age_band(person.age)
        if band is None:
            return {}
        key = (band, frozenset(person.target_groups), min_share_6m, min_share_12m, min_leavers)
        kept = self._judged.get(key)
        if kept is not None:
            return kept
        summed: dict[str, list[int]] = {}
        for (leaver_band, groups), tallies in self.groups.items():
            if leaver_band != band or (person.target_groups and not person.target_groups & groups):
                continue
            for offer, tally in tallies.items():
                total = summed.setdefault(offer, [0, 0, 0, 0, 0])
                for i, count in enumerate(tally):
                    total[i] += count
        judged = judge_tallies(
            {offer: (t[0], t[1], t[2], t[3], t[4]) for offer, t in summed.items()},
            min_share_6m,
            min_share_12m,
            min_leavers,
        )
        self._judged[key] = {r.offer: r for r in judged}
        return self._judged[key]


@dataclass(frozen=True)
class NextStep:
    offer: str
    rank: int
    leads_to_goal: bool
    steps_to_goal: int | None
    goal: str | None
    free_places: int | None
    proximity: str
    outcome: str
    factors: tuple[Factor, ...]


@dataclass(frozen=True)
class ExcludedOffer:
    offer: str
    why_not: tuple[Factor, ...]


@dataclass(frozen=True)
class NextSteps:
    steps: tuple[NextStep, ...]
    excluded: tuple[ExcludedOffer, ...] = ()
    order: tuple[str, ...] = field(default=RANKING_ORDER)
    # How many offers were ranked: more than ``len(steps)`` when only the first were
    # asked for (``rank_next_steps(..., first=n)``); None: all are in ``steps``.
    ranked: int | None = None
    # The same for the excluded offers (``first_excluded=n``).
    excluded_found: int | None = None

    @property
    def count(self) -> int:
        """How many offers the person can take next (shown or not)."""
        return len(self.steps) if self.ranked is None else self.ranked

    @property
    def excluded_count(self) -> int:
        """How many offers the person cannot take (shown or not), when asked for."""
        return len(self.excluded) if self.excluded_found is None else self.excluded_found


def _share_params(result: EmpiricalResult) -> dict[str, ReasonParam]:
    judged_6m = result.share_6m is not None
    judged_12m = result.share_12m is not None
    return {
        "reached_6m": result.reached_6m if judged_6m else None,
        "known_6m": result.known_6m if judged_6m else None,
        "reached_12m": result.reached_12m if judged_12m else None,
        "known_12m": result.known_12m if judged_12m else None,
    }


def _group_text(band: str, groups: tuple[str, ...]) -> str:
    text = f"aged {AGE_BAND_TEXT[band]} at leaving"
    return f"{text}, target group {', '.join(groups)}" if groups else text


def _outcome(
    result: EmpiricalResult | None,
    similar: EmpiricalResult | None,
    comparison: str,
    person: PersonFacts,
    min_leavers: int,
) -> tuple[str, Factor]:
    """The outcome factor: the similar leavers' result when judged (``similar``), else
    the offer's result with ``comparison`` saying why."""
    band = age_band(person.age)
    groups = tuple(sorted(person.target_groups))
    if similar is not None and similar.judged and band is not None:
        outcome = OUTCOME_POOR if similar.flagged else OUTCOME_GOOD
        return outcome, Factor(
            "outcomes",
            f"participants like this person ({_group_text(band, groups)}): {similar.reason}",
            f"outcome_similar_{outcome}",
            {**_share_params(similar), "age_band": band, "similar_groups": groups},
        )
    if result is None:
        return OUTCOME_TOO_FEW, Factor(
            "outcomes", "no leavers observed yet / noch keine Abgänge", "no_leavers"
        )
    if not result.judged:
        return OUTCOME_TOO_FEW, Factor(
            "outcomes",
            f"too few leavers to judge ({result.leavers}, at least {min_leavers} needed)",
            "too_few_leavers",
            {"leavers": result.leavers, "min_leavers": min_leavers},
        )
    outcome = OUTCOME_POOR if result.flagged else OUTCOME_GOOD
    text = result.reason
    described = comparison == SIMILAR_TOO_FEW and band is not None
    if comparison == SIMILAR_TOO_FEW and band is not None:
        text = (
            f"all leavers of the offer (fewer than {min_leavers} participants like this "
            f"person, {_group_text(band, groups)}): {text}"
        )
    elif comparison == AGE_UNKNOWN:
        text = f"all leavers of the offer (the person's age is unknown): {text}"
    params: dict[str, ReasonParam] = {
        **_share_params(result),
        "comparison": comparison,
        "age_band": band if described else None,
        "similar_groups": groups if described else (),
    }
    return outcome, Factor("outcomes", text, f"outcome_{outcome}", params)


def rank_next_steps(
    person: PersonFacts,
    offers: Iterable[Offer] | OfferTable,
    *,
    free_places: Mapping[str, int | None],
    distances: Distances,
    neighbours: Mapping[str, Collection[str]] | None = None,
    outcomes: Iterable[EmpiricalResult] = (),
    leavers: Iterable[LeaverFacts] | None = None,
    include_excluded: bool = False,
    min_leavers: int = 5,
    min_share_6m: float = 0.2,
    min_share_12m: float = 0.3,
    similar: Mapping[str, EmpiricalResult] | None = None,
    first: int | None = None,
    first_excluded: int | None = None,
) -> NextSteps:
    """The offers ``person`` can take next, in the documented lexicographic order (see
    the module docstring). ``free_places`` maps offer id to free places (None or missing:
    capacity unknown); ``distances`` come from the engine's report on the same offers;
    ``neighbours`` maps a district to its neighbouring districts. ``outcomes`` are the
    engine's per-offer results; ``leavers`` the single leavers with birth year and
    target groups, from which the comparison group of participants like the person is
    judged (same small-number rule and minimum shares as the engine's); ``similar``:
    that judgement already made (``similar_outcomes`` of the same person and leavers),
    e.g. kept for everybody of the same age band and target groups (never changed once
    given: with an ``OfferTable`` its verdicts, like those of a tuple of ``outcomes``,
    are read once and kept with the table). ``first``: only the
    first that many steps are built with their factors (a page showing ten of 4,000),
    ``ranked`` says how many there are; the order and those steps are the same as
    without it. ``include_excluded`` returns the excluded offers with their reasons,
    by offer id; with ``first_excluded`` only that many, those with the fewest reasons
    first (then by id), and ``excluded_found`` how many there are. ``offers`` may be
    an ``OfferTable`` kept for many persons: the rules are asked of all offers at
    once, the reasons in words written only for the offers returned."""
    neighbours = neighbours or {}
    table = offers if isinstance(offers, OfferTable) else OfferTable.of(offers)
    # A tuple of outcomes (a ground's) is read once per table, not per person.
    by_offer, verdicts = (
        table.kept(outcomes, lambda: _verdicts(table, outcomes))
        if isinstance(outcomes, tuple)
        else _verdicts(table, outcomes)
    )
    similar_by_offer: Mapping[str, EmpiricalResult]
    if leavers is None:
        comparison = NOT_COMPARED
        similar_by_offer = {}
    elif person.age is None:
        comparison = AGE_UNKNOWN
        similar_by_offer = {}
    else:
        comparison = SIMILAR_TOO_FEW
        similar_by_offer = (
            similar_outcomes(person, leavers, min_share_6m, min_share_12m, min_leavers)
            if similar is None
            else similar
        )
    outcome_ranks = np.where(verdicts >= 0, verdicts, _OUTCOME_RANK[OUTCOME_TOO_FEW])
    if similar_by_offer:  # (only with a known age) the similar leavers' verdict first
        judged = similar_by_offer
        similar_verdicts = (
            table.kept(judged, lambda: _verdicts(table, judged.values()))
            if similar is not None
            else _verdicts(table, judged.values())
        )[1]
        outcome_ranks = np.where(similar_verdicts >= 0, similar_verdicts, outcome_ranks)
    route = _route_columns(table, distances, person.goal)
    known_free = np.zeros(len(table), dtype=np.bool_)
    free_count = np.zeros(len(table), dtype=np.int64)
    for offer_id, count in free_places.items():
        row = table.index.get(offer_id)
        if count is not None and row is not None:
            known_free[row], free_count[row] = True, count
    done = np.zeros(len(table), dtype=np.bool_)
    done[table.rows_of(person.done)] = True
    # One row per exclusion rule (see ``_why_not``, which words them), one column per offer.
    reasons = np.stack(
        (
            ~table.active,
            done,
            table.age_outside(person),
            table.branch_not_taken(person),
            table.group_not_served(person),
            known_free & (free_count <= 0),
            table.active & ~route.reaches_any,
        )
    ).sum(axis=0)
    taken = np.flatnonzero(reasons == 0)
    where = table.proximity(person, neighbours)
    reaches_goal = route.reaches_goal[taken]
    order = taken[
        np.lexsort(
            (
                table.id_order[taken],
                outcome_ranks[taken],
                np.where(reaches_goal, route.steps[taken], 1 << 30),
                _PROXIMITY_RANKS[where[taken]],
                ~known_free[taken],
                ~reaches_goal,
            )
        )
    ]
    steps_out = []
    for rank, row in enumerate(order if first is None else order[:first], start=1):
        offer = table.offers[row]
        reached = bool(route.reaches_goal[row])
        candidate = _Candidate(
            offer,
            free_places.get(offer.id),
            PROXIMITIES[where[row]],
            reached,
            int(route.steps[row]) if reached else None,
            (person.goal or _nearest_goal(distances, offer.id)) if reached else person.goal,
        )
        outcome = _outcome(
            by_offer.get(offer.id), similar_by_offer.get(offer.id), comparison, person, min_leavers
        )
        steps_out.append(_step(rank, candidate, person, outcome))
    excluded: tuple[ExcludedOffer, ...] = ()
    unfit = np.flatnonzero(reasons > 0)
    if include_excluded:
        # By offer id; or the first ``first_excluded`` with the fewest reasons.
        if first_excluded is None:
            shown = unfit[np.argsort(table.id_order[unfit])]
        else:
            shown = unfit[np.lexsort((table.id_order[unfit], reasons[unfit]))][:first_excluded]
        excluded = tuple(
            ExcludedOffer(
                table.ids[row],
                _why_not(
                    person,
                    table.offers[row],
                    free_places.get(table.ids[row]),
                    bool(route.reaches_any[row]),
                ),
            )
            for row in shown
        )
    return NextSteps(
        steps=tuple(steps_out),
        excluded=excluded,
        ranked=None if first is None else len(taken),
        excluded_found=None if first_excluded is None else len(unfit),
    )


_PROXIMITY_RANKS = np.array([_PROXIMITY_RANK[p] for p in PROXIMITIES], dtype=np.int64)


def _route_columns(table: OfferTable, distances: Distances, goal: str | None) -> RouteColumns:
    """``distances.route_columns(goal)`` in the rows of ``table`` (the same order when
    the distances were computed from the same offers, as they are)."""
    columns = distances.route_columns(goal)
    if distances.offers == table.ids:
        return columns
    rows = np.fromiter((distances.index.get(i, -1) for i in table.ids), np.int64, len(table))
    known = rows >= 0
    return RouteColumns(
        known & columns.reaches_any[rows],
        known & columns.reaches_goal[rows],
        np.where(known, columns.steps[rows], 0),
    )


def _nearest_goal(distances: Distances, offer_id: str) -> str:
    """The goal ``offer_id`` reaches in the fewest steps, ties to the first by name."""
    return min((steps, goal) for goal, steps in distances.for_offer(offer_id).items())[1]


def _verdicts(
    table: OfferTable, results: Iterable[EmpiricalResult]
) -> tuple[dict[str, EmpiricalResult], npt.NDArray[np.int64]]:
    """The results by offer, and per offer of ``table`` the place of its verdict in
    the order of outcomes (``_outcome``'s, without its reason); -1 where not judged."""
    by_offer = {r.offer: r for r in results}
    verdicts = np.full(len(table), -1, dtype=np.int64)
    for offer_id, result in by_offer.items():
        row = table.index.get(offer_id)
        if row is not None and result.judged:
            verdicts[row] = _OUTCOME_RANK[OUTCOME_POOR if result.flagged else OUTCOME_GOOD]
    return by_offer, verdicts


def _why_not(
    person: PersonFacts, offer: Offer, free: int | None, reaches_any: bool
) -> tuple[Factor, ...]:
    """Every rule ``offer`` fails for ``person``, in words (empty: it may be taken)."""
    why_not: list[Factor] = []
    if not offer.active:
        why_not.append(
            Factor("status", f"offer is {offer.status}", "offer_closed", {"status": offer.status})
        )
    if offer.id in person.done:
        why_not.append(Factor("done", "already took part / bereits teilgenommen", "already_taken"))
    why_not.extend(eligibility(person, offer, why=False)[1])
    if free is not None and free <= 0:
        why_not.append(Factor("free_places", "no free place / kein freier Platz", "no_free_place"))
    if offer.active and not reaches_any:
        why_not.append(
            Factor("dead_end", "dead end: no chain of active offers reaches a goal", "dead_end")
        )
    return tuple(why_not)


@dataclass(frozen=True)
class _Candidate:
    """An offer the person can take, with what its step shows."""

    offer: Offer
    free: int | None
    where: str
    reaches_goal: bool
    steps: int | None
    goal: str | None


def _step(
    rank: int, candidate: _Candidate, person: PersonFacts, outcome: tuple[str, Factor]
) -> NextStep:
    """A ranked offer's step with every factor of its place in the order."""
    offer, free, steps, goal = candidate.offer, candidate.free, candidate.steps, candidate.goal
    if candidate.reaches_goal:
        step_word = "step" if steps == 1 else "steps"
        goal_factor = Factor(
            "goal",
            f"leads to {goal} in {steps} {step_word}",
            "leads_to_goal",
            {"goal": goal, "steps": steps},
        )
    else:
        goal_factor = Factor(
            "goal",
            f"does not lead to {person.goal}; reaches other goals only",
            "other_goals_only",
            {"goal": person.goal},
        )
    factors = (
        goal_factor,
        Factor("free_places", f"{free} free places / freie Plätze", "free_places", {"count": free})
        if free is not None
        else Factor("free_places", "free places unknown / Plätze unbekannt", "free_places_unknown"),
        proximity_factor(candidate.where, offer),
        *eligibility(person, offer)[0],
        outcome[1],
    )
    return NextStep(
        rank=rank,
        offer=offer.id,
        leads_to_goal=candidate.reaches_goal,
        steps_to_goal=steps if candidate.reaches_goal else None,
        goal=goal if candidate.reaches_goal else person.goal,
        free_places=free,
        proximity=candidate.where,
        outcome=outcome[0],
        factors=factors,
    )


def next_steps_to_dict(
    result: NextSteps, titles: Mapping[str, str] | None = None
) -> dict[str, object]:
    """JSON-ready form: the order of the ranking, the steps and the excluded offers."""
    titles = titles or {}

    def factors(items: Sequence[Factor]) -> list[dict[str, str]]:
        return [{"factor": f.name, "text": f.text} for f in items]

    return {
        "order": list(result.order),
        "steps": [
            {
                "rank": s.rank,
                "offer": s.offer,
                "title": titles.get(s.offer, ""),
                "leads_to_goal": s.leads_to_goal,
                "goal": s.goal,
                "steps_to_goal": s.steps_to_goal,
                "free_places": s.free_places,
                "proximity": s.proximity,
                "outcome": s.outcome,
                "factors": factors(s.factors),
            }
            for s in result.steps
        ],
        "excluded": [
            {"offer": e.offer, "title": titles.get(e.offer, ""), "why_not": factors(e.why_not)}
            for e in result.excluded
        ],
    }
