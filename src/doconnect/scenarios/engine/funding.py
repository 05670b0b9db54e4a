"""Funding and places under a scenario: each funding line counted pro rata by its days in
the period, the scenario's changes applied in order (funding cuts and raises, funders no
longer paying for some persons, closed and new offers), the capacity the funding left
pays for, and whether a provider stays viable. Pure, no Django."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from doconnect.scenarios.engine.baseline import FundingLine, ScenarioOffer
from doconnect.scenarios.engine.spec import (
    AGE_CEILING,
    AGE_FLOOR,
    CloseOffer,
    EligibilityChange,
    FundingChange,
    OpenOffer,
    ScenarioSpec,
)

# The codes of a warning; a page says them again in the reader's language from params.
NO_FUNDED_OFFER = "funding_change_no_effect"
CUT_EXCEEDS_FUNDING = "cut_exceeds_funding"
NO_EXCLUDED_OFFER = "eligibility_change_no_effect"


@dataclass(frozen=True)
class ScenarioWarning:
    """A change the engine could not apply as stated: the English text (the command's
    and the file's language) and, for pages in any language, its code and params."""

    code: str
    text: str
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params)}


# Euro amounts closer than this are equal (pro-rata shares are not whole cents).
EURO_TOLERANCE = 1e-6
# A capacity ratio within this of a whole number is that number (10 × 0.7 is 6.99…).
PLACE_TOLERANCE = 1e-9


def period_amount(line: FundingLine, start: date, end: date) -> float:
    """The part of a line's amount falling into the period, pro rata by days."""
    overlap = (min(line.end, end) - max(line.start, start)).days + 1
    if overlap <= 0:
        return 0.0
    return line.amount_eur * overlap / ((line.end - line.start).days + 1)


def funding_by_funder(lines: Sequence[FundingLine], start: date, end: date) -> dict[str, float]:
    by_funder: dict[str, float] = defaultdict(float)
    for line in lines:
        amount = period_amount(line, start, end)
        if amount > 0:
            by_funder[line.funder] += amount
    return dict(by_funder)


def _excluded_share(change: EligibilityChange, offer: ScenarioOffer) -> float:
    """The share of an offer's places a funder no longer pays for (see
    ``spec.EligibilityChange``)."""
    by_group = 0.0
    if change.target_groups and offer.target_groups:
        excluded = set(change.target_groups) & set(offer.target_groups)
        by_group = len(excluded) / len(offer.target_groups)
    by_age = 0.0
    if change.min_age is not None or change.max_age is not None:
        low = offer.min_age if offer.min_age is not None else AGE_FLOOR
        high = offer.max_age if offer.max_age is not None else AGE_CEILING
        high = max(high, low)
        ex_low = change.min_age if change.min_age is not None else 0
        ex_high = change.max_age if change.max_age is not None else 200
        inside = max(0, min(high, ex_high) - max(low, ex_low) + 1)
        by_age = inside / (high - low + 1)
    return 1.0 - (1.0 - by_group) * (1.0 - by_age)


def apply_changes(
    spec: ScenarioSpec,
    offers: dict[str, ScenarioOffer],
    after: dict[str, dict[str, float]],
    warnings: list[ScenarioWarning],
) -> set[str]:
    """Apply the changes in order to ``after`` (offer → funder → euro); new offers are
    added to ``offers``. Returns the offers the scenario closes."""
    closed: set[str] = set()
    for change in spec.changes:
        where = f"line {change.line}" if change.line else change.type
        at = {"line": change.line, "type": change.type}
        if isinstance(change, CloseOffer):
            closed.add(change.offer)
            after[change.offer] = {}
        elif isinstance(change, OpenOffer):
            offers[change.id] = ScenarioOffer(
                id=change.id,
                provider=change.provider,
                kind=change.kind,
                district=change.district,
                target_groups=change.target_groups,
                capacity=change.capacity,
                min_age=change.min_age,
                max_age=change.max_age,
                funding=tuple(
                    FundingLine(f.funder, f.amount_eur, f.start, f.end) for f in change.funding
                ),
            )
            after[change.id] = funding_by_funder(offers[change.id].funding, spec.start, spec.end)
        elif isinstance(change, FundingChange):
            kinds, ids = set(change.offer_kinds), set(change.offers)
            matched = [
                offer_id
                for offer_id in sorted(after)
                if after[offer_id].get(change.funder, 0.0) > 0
                and (not kinds or offers[offer_id].kind in kinds)
                and (not ids or offer_id in ids)
            ]
            if not matched:
                warnings.append(
                    ScenarioWarning(
                        NO_FUNDED_OFFER,
                        f"{where}: {change.funder} funds none of the offers named in the "
                        "period; the change has no effect",
                        {**at, "funder": change.funder},
                    )
                )
                continue
            if change.percent is not None:
                factor = max(0.0, 1.0 + change.percent / 100.0)
                for offer_id in matched:
                    after[offer_id][change.funder] *= factor
            else:
                assert change.amount_eur is not None
                total = sum(after[o][change.funder] for o in matched)
                if total + change.amount_eur < 0:
                    warnings.append(
                        ScenarioWarning(
                            CUT_EXCEEDS_FUNDING,
                            f"{where}: the cut of {-change.amount_eur:,.2f} € exceeds the "
                            f"{total:,.2f} € {change.funder} pays for these offers; all of "
                            "it is cut",
                            {
                                **at,
                                "funder": change.funder,
                                "cut_eur": round(-change.amount_eur, 2),
                                "total_eur": round(total, 2),
                            },
                        )
                    )
                factor = max(0.0, 1.0 + change.amount_eur / total)
                for offer_id in matched:
                    after[offer_id][change.funder] *= factor
        else:
            assert isinstance(change, EligibilityChange)
            kinds = set(change.offer_kinds)
            hit = 0
            for offer_id in sorted(after):
                offer = offers[offer_id]
                if after[offer_id].get(change.funder, 0.0) <= 0:
                    continue
                if kinds and offer.kind not in kinds:
                    continue
                share = _excluded_share(change, offer)
                if share > 0:
                    hit += 1
                    after[offer_id][change.funder] *= 1.0 - share
            if not hit:
                warnings.append(
                    ScenarioWarning(
                        NO_EXCLUDED_OFFER,
                        f"{where}: no offer funded by {change.funder} in the period serves "
                        "only the excluded persons; the change has no effect",
                        {**at, "funder": change.funder},
                    )
                )
    return closed


def capacity_after(capacity: int | None, before: float, after: float) -> int | None:
    """``floor(capacity × after ÷ before)``; unchanged without funding before."""
    if capacity is None:
        return None
    if before <= EURO_TOLERANCE:
        return capacity
    return max(0, math.floor(capacity * after / before + PLACE_TOLERANCE))


def is_not_viable(before: float, after: float, threshold: float) -> bool:
    return before > EURO_TOLERANCE and after < threshold * before - EURO_TOLERANCE
