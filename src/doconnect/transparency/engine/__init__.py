"""Disclosure control (pure, no Django): the small-number rule and the protection of
published two-way tables; see README.md."""

from doconnect.transparency.engine.small_numbers import hide_small, is_small, too_few
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
    "hide_small",
    "is_small",
    "protect",
    "read_long_csv",
    "too_few",
    "two_way",
]
