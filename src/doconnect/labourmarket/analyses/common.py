"""What every labour-market analysis shares: the error it raises for the user, and how
a stored figure (``Statistic.value``, a ``Decimal`` or NULL) becomes a number."""

from __future__ import annotations

from decimal import Decimal


class AnalysisError(ValueError):
    """A request the data cannot answer (bad option, no data); the message says why."""


def as_number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def as_count(value: Decimal | None) -> int | None:
    return None if value is None else int(value)
