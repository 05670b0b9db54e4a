"""Programme overlap ("Schnittmengen"): for every target group × offer kind, which funders
and actors are active there, with how much money and how many places; where several
funders overlap and where nobody is active.

Pure Python, no Django: the forum's services turn the actors' programmes into
:class:`ProgrammeFact` rows and call :func:`programme_overlap` with the target groups and
offer kinds to show (rows and columns, in that order). A cell is ``"none"`` without any
fact, ``"single"`` with exactly one funder and ``"overlap"`` with more than one; a
programme with a budget or places of zero still counts as active. Sums use
``math.fsum``, so the report does not depend on the order of the facts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

NONE = "none"
SINGLE = "single"
OVERLAP = "overlap"
STATUSES = (NONE, SINGLE, OVERLAP)


@dataclass(frozen=True, slots=True)
class ProgrammeFact:
    """One programme line: ``actor`` runs offers of ``offer_kind`` for ``target_group``,
    paid by ``funder`` (an actor id or funder code), with a yearly budget and places."""

    actor: str
    funder: str
    target_group: str
    offer_kind: str
    budget_eur: float
    places: int


@dataclass(frozen=True, slots=True)
class OverlapCell:
    target_group: str
    offer_kind: str
    funders: tuple[str, ...]
    actors: tuple[str, ...]
    budget_eur: float
    places: int
    programmes: int

    @property
    def status(self) -> str:
        if not self.funders:
            return NONE
        return SINGLE if len(self.funders) == 1 else OVERLAP

    def to_dict(self) -> dict[str, Any]:
        return {
            "target_group": self.target_group,
            "offer_kind": self.offer_kind,
            "funders": list(self.funders),
            "actors": list(self.actors),
            "budget_eur": self.budget_eur,
            "places": self.places,
            "programmes": self.programmes,
            "status": self.status,
        }


@dataclass(frozen=True)
class OverlapReport:
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: dict[tuple[str, str], OverlapCell]

    def cell(self, target_group: str, offer_kind: str) -> OverlapCell:
        return self.cells[(target_group, offer_kind)]

    def row(self, target_group: str) -> tuple[OverlapCell, ...]:
        """The cells of one target group, in column order (for a table row)."""
        return tuple(self.cells[(target_group, kind)] for kind in self.columns)

    @property
    def summary(self) -> dict[str, int]:
        """How many cells have each status (every status present, zero included)."""
        counts = dict.fromkeys(STATUSES, 0)
        for cell in self.cells.values():
            counts[cell.status] += 1
        return counts

    @property
    def gaps(self) -> tuple[OverlapCell, ...]:
        """Cells nobody serves, in row-major order."""
        return tuple(c for c in self._ordered() if c.status == NONE)

    @property
    def overlaps(self) -> tuple[OverlapCell, ...]:
        """Cells with more than one funder, most funders first, then row-major order."""
        ordered = [c for c in self._ordered() if c.status == OVERLAP]
        return tuple(sorted(ordered, key=lambda c: -len(c.funders)))

    @property
    def funders(self) -> tuple[str, ...]:
        return tuple(sorted({f for c in self.cells.values() for f in c.funders}))

    @property
    def budget_eur(self) -> float:
        return math.fsum(c.budget_eur for c in self._ordered())

    @property
    def places(self) -> int:
        return sum(c.places for c in self.cells.values())

    def _ordered(self) -> list[OverlapCell]:
        return [self.cells[(group, kind)] for group in self.rows for kind in self.columns]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: cells in row-major order; gaps and overlaps as [row, column]."""
        return {
            "rows": list(self.rows),
            "columns": list(self.columns),
            "cells": [c.to_dict() for c in self._ordered()],
            "summary": self.summary,
            "gaps": [[c.target_group, c.offer_kind] for c in self.gaps],
            "overlaps": [[c.target_group, c.offer_kind] for c in self.overlaps],
            "funders": list(self.funders),
            "budget_eur": self.budget_eur,
            "places": self.places,
        }


def programme_overlap(
    facts: Sequence[ProgrammeFact], target_groups: Sequence[str], offer_kinds: Sequence[str]
) -> OverlapReport:
    """The overlap matrix of ``target_groups`` (rows) × ``offer_kinds`` (columns), every
    cell present. Raises ``ValueError`` naming the value for a fact outside the lists, a
    negative or non-finite budget, negative places, or a row or column given twice."""
    for name, values in (("target group", target_groups), ("offer kind", offer_kinds)):
        seen: set[str] = set()
        for value in values:
            if value in seen:
                raise ValueError(f"{name} {value!r} is listed twice")
            seen.add(value)
    rows, columns = set(target_groups), set(offer_kinds)
    found: dict[tuple[str, str], list[ProgrammeFact]] = {}
    for fact in facts:
        where = f"programme of {fact.actor!r} (funder {fact.funder!r})"
        if fact.target_group not in rows:
            raise ValueError(f"{where}: unknown target group {fact.target_group!r}")
        if fact.offer_kind not in columns:
            raise ValueError(f"{where}: unknown offer kind {fact.offer_kind!r}")
        if not math.isfinite(fact.budget_eur) or fact.budget_eur < 0:
            raise ValueError(f"{where}: budget_eur {fact.budget_eur!r} must be 0 or more")
        if fact.places < 0:
            raise ValueError(f"{where}: places {fact.places!r} must be 0 or more")
        found.setdefault((fact.target_group, fact.offer_kind), []).append(fact)
    cells = {}
    for group in target_groups:
        for kind in offer_kinds:
            here = found.get((group, kind), [])
            cells[(group, kind)] = OverlapCell(
                target_group=group,
                offer_kind=kind,
                funders=tuple(sorted({f.funder for f in here})),
                actors=tuple(sorted({f.actor for f in here})),
                budget_eur=math.fsum(f.budget_eur for f in here),
                places=sum(f.places for f in here),
                programmes=len(here),
            )
    return OverlapReport(rows=tuple(target_groups), columns=tuple(offer_kinds), cells=cells)
