import pytest

from doconnect.labourmarket.engine.series import Period, PeriodError, indicator_series, parse_value


def by_period(points):
    return {p.period: p for p in points}


def test_periods_of_each_kind_step_back_one_period_and_one_year() -> None:
    assert str(Period.parse("2026-01").previous()) == "2025-12"
    assert str(Period.parse("2026-01").year_earlier()) == "2025-01"
    assert str(Period.parse("2026-Q1").previous()) == "2025-Q4"
    assert str(Period.parse("2026-Q3").year_earlier()) == "2025-Q3"
    assert str(Period.parse("2026").previous()) == "2025"


@pytest.mark.parametrize("label", ["2026-13", "2026-Q5", "26", "2026-1", "", "2026-00"])
def test_a_malformed_period_is_refused(label: str) -> None:
    with pytest.raises(PeriodError):
        Period.parse(label)


def test_changes_against_the_previous_month_and_the_year_before() -> None:
    rows = [("Eving", "all", "2025-03", 100.0), ("Eving", "all", "2026-02", 110.0)]
    rows.append(("Eving", "all", "2026-03", 121.0))

    march = by_period(indicator_series(rows))["2026-03"]

    assert (march.previous, march.change, march.pct_change) == (110.0, 11.0, pytest.approx(10.0))
    assert (march.year_ago, march.yoy_change) == (100.0, 21.0)
    assert march.yoy_pct_change == pytest.approx(21.0)


def test_a_suppressed_value_makes_every_change_involving_it_none_not_a_change_from_zero() -> None:
    rows = [
        ("Eving", "15-24", "2026-Q1", 40.0),
        ("Eving", "15-24", "2026-Q2", parse_value("*")),
        ("Eving", "15-24", "2026-Q3", 44.0),
    ]

    points = by_period(indicator_series(rows))

    assert points["2026-Q2"].value is None
    assert points["2026-Q2"].change is None
    assert points["2026-Q3"].previous is None
    assert points["2026-Q3"].change is None
    assert points["2026-Q3"].pct_change is None


def test_a_period_absent_from_the_data_counts_as_missing() -> None:
    points = by_period(indicator_series([("Dortmund", "all", "2026-05", 7.0)]))

    assert points["2026-05"].change is None
    assert points["2026-05"].yoy_change is None


def test_the_percent_change_from_zero_is_none_but_the_change_is_given() -> None:
    rows = [("Eving", "all", "2024", 0.0), ("Eving", "all", "2025", 5.0)]

    p2025 = by_period(indicator_series(rows))["2025"]

    assert (p2025.change, p2025.pct_change) == (5.0, None)


def test_series_are_kept_apart_by_region_and_group() -> None:
    rows = [("A", "all", "2025", 1.0), ("B", "all", "2026", 2.0), ("A", "women", "2026", 3.0)]

    points = indicator_series(rows)

    assert [(p.region, p.group, p.period) for p in points] == [
        ("A", "all", "2025"),
        ("A", "women", "2026"),
        ("B", "all", "2026"),
    ]
    assert all(p.change is None for p in points)


def test_the_same_period_twice_or_mixed_kinds_in_one_series_are_refused() -> None:
    with pytest.raises(PeriodError, match="twice"):
        indicator_series([("A", "all", "2025", 1.0), ("A", "all", "2025", 2.0)])
    with pytest.raises(PeriodError, match="quarter"):
        indicator_series([("A", "all", "2025", 1.0), ("A", "all", "2025-Q1", 2.0)])


@pytest.mark.parametrize(("text", "value"), [("*", None), ("-", None), ("", None), ("12,5", 12.5)])
def test_source_signs_read_as_none_and_a_decimal_comma_as_a_number(text, value) -> None:
    assert parse_value(text) == value
