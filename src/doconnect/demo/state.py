"""A synthetic federal state (NRW look-alike, 53 districts and towns) written directly as
a spells dataset (``transitions.engine.spells_dataset``): the layout
``doconnect export spells --format parquet`` writes, without a database. Pure (NumPy,
pyarrow), deterministic from the seed.

Every person's biography is a monthly Markov chain over 72 months (2021-01 … 2026-12)
whose odds are those of the demo city: the start distribution, the state of persons who
arrive later and the month-to-month transition rates below were counted on the demo
city's careers (``career_simulation``, seed 0, scale 1; spells painted with the
cohorts' priority) and rounded, so the state mix over the window is the demo city's
(``tests/demo/test_state.py`` compares it). About 9 % of the persons arrive during the
window (refugees, movers), the others are there from the first month. Runs of the same
state are spells (end inclusive; a spell running in the last month is open). Only the
columns the figures need are filled: organisation, offer and KldB are empty.

Districts: the 22 towns and 31 districts of NRW with sizes in proportion to their
population (approximate, thousands); more than 53 are numbered. Persons are simulated
in chunks of ``CHUNK`` (each chunk its own random stream), so memory stays flat however
many persons: 1.5 million persons need a few hundred MB.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from doconnect.demo.careers import STATE_NAMES
from doconnect.transitions.engine.aggregates import STATES_KEY
from doconnect.transitions.engine.spells_dataset import DatasetWriter

PERSONS_PER_SCALE = 75_000  # `doconnect demo --state --scale N`: N × this many persons
CHUNK = 100_000  # persons simulated at once
FIRST_MONTH = np.datetime64("2021-01", "M")
MONTHS = 72
LATE_SHARE = 0.09  # persons who arrive during the window

# (name, population in thousands, approximate): NRW's kreisfreie Städte and Kreise.
NRW: tuple[tuple[str, int], ...] = (
    ("Köln", 1080), ("Düsseldorf", 620), ("Dortmund", 590), ("Essen", 580),
    ("Duisburg", 500), ("Bochum", 365), ("Wuppertal", 355), ("Bielefeld", 335),
    ("Bonn", 330), ("Münster", 320), ("Mönchengladbach", 260), ("Gelsenkirchen", 260),
    ("Krefeld", 227), ("Oberhausen", 210), ("Hagen", 189), ("Hamm", 180),
    ("Mülheim an der Ruhr", 170), ("Leverkusen", 164), ("Solingen", 159), ("Herne", 156),
    ("Bottrop", 117), ("Remscheid", 111),
    ("Recklinghausen", 615), ("Rhein-Sieg-Kreis", 600), ("Städteregion Aachen", 555),
    ("Mettmann", 485), ("Rhein-Erft-Kreis", 470), ("Wesel", 460), ("Rhein-Kreis Neuss", 450),
    ("Steinfurt", 450), ("Märkischer Kreis", 410), ("Unna", 395), ("Borken", 370),
    ("Gütersloh", 365), ("Lippe", 350), ("Ennepe-Ruhr-Kreis", 325), ("Kleve", 315),
    ("Paderborn", 310), ("Minden-Lübbecke", 310), ("Soest", 300), ("Viersen", 300),
    ("Rheinisch-Bergischer Kreis", 285), ("Warendorf", 280), ("Siegen-Wittgenstein", 275),
    ("Oberbergischer Kreis", 272), ("Düren", 265), ("Hochsauerlandkreis", 260),
    ("Heinsberg", 255), ("Herford", 250), ("Coesfeld", 220), ("Euskirchen", 195),
    ("Höxter", 140), ("Olpe", 135),
)  # fmt: skip

# The demo city's odds (STATE_NAMES order): the state in the first month, the state of
# a person arriving later, and per row state the next month's state (in 1/10,000;
# rows are normalised where used).
START = np.array(
    [0.2129, 0.0251, 0.0194, 0.0007, 0.0077, 0.1572, 0.1869, 0.0242, 0.0483, 0.0042,
     0.2173, 0.0593, 0.0009, 0.0322, 0.0037]
)  # fmt: skip
ARRIVAL = np.array(
    [0, 0, 0, 0, 0, 0.6199, 0, 0, 0.0173, 0, 0.2592, 0.1037, 0, 0, 0], dtype=np.float64
)
TRANSITIONS = np.array(
    [
        [9270, 60, 63, 17, 0, 537, 9, 0, 9, 0, 17, 8, 0, 0, 11],
        [0, 9291, 491, 15, 0, 84, 28, 0, 13, 0, 43, 15, 0, 0, 21],
        [0, 4, 9790, 4, 9, 27, 87, 8, 5, 0, 51, 8, 0, 0, 8],
        [0, 0, 4, 9899, 0, 4, 69, 0, 0, 0, 4, 0, 0, 0, 20],
        [0, 0, 57, 0, 9446, 117, 157, 64, 10, 0, 112, 20, 3, 0, 13],
        [297, 11, 104, 2, 111, 7548, 297, 144, 377, 3, 799, 170, 33, 66, 39],
        [0, 0, 0, 0, 31, 124, 9192, 0, 96, 20, 408, 49, 12, 23, 45],
        [0, 0, 28, 0, 32, 96, 74, 9646, 10, 0, 81, 20, 4, 0, 10],
        [5, 3, 13, 1, 49, 1326, 318, 55, 7257, 8, 680, 177, 22, 25, 61],
        [0, 0, 0, 0, 0, 33, 164, 0, 16, 9526, 187, 46, 3, 0, 23],
        [4, 10, 28, 3, 88, 1911, 377, 118, 522, 16, 6530, 275, 14, 24, 80],
        [0, 0, 0, 0, 0, 1278, 318, 0, 477, 0, 1104, 6539, 12, 58, 214],
        [0, 0, 0, 0, 87, 1767, 330, 117, 553, 0, 262, 78, 6718, 19, 68],
        [0, 0, 0, 0, 0, 517, 150, 0, 35, 0, 112, 98, 4, 9084, 0],
        [0, 0, 0, 0, 0, 452, 504, 0, 256, 0, 927, 388, 22, 0, 7451],
    ],
    dtype=np.float64,
)  # fmt: skip


@dataclass(frozen=True)
class StateSummary:
    directory: Path
    persons: int
    spells: int
    districts: int
    months: int
    first_month: str  # YYYY-MM
    seconds: float

    def as_dict(self) -> dict[str, object]:
        return {
            "directory": str(self.directory),
            "persons": self.persons,
            "spells": self.spells,
            "districts": self.districts,
            "months": self.months,
            "first_month": self.first_month,
            "seconds": round(self.seconds, 2),
        }


def district_names(count: int) -> list[str]:
    """The first ``count`` of NRW's districts; beyond 53, ``Region 054`` …"""
    names = [name for name, _size in NRW[:count]]
    return names + [f"Region {i:03d}" for i in range(len(names) + 1, count + 1)]


def district_sizes(persons: int, count: int) -> list[int]:
    """``persons`` split over ``count`` districts in proportion to their population
    (largest remainders, so the sizes add up exactly)."""
    weights = np.array([size for _name, size in NRW[:count]] + [200] * max(0, count - len(NRW)))
    quota = persons * weights / weights.sum()
    sizes = np.floor(quota).astype(np.int64)
    rest = persons - int(sizes.sum())
    sizes[np.argsort(-(quota - sizes), kind="stable")[:rest]] += 1
    return sizes.tolist()


def _normalised(rows: np.ndarray) -> np.ndarray:
    return rows / rows.sum(axis=-1, keepdims=True)


def simulate_months(rng: np.random.Generator, persons: int, months: int = MONTHS) -> np.ndarray:
    """``(persons, months)`` state codes (``-1`` before a person arrives)."""
    cumulative = np.cumsum(_normalised(TRANSITIONS), axis=1)
    arrival = np.where(rng.random(persons) < LATE_SHARE, rng.integers(1, months, size=persons), 0)
    first = np.where(
        arrival == 0,
        rng.choice(len(START), size=persons, p=_normalised(START)),
        rng.choice(len(ARRIVAL), size=persons, p=_normalised(ARRIVAL)),
    )
    grid = np.full((persons, months), -1, dtype=np.int8)
    state = first.astype(np.int64)
    last = len(START) - 1
    for month in range(months):
        if month:
            draw = rng.random(persons)
            moved = np.minimum((draw[:, None] > cumulative[state]).sum(axis=1), last)
            state = np.where(arrival < month, moved, state)
        grid[:, month] = np.where(arrival <= month, state, -1)
    return grid


def spells_of(grid: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The runs of ``grid`` as spells: person row, state code, first and last month
    (last = ``months - 1`` for a spell still running), by person and start."""
    seen = grid >= 0
    changed = np.ones_like(seen)
    changed[:, 1:] = grid[:, 1:] != grid[:, :-1]
    ends_here = np.ones_like(seen)
    ends_here[:, :-1] = grid[:, 1:] != grid[:, :-1]
    person, first = np.nonzero(seen & changed)
    _person, last = np.nonzero(seen & ends_here)  # the same persons, in the same order
    return person, grid[person, first].astype(np.int64), first, last


def _columns(grid: np.ndarray, ids: pa.Array, months: int) -> dict[str, pa.Array]:
    person, state, first, last = spells_of(grid)
    count = len(person)
    start = (FIRST_MONTH + first).astype("datetime64[D]")
    end = (FIRST_MONTH + last + 1).astype("datetime64[D]") - np.timedelta64(1, "D")
    running = last == months - 1
    empty = pa.array([""], pa.string()).take(pa.array(np.zeros(count, dtype=np.int64)))
    return {
        "person_id": ids.take(pa.array(person)),
        "state": pa.array(STATE_NAMES, pa.string()).take(pa.array(state)),
        "start": pa.array(start, pa.date32()),
        "end": pa.array(end, pa.date32(), mask=running),
        "organisation": empty,
        "offer_id": empty,
        "kldb": empty,
    }


def write_state(
    directory: Path,
    *,
    persons: int,
    seed: int = 0,
    districts: int = 53,
    months: int = MONTHS,
) -> StateSummary:
    """Write a synthetic state of ``persons`` persons in ``districts`` districts into
    ``directory`` (a spells dataset, all or nothing; an earlier one is replaced)."""
    if persons < 1:
        raise ValueError(f"persons: at least 1, not {persons}")
    if districts < 1:
        raise ValueError(f"districts: at least 1, not {districts}")
    if months < 12:
        raise ValueError(f"months: at least 12, not {months}")
    began = time.perf_counter()
    names = district_names(districts)
    metadata = {STATES_KEY: ",".join(STATE_NAMES), "doconnect.source": "synthetic state"}
    offset = 0
    with DatasetWriter(Path(directory), metadata=metadata) as out:
        sizes = district_sizes(persons, districts)
        for number, (name, size) in enumerate(zip(names, sizes, strict=True)):
            for chunk, begin in enumerate(range(0, size, CHUNK)):
                count = min(CHUNK, size - begin)
                rng = np.random.default_rng([seed, number, chunk])
                grid = simulate_months(rng, count, months)
                ids = pa.array([f"P-{offset + begin + i:08d}" for i in range(count)], pa.string())
                out.write(name, _columns(grid, ids, months))
            offset += size
        spells = out.rows
    return StateSummary(
        directory=Path(directory),
        persons=persons,
        spells=spells,
        districts=districts,
        months=months,
        first_month=str(FIRST_MONTH),
        seconds=time.perf_counter() - began,
    )
