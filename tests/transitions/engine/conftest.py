from __future__ import annotations

import types

import numpy as np
import pandas as pd
import pytest

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
