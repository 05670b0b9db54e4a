"""CLARA on a real Dask cluster: a ``distributed.LocalCluster`` of two worker processes
on loopback, started by the tests (``conftest.py``, no stand-in). The result equals the
one computed in this process, bit for bit, and the tasks ran on both workers."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from distributed import Client, LocalCluster, get_task_stream
from django.core.management import CommandError

from doconnect.transitions.engine import Sequences
from doconnect.transitions.engine.clara import Clara, clara
from doconnect.transitions.engine.cluster import mapper
from tests.transitions.commands import run


def assert_same(ours: Clara, theirs: Clara) -> None:
    np.testing.assert_array_equal(ours.typology.labels, theirs.typology.labels)
    np.testing.assert_array_equal(ours.typology.medoids, theirs.typology.medoids)
    np.testing.assert_array_equal(ours.typology.distributions, theirs.typology.distributions)
    np.testing.assert_array_equal(ours.sample_mean_distances, theirs.sample_mean_distances)
    assert (ours.mean_distance, ours.pbm, ours.db, ours.xb, ours.ams, ours.best_sample) == (
        theirs.mean_distance, theirs.pbm, theirs.db, theirs.xb, theirs.ams, theirs.best_sample,
    )  # fmt: skip


def test_the_cluster_has_two_worker_processes_on_loopback(client: Client) -> None:
    workers = client.scheduler_info()["workers"]

    assert len(workers) == 2
    assert all(address.startswith("tcp://127.0.0.1:") for address in workers)
    pids = client.run(os.getpid)
    assert len(set(pids.values()) | {os.getpid()}) == 3


def test_clara_on_the_cluster_equals_clara_in_this_process(client: Client, mvad: Sequences) -> None:
    options = {"samples": 4, "sample_size": 150, "seed": 9, "sm": "TRATE", "block": 100}

    local = clara(mvad, 5, **options)  # type: ignore[arg-type]
    with get_task_stream(client) as stream:
        distributed = clara(mvad, 5, mapper=mapper(client), **options)  # type: ignore[arg-type]

    assert_same(distributed, local)
    tasks = stream.data
    blocks = -(-len(np.unique(mvad.codes, axis=0)) // 100)
    assert blocks > 1
    assert len(tasks) == 4 + 4 * blocks  # a task per sample, one per sample and block
    assert len({task["worker"] for task in tasks}) == 2


def test_the_block_size_does_not_change_the_result(mvad: Sequences) -> None:
    whole = clara(mvad, 4, samples=3, seed=2, sm="TRATE")
    in_blocks = clara(mvad, 4, samples=3, seed=2, sm="TRATE", block=64)

    assert_same(in_blocks, whole)


def typology_args(path: Path, out: Path) -> list[str]:
    return [
        "typology", str(path), "--id", "id", "--columns", "Jul.93:Jun.99", "--k", "4",
        "--clara", "--samples", "3", "--sample-size", "120", "--seed", "4", "--out", str(out),
    ]  # fmt: skip


def test_the_command_writes_the_same_file_on_either_engine(
    tmp_path: Path, dask_cluster: LocalCluster, mvad_csv: Path
) -> None:
    local, remote = tmp_path / "local.csv", tmp_path / "dask.csv"

    run(*typology_args(mvad_csv, local), "--engine", "local")
    run(*typology_args(mvad_csv, remote), "--engine", "dask",
        "--scheduler", dask_cluster.scheduler_address)  # fmt: skip

    assert remote.read_bytes() == local.read_bytes()
    assert len(local.read_text().splitlines()) == 713


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--engine", "dask"], "--engine dask needs --scheduler tcp://HOST:PORT"),
        (["--scheduler", "tcp://127.0.0.1:8786"], "--scheduler: only with --engine dask"),
        (["--engine", "dask", "--scheduler", "tcp://127.0.0.1:9"], "cannot reach the Dask"),
    ],
)
def test_a_missing_or_unreachable_scheduler_is_refused_and_nothing_is_written(
    tmp_path: Path, mvad_csv: Path, extra: list[str], message: str
) -> None:
    out = tmp_path / "T.csv"

    with pytest.raises(CommandError, match=message):
        run(*typology_args(mvad_csv, out), *extra)
    assert not out.exists()
