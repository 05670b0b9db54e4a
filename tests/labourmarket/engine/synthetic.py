"""Seeded synthetic quarterly vacancy series for the hiring back-test."""

from __future__ import annotations

import numpy as np

SEASON = np.array([1.0, 0.2, -0.4, -0.8])  # spring high, winter low (sums to 0)


def seasonal_employers(n: int = 40, quarters: int = 20, seed: int = 7) -> dict[str, list[int]]:
    """Employers with a level of 8–40 vacancies a quarter, a seasonal swing of 30–60 % of
    the level, a trend of −2 … +4 % of the level a quarter, and Poisson noise."""
    rng = np.random.default_rng(seed)
    out = {}
    for k in range(n):
        level = rng.uniform(8, 40)
        amplitude = rng.uniform(0.3, 0.6) * level
        trend = rng.uniform(-0.02, 0.04) * level
        t = np.arange(quarters)
        mean = np.maximum(level + trend * (t - quarters / 2) + amplitude * SEASON[t % 4], 0.5)
        out[f"seasonal-{k:02d}"] = rng.poisson(mean).astype(int).tolist()
    return out


def random_walk_employers(n: int = 40, quarters: int = 20, seed: int = 11) -> dict[str, list[int]]:
    """Employers whose vacancies move by a random step each quarter (a random walk, for
    which "same as last quarter" is the best forecast there is)."""
    rng = np.random.default_rng(seed)
    out = {}
    for k in range(n):
        y = [int(rng.integers(15, 40))]
        for _ in range(quarters - 1):
            y.append(max(0, y[-1] + int(np.rint(rng.normal(0, 4)))))
        out[f"walk-{k:02d}"] = y
    return out
