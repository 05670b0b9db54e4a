"""Sequence analysis of pathways: state distributions, transitions, outcomes, distances
and typologies (pure Python, NumPy, SciPy and compiled C loops; no Django). See README.md.

The names below come from ``data`` on first use, not on import: the Hamming command on
a plain file imports ``plain`` and ``buffers`` only, and so never NumPy (issue #21)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from doconnect.transitions.engine.data import (
        MISSING,
        SequenceFileError,
        Sequences,
        read_wide_csv,
    )

__all__ = ["MISSING", "SequenceFileError", "Sequences", "read_wide_csv"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from doconnect.transitions.engine import data

        return getattr(data, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
