"""Allocation: placing as many people as possible, the most at risk first, each in the
best-fitting place — optimally, as one minimum-cost flow.

The solver lives in :mod:`doconnect.allocation.engine.optimal` (pure Python, NumPy and OR-Tools, no
Django), the first-come-first-served baseline in :mod:`doconnect.allocation.engine.greedy` and
the CSV file format in :mod:`doconnect.allocation.engine.files`. Import from there; this package
stays import-light.
"""
