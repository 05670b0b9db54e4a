"""The offers phase of the demo city: the offer landscape (``landscape.py``) as rows of
offers with their target groups, yearly funding lines and follow-on links, and as the
network the biographies draw their offers from. Pure, no Django."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from doconnect.demo import careers as cr
from doconnect.demo.dates import END_ISO, START_ISO, month_start
from doconnect.demo.districts import DISTRICTS
from doconnect.demo.landscape import OPEN_END, Landscape, build_landscape, offer_occupations
from doconnect.demo.offer_kinds import (
    COST_PER_PLACE,
    FUNDING_BY_KIND,
    OFFER_DESCRIPTIONS,
    OFFER_KINDS,
    OFFER_RULES,
    OFFER_TITLES,
)
from doconnect.demo.organisation_tables import Providers
from doconnect.demo.rows import IntArray, Row, Table, json_list


@dataclass
class OfferFacts:
    """What later phases need of the offers: each offer's provider (organisation id),
    the network the biographies draw from, whether it runs today, its district."""

    provider: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    network: cr.OfferNetwork | None = None
    running_now: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))
    district: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


_CAPACITY: dict[str, tuple[int, int]] = {
    "counselling": (30, 120),
    "orientation": (10, 20),
    "low_threshold": (10, 25),
    "vocational_preparation": (12, 24),
    "qualification": (12, 20),
    "further_training": (15, 25),
    "apprenticeship": (6, 20),
    "subsidised_employment": (5, 30),
    "coupled_employment": (8, 15),
    "job_placement": (20, 60),
}


def _capacity(rng: np.random.Generator, kind: str) -> int | None:
    if kind == "counselling" and rng.random() < 0.5:
        return None  # open counselling hours have no fixed number of places
    low, high = _CAPACITY[kind]
    return int(rng.integers(low, high + 1))


def _funders(rng: np.random.Generator, kind: str) -> list[str]:
    weights = FUNDING_BY_KIND[kind]
    names = list(weights)
    p = np.array([weights[f] for f in names])
    count = min(len(names), int(rng.choice([1, 1, 2, 2, 3])))
    return [str(f) for f in rng.choice(names, count, replace=False, p=p / p.sum())]


def _offer_title(rng: np.random.Generator, kind: str, district: int) -> str:
    if district >= 0:
        info = DISTRICTS[district]
        place = info.name if rng.random() < 0.6 else str(rng.choice(info.quarters))
    else:
        place = "Dortmund"
    return str(rng.choice(OFFER_TITLES[kind])).format(place=place).strip()


def _offer_network(land: Landscape) -> cr.OfferNetwork:
    """The landscape as the biography simulation sees it, with the offers grouped by
    (age band, class, district) so it can draw offers for many persons at once."""
    klass = cr.KIND_CLASS[land.kind]
    suits = (
        np.array([low <= 24 for low in land.min_age]),  # under 25
        np.array([high >= 27 for high in land.max_age]),  # adults
    )
    items: list[int] = []
    starts = np.zeros(2 * cr.N_CLASSES * 13, dtype=np.int64)
    lengths = np.zeros_like(starts)
    for ageband, fits_age in enumerate(suits):
        for c in range(cr.N_CLASSES):
            fits = fits_age & (klass == c)
            for d in range(13):  # 12 = anywhere in the city
                members = (
                    np.flatnonzero(fits & (land.district == d))
                    if d < 12
                    else (np.flatnonzero(fits))
                )
                key = (ageband * cr.N_CLASSES + c) * 13 + d
                starts[key] = len(items)
                lengths[key] = len(members)
                items.extend(members.tolist())
    return cr.OfferNetwork(
        kind=land.kind,
        klass=klass.astype(np.int64),
        available_from=land.start_month,
        available_until=land.available_until,
        follow_on=np.array([e[0] if e else -1 for e in land.edges], dtype=np.int64),
        outcome=land.outcome,
        pool_items=np.array(items or [0], dtype=np.int64),
        pool_start=starts,
        pool_length=lengths,
    )


def offer_tables(
    rng: np.random.Generator,
    occupations_rng: np.random.Generator,
    count: int,
    providers: Providers,
) -> tuple[list[Table], OfferFacts]:
    """``count`` offers of the providers; ``occupations_rng`` draws the occupations an
    offer qualifies for (a stream of its own: every other value stays as it is)."""
    land = build_landscape(rng, count, providers.district, len(DISTRICTS))
    offer_rows: list[Row] = []
    funding_rows: list[Row] = []
    for i in range(len(land)):
        kind = OFFER_KINDS[int(land.kind[i])]
        capacity = _capacity(rng, kind)
        funders = _funders(rng, kind)
        # Who pays decides whose clients may take part.
        branches = [
            branch
            for funder, branch in (("jobcenter", "SGB II"), ("federal_agency", "SGB III"))
            if funder in funders
        ]
        end_month = int(land.end_month[i])
        offer_rows.append(
            (
                i + 1,
                f"o-{i + 1:05d}",
                int(providers.ids[land.provider[i]]),
                _offer_title(rng, kind, int(land.district[i])),
                OFFER_DESCRIPTIONS[kind],
                kind,
                int(land.district[i]) + 1 if land.district[i] >= 0 else None,
                land.min_age[i],
                land.max_age[i],
                json_list(branches),
                OFFER_RULES[kind],
                capacity,
                START_ISO[int(land.start_month[i])],
                END_ISO[end_month] if end_month < OPEN_END else None,
                land.status[i],
                True,
                "2026-11-01 06:00:00",
            )
        )
        # Yearly funding lines over the part of 2024–2027 the offer runs.
        places = capacity or 40
        first_year = max(2024, month_start(int(land.start_month[i])).year)
        last_year = min(2027, month_start(min(end_month, 72)).year)
        for rank, funder in enumerate(funders):
            share = (1.3 if rank == 0 else 0.85) / len(funders)
            for year in range(first_year, last_year + 1):
                amount = COST_PER_PLACE[kind] * places * share * rng.uniform(0.85, 1.15)
                funding_rows.append(
                    (
                        len(funding_rows) + 1,
                        i + 1,
                        funder,
                        f"{amount:.2f}",
                        f"{year}-01-01",
                        f"{year}-12-31",
                    )
                )
    # The occupations come from a stream of their own: every row drawn before stays.
    occupations = offer_occupations(
        occupations_rng,
        [str(row[5]) for row in offer_rows],
        [str(row[3]) for row in offer_rows],
    )
    offer_rows = [
        (*row, json_list(codes)) for row, codes in zip(offer_rows, occupations, strict=True)
    ]
    follow_rows: list[Row] = []
    for i in range(len(land)):
        links: list[tuple[int | None, str]] = [(target + 1, "") for target in land.edges[i]]
        links += [(None, goal) for goal in land.destinations[i]]
        for position, (target, goal) in enumerate(links):
            follow_rows.append((len(follow_rows) + 1, i + 1, target, goal, position))
    group_rows = [(0, i + 1, g + 1) for i, groups in enumerate(land.groups) for g in groups]
    group_rows = [(k + 1, *row[1:]) for k, row in enumerate(group_rows)]
    facts = OfferFacts(
        provider=providers.ids[land.provider],
        network=_offer_network(land),
        running_now=land.running_now,
        district=land.district,
    )
    offer_fields = (
        "id",
        "external_id",
        "provider",
        "title",
        "description",
        "kind",
        "district",
        "min_age",
        "max_age",
        "legal_branches",
        "other_rules",
        "capacity",
        "start",
        "end",
        "status",
        "synthetic",
        "updated_at",
        "occupations",
    )
    tables = [
        Table("offers.Offer", offer_fields, offer_rows),
        Table("offers.Offer", ("id", "offer", "targetgroup"), group_rows, m2m="target_groups"),
        Table(
            "offers.FundingLine",
            ("id", "offer", "funder", "amount_eur", "start", "end"),
            funding_rows,
        ),
        Table(
            "offers.FollowOn",
            ("id", "from_offer", "to_offer", "destination", "position"),
            follow_rows,
        ),
    ]
    return tables, facts
