"""Spells painted onto a month grid, and the months after leaving an origin: one rule for
the database's cohorts (``transitions.cohorts``) and the Parquet datasets of a state
(``aggregates``). Pure NumPy.

A month shows the state of the spells running in it (``end`` inclusive, an open spell
runs on); where spells overlap, the state earliest in the priority wins
(``DEFAULT_PRIORITY``: work and training before measures, measures before school, school
before a side job, unemployment and inactivity only where nothing else runs). A past
month without a spell is ``NO_SPELL``, a month after the last observed one ``NOT_YET``;
both negative, so the engine counts them as missing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

NO_SPELL = -1  # a past month without any spell
NOT_YET = -2  # a month after today's month
MAX_HORIZON = 24  # the grid reaches this many months beyond the cohort's window
HORIZONS: tuple[int, ...] = (6, 12, 24)  # months after leaving the outcome tables look at
OPEN_END = 10**7  # an open spell runs "for ever" (month index far beyond any grid)

# Overlapping spells: the first state in this order wins the month (the values of
# people's ``SpellState``).
DEFAULT_PRIORITY: tuple[str, ...] = (
    "employment",
    "self_employment",
    "apprenticeship",
    "higher_education",
    "subsidised_employment",
    "further_training",
    "offer",
    "vocational_college",
    "school",
    "marginal_employment",
    "parental_leave",
    "care",
    "unemployed",
    "inactive",
    "unknown",
)


def month_grid(
    rows: np.ndarray,
    codes: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    origin_months: np.ndarray,
    periods: int,
    priority: Sequence[int],
    last_observed: int,
) -> np.ndarray:
    """Paint spells onto an ``(n, periods)`` ``int8`` month grid.

    ``rows`` (person row), ``codes`` (state code), ``starts``/``ends`` (absolute month
    indices, ``ends`` inclusive) describe one spell each; ``origin_months`` is each
    person's month 0. Where spells overlap, the code earliest in ``priority`` wins
    (codes not in ``priority`` lose to all that are, in code order). Months without a
    spell are ``NO_SPELL``, months after ``last_observed`` ``NOT_YET``."""
    n = len(origin_months)
    grid = np.full((n, periods), NO_SPELL, dtype=np.int8)
    if n and len(rows):
        first = starts - origin_months[rows]
        last = ends - origin_months[rows]
        keep = (last >= 0) & (first < periods)
        rows, codes = rows[keep], codes[keep]
        first = np.clip(first[keep], 0, periods)
        last = np.clip(last[keep], -1, periods - 1)
        width = periods + 1
        ranked = list(dict.fromkeys(priority))
        order = ranked + sorted(set(np.unique(codes).tolist()) - set(ranked))
        # Lowest priority first: every higher one paints over it.
        for code in reversed(order):
            chosen = codes == code
            if not chosen.any():
                continue
            r = rows[chosen]
            opened = np.bincount(r * width + first[chosen], minlength=n * width)
            closed = np.bincount(r * width + last[chosen] + 1, minlength=n * width)
            running = np.cumsum((opened - closed).reshape(n, width), axis=1)[:, :periods] > 0
            grid[running] = code
    future = origin_months[:, None] + np.arange(periods)[None, :] > last_observed
    grid[future] = NOT_YET
    return grid


def leavers(grid: np.ndarray, exit_month: np.ndarray) -> np.ndarray:
    """The rows of the persons who left the origin (``exit_month`` ≥ 0) in a month
    already observed."""
    rows = np.arange(len(exit_month))
    return rows[(exit_month >= 0) & (grid[rows, np.maximum(exit_month, 0)] != NOT_YET)]


def outcomes_after(
    grid: np.ndarray, exit_month: np.ndarray, leaving: np.ndarray, horizon: int
) -> np.ndarray:
    """The state (code; ``NO_SPELL``, ``NOT_YET``) of each of the ``leaving`` rows
    ``horizon`` months after leaving: the month of the exit counts as the first."""
    return np.asarray(grid[leaving, exit_month[leaving] + horizon - 1])
