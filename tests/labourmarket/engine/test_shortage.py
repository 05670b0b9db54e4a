from datetime import date, timedelta

import pytest

from doconnect.labourmarket.engine.shortage import (
    ShortageRules,
    Vacancy,
    days_open,
    open_vacancy_counts,
    shortage_table,
)

AS_OF = date(2025, 2, 10)
START = date(2025, 1, 1)  # 40 days before AS_OF


def vacancy(i: int, code: str, days: int | None) -> Vacancy:
    closed = None if days is None else START + timedelta(days=days)
    return Vacancy(f"v{i}", code, START, closed)


# 26123: closed after 10, 20 and 30 days, one still open after 40 days (censored).
# 43412: closed after 5, 5 and 6 days.
RECORDS = [
    vacancy(1, "26123", 10),
    vacancy(2, "26123", 20),
    vacancy(3, "26123", 30),
    vacancy(4, "26123", None),
    vacancy(5, "43412", 5),
    vacancy(6, "43412", 5),
    vacancy(7, "43412", 6),
]
JOB_SEEKERS = {"26123": 10, "26122": 2, "43412": 30, "51312": 5}
VACANCIES = {"26123": 8, "26122": 4, "43412": 5, "51312": 0}


def table(**kwargs):
    return shortage_table(JOB_SEEKERS, VACANCIES, as_of=AS_OF, vacancy_records=RECORDS, **kwargs)


def test_days_open_count_open_vacancies_as_censored_kaplan_meier() -> None:
    # Kaplan–Meier: S(10) = 3/4, S(20) = 3/4 · 2/3 = 1/2 → median 20 days;
    # restricted mean = 10·1 + 10·3/4 + 10·1/2 + 10·1/4 = 25 days.
    assert days_open([10, 20, 30, 40], [False, False, False, True]) == (20.0, 25.0)
    # More than half still open: the median is not reached.
    assert days_open([10, 40, 40], [False, True, True])[0] is None


def test_a_shortage_has_few_job_seekers_per_vacancy_and_vacancies_open_long() -> None:
    # All seven vacancies: 5, 5, 6, 10, 20, 30, 40+ days; S(5) = 5/7, S(6) = 4/7,
    # S(10) = 3/7 → the reference median is 10 days.
    row = table().row("26123")

    assert table().reference_median_days == 10.0
    assert (row.job_seekers, row.vacancies, row.ratio) == (10, 8, 1.25)
    assert (row.median_days_open, row.mean_days_open, row.still_open) == (20.0, 25.0, None)
    assert row.status == "shortage"
    assert row.reasons == ("ratio_below_shortage", "open_longer_than_median")


def test_a_count_below_min_count_is_suppressed_and_so_is_its_ratio() -> None:
    row = table().row("26122")

    assert (row.job_seekers, row.vacancies, row.ratio) == (None, 4, None)
    assert row.status == "unknown"


def test_zero_vacancies_give_no_ratio_and_with_enough_job_seekers_a_surplus() -> None:
    row = table().row("51312")

    assert (row.job_seekers, row.vacancies, row.ratio) == (5, 0, None)
    assert (row.status, row.reasons) == ("surplus", ("no_vacancies",))


def test_many_job_seekers_per_vacancy_are_a_surplus() -> None:
    row = table().row("43412")

    assert row.ratio == 6.0
    assert row.status == "surplus"
    assert row.median_days_open == 5.0


def test_counts_are_summed_to_the_level_before_the_small_number_rule() -> None:
    # "26": 10 + 2 job seekers, 8 + 4 vacancies.
    row = table(level=2).row("26")

    assert (row.job_seekers, row.vacancies, row.ratio) == (12, 12, 1.0)


def test_a_cell_kept_secret_at_the_source_makes_its_sum_unknown() -> None:
    result = shortage_table({"26123": None, "26122": 7}, {"26123": 5}, as_of=AS_OF, level=3)

    assert result.row("261").job_seekers is None
    assert result.row("261").ratio is None


def test_by_skill_level_the_fifth_digit_groups_the_occupations() -> None:
    # Fachkraft (2): 2 + 30 + 5 job seekers, 4 + 5 + 0 vacancies; Spezialist (3): 26123.
    result = table(level="skill")

    assert result.row("2").ratio == pytest.approx(37 / 9)
    assert result.row("3").ratio == 1.25
    assert table(level=3, with_skill=True).row("261-3").ratio == 1.25


def test_the_trend_compares_the_ratio_with_the_previous_period() -> None:
    previous = shortage_table({"26123": 12}, {"26123": 6}, as_of=date(2025, 1, 10))

    row = table(previous=previous).row("26123")

    assert (row.previous_ratio, row.ratio_change, row.trend) == (2.0, -0.75, "tightening")


def test_the_thresholds_are_configurable() -> None:
    rules = ShortageRules(shortage_ratio=1.2, surplus_ratio=8.0, min_count=2)

    result = table(rules=rules)

    assert result.row("26123").status == "balanced"
    assert result.row("43412").status == "balanced"
    assert result.row("26122").ratio == 0.5
    assert ShortageRules(long_vacancies=False).shortage_ratio == 1.5


def test_open_vacancies_are_counted_on_the_analysis_day() -> None:
    assert open_vacancy_counts(RECORDS, date(2025, 1, 20)) == {"26123": 3}
