"""Which spells of one person may overlap in time. Pure: used by the service, the
importer and the demo generator alike."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

# States that can run beside a main state: a marginal job beside unemployment, care
# beside work, a course or a counselling offer beside either.
SIDE_STATES: frozenset[str] = frozenset(
    {"marginal_employment", "care", "further_training", "offer"}
)


@dataclass(frozen=True)
class SpellSpan:
    state: str
    start: dt.date
    end: dt.date | None  # inclusive; None = still running
    ref: object = None  # the caller's handle (row number, id) for messages


def spans_overlap(a: SpellSpan, b: SpellSpan) -> bool:
    a_end = a.end or dt.date.max
    b_end = b.end or dt.date.max
    return a.start <= b_end and b.start <= a_end


def may_overlap(state_a: str, state_b: str) -> bool:
    return state_a in SIDE_STATES or state_b in SIDE_STATES


def overlap_conflicts(spans: Sequence[SpellSpan]) -> list[tuple[SpellSpan, SpellSpan]]:
    """Pairs of spells of one person that overlap although neither may run beside the
    other. Sweep over the spans sorted by start: O(n log n + conflicts)."""
    main = sorted((s for s in spans if s.state not in SIDE_STATES), key=lambda s: s.start)
    conflicts: list[tuple[SpellSpan, SpellSpan]] = []
    running: list[SpellSpan] = []
    for span in main:
        running = [r for r in running if (r.end or dt.date.max) >= span.start]
        conflicts.extend((r, span) for r in running)
        running.append(span)
    return conflicts
