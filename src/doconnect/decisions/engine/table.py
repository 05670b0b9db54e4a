"""A decision's options × criteria as plain data — read from the database by
``selectors.decision_table`` or from a record's snapshot — and its scoring. Pure: no
Django, so the snapshot a record keeps is exactly what the pages score."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from doconnect.decisions.engine import scoring


@dataclass(frozen=True)
class OptionRow:
    key: str  # the option's id, as text
    label: str
    description: str = ""
    source_label: str = ""
    values: dict[str, float] = field(default_factory=dict)  # criterion code -> value


@dataclass(frozen=True)
class CriterionRow:
    code: str
    label: str
    direction: str
    weight: Decimal
    explanation: str = ""


@dataclass(frozen=True)
class Table:
    options: tuple[OptionRow, ...]
    criteria: tuple[CriterionRow, ...]

    @property
    def missing(self) -> list[tuple[OptionRow, CriterionRow]]:
        """(option, criterion) pairs without a value: scoring waits for them."""
        return [(o, c) for o in self.options for c in self.criteria if c.code not in o.values]

    @property
    def weights(self) -> dict[str, Decimal]:
        return {c.code: c.weight for c in self.criteria}

    def option(self, key: str) -> OptionRow | None:
        return next((o for o in self.options if o.key == key), None)

    def criterion(self, code: str) -> CriterionRow | None:
        return next((c for c in self.criteria if c.code == code), None)

    def with_weights(self, weights: Mapping[str, Decimal]) -> Table:
        """The same table with some weights replaced (a preview: nothing is stored)."""
        return replace(
            self,
            criteria=tuple(replace(c, weight=weights.get(c.code, c.weight)) for c in self.criteria),
        )

    def score(self) -> scoring.Scoring | None:
        """The ranking and sensitivity; None while a value is missing or there is no
        option."""
        if not self.options or self.missing:
            return None
        return scoring.score(
            [o.key for o in self.options],
            [scoring.Criterion(c.code, c.weight, c.direction) for c in self.criteria],
            {o.key: o.values for o in self.options},
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "options": [
                {
                    "key": o.key,
                    "label": o.label,
                    "description": o.description,
                    "source_label": o.source_label,
                    "values": dict(o.values),
                }
                for o in self.options
            ],
            "criteria": [
                {
                    "code": c.code,
                    "label": c.label,
                    "direction": c.direction,
                    "weight": str(c.weight),
                    "explanation": c.explanation,
                }
                for c in self.criteria
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Table:
        return cls(
            options=tuple(
                OptionRow(
                    key=o["key"],
                    label=o["label"],
                    description=o.get("description", ""),
                    source_label=o.get("source_label", ""),
                    values={k: float(v) for k, v in o["values"].items()},
                )
                for o in data.get("options", [])
            ),
            criteria=tuple(
                CriterionRow(
                    code=c["code"],
                    label=c["label"],
                    direction=c["direction"],
                    weight=Decimal(c["weight"]),
                    explanation=c.get("explanation", ""),
                )
                for c in data.get("criteria", [])
            ),
        )
