"""The organisations phase of the demo city: the fixed public bodies (city, Jobcenter,
Agentur, Land, statistics office, chambers, vocational colleges) and the providers, one
in every district once there are enough of them, the rest where the need is. Pure, no
Django."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from doconnect.demo.districts import DISTRICTS
from doconnect.demo.offer_kinds import PROVIDER_PATTERNS, PROVIDER_WZ
from doconnect.demo.rows import IntArray, Row, Table

# Fixed organisations: (external_id, name, kind, district number or None).
PUBLIC_BODIES: tuple[tuple[str, str, str, str | None], ...] = (
    ("city-dortmund", "Stadt Dortmund – Wirtschafts- und Beschäftigungsförderung", "city", "010"),
    ("jobcenter-dortmund", "Jobcenter Dortmund", "jobcenter", "020"),
    ("agentur-dortmund", "Agentur für Arbeit Dortmund", "federal_agency", "010"),
    ("land-nrw", "Land Nordrhein-Westfalen – Arbeitsministerium", "state", None),
    ("city-dortmund-statistik", "Stadt Dortmund – Dortmunder Statistik", "city", "010"),
    ("kammer-handwerk", "Handwerkskammer Dortmund", "chamber", "010"),
    ("kammer-ihk", "Industrie- und Handelskammer zu Dortmund", "chamber", "010"),
    ("bk-hafen", "Berufskolleg am Hafen", "vocational_college", "020"),
    ("bk-westfalen", "Berufskolleg Westfalen", "vocational_college", "010"),
    ("bk-hoerde", "Berufskolleg Hörde", "vocational_college", "080"),
    ("bk-nordost", "Berufskolleg Nord-Ost", "vocational_college", "050"),
    ("bk-gesundheit", "Berufskolleg für Gesundheit und Soziales", "vocational_college", "030"),
    ("bk-technik", "Berufskolleg für Technik", "vocational_college", "100"),
)
# Primary keys of the public bodies above, in that order.
CITY_ID, JOBCENTER_ID, AGENCY_ID = 1, 2, 3
VOCATIONAL_COLLEGE_IDS = tuple(
    index + 1 for index, body in enumerate(PUBLIC_BODIES) if body[2] == "vocational_college"
)
ORGANISATION_FIELDS = ("id", "external_id", "name", "kind", "district", "wz_code", "synthetic")


@dataclass(frozen=True)
class Providers:
    """What later phases need of the providers: their organisation ids, their districts
    (0..11) and the external id of every organisation built here."""

    ids: IntArray
    district: IntArray
    external: dict[int, str]


def _district_id(number: str | None) -> int | None:
    if number is None:
        return None
    return next(i + 1 for i, d in enumerate(DISTRICTS) if d.number == number)


def organisation_table(
    rng: np.random.Generator, count: int, first_id: int
) -> tuple[Table, Providers]:
    """The public bodies and ``count`` providers, numbered from ``first_id`` on."""
    rows: list[Row] = [
        (i + 1, ext, name, kind, _district_id(number), "", True)
        for i, (ext, name, kind, number) in enumerate(PUBLIC_BODIES)
    ]
    n = count
    weights = np.array([d.weight for d in DISTRICTS])
    # Every district has a provider once there are enough of them; the rest follow
    # need, so the inner north gets the most.
    first = np.arange(min(n, len(DISTRICTS)))
    rest = rng.choice(len(DISTRICTS), n - len(first), p=weights / weights.sum())
    district = np.concatenate([first, rest]).astype(np.int64)
    rank: dict[int, int] = {}
    ids = []
    for i in range(n):
        d = int(district[i])
        k = rank.get(d, 0)
        rank[d] = k + 1
        info = DISTRICTS[d]
        pattern = PROVIDER_PATTERNS[(d * 5 + k) % len(PROVIDER_PATTERNS)]
        place = info.name if k % 2 == 0 else info.quarters[k % len(info.quarters)]
        name = pattern.format(place=place)
        if k >= len(PROVIDER_PATTERNS):
            name += f" ({k // len(PROVIDER_PATTERNS) + 1})"
        org_id = first_id + i
        ids.append(org_id)
        rows.append(
            (
                org_id,
                f"p-{info.slug}-{k + 1}",
                name,
                "provider",
                d + 1,
                PROVIDER_WZ[int(rng.integers(len(PROVIDER_WZ)))],
                True,
            )
        )
    providers = Providers(
        ids=np.array(ids, dtype=np.int64),
        district=district,
        external={row[0]: row[1] for row in rows},
    )
    return Table("core.Organisation", ORGANISATION_FIELDS, rows), providers
