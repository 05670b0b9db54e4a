"""sequenzo (PyPI; the release pinned in requirements.lock), the peer our engine is
checked and timed against, used plainly through its public API: ``load_dataset``,
``SequenceData``, ``get_distance_matrix``, ``get_substitution_cost_matrix``,
``get_cross_sectional_entropy`` (all from ``sequenzo``) and ``compute_transition_matrix``
(from ``sequenzo.visualization``). Nothing is compiled, patched or imported around its
package ``__init__``.

This module itself imports sequenzo only when called, so that the test modules using it
can be collected (and skipped) where sequenzo is not installed.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd


def installed() -> bool:
    return importlib.util.find_spec("sequenzo") is not None


@contextlib.contextmanager
def dataset(name: str) -> Iterator[Path | None]:
    """The path of ``name``.csv shipped in the installed sequenzo package (its
    ``datasets`` folder, through importlib.resources), or None."""
    if not installed():
        yield None
        return
    resource = resources.files("sequenzo.datasets") / f"{name}.csv"
    if not resource.is_file():
        yield None
        return
    with resources.as_file(resource) as path:
        yield path


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """sequenzo prints progress to stdout; keep it out of the benchmark's figures."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


def sequence_data(
    frame: pd.DataFrame, columns: list[str], states: list[Any], weights: Any = None
) -> Any:
    """sequenzo's ``SequenceData`` of ``frame`` (which has an ``id`` column)."""
    from sequenzo import SequenceData

    with quiet():
        return SequenceData(
            frame[["id", *columns]], time=columns, id_col="id", states=states, weights=weights
        )
