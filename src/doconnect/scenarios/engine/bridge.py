"""The best use of a municipal bridge budget, as an integer programme solved with HiGHS
(``scipy.optimize.milp``). Pure (NumPy, SciPy), no Django.

Decisions:

- ``x_j`` (integer, 0 … ``lost_j``): places of offer ``j`` bought back, at ``cost_j`` € per
  place (the offer's funding before ÷ its capacity before, over the period);
- ``y_p`` (binary) for each provider that is not viable: keep it. Only a kept provider's
  offers reopen (with the places their remaining funding pays for, ``reopen``), and only
  then can places of its offers be bought back; the money spent on its offers must bring
  it back to the viability threshold (``Σ cost_j x_j ≥ deficit_p · y_p``).

Objective: maximise Σ over cells of weight(target group) × covered demand gained, where a
cell's covered demand is min(demand, places). The minimum is modelled with an auxiliary
``g_c`` per cell with unmet demand: ``0 ≤ g_c ≤ demand_c − places_c`` and ``g_c ≤`` the
places the decisions add to the cell (each offer's places shared over its cells as in
the coverage). HiGHS proves the plan optimal within a relative gap of ``REL_GAP``; then
every bought place whose removal loses nothing is given back, most expensive first, so
no euro is spent where it covers nobody.

Shadow prices come from the LP relaxation (integrality dropped; ``scipy.optimize.linprog``,
HiGHS): the marginal of the budget row is covered weighted demand per extra euro, and
the relaxation re-solved with 10,000 € more says where those places would be kept.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

OPTIMAL = "optimal"
NO_BUDGET = "no_budget"
NOTHING_TO_BRIDGE = "nothing_to_bridge"
TIME_LIMIT = "time_limit"
FAILED = "failed"
SHADOW_STEP_EUR = 10_000.0
# HiGHS proves optimality to this relative gap: 1e-5 of the weighted persons covered, far
# below one person, and several times faster than proving it to the last digit.
REL_GAP = 1e-5
LISTED_CELLS = 5
# Cells whose unmet demand is below this are met.
_EPS = 1e-9


@dataclass(frozen=True)
class Names:
    """Names for the sentences: target group code → name, offer kind → name."""

    target_groups: Mapping[str, str] = field(default_factory=dict)
    offer_kinds: Mapping[str, str] = field(default_factory=dict)

    def group(self, code: str) -> str:
        return self.target_groups.get(code, code)

    def kind(self, code: str) -> str:
        return self.offer_kinds.get(code, code)


@dataclass(frozen=True)
class BridgeProblem:
    """The bridge as plain arrays. Cells are (target group, district, offer kind)."""

    budget: float
    offers: tuple[str, ...]  # candidates: offers whose lost places can be bought back
    lost: IntArray  # per candidate
    cost: FloatArray  # € per place, per candidate
    offer_provider: IntArray  # per candidate: index into ``providers``, -1 if viable
    providers: tuple[str, ...]  # providers not viable
    deficit: FloatArray  # € that would bring each back to the threshold
    reopened: tuple[tuple[tuple[str, int], ...], ...]  # per provider: (offer, places)
    cells: tuple[tuple[str, str, str], ...]
    demand: FloatArray
    places_after: FloatArray
    weight: FloatArray  # per cell
    offer_shares: sp.csr_array  # cells × candidates
    reopen_places: sp.csr_array  # cells × providers: places a kept provider brings back

    @property
    def unmet(self) -> FloatArray:
        return np.maximum(self.demand - self.places_after, 0.0)

    def gain(self, x: npt.ArrayLike, y: npt.ArrayLike) -> FloatArray:
        """Places per cell added by buying ``x`` and keeping ``y``."""
        return np.asarray(
            self.offer_shares @ np.asarray(x, dtype=float)
            + self.reopen_places @ np.asarray(y, dtype=float),
            dtype=float,
        )

    def value(self, x: npt.ArrayLike, y: npt.ArrayLike) -> float:
        """Σ weight × covered demand gained (the objective, evaluated exactly)."""
        covered_before = np.minimum(self.demand, self.places_after)
        covered = np.minimum(self.demand, self.places_after + self.gain(x, y))
        return float(self.weight @ (covered - covered_before))

    def feasible(self, x: npt.ArrayLike, y: npt.ArrayLike) -> bool:
        xa = np.asarray(x, dtype=float)
        ya = np.asarray(y, dtype=float)
        spent = float(self.cost @ xa)
        if spent > self.budget + 1e-6 or (xa < 0).any() or (xa > self.lost).any():
            return False
        for j, p in enumerate(self.offer_provider.tolist()):
            if p >= 0 and xa[j] > 0 and ya[p] < 0.5:
                return False
        for p in range(len(self.providers)):
            paid = float(self.cost[self.offer_provider == p] @ xa[self.offer_provider == p])
            if ya[p] > 0.5 and paid < self.deficit[p] - 1e-6:
                return False
        return True


@dataclass(frozen=True)
class Allocation:
    offer: str
    provider_kept: str | None
    eur: float
    places_kept: int
    reopened: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "offer": self.offer,
            "eur": round(self.eur, 2),
            "places_kept": self.places_kept,
            "reopened": self.reopened,
            "provider_kept": self.provider_kept,
        }


@dataclass(frozen=True)
class ShadowPrice:
    """A marginal of the LP relaxation: ``value`` (weighted covered persons per euro for
    the budget, per place for a cell), ``text`` in German, and ``params`` for saying the
    same in another language."""

    constraint: str
    value: float
    text: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "constraint": self.constraint,
            "value": round(self.value, 8),
            "text": self.text,
            "params": dict(self.params),
        }


@dataclass(frozen=True)
class BridgeResult:
    budget_eur: float
    status: str
    allocations: tuple[Allocation, ...] = ()
    providers_kept: tuple[str, ...] = ()
    objective: float = 0.0
    cell_gain: FloatArray = field(default_factory=lambda: np.zeros(0))
    places_kept_by_target_group: Mapping[str, float] = field(default_factory=dict)
    covered_gained_by_target_group: Mapping[str, float] = field(default_factory=dict)
    shadow_prices: tuple[ShadowPrice, ...] = ()
    x: tuple[int, ...] = ()
    y: tuple[int, ...] = ()

    @property
    def spent_eur(self) -> float:
        return sum(a.eur for a in self.allocations)

    def to_dict(self) -> dict[str, Any]:
        return {
            "budget_eur": round(self.budget_eur, 2),
            "spent_eur": round(self.spent_eur, 2),
            "status": self.status,
            "method": "integer programme, HiGHS (scipy.optimize.milp, relative gap "
            f"{REL_GAP:g}); shadow prices of the LP relaxation (scipy.optimize.linprog, HiGHS)",
            "objective": round(self.objective, 6),
            "allocations": [a.to_dict() for a in self.allocations],
            "providers_kept": list(self.providers_kept),
            "places_kept_by_target_group": {
                g: round(v, 2) for g, v in sorted(self.places_kept_by_target_group.items())
            },
            "demand_covered_gained_by_target_group": {
                g: round(v, 2) for g, v in sorted(self.covered_gained_by_target_group.items())
            },
            "shadow_prices": [s.to_dict() for s in self.shadow_prices],
        }


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class _Model:
    c: FloatArray
    a: sp.csr_array
    upper: FloatArray
    low: FloatArray
    high: FloatArray
    integrality: IntArray
    rows_cells: IntArray  # the problem's cell index of each g variable
    n_x: int
    n_y: int


def _model(problem: BridgeProblem) -> _Model:
    n_x, n_y = len(problem.offers), len(problem.providers)
    unmet = problem.unmet
    touched = (
        np.asarray(abs(problem.offer_shares).sum(axis=1)).ravel()
        + np.asarray(abs(problem.reopen_places).sum(axis=1)).ravel()
        if n_x + n_y
        else np.zeros(len(problem.cells))
    )
    cells = np.flatnonzero((unmet > _EPS) & (touched > 0) & (problem.weight > 0))
    n_g = len(cells)
    n = n_x + n_y + n_g
    blocks: list[sp.csr_array] = []
    upper: list[float] = []
    # Budget.
    blocks.append(
        sp.csr_array(
            sp.hstack([sp.csr_array(problem.cost.reshape(1, -1)), sp.csr_array((1, n_y + n_g))])
        )
    )
    upper.append(problem.budget)
    # g_c − shares·x − reopen·y ≤ 0 for each cell with unmet demand.
    if n_g:
        blocks.append(
            sp.csr_array(
                sp.hstack(
                    [
                        -problem.offer_shares[cells],
                        -problem.reopen_places[cells],
                        sp.identity(n_g, format="csr"),
                    ]
                )
            )
        )
        upper += [0.0] * n_g
    # x_j ≤ lost_j · y_p for offers of providers that are not viable.
    linked = np.flatnonzero(problem.offer_provider >= 0)
    if len(linked):
        rows = np.arange(len(linked))
        link = sp.csr_array(
            (
                np.concatenate([np.ones(len(linked)), -problem.lost[linked].astype(float)]),
                (
                    np.concatenate([rows, rows]),
                    np.concatenate([linked, n_x + problem.offer_provider[linked]]),
                ),
            ),
            shape=(len(linked), n),
        )
        blocks.append(link)
        upper += [0.0] * len(linked)
        # deficit_p · y_p − Σ cost_j x_j ≤ 0.
        viability = sp.csr_array(
            (
                np.concatenate([problem.deficit, -problem.cost[linked]]),
                (
                    np.concatenate([np.arange(n_y), problem.offer_provider[linked]]),
                    np.concatenate([n_x + np.arange(n_y), linked]),
                ),
            ),
            shape=(n_y, n),
        )
        blocks.append(viability)
        upper += [0.0] * n_y
    elif n_y:
        # Providers without any place to buy back can never be kept.
        blocks.append(
            sp.csr_array((problem.deficit, (np.arange(n_y), n_x + np.arange(n_y))), shape=(n_y, n))
        )
        upper += [0.0] * n_y
    a = sp.csr_array(sp.vstack(blocks))
    c = np.concatenate([np.zeros(n_x + n_y), -problem.weight[cells]])
    low = np.zeros(n)
    high = np.concatenate([problem.lost.astype(float), np.ones(n_y), unmet[cells]])
    integrality = np.concatenate([np.ones(n_x + n_y), np.zeros(n_g)]).astype(np.int64)
    return _Model(c, a, np.array(upper), low, high, integrality, cells, n_x, n_y)


def _milp(model: _Model, time_limit: float, rel_gap: float) -> Any:
    return milp(
        model.c,
        constraints=LinearConstraint(model.a, -np.inf, model.upper),
        integrality=model.integrality,
        bounds=Bounds(model.low, model.high),
        options={"time_limit": time_limit, "mip_rel_gap": rel_gap, "presolve": True},
    )


def _without_waste(problem: BridgeProblem, x: IntArray, y: IntArray) -> IntArray:
    """Give back every bought place whose removal loses nothing (most expensive first):
    HiGHS may return an optimal plan that also buys places covering nobody."""
    x = x.copy()
    best = problem.value(x, y)
    for j in sorted(np.flatnonzero(x).tolist(), key=lambda j: (-problem.cost[j], j)):
        p = int(problem.offer_provider[j])
        while x[j] > 0:
            x[j] -= 1
            still_viable = (
                p < 0
                or float(problem.cost[problem.offer_provider == p] @ x[problem.offer_provider == p])
                >= problem.deficit[p] - 1e-6
            )
            if still_viable and problem.value(x, y) >= best - 1e-9:
                continue
            x[j] += 1
            break
    return x


def solve_bridge(
    problem: BridgeProblem,
    *,
    names: Names = Names(),
    time_limit: float = 60.0,
    rel_gap: float = REL_GAP,
) -> BridgeResult:
    """The optimal bridge (see the module docstring) with its shadow prices. "optimal":
    proven within ``rel_gap`` of the best possible objective (HiGHS' MIP gap)."""
    zero_gain = np.zeros(len(problem.cells))
    if problem.budget <= 0:
        return BridgeResult(problem.budget, NO_BUDGET, cell_gain=zero_gain)
    model = _model(problem)
    if model.n_x == 0 or len(model.rows_cells) == 0:
        return BridgeResult(problem.budget, NOTHING_TO_BRIDGE, cell_gain=zero_gain)
    found = _milp(model, time_limit, rel_gap)
    if found.x is None:
        return BridgeResult(problem.budget, FAILED, cell_gain=zero_gain)
    status = OPTIMAL if found.status == 0 else TIME_LIMIT
    x = np.rint(found.x[: model.n_x]).astype(np.int64)
    y = np.rint(found.x[model.n_x : model.n_x + model.n_y]).astype(np.int64)
    x = _without_waste(problem, x, y)
    return _result(problem, model, status, x, y, names)


def _result(
    problem: BridgeProblem, model: _Model, status: str, x: IntArray, y: IntArray, names: Names
) -> BridgeResult:
    allocations: dict[str, Allocation] = {}
    for j, offer in enumerate(problem.offers):
        if x[j] > 0:
            p = int(problem.offer_provider[j])
            allocations[offer] = Allocation(
                offer=offer,
                provider_kept=problem.providers[p] if p >= 0 else None,
                eur=float(problem.cost[j] * x[j]),
                places_kept=int(x[j]),
                reopened=p >= 0,
            )
    kept = tuple(problem.providers[p] for p in np.flatnonzero(y).tolist())
    for p in np.flatnonzero(y).tolist():
        for offer, places in problem.reopened[p]:
            old = allocations.get(offer)
            allocations[offer] = Allocation(
                offer=offer,
                provider_kept=problem.providers[p],
                eur=old.eur if old else 0.0,
                places_kept=(old.places_kept if old else 0) + places,
                reopened=True,
            )
    gain = problem.gain(x, y)
    covered_gain = np.minimum(problem.demand, problem.places_after + gain) - np.minimum(
        problem.demand, problem.places_after
    )
    by_group: dict[str, float] = defaultdict(float)
    covered_by_group: dict[str, float] = defaultdict(float)
    for i, (group, _district, _kind) in enumerate(problem.cells):
        if gain[i] > _EPS:
            by_group[group] += float(gain[i])
        if covered_gain[i] > _EPS:
            covered_by_group[group] += float(covered_gain[i])
    return BridgeResult(
        budget_eur=problem.budget,
        status=status,
        allocations=tuple(sorted(allocations.values(), key=lambda a: a.offer)),
        providers_kept=kept,
        objective=problem.value(x, y),
        cell_gain=gain,
        places_kept_by_target_group=dict(sorted(by_group.items())),
        covered_gained_by_target_group=dict(sorted(covered_by_group.items())),
        shadow_prices=_shadow_prices(problem, model, gain, names),
        x=tuple(int(v) for v in x),
        y=tuple(int(v) for v in y),
    )


# --------------------------------------------------------------------------- shadow prices


def _relaxation(model: _Model, budget: float) -> Any:
    upper = model.upper.copy()
    upper[0] = budget
    return linprog(
        model.c,
        A_ub=model.a,
        b_ub=upper,
        bounds=np.column_stack([model.low, model.high]),
        method="highs",
    )


def german_number(value: float, decimals: int = 0) -> str:
    """German number format: 10.000 and 2,5."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def _places_text(places: float) -> str:
    count = max(1, round(places))
    return (
        f"etwa {german_number(count)} Platz"
        if count == 1
        else f"etwa {german_number(count)} Plätze"
    )


def _shadow_prices(
    problem: BridgeProblem, model: _Model, gain: FloatArray, names: Names
) -> tuple[ShadowPrice, ...]:
    base = _relaxation(model, problem.budget)
    if base.status != 0:
        return ()
    prices: list[ShadowPrice] = []
    budget_value = -float(base.ineqlin.marginals[0])
    more = _relaxation(model, problem.budget + SHADOW_STEP_EUR)
    step = german_number(SHADOW_STEP_EUR)
    places: dict[tuple[str, str], float] = defaultdict(float)
    if more.status == 0:
        n_var = model.n_x + model.n_y
        diff = more.x[n_var:] - base.x[n_var:]
        for k, cell in enumerate(model.rows_cells.tolist()):
            if diff[k] > _EPS:
                group, district, _kind = problem.cells[cell]
                places[(group, district)] += float(diff[k])
    ranked = sorted(places.items(), key=lambda item: (-item[1], item[0]))
    listed = [(key, count) for key, count in ranked if count >= 0.5][:3]
    if budget_value <= _EPS or not ranked or sum(places.values()) < 0.05:
        text = (
            f"Weitere {step} € Brückenbudget würden keine weiteren Plätze für Menschen "
            "mit Bedarf erhalten."
        )
    elif not listed:
        # Places cost more than the step here: say what one whole place would cost.
        (group, district), _count = ranked[0]
        total = sum(places.values())
        per_place = german_number(round(SHADOW_STEP_EUR / total, -2))
        text = (
            f"Weitere {step} € Brückenbudget würden etwa {german_number(total, 1)} Plätze "
            f"erhalten, vor allem für {names.group(group)} in {district}; ein ganzer Platz "
            f"kostet dort rund {per_place} €."
        )
    else:
        parts = [
            f"{_places_text(count)} für {names.group(group)} in {district}"
            for (group, district), count in listed
        ]
        joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " und " + parts[-1]
        text = f"Weitere {step} € Brückenbudget würden {joined} erhalten."
    params = {
        "step_eur": SHADOW_STEP_EUR,
        "places": [
            {"target_group": group, "district": district, "places": round(count, 2)}
            for (group, district), count in ranked
        ],
    }
    prices.append(ShadowPrice("budget", budget_value, text, params))
    # Cells still short of places after the bridge: what one more place there is worth.
    marginals = -np.asarray(base.ineqlin.marginals[1 : 1 + len(model.rows_cells)], dtype=float)
    short = problem.demand - problem.places_after - gain
    cells = [
        (float(marginals[k]), cell)
        for k, cell in enumerate(model.rows_cells.tolist())
        if marginals[k] > _EPS and short[cell] > _EPS
    ]
    cells.sort(key=lambda item: (-item[0], -short[item[1]], problem.cells[item[1]]))
    for value, cell in cells[:LISTED_CELLS]:
        group, district, kind = problem.cells[cell]
        prices.append(
            ShadowPrice(
                f"cell:{group}|{district}|{kind}",
                value,
                f"Ein zusätzlicher Platz ({names.kind(kind)}) für {names.group(group)} in "
                f"{district} wäre {german_number(value, 1)} Gewichtspunkte wert: dort fehlen nach "
                f"der Brücke noch {german_number(short[cell], 1)} Plätze.",
                {
                    "target_group": group,
                    "district": district,
                    "offer_kind": kind,
                    "short": round(float(short[cell]), 2),
                },
            )
        )
    return tuple(prices)


# --------------------------------------------------------------------------- checking


def brute_force(problem: BridgeProblem) -> float:
    """The optimum by trying every integer plan (for tests on tiny problems)."""
    import itertools

    best = 0.0
    ranges = [range(int(n) + 1) for n in problem.lost.tolist()]
    for y in itertools.product((0, 1), repeat=len(problem.providers)):
        for x in itertools.product(*ranges):
            if problem.feasible(x, y):
                best = max(best, problem.value(x, y))
    return best


def problem_from_lists(
    *,
    budget: float,
    offers: Sequence[tuple[str, int, float, int]],
    providers: Sequence[tuple[str, float, Sequence[tuple[str, int]]]],
    cells: Sequence[tuple[tuple[str, str, str], float, float, float]],
    offer_shares: Sequence[Sequence[float]],
    reopen_places: Sequence[Sequence[float]],
) -> BridgeProblem:
    """A problem from plain lists (tests, examples): offers as (id, lost, € per place,
    provider index or -1), providers as (id, deficit, reopened offers), cells as (key,
    demand, places after, weight), shares as dense cells × offers / providers lists."""
    n_cells = len(cells)
    return BridgeProblem(
        budget=budget,
        offers=tuple(o[0] for o in offers),
        lost=np.array([o[1] for o in offers], dtype=np.int64),
        cost=np.array([o[2] for o in offers], dtype=float),
        offer_provider=np.array([o[3] for o in offers], dtype=np.int64),
        providers=tuple(p[0] for p in providers),
        deficit=np.array([p[1] for p in providers], dtype=float),
        reopened=tuple(tuple(p[2]) for p in providers),
        cells=tuple(c[0] for c in cells),
        demand=np.array([c[1] for c in cells], dtype=float),
        places_after=np.array([c[2] for c in cells], dtype=float),
        weight=np.array([c[3] for c in cells], dtype=float),
        offer_shares=sp.csr_array(
            np.array(offer_shares, dtype=float).reshape(n_cells, len(offers))
        ),
        reopen_places=sp.csr_array(
            np.array(reopen_places, dtype=float).reshape(n_cells, len(providers))
        ),
    )
