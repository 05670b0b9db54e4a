from datetime import date

import pytest

from doconnect.labourmarket.engine.hiring import (
    backtest,
    forecast_hires,
    model_forecast,
    naive_forecast,
    quarterly_counts,
    seasonal_effects,
)
from tests.labourmarket.engine.synthetic import random_walk_employers, seasonal_employers


def test_a_pure_seasonal_pattern_is_forecast_exactly() -> None:
    # Every year 10, 20, 10, 0: the centred moving average is 10 throughout, so the
    # seasonal effects are 0, +10, 0, −10; level 10, no trend → next quarter (the first
    # of a year) 10 + 0 = 10, where "same as last quarter" says 0.
    history = [10, 20, 10, 0] * 2

    assert seasonal_effects(history).tolist() == [0.0, 10.0, 0.0, -10.0]
    assert model_forecast(history) == 10.0
    assert naive_forecast(history) == 0.0


def test_a_straight_trend_is_followed() -> None:
    # 10, 11, … 17: level 15.5 (mean of 14…17), trend (15.5 − 11.5) / 4 = 1 a quarter,
    # no seasonal effect → 15.5 + 2.5 · 1 = 18.
    assert model_forecast(list(range(10, 18))) == pytest.approx(18.0)


def test_a_short_history_is_forecast_by_the_mean_of_the_last_four_quarters() -> None:
    assert model_forecast([3, 1, 2, 6, 8]) == 4.25


def test_the_backtest_reports_both_errors_per_employer_and_pooled() -> None:
    # Origins 8 and 9: model 10 vs actual 10, then model (10,20,10,0,10,20,10,0,10 →) 20
    # vs actual 20: MAE 0. Naive: |0 − 10| and |10 − 20|: MAE 10.
    report = backtest({"a": [10, 20, 10, 0] * 2 + [10, 20]})

    assert report.forecasts == 2
    assert (report.model_mae, report.naive_mae) == (pytest.approx(0.0), 10.0)
    assert report.employer("a").forecasts == 2


def test_the_model_beats_naive_on_seasonal_employers_and_is_shipped() -> None:
    series = seasonal_employers()

    report = backtest(series)
    shipped = forecast_hires(series)

    # seed 7, 40 employers × 20 quarters, 480 back-test forecasts:
    # model MAE 6.13, naive MAE 11.17; the model is shipped for 39 of 40 employers.
    assert report.forecasts == 480
    assert report.model_mae == pytest.approx(6.127, abs=1e-3)
    assert report.naive_mae == pytest.approx(11.171, abs=1e-3)
    assert sum(f.method == "model" for f in shipped) == 39


def test_on_random_walks_naive_wins_and_employers_fall_back_to_it_flagged() -> None:
    series = random_walk_employers()

    report = backtest(series)
    shipped = forecast_hires(series)

    # seed 11, 40 employers × 20 quarters: model MAE 4.67, naive MAE 3.08; 36 of 40
    # employers fall back to the naive forecast.
    assert report.naive_mae is not None and report.model_mae is not None
    assert report.naive_mae < report.model_mae
    assert report.model_mae == pytest.approx(4.674, abs=1e-3)
    assert report.naive_mae == pytest.approx(3.079, abs=1e-3)
    fallbacks = [f for f in shipped if f.fallback]
    assert len(fallbacks) == 36
    assert all(f.method == "naive" and f.reason == "model_not_better" for f in fallbacks)
    assert all(f.forecast == series[f.employer][-1] for f in fallbacks)


def test_too_short_a_history_falls_back_to_naive() -> None:
    (only,) = forecast_hires({"new": [4, 5, 6]})

    assert (only.method, only.reason, only.forecast) == ("naive", "too_short", 6.0)


def test_events_are_counted_per_quarter_with_zeros() -> None:
    events = [("A", date(2025, 1, 5)), ("A", date(2025, 3, 31)), ("A", date(2025, 7, 1))]
    events.append(("B", date(2024, 12, 31)))  # before the first quarter: left out

    assert quarterly_counts(events, "2025-Q1", "2025-Q4") == {"A": [2, 0, 1, 0]}
