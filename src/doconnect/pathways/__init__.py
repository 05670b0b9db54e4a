"""Pathways: the offer landscape as a graph — dead ends, gaps, single bridges, bottlenecks.

The analyses live in :mod:`doconnect.pathways.engine.analysis` (pure Python, NumPy and SciPy, no
Django). Import from there; this package stays import-light because Django loads it.
"""
