"""Sequence analysis of pathways: state distributions, transitions, outcomes, distances
and typologies (pure Python, NumPy, SciPy and compiled C loops; no Django). See README.md."""

from doconnect.transitions.engine.data import MISSING, SequenceFileError, Sequences, read_wide_csv

__all__ = ["MISSING", "SequenceFileError", "Sequences", "read_wide_csv"]
