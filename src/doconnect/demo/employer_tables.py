"""The employers phase of the demo city: employers by sector and district, and their
vacancies over the last three years — a few large employers post most of them, each
sector hires its own occupations, every employer on its own hiring pattern
(``occupations.py``). Pure, no Django."""

from __future__ import annotations

import numpy as np

from doconnect.demo import careers as cr
from doconnect.demo import occupations as occ
from doconnect.demo.dates import TODAY_DAY, first_day, iso_days, last_day
from doconnect.demo.districts import DISTRICTS
from doconnect.demo.names import NAMES
from doconnect.demo.occupation_codes import KLDB_INDEX, OCCUPATIONS
from doconnect.demo.organisation_tables import ORGANISATION_FIELDS
from doconnect.demo.rows import IntArray, Row, Table, tolist
from doconnect.demo.sectors import SECTORS

# Vacancies reach this many months back (a hiring history for forecasts).
VACANCY_HISTORY_MONTHS = 36


def employer_tables(
    rng: np.random.Generator,
    history_rng: np.random.Generator,
    employers: int,
    vacancies: int,
    first_id: int,
) -> tuple[list[Table], dict[str, str]]:
    """``employers`` employers, numbered from ``first_id`` on, with ``vacancies``
    vacancies; ``history_rng`` spreads them over the history (a stream of its own).
    Returns the tables and each employer's hiring pattern by external id."""
    n = employers
    sector_weights = np.array([s.weight for s in SECTORS], dtype=float)
    sector = rng.choice(len(SECTORS), n, p=sector_weights / sector_weights.sum())
    # Jobs cluster in the centre, around Phoenix (Hörde) and the logistics areas.
    district_weights = np.array([16, 8, 7, 6, 5, 8, 8, 10, 6, 8, 9, 9], dtype=float)
    district = rng.choice(len(DISTRICTS), n, p=district_weights / district_weights.sum())
    families = NAMES["german"].family * 3 + NAMES["turkish"].family + (NAMES["polish"].family)
    givens = NAMES["german"].female + NAMES["turkish"].female
    org_rows: list[Row] = []
    ids: list[int] = []
    names: list[str] = []
    for i in range(n):
        s = SECTORS[int(sector[i])]
        info = DISTRICTS[int(district[i])]
        name = str(rng.choice(s.name_patterns)).format(
            family=str(rng.choice(families)),
            place=str(rng.choice(info.quarters)),
            given=str(rng.choice(givens)),
        )
        org_id = first_id + i
        ids.append(org_id)
        names.append(name)
        org_rows.append(
            (org_id, f"e-{i + 1:05d}", name, "employer", int(district[i]) + 1, s.wz, True)
        )
    # A few large employers post most vacancies; each sector hires its own
    # occupations, the first of them most often.
    size = rng.pareto(1.2, n) + 1.0
    m = vacancies
    employer = rng.choice(n, m, p=size / size.sum())
    u = rng.random(m)
    occupation = np.zeros(m, dtype=np.int64)
    for index, s in enumerate(SECTORS):
        hires = sector[employer] == index
        weights = 1.0 / np.arange(1, len(s.occupations) + 1)
        cumulative = np.cumsum(weights / weights.sum())
        codes = np.array([KLDB_INDEX[code] for code in s.occupations])
        pick = np.minimum(np.searchsorted(cumulative, u[hires], side="right"), len(codes) - 1)
        occupation[hires] = codes[pick]
    where = np.where(rng.random(m) < 0.9, district[employer], rng.integers(0, len(DISTRICTS), m))
    published = TODAY_DAY - rng.integers(0, 180, m)
    entry = published + rng.integers(0, 75, m)
    has_entry = rng.random(m) < 0.8
    positions = np.where(rng.random(m) < 0.8, 1, rng.integers(2, 6, m))
    u_postcode = rng.random(m)
    postcodes = [
        DISTRICTS[d].postcodes[int(x * len(DISTRICTS[d].postcodes))]
        for d, x in zip(where.tolist(), u_postcode.tolist(), strict=True)
    ]
    published, entry, closed, patterns = _vacancy_history(
        history_rng, sector, employer, occupation, published, entry
    )
    titles = [f"{OCCUPATIONS[o].title} (m/w/d)" for o in occupation.tolist()]
    vacancy_rows = list(
        zip(
            range(1, m + 1),
            ["demo"] * m,
            [f"DEMO-{v:07d}" for v in range(1, m + 1)],
            titles,
            [ids[e] for e in employer.tolist()],
            [names[e] for e in employer.tolist()],
            [OCCUPATIONS[o].kldb for o in occupation.tolist()],
            tolist(where + 1),
            postcodes,
            ["Dortmund"] * m,
            iso_days(published),
            [day if has else None for day, has in zip(iso_days(entry), has_entry, strict=True)],
            tolist(positions),
            [True] * m,
            [
                day if shut else None
                for day, shut in zip(
                    iso_days(np.minimum(closed, TODAY_DAY)), closed <= TODAY_DAY, strict=True
                )
            ],
            strict=True,
        )
    )
    tables = [
        Table("core.Organisation", ORGANISATION_FIELDS, org_rows),
        Table(
            "employers.Vacancy",
            (
                "id",
                "source",
                "reference",
                "title",
                "employer",
                "employer_name",
                "kldb",
                "district",
                "postcode",
                "place",
                "published_on",
                "entry_on",
                "positions",
                "synthetic",
                "closed_on",
            ),
            vacancy_rows,
        ),
    ]
    return tables, patterns


def _vacancy_history(
    rng: np.random.Generator,
    sector: IntArray,
    employer: IntArray,
    occupation: IntArray,
    published: IntArray,
    entry: IntArray,
) -> tuple[IntArray, IntArray, IntArray, dict[str, str]]:
    """Publication over the last three years (own stream): each employer hires
    steadily, by the season, on a trend (up or down) or erratically; the wished
    entry keeps its distance to publication. A vacancy closes after a spread of
    days (shortage occupations take longer); one that would close after the demo's
    today is still open. Returns published, entry and closing day numbers, and each
    employer's hiring pattern (``occupations.PATTERN_NAMES``) by external id."""
    pattern = occ.hiring_patterns(rng, sector)
    patterns = {f"e-{i + 1:05d}": occ.PATTERN_NAMES[p] for i, p in enumerate(pattern.tolist())}
    months = np.arange(cr.N_MONTHS - VACANCY_HISTORY_MONTHS, cr.N_MONTHS, dtype=np.int64)
    calendar = (months + 11) % 12 + 1  # window month 0 is December 2021
    intensity = occ.hiring_intensity(rng, sector, pattern, calendar)
    month = months[occ.draw_months(rng, intensity, employer)]
    start = first_day(month)
    length = np.minimum(last_day(month), TODAY_DAY) - start + 1
    history = start + (rng.random(len(month)) * length).astype(np.int64)
    closed = history + occ.open_days(rng, occupation)
    return history, history + (entry - published), closed, patterns
