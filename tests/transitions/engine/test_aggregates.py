"""A state's transition figures over a spells dataset (Parquet, a directory per district):
counted by hand on a small dataset, refused with the file named, the same on a real Dask
cluster (``conftest.py``: a ``LocalCluster`` of two worker processes on loopback) as in
this process."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
import pytest
from distributed import Client, LocalCluster, get_task_stream
from django.core.management import call_command

from doconnect.demo.state import write_state
from doconnect.transitions.engine import cluster
from doconnect.transitions.engine.aggregates import (
    STATES_KEY,
    FiguresError,
    transition_figures,
)
from doconnect.transitions.engine.grid import DEFAULT_PRIORITY
from doconnect.transitions.engine.spells_dataset import (
    COLUMNS,
    DatasetError,
    DatasetWriter,
    partitions,
)

STATES = ("school", "offer", "employment", "unemployed")
TODAY = dt.date(2026, 1, 15)
D = dt.date


def write(directory: Path, spells: dict[str, list[tuple[str, str, D, D | None]]]) -> Path:
    with DatasetWriter(directory, metadata={STATES_KEY: ",".join(STATES)}) as out:
        for district, rows in spells.items():
            columns = {name: [] for name in COLUMNS}
            for person, state, start, end in rows:
                for name, value in zip(
                    COLUMNS, (person, state, start, end, "", "", ""), strict=True
                ):
                    columns[name].append(value)
            out.write(district, columns)
    return directory


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return write(
        tmp_path / "small",
        {
            "Hörde": [
                # unemployed Jan–Mar 2024, then employed for good
                ("P-1", "unemployed", D(2024, 1, 1), D(2024, 3, 31)),
                ("P-1", "employment", D(2024, 4, 1), None),
                # left school before 2024: not in the 2024 cohort
                ("P-2", "school", D(2020, 8, 1), D(2023, 7, 31)),
                # an offer into 2024, unemployed Mar–May, then nothing on record
                ("P-3", "offer", D(2023, 6, 1), D(2024, 2, 29)),
                ("P-3", "unemployed", D(2024, 3, 1), D(2024, 5, 31)),
                # unemployed Jan–Feb, employed Mar–May, then nothing on record
                ("P-5", "unemployed", D(2024, 1, 1), D(2024, 2, 29)),
                ("P-5", "employment", D(2024, 3, 1), D(2024, 5, 31)),
            ],
            "": [("P-4", "employment", D(2022, 1, 1), None)],
        },
    )


def test_each_district_counts_its_2024_cohort_month_by_month(small: Path) -> None:
    figures = transition_figures(small, year=2024, months=12, today=TODAY)
    assert [d.district for d in figures.districts] == ["", "Hörde"]
    assert figures.states == STATES
    hoerde = figures.districts[1]
    assert hoerde.persons == 3
    _s, o, e, u = range(4)
    expected = np.zeros((4, 4), dtype=np.int64)
    expected[u, u] = 2 + 2 + 1  # P-1 Jan→Feb→Mar, P-3 Mar→Apr→May, P-5 Jan→Feb
    expected[u, e] = 2  # P-1 in April, P-5 in March
    expected[e, e] = 8 + 2  # P-1 April … December, P-5 March … May
    expected[o, o] = 1  # P-3 January → February
    expected[o, u] = 1  # P-3 February → March
    assert hoerde.transitions.tolist() == expected.tolist()
    assert hoerde.state_counts[0].tolist() == [0, 1, 0, 2]  # January: an offer, 2 unemployed
    assert hoerde.state_counts[6].tolist() == [0, 0, 1, 0]  # July: P-1 employed
    assert hoerde.no_spell.tolist() == [0] * 5 + [2] * 7  # P-3 and P-5 from June on
    # Leavers of unemployment into a recorded state: P-1 in April (month 3), P-5 in
    # March (month 2); P-3 left into no record, which is no exit.
    assert hoerde.leavers == 2
    # Six months on (the exit month counts as the first): P-1 employed (September),
    # P-5 without a spell (August).
    assert hoerde.outcomes[6].tolist() == [0, 0, 1, 0, 1]
    assert hoerde.employment_share(STATES, 6) == 0.5
    # 24 months on lies after today (February/March 2026): not yet observable.
    assert hoerde.outcomes[24].tolist() == [0, 0, 0, 0, 0]
    assert hoerde.not_yet_observable[24] == 2
    nowhere = figures.districts[0]
    assert nowhere.persons == 1 and nowhere.transitions[e, e] == 11


def test_months_after_today_are_not_observed(small: Path) -> None:
    figures = transition_figures(small, year=2024, months=12, today=D(2024, 6, 10))
    hoerde = figures.districts[1]
    # July … December 2024 are after June: nobody is counted in them.
    assert hoerde.state_counts[6:].sum() == 0 and hoerde.no_spell[6:].sum() == 0
    assert hoerde.outcomes[6].sum() == 0 and hoerde.not_yet_observable[6] == 2


def test_the_priority_decides_overlapping_months(tmp_path: Path) -> None:
    dataset = write(
        tmp_path / "overlap",
        {
            "A": [
                ("P-1", "unemployed", D(2024, 1, 1), D(2024, 12, 31)),
                ("P-1", "offer", D(2024, 3, 1), D(2024, 4, 30)),
            ]
        },
    )
    by_default = transition_figures(dataset, year=2024, months=12, today=TODAY).districts[0]
    assert by_default.state_counts[:, 1].sum() == 2  # the offer wins March and April
    ranked = [s for s in reversed(DEFAULT_PRIORITY) if s in STATES]
    other = transition_figures(
        dataset, year=2024, months=12, today=TODAY, priority=ranked
    ).districts[0]
    assert other.state_counts[:, 1].sum() == 0  # unemployment ranks first now


def test_a_state_the_dataset_does_not_declare_is_refused_naming_the_file(tmp_path: Path) -> None:
    dataset = write(tmp_path / "bad", {"A": [("P-1", "pirate", D(2024, 1, 1), None)]})
    with pytest.raises(FiguresError, match=r"district=A/part-00000\.parquet: state\(s\) pirate"):
        transition_figures(dataset, year=2024, months=12, today=TODAY)


def test_a_directory_that_is_no_dataset_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(DatasetError, match="not a spells dataset"):
        transition_figures(tmp_path, year=2024, months=12, today=TODAY)
    with pytest.raises(ValueError, match=r"months must be 12 \.\. 72"):
        transition_figures(tmp_path, year=2024, months=6, today=TODAY)


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "out"
    row = {"person_id": ["P-1"], "state": ["offer"], "start": [D(2024, 1, 1)], "end": [None],
           "organisation": [""], "offer_id": [""], "kldb": [""]}  # fmt: skip
    with pytest.raises(RuntimeError, match="broken"), DatasetWriter(target) as out:
        out.write("A", row)
        raise RuntimeError("broken")
    assert list(tmp_path.iterdir()) == []


def test_a_directory_with_other_files_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(DatasetError, match="exists and is not a spells dataset"):
        DatasetWriter(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("state") / "nrw"
    write_state(directory, persons=6_000, seed=7, districts=12)
    return directory


def test_the_figures_on_a_dask_cluster_equal_the_local_ones(
    state: Path, client: Client, dask_cluster: LocalCluster
) -> None:
    local = transition_figures(state, year=2023, months=36, today=TODAY)
    with get_task_stream(client) as stream:
        on_cluster = transition_figures(
            state, year=2023, months=36, today=TODAY, mapper=cluster.mapper(client)
        )
    assert on_cluster.as_dict() == local.as_dict()
    assert len(local.districts) == 12 and sum(d.persons for d in local.districts) > 5_000
    workers = {task["worker"] for task in stream.data if "district_figures" in task["key"]}
    assert len(workers) == 2  # both worker processes computed districts


def test_the_dask_engine_reaches_the_cluster_by_its_address(
    state: Path, dask_cluster: LocalCluster
) -> None:
    with cluster.connected(dask_cluster.scheduler_address) as run:
        on_cluster = transition_figures(state, year=2022, months=24, today=TODAY, mapper=run)
    assert (
        on_cluster.as_dict()
        == transition_figures(state, year=2022, months=24, today=TODAY).as_dict()
    )
    assert [d for d, _path in partitions(state)] == [d.district for d in on_cluster.districts]


def test_the_command_writes_the_same_file_on_either_engine(
    state: Path, dask_cluster: LocalCluster, tmp_path: Path
) -> None:
    common = ["figures", str(state), "--year", "2023", "--today", "2026-01-15", "--format", "csv"]
    local, on_cluster = tmp_path / "local.csv", tmp_path / "dask.csv"
    call_command("transitions", *common, "--out", str(local), stdout=io.StringIO())
    call_command(
        "transitions", *common, "--engine", "dask", "--scheduler",
        dask_cluster.scheduler_address, "--out", str(on_cluster), stdout=io.StringIO(),
    )  # fmt: skip
    assert on_cluster.read_bytes() == local.read_bytes()
    lines = local.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "district,from,to,count" and len(lines) > 12 * 20
