"""The transitions report of a cohort: chronogram, transition matrix, outcomes after
leaving the cohort's origin, and a typology — every figure under the small-number rule.

Small-number rule (``min_count``, default ``settings.SMALL_NUMBER``): the engine's
``doconnect.transitions.engine.outcomes.suppress`` on every table of person counts — a cell with
1 .. ``min_count - 1`` persons is ``None``; a row whose total is below ``min_count``
hides every non-zero cell and its total; a row with a single hidden cell hides the next
smallest too (so it cannot be got back as total minus the rest). Shares and rates are
computed only from cells that are shown, over totals that are shown. A cohort of fewer
than ``min_count`` persons gets no figures at all (``too_small``).

The report is a plain JSON-serialisable dict (stored on the background job); it holds
state *codes*, the page translates them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from django.utils import timezone

from doconnect.core.models import Role
from doconnect.core.viewers import Viewer
from doconnect.transitions.cohorts import (
    DEFAULT_PRIORITY,
    NO_SPELL,
    NOT_YET,
    STATES,
    Cohort,
    CohortSpec,
    cohort_sequences,
)
from doconnect.transitions.engine.data import Sequences
from doconnect.transitions.engine.describe import state_counts, transition_counts
from doconnect.transitions.engine.distances import distance_matrix
from doconnect.transitions.engine.grid import HORIZONS, leavers, outcomes_after
from doconnect.transitions.engine.outcomes import outcome_table, suppress
from doconnect.transitions.engine.typology import typology
from doconnect.transparency.engine import hide_small, too_few
from doconnect.transparency.small_number import small_number

Progress = Callable[[str], None]

OUTCOME_GROUPS = ("district", "target_group", "gender")
TYPOLOGY_CAP = 3000  # more persons than this: the typology of a seeded random sample
TYPOLOGY_SEED = 20260601
EXAMPLES = 5
NO_SPELL_COLUMN = "no_spell"  # the chronogram's column for past months without a spell
MISSING_COLUMN = "missing"  # the outcome tables' column for an outcome month without one
_ORIGIN, _LEFT = "cohort_origin", "left_origin"  # helper states for the outcome tables


def may_monitor_transitions(viewer: Viewer) -> bool:
    """Transition monitoring is for the city's coordinators and its analysts."""
    return viewer.has_role(Role.COORDINATOR, Role.ANALYST)


def _int(value: float | None) -> int | None:
    return None if value is None else round(value)


def _share(cell: int | None, total: int | None) -> float | None:
    if cell is None or not total:
        return None
    return round(cell / total, 4)


def _suppressed_table(
    counts: np.ndarray, min_count: int
) -> tuple[list[list[int | None]], list[int | None], int]:
    cells, totals, hidden = suppress(counts.astype(np.float64), counts.astype(np.int64), min_count)
    return [[_int(c) for c in row] for row in cells], [_int(t) for t in totals], hidden


def _chronogram(codes: np.ndarray, min_count: int) -> tuple[list[dict[str, Any]], int]:
    """Per month the persons in each state and without a spell (the last column), the
    persons observed (months after today are not), and the shares of those."""
    seqs = Sequences(codes, STATES)
    counts = state_counts(seqs, weighted=False).round().astype(np.int64)
    no_spell = (codes == NO_SPELL).sum(axis=0).astype(np.int64)
    table = np.column_stack([counts, no_spell]) if len(counts) else np.zeros((0, len(STATES) + 1))
    cells, totals, hidden = _suppressed_table(table, min_count)
    months = [
        {
            "month": t,
            "total": total,
            "cells": row,
            "shares": [_share(c, total) for c in row],
        }
        for t, (row, total) in enumerate(zip(cells, totals, strict=True))
    ]
    return months, hidden


def _transitions(seqs: Sequences, min_count: int) -> tuple[dict[str, Any], int]:
    counts = transition_counts(seqs, weighted=False).round().astype(np.int64)
    cells, totals, hidden = _suppressed_table(counts, min_count)
    rates = [[_share(c, total) for c in row] for row, total in zip(cells, totals, strict=True)]
    return {"cells": cells, "totals": totals, "rates": rates}, hidden


def _outcomes(cohort: Cohort, min_count: int) -> tuple[dict[str, Any], int]:
    """Where the persons who left the origin within the window stand 6, 12 and 24
    months later, overall and by district, target group and gender (the engine's
    ``outcome_table``). A leaver whose outcome month is after today is counted as not
    yet observable, not in the table."""
    grid, first_out = cohort.grid, cohort.exit_month
    leaving = leavers(grid, first_out)
    n_states = len(STATES)
    states = (*STATES, _ORIGIN, _LEFT)
    keep = [*range(n_states), n_states + 2]  # the states and the missing column
    columns = [*STATES, MISSING_COLUMN]
    tables: list[dict[str, Any]] = []
    hidden_total = 0
    labels = {
        "district": list(cohort.districts),
        "gender": list(cohort.genders),
    }
    for horizon in HORIZONS:
        outcome = outcomes_after(grid, first_out, leaving, horizon)
        seen = leaving[outcome != NOT_YET]
        not_yet = len(leaving) - len(seen)
        # A sequence per leaver: the origin, then "left" until the outcome month; the
        # engine finds the exit in period 1 and reads the state ``horizon`` periods on.
        codes = np.full((len(seen), horizon + 1), n_states + 1, dtype=np.int8)
        codes[:, 0] = n_states
        codes[:, horizon] = outcome[outcome != NOT_YET]
        for by in ("overall", *OUTCOME_GROUPS):
            if by == "target_group":
                repeat = [max(1, len(cohort.target_groups[i])) for i in seen]
                rows_of = np.repeat(np.arange(len(seen)), repeat)
                group_labels = [code for i in seen for code in (cohort.target_groups[i] or ("",))]
                seqs = Sequences(codes[rows_of], states)
                groups: dict[str, list[str]] | None = {by: group_labels}
            else:
                seqs = Sequences(codes, states)
                groups = None if by == "overall" else {by: [labels[by][i] for i in seen]}
            table = outcome_table(seqs, [_ORIGIN], (1, 1), horizon, groups, min_count)
            hidden_total += table.suppressed
            tables.append(
                {
                    "horizon": horizon,
                    "by": by,
                    "columns": columns,
                    "rows": [
                        {
                            "group": row.group[0] if row.group else "",
                            "cells": [_int(row.cells[j]) for j in keep],
                            "total": _int(row.total),
                        }
                        for row in table.rows
                    ],
                    "leavers": hide_small(len(seen), min_count),
                    "not_yet_observable": hide_small(not_yet, min_count),
                    "suppressed": table.suppressed,
                }
            )
    return {
        "origin": cohort.spec.origin,
        "horizons": list(HORIZONS),
        "leavers": hide_small(len(leaving), min_count),
        "tables": tables,
    }, hidden_total


def _runs(codes: np.ndarray) -> list[list[Any]]:
    """A sequence as runs ``[state code | "no_spell" | "not_yet", length]``."""
    runs: list[list[Any]] = []
    for code in codes.tolist():
        name = STATES[code] if code >= 0 else (NO_SPELL_COLUMN if code == NO_SPELL else "not_yet")
        if runs and runs[-1][0] == name:
            runs[-1][1] += 1
        else:
            runs.append([name, 1])
    return runs


def _typology(
    seqs: Sequences, k: int, min_count: int, cap: int, seed: int, progress: Progress
) -> tuple[dict[str, Any] | None, int]:
    """Optimal matching (``TRATE`` costs, ``indel`` auto) and Ward into ``k`` types,
    on a seeded random sample of ``cap`` persons when the cohort is larger."""
    sampled = seqs.n > cap
    rows = (
        np.sort(np.random.default_rng(seed).choice(seqs.n, size=cap, replace=False))
        if sampled
        else np.arange(seqs.n)
    )
    if len(rows) <= k:
        return None, 0
    sample = Sequences(seqs.codes[rows], seqs.states, ids=tuple(seqs.ids[i] for i in rows))
    progress("distances")
    distances = distance_matrix(sample, "OM", sm="TRATE", indel="auto")
    progress("typology")
    found = typology(sample, distances, k)
    size_cells, _totals, hidden = _suppressed_table(found.sizes.reshape(1, -1), min_count)
    types = []
    for t, (medoid, size) in enumerate(zip(found.medoids, size_cells[0], strict=True), start=1):
        members = np.flatnonzero(found.labels == t)
        nearest = members[np.argsort(distances[medoid, members], kind="stable")]
        examples = [sample.ids[i] for i in nearest if i != medoid][:EXAMPLES]
        chronogram, type_hidden = _chronogram(sample.codes[members], min_count)
        hidden += type_hidden
        types.append(
            {
                "type": t,
                "size": size,
                "share": _share(size, sample.n),
                "medoid": sample.ids[medoid],
                "medoid_runs": _runs(sample.codes[medoid]),
                "examples": examples,
                "chronogram": chronogram,
            }
        )
    return {
        "k": int(found.k),
        "n": sample.n,
        "sampled": sampled,
        "cap": cap,
        "seed": seed if sampled else None,
        "method": "OM, TRATE, indel auto, Ward",
        "types": types,
    }, hidden


def transitions_report(
    spec: CohortSpec,
    *,
    months: int = 36,
    k: int = 4,
    min_count: int | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
    priority: Sequence[str] = DEFAULT_PRIORITY,
    typology_cap: int = TYPOLOGY_CAP,
    seed: int = TYPOLOGY_SEED,
) -> dict[str, Any]:
    """The report of one cohort (see the module text); the same inputs (and data) give
    the same report."""
    min_count = small_number(min_count)
    report_progress: Progress = progress or (lambda phase: None)
    today = today or timezone.localdate()
    report_progress("reading")
    cohort = cohort_sequences(spec, months=months, priority=priority, today=today)
    report: dict[str, Any] = {
        "spec": spec.as_dict(),
        "months": months,
        "k": k,
        "min_count": min_count,
        "today": today.isoformat(),
        "priority": [str(s) for s in priority],
        "states": list(STATES),
        "n": hide_small(cohort.n, min_count),
        "too_small": too_few(cohort.n, min_count),
        "chronogram": [],
        "transitions": None,
        "outcomes": None,
        "typology": None,
        "suppressed": 0,
    }
    if report["too_small"]:
        return report
    report_progress("describing")
    report["chronogram"], hidden_chronogram = _chronogram(cohort.seqs.codes, min_count)
    report["transitions"], hidden_transitions = _transitions(cohort.seqs, min_count)
    report["outcomes"], hidden_outcomes = _outcomes(cohort, min_count)
    report["typology"], hidden_typology = _typology(
        cohort.seqs, k, min_count, typology_cap, seed, report_progress
    )
    report["suppressed"] = (
        hidden_chronogram + hidden_transitions + hidden_outcomes + hidden_typology
    )
    return report
