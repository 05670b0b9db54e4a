"""The date windows of the API: the regular expression the OpenAPI document states
takes exactly the days the server takes (issue #20, schemathesis)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from doconnect.core.api.dates import (
    PastDate,
    PlausibleDate,
    UpcomingDate,
    UpcomingDateTime,
    date_pattern,
    document_date_windows,
)

days = st.dates(min_value=dt.date(1890, 1, 1), max_value=dt.date(2060, 12, 31))


@settings(max_examples=300, deadline=None)
@given(first=days, last=days, day=days)
def test_a_date_pattern_matches_exactly_the_days_of_its_window(
    first: dt.date, last: dt.date, day: dt.date
) -> None:
    first, last = min(first, last), max(first, last)
    matches = re.fullmatch(date_pattern(first, last), day.isoformat()) is not None
    assert matches == (first <= day <= last)


def test_a_date_pattern_matches_the_ends_of_its_window_and_not_the_days_beside_them() -> None:
    first, last = dt.date(1900, 1, 1), dt.date(2036, 12, 7)
    pattern = date_pattern(first, last)
    assert re.fullmatch(pattern, "1900-01-01") and re.fullmatch(pattern, "2036-12-07")
    assert not re.fullmatch(pattern, "1899-12-31") and not re.fullmatch(pattern, "2036-12-08")


def test_the_document_states_each_window_for_the_day_it_is_served() -> None:
    document = {
        "a": {"type": "string", "format": "date", "x-date-window": "upcoming"},
        "b": [{"anyOf": [{"type": "string", "format": "date", "x-date-window": "past"}]}],
        "c": {"type": "string", "format": "date-time", "x-date-window": "upcoming"},
    }
    document_date_windows(document, today=dt.date(2026, 12, 7))
    upcoming, past = document["a"]["pattern"], document["b"][0]["anyOf"][0]["pattern"]
    assert re.search(upcoming, "2026-12-07") and not re.search(upcoming, "2026-12-06")
    assert re.search(upcoming, "2036-12-07") and not re.search(upcoming, "2036-12-08")
    assert re.search(past, "1900-01-01") and re.search(past, "2026-12-07")
    assert not re.search(past, "2026-12-08") and not re.search(past, "1899-12-31")
    # A time with any offset on the days after today is taken; today itself is not
    # promised, its local day depends on the offset.
    moment = document["c"]["pattern"]
    assert re.search(moment, "2026-12-08T00:00:00-12:00")
    assert not re.search(moment, "2026-12-08T25:00:00Z")
    assert not re.search(moment, "2026-12-07T23:00:00Z")


@pytest.mark.parametrize(
    ("kind", "refused", "taken"),
    [
        (PlausibleDate, ["0001-01-01", "9999-12-31", "1899-12-31"], ["1900-01-01", "2001-05-04"]),
        (PastDate, ["2999-01-01", "1899-12-31"], ["1900-01-01", "2001-05-04"]),
        (UpcomingDate, ["2001-05-04", "2999-01-01"], ["today"]),
    ],
)
def test_a_date_outside_its_window_is_refused_with_the_window_named(
    kind: object, refused: list[str], taken: list[str]
) -> None:
    adapter = TypeAdapter(kind)
    for text in refused:
        with pytest.raises(ValidationError, match="outside the dates taken here"):
            adapter.validate_python(text)
    # "today": the city's (the window's own), not the machine's, which differ for an
    # hour or two around midnight.
    for text in (timezone.localdate().isoformat() if t == "today" else t for t in taken):
        assert adapter.validate_python(text) == dt.date.fromisoformat(text)


def test_an_appointment_time_in_the_past_is_refused() -> None:
    adapter = TypeAdapter(UpcomingDateTime)
    with pytest.raises(ValidationError, match="outside the dates taken here"):
        adapter.validate_python("2001-05-04T10:00:00+01:00")
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).isoformat()
    assert adapter.validate_python(later)


def test_a_number_or_another_spelling_is_no_date() -> None:
    # pydantic alone reads a number as seconds since 1970 (schemathesis sent
    # ?to=3.6789725113608437e-36 and got the tasks up to 1970-01-01).
    for value in ("3.6789725113608437e-36", 1700000000, "20260101", "2026-1-1"):
        with pytest.raises(ValidationError, match="YYYY-MM-DD"):
            TypeAdapter(PlausibleDate).validate_python(value)
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        TypeAdapter(UpcomingDateTime).validate_python("2099-01-01 10:00")
