"""The site's small-number threshold: the one place that reads ``settings.SMALL_NUMBER``
(``DOCONNECT_SMALL_NUMBER``). The rule itself is the disclosure engine's
(``doconnect.transparency.engine.small_numbers``), which imports no Django."""

from __future__ import annotations

from django.conf import settings


def small_number(threshold: int | None = None) -> int:
    """``threshold`` when a caller chose one (a command's ``--min-count``), else the
    site's ``SMALL_NUMBER``: figures about fewer persons are not shown."""
    return int(settings.SMALL_NUMBER) if threshold is None else threshold
