"""The offer landscape of the demo city: which offers exist, for whom, when, and where
they lead. Pure NumPy, no Django.

Low-threshold entries lead to preparation, preparation to offers close to a
destination, those to the destination itself. Every district has an active drop-in open
to (almost) every target group, and a city-wide entry serves young people everywhere, so
most district × target group cells have a way in. But, as in any real city, some offers
lead nowhere (dead ends), some only in circles, some only through a suspended offer, and
a few districts never serve one or two groups (structural gaps: no entry for refugees in
one district, none for the over-50s in another). The pathways engine is meant to find
exactly these.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from doconnect.demo import careers as cr
from doconnect.demo.clients import TARGET_GROUPS, TG
from doconnect.demo.offer_kinds import (
    KIND,
    KIND_LEVEL,
    KIND_WEIGHTS,
    OCCUPATION_KINDS,
    OFFER_KINDS,
    OFFER_OCCUPATIONS,
)

IntArray = npt.NDArray[np.int64]

OPEN_END = 10_000  # end month of an offer without an end date
# The first offers are fixed so every city, however small, has every kind, one chain
# that reaches a destination (0 → 1 → 2 → employment or apprenticeship, from the
# city-wide entry 0), a dead end (10), a dead-end cycle (11 ⇄ 12) and an offer cut off
# by a suspended one (8 → 9).
FIXED_KINDS: tuple[str, ...] = (
    "low_threshold",
    "qualification",
    "job_placement",
    "counselling",
    "vocational_preparation",
    "further_training",
    "apprenticeship",
    "subsidised_employment",
    "orientation",
    "coupled_employment",
    "low_threshold",
    "orientation",
    "low_threshold",
)
DEAD_LEAF = 10
DEAD_CYCLE = (11, 12)
CITY_ENTRY = 0
CUT_OFF, SUSPENDED_LINK = 8, 9
N_FIXED = len(FIXED_KINDS)


@dataclass(frozen=True)
class Landscape:
    """Offers as parallel arrays (offer number = index) plus their links."""

    kind: IntArray  # index into offer_kinds.OFFER_KINDS
    provider: IntArray  # index into the providers
    district: IntArray  # 0..11, or -1 for city-wide
    status: list[str]
    start_month: IntArray  # window months, may lie before the window
    end_month: IntArray  # OPEN_END when open-ended
    available_until: IntArray  # last month participants can be in it
    groups: list[list[int]]  # target group indices
    min_age: list[int]
    max_age: list[int]
    edges: list[list[int]]  # follow-on offers, in order
    destinations: list[list[str]]
    reaches_destination: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.kind)

    @property
    def outcome(self) -> IntArray:
        """How a participant's next step looks, for the biography simulation."""
        outcome = np.full(len(self), cr.OUTCOME_NEUTRAL, dtype=np.int64)
        outcome[~self.reaches_destination] = cr.OUTCOME_DEAD_END
        for i, goals in enumerate(self.destinations):
            if {"employment", "apprenticeship"} & set(goals):
                outcome[i] = cr.OUTCOME_LEADS_ON
        return outcome

    @property
    def running_now(self) -> npt.NDArray[np.bool_]:
        last = cr.N_MONTHS - 1
        active = np.array([s == "active" for s in self.status])
        return active & (self.available_until >= last) & (self.start_month <= last)


def build_landscape(
    rng: np.random.Generator, n: int, provider_district: IntArray, n_districts: int
) -> Landscape:
    if n < N_FIXED:
        raise ValueError(f"the landscape needs at least {N_FIXED} offers")
    kind, provider, district = _kinds_and_places(rng, n, provider_district, n_districts)
    status, start, end, available_until = _status_and_dates(rng, n)
    unserved = _unserved_groups(rng, n_districts)
    anchors = _district_entries(rng, kind, status, n_districts)
    for i, d in anchors.items():
        district[i] = d
    # A small city cannot run a drop-in in every district: its city-wide entry then
    # takes nearly everybody, not just the young.
    city_groups = _YOUTH if len(anchors) == n_districts else _small_city_groups(unserved)
    district[CITY_ENTRY] = -1
    groups, min_age, max_age = _groups_and_ages(rng, kind, district, unserved, anchors)
    groups[CITY_ENTRY] = sorted(city_groups)
    min_age[CITY_ENTRY], max_age[CITY_ENTRY] = 15, 27 if city_groups == _YOUTH else 67
    edges, destinations = _follow_ons(rng, kind, district)
    return Landscape(
        kind=kind,
        provider=provider,
        district=district,
        status=status,
        start_month=start,
        end_month=end,
        available_until=available_until,
        groups=groups,
        min_age=min_age,
        max_age=max_age,
        edges=edges,
        destinations=destinations,
        reaches_destination=reaches_destination(edges, destinations),
    )


def _kinds_and_places(
    rng: np.random.Generator, n: int, provider_district: IntArray, n_districts: int
) -> tuple[IntArray, IntArray, IntArray]:
    weights = np.array(KIND_WEIGHTS, dtype=float)
    kind = np.concatenate(
        [
            np.array([KIND[k] for k in FIXED_KINDS], dtype=np.int64),
            rng.choice(len(OFFER_KINDS), n - N_FIXED, p=weights / weights.sum()),
        ]
    ).astype(np.int64)
    # Some providers run many offers, most a handful.
    n_providers = len(provider_district)
    size = rng.lognormal(0.0, 0.7, n_providers)
    provider = np.concatenate(
        [
            np.arange(N_FIXED) % n_providers,
            rng.choice(n_providers, n - N_FIXED, p=size / size.sum()),
        ]
    ).astype(np.int64)
    # Mostly where the provider sits, some elsewhere, a few city-wide. Low-threshold
    # entries have a district (being close to home is what makes them low-threshold),
    # all but the fixed city-wide entry 0.
    u = rng.random(n)
    district = np.where(
        u < 0.75, provider_district[provider], rng.integers(0, n_districts, n)
    ).astype(np.int64)
    district[(u > 0.9) & (kind != KIND["low_threshold"])] = -1
    return kind, provider, district


def _status_and_dates(
    rng: np.random.Generator, n: int
) -> tuple[list[str], IntArray, IntArray, IntArray]:
    status = np.full(n, "active", dtype=object)
    u = rng.random(n)
    status[u > 0.85] = "suspended"
    status[u > 0.91] = "ended"
    status[:N_FIXED] = "active"
    status[SUSPENDED_LINK] = "suspended"
    start = rng.integers(-72, 48, n).astype(np.int64)
    start[:N_FIXED] = -36
    end = np.full(n, OPEN_END, dtype=np.int64)
    # Many offers are funded for a fixed term that runs beyond the window.
    fixed_term = (rng.random(n) < 0.4) & (status == "active")
    fixed_term[:N_FIXED] = False
    end[fixed_term] = np.maximum(start[fixed_term] + 24, 60) + rng.integers(
        0, 24, int(fixed_term.sum())
    )
    ended = status == "ended"
    end[ended] = rng.integers(12, 58, int(ended.sum()))
    start[ended] = np.minimum(start[ended], end[ended] - 12)
    available_until = end.copy()
    # A suspended offer takes nobody new since its suspension.
    suspended = status == "suspended"
    start[suspended] = np.minimum(start[suspended], 40)
    available_until[suspended] = rng.integers(44, 58, int(suspended.sum()))
    return [str(s) for s in status], start, end, available_until


# The young are served city-wide (a youth job agency), so they are never a structural gap.
_YOUTH = frozenset({TG["youth_difficult_start"], TG["school_leavers_without_qualification"]})
GAP_DISTRICTS = 4  # districts with structural gaps
GAP_GROUPS = 3  # target groups some of these districts never serve


def _unserved_groups(rng: np.random.Generator, n_districts: int) -> npt.NDArray[np.bool_]:
    """[district, target group]: the groups a district's low-threshold entries never
    serve. However many offers a large city has, such structural gaps remain in a few
    districts (no drop-in for refugees in one, none for the over-50s in another); they
    concern a few hard-to-reach groups, never the young."""
    unserved = np.zeros((n_districts, len(TARGET_GROUPS)), dtype=bool)
    adults = np.array(sorted(set(range(len(TARGET_GROUPS))) - _YOUTH), dtype=np.int64)
    hard = rng.choice(adults, GAP_GROUPS, replace=False)
    for d in rng.choice(n_districts, min(GAP_DISTRICTS, n_districts), replace=False).tolist():
        count = int(rng.integers(1, 3))
        unserved[d, rng.choice(hard, count, replace=False)] = True
    return unserved


def _small_city_groups(unserved: npt.NDArray[np.bool_]) -> frozenset[int]:
    """Every group but the one the most districts leave out: a small city's structural
    gap is that group, wherever no district drop-in takes it."""
    left_out = int(np.argmax(unserved.sum(axis=0)))
    return frozenset(range(unserved.shape[1])) - {left_out}


def _district_entries(
    rng: np.random.Generator, kind: IntArray, status: list[str], n_districts: int
) -> dict[int, int]:
    """offer → district: one active low-threshold entry per district (a drop-in open to
    every group the district serves), as far as the city has enough of them."""
    low_threshold = KIND["low_threshold"]
    candidates = [
        i for i in range(N_FIXED, len(kind)) if kind[i] == low_threshold and status[i] == "active"
    ]
    places = rng.permutation(n_districts)[: len(candidates)].tolist()
    return dict(zip(candidates, places, strict=False))


def _groups_and_ages(
    rng: np.random.Generator,
    kind: IntArray,
    district: IntArray,
    unserved: npt.NDArray[np.bool_],
    anchors: dict[int, int],
) -> tuple[list[list[int]], list[int], list[int]]:
    tg = TG
    low_threshold = KIND["low_threshold"]
    youth_kinds = {KIND["vocational_preparation"], KIND["apprenticeship"]}
    weights = np.array([3, 1.5, 3, 2, 2.5, 1.5, 1, 1])
    weights /= weights.sum()
    all_groups: list[list[int]] = []
    min_age: list[int] = []
    max_age: list[int] = []
    for i, (k, d) in enumerate(zip(kind.tolist(), district.tolist(), strict=True)):
        name = OFFER_KINDS[k]
        if i in anchors:
            # Open to all, which in a district with structural gaps means all but those.
            open_to = np.flatnonzero(~unserved[d]).tolist() if unserved[d].any() else []
            all_groups.append(open_to)
            min_age.append(15)
            max_age.append(67)
            continue
        groups: set[int] = set()
        if k in youth_kinds or (name in ("orientation", "low_threshold") and rng.random() < 0.25):
            groups.add(tg["youth_difficult_start"])
            if rng.random() < 0.5:
                groups.add(tg["school_leavers_without_qualification"])
        elif name == "subsidised_employment":
            groups.add(tg["long_term_unemployed"])
            if rng.random() < 0.4:
                groups.add(tg["over_50"])
        elif name == "further_training":
            if rng.random() < 0.3:
                groups.add(tg["returners"])
        elif rng.random() < (0.6 if k == low_threshold else 0.3):
            pass  # open to everybody: no target group
        else:
            picks = rng.choice(len(TARGET_GROUPS), int(rng.integers(1, 3)), False, weights)
            groups.update(int(p) for p in picks)
            groups.discard(tg["school_leavers_without_qualification"])
            groups = groups or {tg["long_term_unemployed"]}
        if k == low_threshold and d >= 0 and unserved[d].any():
            # "Open to all" here means all groups but the district's structural gaps.
            served = set(np.flatnonzero(~unserved[d]).tolist())
            groups = (groups & served) if groups else served
            groups = groups or {min(served)}
        if tg["youth_difficult_start"] in groups or k in youth_kinds:
            low, high = 15, int(rng.choice([24, 25, 27]))
        elif tg["over_50"] in groups:
            low, high = 50, 67
        elif name == "counselling":
            low, high = 16, 67
        else:
            low, high = int(rng.choice([18, 18, 25])), 67
        all_groups.append(sorted(groups))
        min_age.append(low)
        max_age.append(high)
    return all_groups, min_age, max_age


def _follow_ons(
    rng: np.random.Generator, kind: IntArray, district: IntArray
) -> tuple[list[list[int]], list[list[str]]]:
    n = len(kind)
    level = np.array(KIND_LEVEL)[kind]
    by_level = [np.flatnonzero(level == lv) for lv in range(3)]
    dead_leaf = rng.random(n) < 0.06
    dead_leaf[:N_FIXED] = False
    edges: list[list[int]] = [[] for _ in range(n)]
    destinations: list[list[str]] = [[] for _ in range(n)]

    def pick(candidates: IntArray, i: int) -> int:
        """Mostly an offer in the same district: that is where people go next."""
        others = candidates[candidates != i]
        same = others[district[others] == district[i]]
        pool = same if len(same) and rng.random() < 0.6 else others
        return int(rng.choice(pool)) if len(pool) else -1

    for i in range(N_FIXED, n):
        if dead_leaf[i]:
            continue
        name = OFFER_KINDS[int(kind[i])]
        lv = int(level[i])
        if lv == 0:
            for _ in range(int(rng.integers(2, 5))):
                target_level = 1 if rng.random() < 0.7 else int(rng.integers(0, 3))
                edges[i].append(pick(by_level[target_level], i))
            if name == "counselling" and rng.random() < 0.15:
                destinations[i].append("school")  # catching up a school qualification
            elif name == "counselling" and rng.random() < 0.15:
                destinations[i].append("self_employment")  # start-up counselling
            elif name == "orientation" and rng.random() < 0.15:
                destinations[i].append("higher_education")  # study orientation
        elif lv == 1:
            for _ in range(int(rng.integers(1, 4))):
                edges[i].append(pick(by_level[2], i))
            if name == "vocational_preparation" and rng.random() < 0.7:
                destinations[i].append("apprenticeship")
            elif rng.random() < 0.4:
                destinations[i].append("employment")
            if name == "qualification" and rng.random() < 0.25:
                # e.g. a Fachhochschulreife course or study orientation for refugees
                destinations[i].append("higher_education")
        else:
            # Subsidised and coupled employment lead into regular work only sometimes.
            certain = name in ("apprenticeship", "further_training", "job_placement")
            if certain or rng.random() < 0.65:
                destinations[i].append("employment")
            if name in ("further_training", "job_placement") and rng.random() < 0.2:
                destinations[i].append("self_employment")
            if name in ("job_placement", "coupled_employment") and rng.random() < 0.35:
                destinations[i].append("apprenticeship")
            if rng.random() < 0.5:
                edges[i].append(pick(by_level[2], i))

    # The fixed structure.
    for i in range(3, 10):
        k = int(kind[i])
        edges[i] = [1] if KIND_LEVEL[k] == 0 else [2]
        destinations[i] = ["employment"] if KIND_LEVEL[k] == 2 else []
        if OFFER_KINDS[k] == "vocational_preparation":
            destinations[i] = ["apprenticeship"]
    edges[CUT_OFF] = [SUSPENDED_LINK]  # only through the suspended offer
    edges[0], edges[1], edges[2] = [1], [2], []
    destinations[2] = ["employment", "apprenticeship"]  # placement into work or training
    edges[DEAD_CYCLE[0]], edges[DEAD_CYCLE[1]] = [DEAD_CYCLE[1]], [DEAD_CYCLE[0]]
    # About one more dead-end cycle of two entry offers per hundred offers.
    entry = np.array(
        [i for i in range(N_FIXED, n) if level[i] == 0 and not dead_leaf[i]], dtype=np.int64
    )
    pairs = min(len(entry) // 2, round(n / 100))
    chosen = rng.choice(entry, 2 * pairs, replace=False) if pairs else entry[:0]
    for a, b in zip(chosen[0::2].tolist(), chosen[1::2].tolist(), strict=True):
        edges[a], edges[b] = [b], [a]
        destinations[a], destinations[b] = [], []
    edges = [list(dict.fromkeys(t for t in targets if t >= 0)) for targets in edges]
    return edges, destinations


# Destinations that count as the goal of a pathway; "school" (catching up a
# qualification) is a step on the way, not an arrival.
GOALS = frozenset({"employment", "apprenticeship", "higher_education", "self_employment"})


def reaches_destination(
    edges: list[list[int]], destinations: list[list[str]]
) -> npt.NDArray[np.bool_]:
    """Which offers have a path to a goal destination: a reverse search from the offers
    that lead to one directly."""
    reaches = np.array([bool(GOALS & set(goals)) for goals in destinations])
    preceded: list[list[int]] = [[] for _ in edges]
    for i, targets in enumerate(edges):
        for target in targets:
            preceded[target].append(i)
    stack = [int(i) for i in np.flatnonzero(reaches)]
    while stack:
        node = stack.pop()
        for before in preceded[node]:
            if not reaches[before]:
                reaches[before] = True
                stack.append(before)
    return reaches


def offer_occupations(
    rng: np.random.Generator, kinds: list[str], titles: list[str]
) -> list[tuple[str, ...]]:
    """The KldB codes each offer qualifies for: for an offer of a kind that trains for
    or employs in an occupation (``offer_kinds.OCCUPATION_KINDS``), one or (half the time, when
    there are more) two of the occupations its title template names
    (``offer_kinds.OFFER_OCCUPATIONS``), sorted; none for the other kinds and for titles that
    name no occupation. ``rng`` is a stream of its own, so no other row changes."""
    templates = sorted(OFFER_OCCUPATIONS, key=len, reverse=True)
    stems = [(t.replace("{place}", "").strip(), t) for t in templates]
    result: list[tuple[str, ...]] = []
    for kind, title in zip(kinds, titles, strict=True):
        template = next((t for stem, t in stems if title.startswith(stem)), None)
        codes = OFFER_OCCUPATIONS.get(template, ()) if template else ()
        if kind not in OCCUPATION_KINDS or not codes:
            result.append(())
            continue
        k = 2 if len(codes) > 1 and rng.random() < 0.5 else 1
        picked = rng.choice(len(codes), size=k, replace=False)
        result.append(tuple(sorted(codes[int(i)] for i in picked)))
    return result
