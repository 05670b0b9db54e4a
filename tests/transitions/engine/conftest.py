from __future__ import annotations

import types
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from distributed import Client, LocalCluster

from doconnect.transitions.engine import Sequences
from tests.transitions.engine import peer


@pytest.fixture(scope="session")
def sequenzo() -> types.ModuleType:
    """The installed sequenzo package (pip install -e .[dev]), used as it is."""
    return pytest.importorskip(
        "sequenzo", reason="sequenzo is not installed (pip install -e .[dev])"
    )


@pytest.fixture(scope="session")
def mvad_frame(sequenzo: types.ModuleType) -> pd.DataFrame:
    """sequenzo's mvad data (712 persons, 72 months), through its ``load_dataset``."""
    return sequenzo.load_dataset("mvad")


@pytest.fixture(scope="session")
def mvad_columns(mvad_frame: pd.DataFrame) -> list[str]:
    return list(mvad_frame.columns[14:])


@pytest.fixture(scope="session")
def mvad(mvad_frame: pd.DataFrame, mvad_columns: list[str]) -> Sequences:
    labels = mvad_frame[mvad_columns].to_numpy().tolist()
    return Sequences.from_labels(
        labels,
        ids=[str(i) for i in mvad_frame["id"]],
        weights=mvad_frame["weight"].to_numpy(dtype=np.float64),
    )


@pytest.fixture(scope="session")
def mvad_sequenzo(mvad_frame: pd.DataFrame, mvad_columns: list[str], mvad: Sequences):
    """sequenzo's ``SequenceData`` of mvad, weighted, with our state order."""
    weights = mvad_frame["weight"].to_numpy(dtype=np.float64)
    return peer.sequence_data(mvad_frame, mvad_columns, list(mvad.states), weights)


@pytest.fixture(scope="session")
def dask_cluster() -> Iterator[LocalCluster]:
    """A real Dask cluster: a scheduler and two worker processes on loopback (issue #22)."""
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None, protocol="tcp",
    ) as started:  # fmt: skip
        yield started


@pytest.fixture(scope="session")
def client(dask_cluster: LocalCluster) -> Iterator[Client]:
    with Client(dask_cluster, set_as_default=False) as connected:
        connected.wait_for_workers(2, timeout=60)
        yield connected
