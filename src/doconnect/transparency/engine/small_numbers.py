"""The small-number rule, written once for every figure the platform shows or publishes.

A count of 1 … ``threshold − 1`` persons is *small*: it could point at individuals, so it
is not shown. Zero is not small: it tells about nobody. A whole group (a cohort, the job
seekers of an occupation) of fewer than ``threshold`` persons, nobody included, is *too
few* to describe at all.

Pure (no Django): the site's threshold, ``settings.SMALL_NUMBER``, is read by
``doconnect.transparency.small_number.small_number`` and handed in by the callers.
"""

from __future__ import annotations

from typing import Any, overload

import numpy as np
import numpy.typing as npt

BoolArray = npt.NDArray[np.bool_]


@overload
def is_small(count: float, threshold: int) -> bool: ...


@overload
def is_small(count: npt.NDArray[Any], threshold: int) -> BoolArray: ...


def is_small(count: float | npt.NDArray[Any], threshold: int) -> bool | BoolArray:
    """Whether a count of persons must not be shown: ``0 < count < threshold``. On an
    array, cell by cell."""
    # ``&`` rather than a chained comparison, so that arrays work cell by cell too.
    return (count > 0) & (count < threshold)


def hide_small(count: int | None, threshold: int) -> int | None:
    """The count as it may be shown: ``None`` when it is small (or was hidden already)."""
    return None if count is None or is_small(count, threshold) else count


def too_few(count: int, threshold: int) -> bool:
    """Whether a group of ``count`` persons is too few to describe at all: fewer than
    ``threshold``, an empty group included."""
    return count < threshold
