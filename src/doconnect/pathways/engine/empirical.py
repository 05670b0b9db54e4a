"""The empirical analysis: how each offer's leavers fared — the share who reached a goal
within 6 and 12 months, judged only with enough known outcomes (small-number rule) and
flagged below a minimum share. Pure, no Django."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from doconnect.pathways.engine.inputs import LeaverOutcome, UnknownOfferError
from doconnect.pathways.engine.report import EmpiricalResult


def _share_text(reached: int, known: int, months: int) -> str:
    share = f"{reached / known:.0%}"
    return f"{reached} of {known} leavers ({share}) reached a goal within {months} months"


# Per offer: leavers, known and reached within 6 months, known and reached within 12.
Tally = tuple[int, int, int, int, int]


def tally_outcomes(outcomes: Iterable[LeaverOutcome]) -> dict[str, Tally]:
    """The counts ``judge_tallies`` needs, per offer. Tallies of disjoint groups of
    leavers add up, so a group's result can be judged from the tallies of its parts."""
    tallies: dict[str, list[int]] = {}
    for outcome in outcomes:
        t = tallies.setdefault(outcome.offer, [0, 0, 0, 0, 0])
        t[0] += 1
        if outcome.goal_within_6m is not None:
            t[1] += 1
            t[2] += bool(outcome.goal_within_6m)
        if outcome.goal_within_12m is not None:
            t[3] += 1
            t[4] += bool(outcome.goal_within_12m)
    return {offer: (t[0], t[1], t[2], t[3], t[4]) for offer, t in tallies.items()}


def empirical_dead_ends(
    offer_ids: Iterable[str],
    outcomes: Iterable[LeaverOutcome],
    min_share_6m: float = 0.2,
    min_share_12m: float = 0.3,
    min_leavers: int = 5,
) -> tuple[EmpiricalResult, ...]:
    """Share of each offer's leavers who reached a goal within 6 and 12 months, sorted by
    offer id. A horizon with fewer than ``min_leavers`` known outcomes is not judged
    (small-number rule); an offer is flagged when a judged share is below its minimum."""
    known_ids = set(offer_ids)
    outcomes = list(outcomes)
    for outcome in outcomes:
        if outcome.offer not in known_ids:
            raise UnknownOfferError(
                f"leaver outcome for unknown offer {outcome.offer!r}", outcome.offer, ""
            )
    return judge_tallies(tally_outcomes(outcomes), min_share_6m, min_share_12m, min_leavers)


def judge_tallies(
    tallies: Mapping[str, Tally],
    min_share_6m: float = 0.2,
    min_share_12m: float = 0.3,
    min_leavers: int = 5,
) -> tuple[EmpiricalResult, ...]:
    """``empirical_dead_ends`` from the counts of ``tally_outcomes``, sorted by offer."""
    result = []
    for offer in sorted(tallies):
        leavers, known_6, reached_6, known_12, reached_12 = tallies[offer]
        share_6 = reached_6 / known_6 if known_6 >= min_leavers else None
        share_12 = reached_12 / known_12 if known_12 >= min_leavers else None
        below = []
        if share_6 is not None and share_6 < min_share_6m:
            below.append(f"{_share_text(reached_6, known_6, 6)}, below {min_share_6m:.0%}")
        if share_12 is not None and share_12 < min_share_12m:
            below.append(f"{_share_text(reached_12, known_12, 12)}, below {min_share_12m:.0%}")
        if share_6 is None and share_12 is None:
            reason = f"too few to judge ({leavers} leavers, at least {min_leavers} needed)"
        elif below:
            reason = "; ".join(below)
        else:
            parts = [
                _share_text(r, k, m)
                for r, k, m, s in (
                    (reached_6, known_6, 6, share_6),
                    (reached_12, known_12, 12, share_12),
                )
                if s is not None
            ]
            reason = "; ".join(parts)
        result.append(
            EmpiricalResult(
                offer=offer,
                leavers=leavers,
                known_6m=known_6,
                reached_6m=reached_6,
                share_6m=share_6,
                known_12m=known_12,
                reached_12m=reached_12,
                share_12m=share_12,
                flagged=bool(below),
                reason=reason,
            )
        )
    return tuple(result)
