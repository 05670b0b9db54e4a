"""Disclosure control for published two-way tables (pure, no Django); see README.md."""

from doconnect.transparency.engine.suppress import (
    DEFAULT_THRESHOLD,
    DisclosureError,
    Protection,
    Published,
    Unprotectable,
    feasible_ranges,
    protect,
)
from doconnect.transparency.engine.table import (
    TwoWayTable,
    format_protected,
    read_long_csv,
    two_way,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "DisclosureError",
    "Protection",
    "Published",
    "TwoWayTable",
    "Unprotectable",
    "feasible_ranges",
    "format_protected",
    "protect",
    "read_long_csv",
    "two_way",
]
