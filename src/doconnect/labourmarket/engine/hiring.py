"""Employers likely to hire: a forecast of next quarter's vacancies (or hires) per
employer, back-tested against the naive forecast "same as last quarter".

**The model** (``model_forecast``) is a classical additive decomposition, chosen because
each part can be said in one sentence and checked by hand, and because employers'
vacancy counts are short, small and seasonal (spring and autumn hiring), where a fitted
GLM per employer would have too few points:

- level ``L``: the mean of the last 4 quarters (the last year);
- trend ``b``: (mean of the last 4 quarters − mean of the 4 before) / 4, per quarter;
- seasonal effect ``s_q`` of the quarter to forecast: the mean deviation of the
  quarter's values from the centred 2×4 moving average over the whole history, the four
  effects shifted to sum to 0;
- forecast ``max(0, L + 2.5 · b + s_q)`` (the mean of the last 4 quarters sits 2.5
  quarters before the next one).

With fewer than 8 quarters it is the mean of the last (up to) 4 quarters.

**Back-test** (``backtest``): rolling origin. For every origin ``t`` from ``min_train``
(8) to the last quarter, both forecasts are made from the quarters before ``t`` only and
compared with the value of ``t``. MAE (mean absolute error) of the model and of the
naive forecast, per employer and pooled over all forecasts of all employers.

**Shipping rule** (``forecast_hires``): an employer gets the model's forecast only when
its back-test has at least ``min_backtest`` (4) forecasts and the model's MAE is strictly
lower than the naive one's; otherwise the naive forecast (the last quarter's value),
flagged ``fallback`` with the reason ``model_not_better`` or ``too_short``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np

from doconnect.labourmarket.engine.series import Period
from doconnect.months import month_of

MIN_TRAIN = 8
MIN_BACKTEST = 4


def quarterly_counts(
    events: Iterable[tuple[str, date]], first: str, last: str
) -> dict[str, list[int]]:
    """``(employer, date)`` events (e.g. vacancies published, hires) counted per quarter
    from ``first`` to ``last`` (``YYYY-Qn``, inclusive); events outside are left out.
    Every employer with an event gets the full series, zeros included."""
    start, end = Period.parse(first), Period.parse(last)
    if start.kind != "quarter" or end.kind != "quarter" or end < start:
        raise ValueError("first and last must be quarters YYYY-Qn, first <= last")
    n = end.index - start.index + 1
    out: dict[str, list[int]] = {}
    for employer, day in events:
        i = Period.holding("quarter", month_of(day)).index - start.index
        if 0 <= i < n:
            out.setdefault(employer, [0] * n)[i] += 1
    return out


def naive_forecast(history: Sequence[float]) -> float:
    """The last quarter's value."""
    if len(history) == 0:
        raise ValueError("no history to forecast from")
    return float(history[-1])


def seasonal_effects(history: Sequence[float] | np.ndarray) -> np.ndarray:
    """The four seasonal effects, indexed by position modulo 4 (position 0 = the first
    quarter of ``history``); needs at least 8 quarters."""
    y = np.asarray(history, dtype=float)
    n = len(y)
    if n < MIN_TRAIN:
        raise ValueError(f"seasonal effects need at least {MIN_TRAIN} quarters")
    j = np.arange(2, n - 2)
    cma = (0.5 * y[j - 2] + y[j - 1] + y[j] + y[j + 1] + 0.5 * y[j + 2]) / 4
    deviation = y[j] - cma
    effects = np.array([deviation[j % 4 == q].mean() for q in range(4)])
    return effects - effects.mean()


def model_forecast(history: Sequence[float]) -> float:
    """Next quarter from level, trend and seasonal effect (see the module text)."""
    y = np.asarray(history, dtype=float)
    if len(y) == 0:
        raise ValueError("no history to forecast from")
    level = float(y[-4:].mean())
    if len(y) < MIN_TRAIN:
        return level
    trend = (level - float(y[-8:-4].mean())) / 4
    season = float(seasonal_effects(y)[len(y) % 4])
    return max(0.0, level + 2.5 * trend + season)


@dataclass(frozen=True)
class EmployerBacktest:
    employer: str
    forecasts: int  # back-test forecasts made
    model_mae: float | None
    naive_mae: float | None

    @property
    def model_better(self) -> bool:
        return (
            self.model_mae is not None
            and self.naive_mae is not None
            and self.forecasts >= MIN_BACKTEST
            and self.model_mae < self.naive_mae
        )


@dataclass(frozen=True)
class BacktestReport:
    employers: tuple[EmployerBacktest, ...]
    forecasts: int  # over all employers
    model_mae: float | None  # pooled over all forecasts
    naive_mae: float | None
    min_train: int

    def employer(self, name: str) -> EmployerBacktest:
        for e in self.employers:
            if e.employer == name:
                return e
        raise KeyError(name)


def backtest(series: Mapping[str, Sequence[float]], min_train: int = MIN_TRAIN) -> BacktestReport:
    """Rolling-origin back-test of the model against the naive forecast."""
    if min_train < 1:
        raise ValueError("min_train must be at least 1")
    rows = []
    model_errors: list[float] = []
    naive_errors: list[float] = []
    for employer in sorted(series):
        y = [float(v) for v in series[employer]]
        m_err = [abs(model_forecast(y[:t]) - y[t]) for t in range(min_train, len(y))]
        n_err = [abs(naive_forecast(y[:t]) - y[t]) for t in range(min_train, len(y))]
        model_errors += m_err
        naive_errors += n_err
        rows.append(
            EmployerBacktest(
                employer,
                len(m_err),
                float(np.mean(m_err)) if m_err else None,
                float(np.mean(n_err)) if n_err else None,
            )
        )
    return BacktestReport(
        tuple(rows),
        len(model_errors),
        float(np.mean(model_errors)) if model_errors else None,
        float(np.mean(naive_errors)) if naive_errors else None,
        min_train,
    )


@dataclass(frozen=True)
class HiringForecast:
    employer: str
    forecast: float  # the one shipped
    method: Literal["model", "naive"]
    fallback: bool  # True: the naive forecast, the model did not earn its place
    reason: str | None  # model_not_better, too_short
    model_forecast: float
    naive_forecast: float
    backtest: EmployerBacktest


def forecast_hires(
    series: Mapping[str, Sequence[float]], min_train: int = MIN_TRAIN
) -> list[HiringForecast]:
    """Next quarter per employer, by the shipping rule; highest forecast first."""
    report = backtest(series, min_train)
    out = []
    for bt in report.employers:
        y = [float(v) for v in series[bt.employer]]
        if not y:
            continue
        model, naive = model_forecast(y), naive_forecast(y)
        if bt.model_better:
            out.append(HiringForecast(bt.employer, model, "model", False, None, model, naive, bt))
        else:
            reason = "too_short" if bt.forecasts < MIN_BACKTEST else "model_not_better"
            out.append(HiringForecast(bt.employer, naive, "naive", True, reason, model, naive, bt))
    out.sort(key=lambda f: (-f.forecast, f.employer))
    return out
