"""The synthetic federal state (``demo.state.write_state``): 53 districts of NRW in
proportion to their population, valid biographies with the demo city's state mix, the
same files from the same seed, and only the spells dataset's columns."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from doconnect.demo import careers as cr
from doconnect.demo.generator import CityGenerator
from doconnect.demo.state import district_names, district_sizes, write_state
from doconnect.transitions.engine.grid import DEFAULT_PRIORITY, month_grid
from doconnect.transitions.engine.spells_dataset import COLUMNS, partitions


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("state") / "nrw"
    summary = write_state(directory, persons=20_000, seed=5)
    assert (summary.persons, summary.districts, summary.months) == (20_000, 53, 72)
    return directory


def table(directory: Path) -> list[dict[str, object]]:
    return ds.dataset(directory, format="parquet", partitioning="hive").to_table().to_pylist()


def test_the_state_has_nrws_53_districts_sized_by_population(state: Path) -> None:
    names = [name for name, _path in partitions(state)]
    assert sorted(names) == sorted(district_names(53))
    assert {"Köln", "Dortmund", "Höxter", "Rhein-Sieg-Kreis"} <= set(names)
    sizes = dict(zip(district_names(53), district_sizes(20_000, 53), strict=True))
    assert sum(sizes.values()) == 20_000
    assert sizes["Köln"] > sizes["Dortmund"] > sizes["Olpe"]
    rows = table(state)
    persons = {}
    for row in rows:
        persons.setdefault(row["person_id"], row["district"])
    assert len(persons) == 20_000  # every person has spells, each in one district
    counted = {name: 0 for name in sizes}
    for district in persons.values():
        counted[str(district)] += 1
    assert counted == sizes


def test_every_biography_is_a_valid_sequence_of_spells(state: Path) -> None:
    rows = sorted(table(state), key=lambda r: (r["person_id"], r["start"]))
    first, last = dt.date(2021, 1, 1), dt.date(2026, 12, 31)
    previous: dict[str, object] = {}
    open_spells = 0
    for row in rows:
        start, end = row["start"], row["end"]
        assert isinstance(start, dt.date) and start.day == 1 and first <= start <= last
        if end is None:
            open_spells += 1
        else:
            assert isinstance(end, dt.date) and start <= end < last
            assert (end + dt.timedelta(days=1)).day == 1  # a month's last day
        before = previous.get(row["person_id"])
        if isinstance(before, dict):
            assert before["end"] is not None and before["end"] < start  # no overlap
            assert before["state"] != row["state"] or before["end"] + dt.timedelta(1) < start
        previous[row["person_id"]] = row
    assert open_spells == 20_000  # everybody's last spell runs into the last month
    assert 8 < len(rows) / 20_000 < 14  # about eleven spells a person, as in the demo city


def test_the_state_mix_is_the_demo_citys(state: Path) -> None:
    """Person-months per state over the first 60 months (the demo city's window),
    against the demo city's own careers: no state more than 3 points apart."""
    generator = CityGenerator(seed=0, scale=1)
    for _name, build in generator.phases()[:5]:
        build()
    careers = generator._people.careers
    # The demo city's months as the cohorts see them: overlapping spells painted with
    # the priority (a side job beside unemployment is a month of it).
    grid = month_grid(
        careers.person,
        careers.state,
        careers.start,
        np.where(careers.end == cr.OPEN, cr.N_MONTHS - 1, careers.end),
        np.zeros(len(careers.completed_apprenticeship), dtype=np.int64),
        cr.N_MONTHS,
        [cr.STATE_NAMES.index(s) for s in DEFAULT_PRIORITY],
        cr.N_MONTHS,
    )
    demo = np.bincount(grid[grid >= 0], minlength=cr.N_STATES).astype(np.float64)
    mix = np.zeros(cr.N_STATES)
    index = {name: i for i, name in enumerate(cr.STATE_NAMES)}
    for row in table(state):
        start = row["start"]
        end = row["end"] or dt.date(2026, 12, 31)
        assert isinstance(start, dt.date) and isinstance(end, dt.date)
        a = (start.year - 2021) * 12 + start.month - 1
        b = min((end.year - 2021) * 12 + end.month - 1, cr.N_MONTHS - 1)
        if a <= b:
            mix[index[str(row["state"])]] += b - a + 1
    assert np.abs(mix / mix.sum() - demo / demo.sum()).max() < 0.03


def test_the_same_seed_writes_the_same_files(tmp_path: Path) -> None:
    write_state(tmp_path / "a", persons=3_000, seed=9, districts=5)
    write_state(tmp_path / "b", persons=3_000, seed=9, districts=5)
    write_state(tmp_path / "c", persons=3_000, seed=10, districts=5)
    a, b, c = (pq.read_table(sorted((tmp_path / n).rglob("*.parquet"))[0]) for n in "abc")
    assert a.equals(b)
    assert not a.equals(c)


def test_only_the_datasets_columns_are_written(state: Path) -> None:
    for path in state.rglob("*.parquet"):
        assert tuple(pq.read_schema(path).names) == COLUMNS


def test_more_districts_than_nrw_has_are_numbered(tmp_path: Path) -> None:
    assert district_names(55)[-2:] == ["Region 054", "Region 055"]
    with pytest.raises(ValueError, match="persons: at least 1"):
        write_state(tmp_path / "x", persons=0)
    assert not (tmp_path / "x").exists()
