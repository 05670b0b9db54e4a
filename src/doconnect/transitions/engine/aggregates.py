"""A state's transition figures over a spells dataset (``spells_dataset``: Parquet files,
one directory per district), district by district.

Per district the cohort is the database's district cohort (``transitions.cohorts``,
kind ``district``): the persons with any spell running in ``year``, month 0 January of
that year for everybody, ``months`` months; the spells are painted onto the month grid
by the same rule (``grid.month_grid``, the same priority). The figures are those of the
transitions report before the small-number rule (``transitions.services``; suppression
belongs to publishing, not to pooling): persons, per month the persons in each state and
without a spell, the month-to-month transitions (from → to, pooled), and the leavers of
unemployment (first exit in months 1 … ``months - 1``, ``outcomes.exits``) with their
state 6, 12 and 24 months later (``grid.outcomes_after``; the share in employment is
one of those columns).

Each district is one call of :func:`district_figures`: DuckDB reads the district's
files (only the spells of the cohort's persons, dates turned into month numbers and
states into codes inside the query), NumPy and the engine's kernels count. The calls
run through a ``mapper`` — in this process (``clara.local_map``, the default) or as
tasks on a Dask cluster (``cluster.mapper``) — and return in district order, so both
engines give the same numbers. On a cluster the workers read the files themselves: the
dataset must lie at the same path for them (a shared file system).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

from doconnect.months import month_number, month_of
from doconnect.transitions.engine.clara import Mapper, local_map
from doconnect.transitions.engine.data import Sequences
from doconnect.transitions.engine.describe import state_counts, transition_counts
from doconnect.transitions.engine.grid import (
    DEFAULT_PRIORITY,
    HORIZONS,
    MAX_HORIZON,
    NO_SPELL,
    NOT_YET,
    OPEN_END,
    leavers,
    month_grid,
    outcomes_after,
)
from doconnect.transitions.engine.outcomes import exits
from doconnect.transitions.engine.spells_dataset import partition_files, partitions

STATES_KEY = "doconnect.states"  # the dataset's state order, in its files' metadata
ORIGIN = "unemployed"  # the district cohorts' outcomes count leaving unemployment
EMPLOYMENT = "employment"
MIN_MONTHS, MAX_MONTHS = 12, 72


class FiguresError(ValueError):
    """A dataset the figures cannot be computed from (the message names the file)."""


@dataclass(frozen=True)
class DistrictFigures:
    """One district's figures; ``states`` index every array's state axis."""

    district: str
    persons: int
    state_counts: np.ndarray  # (months, states): persons per month and state
    no_spell: np.ndarray  # (months,): persons without a spell (past months)
    transitions: np.ndarray  # (states, states): person-months from row to column state
    leavers: int  # left unemployment in an observed month
    outcomes: dict[int, np.ndarray]  # horizon -> (states + 1,): their state then, missing last
    not_yet_observable: dict[int, int]  # horizon -> leavers whose month lies after today

    def employment_share(self, states: Sequence[str], horizon: int) -> float | None:
        """The share of the leavers observed ``horizon`` months later who were employed."""
        counts = self.outcomes[horizon]
        seen = int(counts.sum())
        return None if not seen else int(counts[list(states).index(EMPLOYMENT)]) / seen

    def as_dict(self, states: Sequence[str]) -> dict[str, Any]:
        return {
            "district": self.district,
            "persons": self.persons,
            "state_counts": self.state_counts.tolist(),
            "no_spell": self.no_spell.tolist(),
            "transitions": self.transitions.tolist(),
            "leavers": self.leavers,
            "outcomes": {
                str(h): {
                    "cells": self.outcomes[h].tolist(),
                    "not_yet_observable": self.not_yet_observable[h],
                    "employment_share": self.employment_share(states, h),
                }
                for h in sorted(self.outcomes)
            },
        }


@dataclass(frozen=True)
class Figures:
    """The figures of every district of a dataset (by district name)."""

    year: int
    months: int
    today: dt.date
    states: tuple[str, ...]
    districts: tuple[DistrictFigures, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "months": self.months,
            "today": self.today.isoformat(),
            "states": list(self.states),
            "outcome_columns": [*self.states, "missing"],
            "horizons": list(HORIZONS),
            "districts": [d.as_dict(self.states) for d in self.districts],
        }

    def transition_rows(self) -> list[tuple[str, str, str, int]]:
        """``(district, from, to, count)`` for every non-zero transition."""
        return [
            (d.district, self.states[i], self.states[j], int(d.transitions[i, j]))
            for d in self.districts
            for i, j in zip(*np.nonzero(d.transitions), strict=True)
        ]


def dataset_states(dataset: Path) -> tuple[str, ...]:
    """The state order the dataset's files declare (``STATES_KEY``); every file must
    declare the same."""
    found: tuple[str, ...] | None = None
    for _district, directory in partitions(dataset):
        for path in partition_files(directory):
            metadata = pq.read_schema(path).metadata or {}
            raw = metadata.get(STATES_KEY.encode())
            if raw is None:
                raise FiguresError(f"{path}: no {STATES_KEY} in the file's metadata")
            states = tuple(raw.decode().split(","))
            if found is not None and states != found:
                raise FiguresError(f"{path}: states {states} differ from the other files'")
            found = states
    if found is None:
        raise FiguresError(f"{dataset}: no Parquet files")
    return found


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@cache
def _database() -> Any:
    """This process's in-memory DuckDB (opening one costs ~70 ms; each call takes a
    cursor of it, which is safe beside other threads of a Dask worker)."""
    import duckdb  # imported where the figures run: in this process or on a worker

    return duckdb.connect()


def district_figures(
    files: Sequence[str],
    district: str,
    year: int,
    months: int,
    last_observed: int,
    states: Sequence[str],
    priority: Sequence[str],
) -> DistrictFigures:
    """One district's figures from its Parquet ``files`` (a task on a cluster)."""
    first_day, last_day = dt.date(year, 1, 1), dt.date(year, 12, 31)
    source = f"read_parquet([{', '.join(_sql_text(f) for f in files)}])"
    state_list = f"[{', '.join(_sql_text(s) for s in states)}]"
    # The cohort's persons numbered in pseudonym order, and all their spells with month
    # numbers (``doconnect.months``: year × 12 + month − 1) and state codes.
    query = f"""
        WITH spells AS (SELECT person_id, state, start, "end" FROM {source}),
        members AS (
            SELECT person_id, row_number() OVER (ORDER BY person_id) - 1 AS row
            FROM (
                SELECT DISTINCT person_id FROM spells
                WHERE start <= DATE '{last_day.isoformat()}'
                  AND ("end" IS NULL OR "end" >= DATE '{first_day.isoformat()}')
            )
        )
        SELECT members.row,
               list_position({state_list}, state) - 1 AS code,
               year(start) * 12 + month(start) - 1 AS first,
               coalesce(year("end") * 12 + month("end") - 1, {OPEN_END}) AS last
        FROM spells JOIN members USING (person_id)
    """  # every value is quoted above (_sql_text); the file names are the dataset's
    with _database().cursor() as con:
        unknown = con.execute(
            f"SELECT DISTINCT state FROM {source} "
            f"WHERE list_position({state_list}, state) IS NULL ORDER BY state"
        ).fetchall()
        if unknown:
            raise FiguresError(
                f"{files[0]}: state(s) {', '.join(str(u[0]) for u in unknown)} not among "
                f"the dataset's states ({', '.join(states)})"
            )
        spells = con.execute(query).fetchnumpy()
    rows = np.asarray(spells["row"], dtype=np.int64)
    n = int(rows.max()) + 1 if len(rows) else 0
    origin = np.full(n, month_number(year, 1), dtype=np.int64)
    code_of = {s: i for i, s in enumerate(states)}
    grid = month_grid(
        rows,
        np.asarray(spells["code"], dtype=np.int64),
        np.asarray(spells["first"], dtype=np.int64),
        np.asarray(spells["last"], dtype=np.int64),
        origin,
        months + MAX_HORIZON,
        [code_of[s] for s in priority if s in code_of],
        last_observed,
    )
    codes = grid[:, :months].copy()
    seqs = Sequences(codes, tuple(states))
    exit_month, _outcome = exits(seqs, [ORIGIN], (1, months - 1), 1)
    leaving = leavers(grid, exit_month)
    outcomes: dict[int, np.ndarray] = {}
    not_yet: dict[int, int] = {}
    for horizon in HORIZONS:
        outcome = outcomes_after(grid, exit_month, leaving, horizon)
        seen = outcome[outcome != NOT_YET].astype(np.int64)
        cells = np.bincount(seen[seen >= 0], minlength=len(states))
        outcomes[horizon] = np.append(cells, int((seen == NO_SPELL).sum())).astype(np.int64)
        not_yet[horizon] = int((outcome == NOT_YET).sum())
    return DistrictFigures(
        district=district,
        persons=n,
        state_counts=state_counts(seqs, weighted=False).round().astype(np.int64),
        no_spell=(codes == NO_SPELL).sum(axis=0).astype(np.int64),
        transitions=transition_counts(seqs, weighted=False).round().astype(np.int64),
        leavers=len(leaving),
        outcomes=outcomes,
        not_yet_observable=not_yet,
    )


def transition_figures(
    dataset: Path,
    *,
    year: int,
    months: int = 36,
    today: dt.date | None = None,
    mapper: Mapper | None = None,
    priority: Sequence[str] = DEFAULT_PRIORITY,
) -> Figures:
    """The figures of every district of ``dataset`` for the cohort of ``year`` over
    ``months`` months (12–72); months after ``today`` (default: today) are not yet
    observed. ``mapper`` runs the per-district calls (default: in this process).
    ``priority`` ranks overlapping spells; states the dataset does not declare are
    passed over."""
    if not MIN_MONTHS <= months <= MAX_MONTHS:
        raise ValueError(f"months must be {MIN_MONTHS} .. {MAX_MONTHS}, not {months}")
    today = today or dt.date.today()
    states = dataset_states(dataset)
    calls = [
        (
            tuple(str(p.absolute()) for p in partition_files(directory)),
            district,
            year,
            months,
            month_of(today),
            states,
            tuple(priority),
        )
        for district, directory in partitions(dataset)
    ]
    results = (mapper or local_map)(district_figures, calls)
    return Figures(year=year, months=months, today=today, states=states, districts=tuple(results))
