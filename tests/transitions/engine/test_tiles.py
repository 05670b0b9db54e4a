"""The distance matrix in tiles (issue #22): in this process and on a real Dask cluster
(``conftest.py``: a ``LocalCluster`` of two worker processes on loopback), every cell
equals today's untiled ``distance_matrix`` bit for bit, whatever the tile size; the
command writes the same bytes on either engine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from distributed import Client, LocalCluster, get_task_stream
from django.core.management import CommandError

from doconnect.transitions.engine import Sequences, distances, tiles
from doconnect.transitions.engine.clara import metric
from doconnect.transitions.engine.cluster import mapper
from tests.transitions.commands import run

CASES = [
    ("OM", "TRATE", "auto"),
    ("OM", "CONSTANT", 1.5),
    ("HAM", None, "auto"),
    ("HAM", "TRATE", "auto"),
]


@pytest.mark.parametrize(("method", "sm", "indel"), CASES)
@pytest.mark.parametrize("tile", [1, 97, 712, 5000])
def test_tiles_in_this_process_equal_the_untiled_matrix_bit_for_bit(
    mvad: Sequences, method: str, sm: str | None, indel: float | str, tile: int
) -> None:
    expected = distances.distance_matrix(mvad, method, sm, indel)  # type: ignore[arg-type]

    tiled = tiles.distance_matrix(mvad, method, sm, indel, tile=tile)  # type: ignore[arg-type]

    assert tiled.shape == (712, 712)
    assert np.array_equal(tiled, expected)


def test_repeated_and_missing_sequences_are_aligned_once_and_placed_in_file_order() -> None:
    rows = [["A", "B", "B", None], ["C", "C", "A", "A"], ["A", "B", "B", None], ["B"] * 4]
    seqs = Sequences.from_labels(rows * 5)

    tiled = tiles.distance_matrix(seqs, "OM", "TRATE", tile=2)

    assert np.array_equal(tiled, distances.distance_matrix(seqs, "OM", "TRATE"))
    assert tiled[0, 2] == 0.0 and tiled[0, 1] > 0.0


def test_a_tile_is_the_block_of_the_full_matrix(mvad: Sequences) -> None:
    codes, how = metric(mvad, "OM", "TRATE")
    distinct, _ = distances._distinct(codes)
    full = tiles.tiled_matrix(distinct, how, tile=len(distinct))

    part = tiles.tile_distances(distinct[100:250], distinct[300:420], how)

    assert np.array_equal(part, full[100:250, 300:420])


def test_a_tile_size_below_one_is_refused(mvad: Sequences) -> None:
    with pytest.raises(ValueError, match="tile must be at least 1, not 0"):
        tiles.distance_matrix(mvad, "HAM", tile=0)


def test_tiles_on_the_cluster_equal_the_untiled_matrix_and_use_both_workers(
    client: Client, mvad: Sequences
) -> None:
    expected = distances.distance_matrix(mvad, "OM", "TRATE")

    with get_task_stream(client) as stream:
        tiled = tiles.distance_matrix(mvad, "OM", "TRATE", tile=100, mapper=mapper(client))

    assert np.array_equal(tiled, expected)
    blocks = -(-len(np.unique(mvad.codes, axis=0)) // 100)  # of the distinct sequences
    assert blocks > 2
    assert len(stream.data) == blocks * (blocks + 1) // 2  # one task per tile i <= j
    assert len({task["worker"] for task in stream.data}) == 2


def test_batches_of_tiles_give_the_same_matrix_on_the_cluster(
    client: Client, mvad: Sequences
) -> None:
    expected = distances.distance_matrix(mvad, "HAM")

    # Room for three 100 x 100 tiles at a time: 12 rounds of calls instead of one.
    codes, how = metric(mvad, "HAM")
    tiled = tiles.tiled_matrix(
        codes, how, tile=100, mapper=mapper(client), batch_bytes=3 * 8 * 100 * 100
    )

    assert np.array_equal(tiled, expected)


def distance_args(path: Path, out: Path) -> list[str]:
    return ["distances", str(path), "--id", "id", "--columns", "Jul.93:Jun.99", "--out", str(out)]


def test_the_command_writes_the_same_matrix_on_either_engine(
    tmp_path: Path, dask_cluster: LocalCluster, mvad_csv: Path
) -> None:
    local, remote = tmp_path / "local.npy", tmp_path / "dask.npy"

    run(*distance_args(mvad_csv, local))
    printed = run(*distance_args(mvad_csv, remote), "--engine", "dask", "--tile", "150",
                  "--scheduler", dask_cluster.scheduler_address)  # fmt: skip

    assert remote.read_bytes() == local.read_bytes()
    assert np.load(remote).shape == (712, 712)
    assert "712 x 712 distances written to" in printed


def test_the_ward_typology_runs_on_the_cluster_with_the_same_types(
    tmp_path: Path, dask_cluster: LocalCluster, mvad_csv: Path
) -> None:
    local, remote = tmp_path / "local.csv", tmp_path / "dask.csv"
    args = ["typology", str(mvad_csv), "--id", "id", "--columns", "Jul.93:Jun.99", "--k", "4"]

    run(*args, "--out", str(local))
    run(*args, "--out", str(remote), "--engine", "dask",
        "--scheduler", dask_cluster.scheduler_address)  # fmt: skip

    assert remote.read_bytes() == local.read_bytes()
    assert len(local.read_text().splitlines()) == 713


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--engine", "dask"], "--engine dask needs --scheduler tcp://HOST:PORT"),
        (["--scheduler", "tcp://127.0.0.1:8786"], "--scheduler: only with --engine dask"),
        (["--engine", "dask", "--scheduler", "tcp://127.0.0.1:9"], "cannot reach the Dask"),
        (["--tile", "0"], "--tile: at least 1, not 0"),
    ],
)
def test_a_bad_engine_option_is_refused_and_no_matrix_is_written(
    tmp_path: Path, mvad_csv: Path, extra: list[str], message: str
) -> None:
    out = tmp_path / "D.npy"

    with pytest.raises(CommandError, match=message):
        run(*distance_args(mvad_csv, out), *extra)
    assert not out.exists()


def test_clara_refuses_a_tile_size(tmp_path: Path, mvad_csv: Path) -> None:
    out = tmp_path / "T.csv"
    args = ["typology", str(mvad_csv), "--id", "id", "--columns", "Jul.93:Jun.99", "--k", "3"]

    with pytest.raises(CommandError, match="--tile: not with --clara"):
        run(*args, "--clara", "--tile", "100", "--out", str(out))
    assert not out.exists()
