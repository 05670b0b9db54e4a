"""Shared by the tests of the sequence commands and the engine: sequenzo's mvad data as
a wide CSV file (the real data the parity tests run on)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.transitions.engine import peer


@pytest.fixture(scope="module")
def mvad_csv() -> Iterator[Path]:
    pytest.importorskip("sequenzo", reason="sequenzo is not installed (pip install -e .[dev])")
    with peer.dataset("mvad") as path:
        if path is None:
            pytest.skip("the installed sequenzo does not ship mvad.csv")
        yield path
