"""The demo city's rows as the loader writes them: a :class:`Table` of plain tuples per
model (or many-to-many field), and NumPy values turned into plain Python ones. Pure, no
Django."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Row = tuple[Any, ...]


@dataclass(frozen=True)
class Table:
    """Rows for one table. ``model`` is "app_label.ModelName"; with ``m2m`` the rows go
    to that many-to-many field's through table. ``fields`` are model field names (a
    foreign key by its field name, holding the related primary key)."""

    model: str
    fields: tuple[str, ...]
    rows: list[Row]
    m2m: str | None = None

    @property
    def label(self) -> str:
        return f"{self.model}.{self.m2m}" if self.m2m else self.model


def json_list(items: Sequence[str]) -> str:
    return json.dumps(list(items), ensure_ascii=False)


def tolist(values: npt.NDArray[Any]) -> list[Any]:
    """Plain Python values; the database drivers adapt int, not numpy.int64."""
    result: list[Any] = values.tolist()
    return result


def none_if(values: IntArray, missing: int) -> list[int | None]:
    return [None if v == missing else v for v in values.tolist()]
