"""The scenario engine: what a set of funding changes over a period does to the offer
landscape, against the baseline. Pure (NumPy, SciPy, the pathways engine), no Django.

The rules (every result states them in ``rules``):

- Funding over the period: each funding line counts pro rata by the days it overlaps
  the period (a line of 100,000 € over a year counts 50,000 € in a half-year period).
- Changes apply in the file's order to the funding after (see ``spec``).
- Capacity: ``floor(capacity × funding after ÷ funding before)``; an offer without
  funding before (in the period) keeps its capacity; an unknown capacity stays unknown
  (and counts no places).
- Viability: a provider whose funding after falls below ``viability_threshold`` ×
  its funding before is not viable and all its offers close (exactly the threshold is
  still viable); a provider without funding before is viable.
- An active offer whose capacity after is 0 closes; closed offers become "ended" for
  the pathways engine, which tells the new dead ends and the single bridges broken.
- Coverage: demand (persons) per target group × district × offer kind. An offer's
  places are shared among the cells it serves — its target groups (open to all: every
  target group) × its district (city-wide: every district) × its kind — in proportion
  to the cells' demand (evenly if none of them has demand). Covered demand of a cell is
  min(demand, places); ``demand_covered_*`` sums it per target group.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from doconnect.files.importing import ImportFailed
from doconnect.pathways.engine import analysis as pathways
from doconnect.scenarios.engine import bridge as bridging
from doconnect.scenarios.engine.spec import (
    AGE_CEILING,
    AGE_FLOOR,
    CloseOffer,
    EligibilityChange,
    FundingChange,
    OpenOffer,
    ScenarioRules,
    ScenarioSpec,
    check_spec,
)

CAPACITY_RULE = "floor(capacity × funding after ÷ funding before)"
COVERAGE_RULE = (
    "an offer's places are shared among the target group × district cells it serves "
    "(open to all: every target group; city-wide: every district) in proportion to their "
    "demand (evenly without demand); covered = min(demand, places)"
)
FUNDING_RULE = "each funding line counts pro rata by its days overlapping the period"
# Euro amounts closer than this are equal (pro-rata shares are not whole cents).
EURO_TOLERANCE = 1e-6
# A capacity ratio within this of a whole number is that number (10 × 0.7 is 6.99…).
PLACE_TOLERANCE = 1e-9

CLOSED_BY_SCENARIO = "closed_by_scenario"
PROVIDER_NOT_VIABLE = "provider_not_viable"
NO_FUNDING_LEFT = "no_funding_left"
LESS_THAN_ONE_PLACE = "less_than_one_place"

FloatArray = npt.NDArray[np.float64]


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class FundingLine:
    funder: str
    amount_eur: float
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class ScenarioOffer:
    """An offer as the scenario sees it. ``district`` None: city-wide; no
    ``target_groups``: open to everybody; ``capacity`` None: unknown."""

    id: str
    provider: str
    kind: str
    status: str = pathways.ACTIVE
    district: str | None = None
    target_groups: tuple[str, ...] = ()
    capacity: int | None = None
    min_age: int | None = None
    max_age: int | None = None
    funding: tuple[FundingLine, ...] = ()

    @property
    def active(self) -> bool:
        return self.status == pathways.ACTIVE

    @classmethod
    def of(
        cls, offer: pathways.Offer, *, provider: str, funding: Iterable[FundingLine] = ()
    ) -> ScenarioOffer:
        """An offer of the pathways landscape with its provider and funding lines."""
        return cls(
            id=offer.id,
            provider=provider,
            kind=offer.kind,
            status=offer.status,
            district=offer.district,
            target_groups=offer.target_groups,
            capacity=offer.capacity,
            min_age=offer.min_age,
            max_age=offer.max_age,
            funding=tuple(funding),
        )


@dataclass(frozen=True, slots=True)
class DemandCell:
    """How many persons of a target group in a district need an offer of a kind."""

    target_group: str
    district: str
    offer_kind: str
    persons: int


@dataclass(frozen=True)
class ScenarioInputs:
    """The city as the scenario needs it: offers with funding lines, follow-on links,
    demand cells, and the names of districts and target groups (code → name) for the
    sentences."""

    offers: tuple[ScenarioOffer, ...]
    links: tuple[pathways.FollowOn, ...] = ()
    demand: tuple[DemandCell, ...] = ()
    districts: tuple[str, ...] = ()
    target_groups: Mapping[str, str] = field(default_factory=dict)
    offer_kinds: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The canonical JSON form (sorted), of which ``digest`` is the sha256: offers as
        rows of ``OFFER_COLUMNS``, funding lines as [funder, amount, start, end]."""
        return {
            "offer_columns": list(OFFER_COLUMNS),
            "offers": [
                [
                    o.id,
                    o.provider,
                    o.kind,
                    o.status,
                    o.district,
                    sorted(o.target_groups),
                    o.capacity,
                    o.min_age,
                    o.max_age,
                    sorted(
                        (f.funder, f.amount_eur, f.start.isoformat(), f.end.isoformat())
                        for f in o.funding
                    ),
                ]
                for o in sorted(self.offers, key=_offer_id)
            ],
            "links": sorted((link.from_offer, link.reference) for link in self.links),
            "demand": sorted(
                (c.target_group, c.district, c.offer_kind, c.persons) for c in self.demand
            ),
            "districts": sorted(self.districts),
            "target_groups": dict(sorted(self.target_groups.items())),
            "offer_kinds": dict(sorted(self.offer_kinds.items())),
        }

    def digest(self) -> str:
        text = json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


OFFER_COLUMNS = (
    "id",
    "provider",
    "kind",
    "status",
    "district",
    "target_groups",
    "capacity",
    "min_age",
    "max_age",
    "funding",
)


def _offer_id(offer: ScenarioOffer) -> str:
    return offer.id


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class OfferOutcome:
    offer: str
    provider: str
    kind: str
    district: str | None
    target_groups: tuple[str, ...]
    status: str
    new: bool
    capacity_before: int | None
    capacity_after: int | None
    funding_before_eur: float
    funding_after_eur: float
    closed: bool
    closed_code: str | None = None
    closed_because: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "offer": self.offer,
            "provider": self.provider,
            "kind": self.kind,
            "district": self.district,
            "target_groups": list(self.target_groups),
            "status": self.status,
            "new": self.new,
            "capacity_before": self.capacity_before,
            "capacity_after": self.capacity_after,
            "funding_before_eur": _eur(self.funding_before_eur),
            "funding_after_eur": _eur(self.funding_after_eur),
            "closed": self.closed,
            "closed_code": self.closed_code,
            "closed_because": self.closed_because,
        }


@dataclass(frozen=True, slots=True)
class ProviderOutcome:
    provider: str
    funding_before_eur: float
    funding_after_eur: float
    share: float
    viable: bool
    offers: int
    offers_closed: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "funding_before_eur": _eur(self.funding_before_eur),
            "funding_after_eur": _eur(self.funding_after_eur),
            "share": round(self.share, 4),
            "viable": self.viable,
            "offers": self.offers,
            "offers_closed": self.offers_closed,
        }


@dataclass(frozen=True, slots=True)
class CoverageCell:
    target_group: str
    district: str
    offer_kind: str
    demand: int
    places_before: float
    places_after: float
    places_after_bridge: float

    def covered(self, places: float) -> float:
        return min(float(self.demand), places)

    def to_dict(self) -> dict[str, Any]:
        return {
            "target_group": self.target_group,
            "district": self.district,
            "offer_kind": self.offer_kind,
            "demand": self.demand,
            "places_before": _places(self.places_before),
            "places_after": _places(self.places_after),
            "places_after_bridge": _places(self.places_after_bridge),
            "covered_before": _places(self.covered(self.places_before)),
            "covered_after": _places(self.covered(self.places_after)),
            "covered_after_bridge": _places(self.covered(self.places_after_bridge)),
        }


@dataclass(frozen=True)
class ScenarioResult:
    spec: ScenarioSpec
    inputs_digest: str
    offers: tuple[OfferOutcome, ...]
    providers: tuple[ProviderOutcome, ...]
    new_dead_ends: tuple[dict[str, Any], ...]
    broken_bridges: tuple[dict[str, Any], ...]
    new_single_bridges: tuple[dict[str, Any], ...]
    coverage: tuple[CoverageCell, ...]
    bridge: bridging.BridgeResult
    warnings: tuple[str, ...] = ()

    @property
    def providers_not_viable(self) -> list[str]:
        return [p.provider for p in self.providers if not p.viable]

    def rules(self) -> dict[str, Any]:
        return {
            "capacity_rule": CAPACITY_RULE,
            "viability_threshold": self.spec.rules.viability_threshold,
            "viability_rule": "a provider whose funding after falls below the threshold × "
            "its funding before is not viable; all its offers close",
            "funding_rule": FUNDING_RULE,
            "coverage_rule": COVERAGE_RULE,
            "bridge_weights": dict(sorted(self.spec.rules.bridge_weights.items())),
            "bridge_weight_default": 1.0,
        }

    def covered_by_group(self, which: str) -> dict[str, float]:
        totals: dict[str, float] = defaultdict(float)
        for cell in self.coverage:
            places = {
                "before": cell.places_before,
                "after": cell.places_after,
                "after_bridge": cell.places_after_bridge,
            }[which]
            totals[cell.target_group] += cell.covered(places)
        return {g: _places(v) for g, v in sorted(totals.items())}

    def summary(self) -> dict[str, Any]:
        before = sum(
            _places_of(o.capacity_before) for o in self.offers if o.status == pathways.ACTIVE
        )
        after = sum(
            _places_of(o.capacity_after)
            for o in self.offers
            if o.status == pathways.ACTIVE and not o.closed
        )
        kept = sum(a.places_kept for a in self.bridge.allocations)
        return {
            "places_before": before,
            "places_after": after,
            "places_lost": before - after,
            "places_after_bridge": after + kept,
            "providers_total": len(self.providers),
            "providers_not_viable": len(self.providers_not_viable),
            "offers_closed": sum(1 for o in self.offers if o.closed),
            "new_dead_ends": len(self.new_dead_ends),
            "broken_bridges": len(self.broken_bridges),
            "bridge_spent_eur": _eur(self.bridge.spent_eur),
            "demand_covered_before": self.covered_by_group("before"),
            "demand_covered_after": self.covered_by_group("after"),
            "demand_covered_after_bridge": self.covered_by_group("after_bridge"),
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON form every consumer relies on (see README.md); extra keys allowed."""
        return {
            "name": self.spec.name,
            "description": self.spec.description,
            "period": {"start": self.spec.start.isoformat(), "end": self.spec.end.isoformat()},
            "inputs_digest": self.inputs_digest,
            "scenario": self.spec.to_dict(),
            "rules": self.rules(),
            "offers": [o.to_dict() for o in self.offers],
            "providers": [p.to_dict() for p in self.providers],
            "providers_not_viable": self.providers_not_viable,
            "new_dead_ends": list(self.new_dead_ends),
            "broken_bridges": list(self.broken_bridges),
            "new_single_bridges": list(self.new_single_bridges),
            "coverage": [c.to_dict() for c in self.coverage],
            "bridge": self.bridge.to_dict(),
            "summary": self.summary(),
            "warnings": list(self.warnings),
        }


def _eur(amount: float) -> float:
    return round(amount + 0.0, 2)


def _places(places: float) -> float:
    return round(places + 0.0, 2)


def _places_of(capacity: int | None) -> int:
    return capacity or 0


# --------------------------------------------------------------------------- funding


def period_amount(line: FundingLine, start: date, end: date) -> float:
    """The part of a line's amount falling into the period, pro rata by days."""
    overlap = (min(line.end, end) - max(line.start, start)).days + 1
    if overlap <= 0:
        return 0.0
    return line.amount_eur * overlap / ((line.end - line.start).days + 1)


def _funding_by_funder(lines: Sequence[FundingLine], start: date, end: date) -> dict[str, float]:
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


def _apply_changes(
    spec: ScenarioSpec,
    offers: dict[str, ScenarioOffer],
    after: dict[str, dict[str, float]],
    warnings: list[str],
) -> set[str]:
    """Apply the changes in order to ``after`` (offer → funder → euro); new offers are
    added to ``offers``. Returns the offers the scenario closes."""
    closed: set[str] = set()
    for change in spec.changes:
        where = f"line {change.line}" if change.line else change.type
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
            after[change.id] = _funding_by_funder(offers[change.id].funding, spec.start, spec.end)
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
                    f"{where}: {change.funder} funds none of the offers named in the period; "
                    "the change has no effect"
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
                        f"{where}: the cut of {-change.amount_eur:,.2f} € exceeds the "
                        f"{total:,.2f} € {change.funder} pays for these offers; all of it is cut"
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
                    f"{where}: no offer funded by {change.funder} in the period serves only "
                    "the excluded persons; the change has no effect"
                )
    return closed


# --------------------------------------------------------------------------- capacity


def capacity_after(capacity: int | None, before: float, after: float) -> int | None:
    """``floor(capacity × after ÷ before)``; unchanged without funding before."""
    if capacity is None:
        return None
    if before <= EURO_TOLERANCE:
        return capacity
    return max(0, math.floor(capacity * after / before + PLACE_TOLERANCE))


def _not_viable(before: float, after: float, threshold: float) -> bool:
    return before > EURO_TOLERANCE and after < threshold * before - EURO_TOLERANCE


# --------------------------------------------------------------------------- coverage


@dataclass(frozen=True)
class CellIndex:
    """Demand cells as rows of the offer → cell share matrix."""

    keys: tuple[tuple[str, str, str], ...]
    demand: FloatArray
    shares: sp.csr_array  # cells × offers: the share of each offer's places per cell


def cell_index(
    offers: Sequence[ScenarioOffer],
    demand: Sequence[DemandCell],
    districts: Sequence[str],
    target_groups: Sequence[str],
) -> CellIndex:
    demand_of: dict[tuple[str, str, str], int] = defaultdict(int)
    for cell in demand:
        demand_of[(cell.target_group, cell.district, cell.offer_kind)] += cell.persons
    all_districts = sorted(
        set(districts)
        | {c.district for c in demand}
        | {o.district for o in offers if o.district is not None}
    )
    all_groups = sorted(
        set(target_groups)
        | {c.target_group for c in demand}
        | {g for o in offers for g in o.target_groups}
    )
    index: dict[tuple[str, str, str], int] = {key: i for i, key in enumerate(sorted(demand_of))}
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    for j, offer in enumerate(offers):
        groups = offer.target_groups or all_groups
        places = (offer.district,) if offer.district is not None else all_districts
        keys = [(g, d, offer.kind) for g in groups for d in places]
        weights = [float(demand_of.get(key, 0)) for key in keys]
        total = sum(weights)
        if total <= 0:
            weights, total = [1.0] * len(keys), float(len(keys))
        for key, weight in zip(keys, weights, strict=True):
            if weight <= 0:
                continue
            if key not in index:
                index[key] = len(index)
            rows.append(index[key])
            cols.append(j)
            values.append(weight / total)
    keys_sorted = sorted(index)
    order = np.array([index[k] for k in keys_sorted], dtype=np.int64)
    remap = np.empty(len(order), dtype=np.int64)
    remap[order] = np.arange(len(order))
    matrix = sp.csr_array(
        (np.array(values), (remap[np.array(rows, dtype=np.int64)], np.array(cols, dtype=np.int64))),
        shape=(len(index), len(offers)),
    )
    return CellIndex(
        keys=tuple(keys_sorted),
        demand=np.array([float(demand_of.get(k, 0)) for k in keys_sorted]),
        shares=matrix,
    )


# --------------------------------------------------------------------------- pathways


def _pathway_changes(
    before_offers: Sequence[ScenarioOffer],
    all_offers: Sequence[ScenarioOffer],
    closed: Mapping[str, str],
    links: Sequence[pathways.FollowOn],
    new_links: Sequence[pathways.FollowOn],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    # The graph only needs id, kind and status; the same objects serve both graphs.
    as_before = {o.id: pathways.Offer(o.id, o.kind, status=o.status) for o in before_offers}
    graph_before = pathways.build_graph(list(as_before.values()), links)
    graph_after = pathways.build_graph(
        [
            pathways.Offer(o.id, o.kind, status=pathways.ENDED)
            if o.id in closed
            else as_before.get(o.id) or pathways.Offer(o.id, o.kind, status=o.status)
            for o in all_offers
        ],
        [*links, *new_links],
    )
    dead_before = {d.offer for d in pathways.find_dead_ends(graph_before)[0]}
    dead_after, _closures = pathways.find_dead_ends(graph_after)
    new_dead_ends = [
        {
            "offer": d.offer,
            "reason": d.reason,
            "cause": d.cause,
            "blocked_by": list(d.blocked_by),
            "reachable_if_reopened": d.reachable_if_reopened,
            # For user interfaces that say it in their own words (web/pathway_texts).
            "code": d.code,
            "params": {k: list(v) if isinstance(v, tuple) else v for k, v in d.params.items()},
        }
        for d in sorted(dead_after, key=lambda d: d.offer)
        if d.offer not in dead_before
    ]
    bridges_before = pathways.find_single_bridges(graph_before)
    bridges_after = pathways.find_single_bridges(graph_after)
    broken = [
        {
            "offer": b.offer,
            "stranded_count": b.stranded_count,
            "stranded": list(b.stranded),
            "reason": f"the only way onward for {b.stranded_count} offer"
            f"{'s' if b.stranded_count != 1 else ''} closes: {closed[b.offer]}",
        }
        for b in sorted(bridges_before, key=lambda b: b.offer)
        if b.offer in closed
    ]
    single_before = {b.offer for b in bridges_before}
    new_single = [
        {
            "offer": b.offer,
            "stranded_count": b.stranded_count,
            "stranded": list(b.stranded),
            "reason": f"now the only way onward for {b.stranded_count} offer"
            f"{'s' if b.stranded_count != 1 else ''}",
        }
        for b in sorted(bridges_after, key=lambda b: b.offer)
        if b.offer not in single_before
    ]
    return new_dead_ends, broken, new_single


# --------------------------------------------------------------------------- bridge


def _bridge_problem(
    *,
    outcomes: Sequence[OfferOutcome],
    rule_capacity: Mapping[str, int],
    not_viable: Mapping[str, float],
    cells: CellIndex,
    cell_places_after: FloatArray,
    weights: ScenarioRules,
    budget: float,
    closed_by_scenario: set[str],
) -> bridging.BridgeProblem:
    """Which places the bridge can buy back: of offers of viable providers, the places
    the cut took (at the offer's price per place before); of providers not viable, the
    places a kept provider's offers reopen with and those they lost. Offers the scenario
    closes on purpose are not bridged."""
    provider_index = {p: k for k, p in enumerate(sorted(not_viable))}
    column = {out.offer: j for j, out in enumerate(outcomes)}
    candidates: list[tuple[str, int, float, int]] = []
    candidate_columns: list[int] = []
    reopened: list[list[tuple[str, int]]] = [[] for _ in provider_index]
    reopen_columns: list[list[int]] = [[] for _ in provider_index]
    useful = np.asarray(
        cells.shares.T @ (cells.demand - cell_places_after > 1e-9).astype(float)
    ).ravel()
    for out in outcomes:
        if out.status != pathways.ACTIVE or out.offer in closed_by_scenario:
            continue
        if out.capacity_before is None or out.new:
            continue
        p = provider_index.get(out.provider, -1)
        rule = rule_capacity.get(out.offer, 0)
        if p >= 0:
            if rule > 0:
                reopened[p].append((out.offer, rule))
                reopen_columns[p].append(column[out.offer])
            lost = out.capacity_before - rule
        else:
            lost = out.capacity_before - (out.capacity_after or 0)
            if useful[column[out.offer]] <= 0:
                continue  # its places would cover nobody's unmet demand
        if lost <= 0 or out.funding_before_eur <= EURO_TOLERANCE:
            continue
        candidates.append((out.offer, lost, out.funding_before_eur / out.capacity_before, p))
        candidate_columns.append(column[out.offer])
    shares = cells.shares.tocsc()
    offer_shares = (
        sp.csr_array(shares[:, candidate_columns])
        if candidates
        else sp.csr_array((len(cells.keys), 0))
    )
    n_cells = len(cells.keys)
    reopen = np.zeros((n_cells, len(provider_index)))
    for p, offer_columns in enumerate(reopen_columns):
        for col, (_offer, places) in zip(offer_columns, reopened[p], strict=True):
            reopen[:, p] += shares[:, [col]].toarray().ravel() * places
    return bridging.BridgeProblem(
        budget=budget,
        offers=tuple(c[0] for c in candidates),
        lost=np.array([c[1] for c in candidates], dtype=np.int64),
        cost=np.array([c[2] for c in candidates], dtype=float),
        offer_provider=np.array([c[3] for c in candidates], dtype=np.int64),
        providers=tuple(sorted(not_viable)),
        deficit=np.array([not_viable[p] for p in sorted(not_viable)], dtype=float),
        reopened=tuple(tuple(r) for r in reopened),
        cells=cells.keys,
        demand=cells.demand,
        places_after=cell_places_after,
        weight=np.array([weights.weight(key[0]) for key in cells.keys], dtype=float),
        offer_shares=offer_shares,
        reopen_places=sp.csr_array(reopen),
    )


# --------------------------------------------------------------------------- the run


def run_scenario(
    spec: ScenarioSpec, inputs: ScenarioInputs, *, bridge_time_limit: float = 60.0
) -> ScenarioResult:
    """Run ``spec`` on ``inputs``. Names the inputs do not know (offers, target groups,
    districts): ImportFailed with FILE:LINE problems. Deterministic: the same spec and
    inputs give the same result."""
    base = sorted(inputs.offers, key=lambda o: o.id)
    ids = [o.id for o in base]
    if len(set(ids)) != len(ids):
        raise pathways.PathwayError("offer ids must be unique")
    problems = check_spec(
        spec,
        offer_ids=ids,
        target_groups=set(inputs.target_groups)
        | {c.target_group for c in inputs.demand}
        | {g for o in base for g in o.target_groups},
        districts=set(inputs.districts),
    )
    if problems:
        raise ImportFailed(problems)
    warnings: list[str] = []
    offers: dict[str, ScenarioOffer] = {o.id: o for o in base}
    before = {o.id: _funding_by_funder(o.funding, spec.start, spec.end) for o in base}
    after = {offer_id: dict(funders) for offer_id, funders in before.items()}
    closed_by_scenario = _apply_changes(spec, offers, after, warnings)
    all_offers = sorted(offers.values(), key=lambda o: o.id)
    new_ids = {o.id for o in all_offers} - set(ids)

    funding_before = {o.id: sum(before.get(o.id, {}).values()) for o in all_offers}
    funding_after = {o.id: sum(after.get(o.id, {}).values()) for o in all_offers}
    provider_before: dict[str, float] = defaultdict(float)
    provider_after: dict[str, float] = defaultdict(float)
    for o in all_offers:
        provider_before[o.provider] += funding_before[o.id]
        provider_after[o.provider] += funding_after[o.id]
    threshold = spec.rules.viability_threshold
    not_viable = {
        p for p in provider_before if _not_viable(provider_before[p], provider_after[p], threshold)
    }

    outcomes: list[OfferOutcome] = []
    closed: dict[str, str] = {}
    rule_capacity: dict[str, int] = {}
    for o in all_offers:
        new = o.id in new_ids
        cap_before = 0 if new else o.capacity
        rule = capacity_after(o.capacity, funding_before[o.id], funding_after[o.id])
        cap_after = rule
        code: str | None = None
        because: str | None = None
        if o.active and rule is not None:
            rule_capacity[o.id] = rule
        if o.id in closed_by_scenario:
            code, because = CLOSED_BY_SCENARIO, "closed by the scenario"
        elif not o.active:
            cap_after = o.capacity  # suspended or ended already: left as it is
        elif o.provider in not_viable:
            share = provider_after[o.provider] / provider_before[o.provider]
            code = PROVIDER_NOT_VIABLE
            because = (
                f"provider {o.provider} not viable: funding at {share:.1%} of the baseline "
                f"(threshold {threshold:.0%})"
            )
        elif rule == 0 and (o.capacity or 0) > 0:
            if funding_after[o.id] <= EURO_TOLERANCE:
                code, because = NO_FUNDING_LEFT, "no funding left in the period"
            else:
                code, because = LESS_THAN_ONE_PLACE, "the funding left pays for less than one place"
        if code is not None:
            cap_after = 0 if o.capacity is not None else None
            closed[o.id] = because or code
        outcomes.append(
            OfferOutcome(
                offer=o.id,
                provider=o.provider,
                kind=o.kind,
                district=o.district,
                target_groups=o.target_groups,
                status=o.status,
                new=new,
                capacity_before=cap_before,
                capacity_after=cap_after,
                funding_before_eur=funding_before[o.id],
                funding_after_eur=funding_after[o.id],
                closed=code is not None,
                closed_code=code,
                closed_because=because,
            )
        )

    offer_count = Counter(o.provider for o in all_offers)
    closed_count = Counter(o.provider for o in all_offers if o.id in closed)
    providers = tuple(
        ProviderOutcome(
            provider=p,
            funding_before_eur=provider_before[p],
            funding_after_eur=provider_after[p],
            share=provider_after[p] / provider_before[p]
            if provider_before[p] > EURO_TOLERANCE
            else 1.0,
            viable=p not in not_viable,
            offers=offer_count[p],
            offers_closed=closed_count[p],
        )
        for p in sorted(provider_before)
    )

    new_links = [
        pathways.FollowOn.parse(change.id, ref)
        for change in spec.changes
        if isinstance(change, OpenOffer)
        for ref in change.follow_ons
    ]
    new_dead_ends, broken, new_single = _pathway_changes(
        base, all_offers, closed, inputs.links, new_links
    )

    cells = cell_index(all_offers, inputs.demand, inputs.districts, tuple(inputs.target_groups))
    places_before = np.array(
        [
            float(out.capacity_before or 0) if out.status == pathways.ACTIVE else 0.0
            for out in outcomes
        ]
    )
    places_after = np.array(
        [
            float(out.capacity_after or 0) if out.status == pathways.ACTIVE else 0.0
            for out in outcomes
        ]
    )
    cell_before = cells.shares @ places_before
    cell_after = cells.shares @ places_after

    problem = _bridge_problem(
        outcomes=outcomes,
        rule_capacity=rule_capacity,
        not_viable={
            p: threshold * provider_before[p] - provider_after[p] for p in sorted(not_viable)
        },
        cells=cells,
        cell_places_after=cell_after,
        weights=spec.rules,
        budget=spec.bridge_budget_eur,
        closed_by_scenario=closed_by_scenario,
    )
    bridge = bridging.solve_bridge(
        problem,
        names=bridging.Names(target_groups=inputs.target_groups, offer_kinds=inputs.offer_kinds),
        time_limit=bridge_time_limit,
    )
    cell_bridge = cell_after + bridge.cell_gain
    coverage = tuple(
        CoverageCell(
            target_group=key[0],
            district=key[1],
            offer_kind=key[2],
            demand=int(cells.demand[i]),
            places_before=float(cell_before[i]),
            places_after=float(cell_after[i]),
            places_after_bridge=float(cell_bridge[i]),
        )
        for i, key in enumerate(cells.keys)
    )
    return ScenarioResult(
        spec=spec,
        inputs_digest=inputs.digest(),
        offers=tuple(outcomes),
        providers=providers,
        new_dead_ends=tuple(new_dead_ends),
        broken_bridges=tuple(broken),
        new_single_bridges=tuple(new_single),
        coverage=coverage,
        bridge=bridge,
        warnings=tuple(warnings),
    )
