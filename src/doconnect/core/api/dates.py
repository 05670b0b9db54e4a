"""Dates the API takes, and how its OpenAPI document states which (issue #20).

A date in a request lies in a window: every date from 1900 to ten years ahead (the
window of the imports, ``files.importing``), a day that has happened (a conversation
held), or a day still to come (a follow-up, an appointment). ``PlausibleDate``,
``PastDate``, ``UpcomingDate`` and ``UpcomingDateTime`` refuse a day outside their
window with 422 at the field. A JSON schema cannot compare a date with today, so the
document carries the window as a regular expression of the ISO text, written anew
whenever the document is served (``document_date_windows``): a client, and
schemathesis, can then tell which dates the server takes without trying."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

from django.utils import timezone
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

from doconnect.files.importing import EARLIEST_DATE, latest_date

WINDOW_KEY = "x-date-window"

# The rest of a date-time as the API takes it (seconds and zone may be left out: then
# the city's local time), whole in the document's pattern, so that a value drawn from
# it is a date-time too (a bare prefix left generators to guess the rest).
_TIME = (
    r"T(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?"
    r"(?:Z|[+-](?:0[0-9]|1[0-3]):[0-5][0-9])?"
)
_ISO_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}" + _TIME)


class Window(StrEnum):
    PLAUSIBLE = "plausible"  # 1900-01-01 to ten years ahead
    PAST = "past"  # 1900-01-01 to today
    UPCOMING = "upcoming"  # today to ten years ahead


def bounds(window: Window, today: dt.date) -> tuple[dt.date, dt.date]:
    first = today if window is Window.UPCOMING else EARLIEST_DATE
    last = today if window is Window.PAST else latest_date(today)
    return first, last


def _outside(window: Window, day: dt.date) -> str | None:
    first, last = bounds(window, timezone.localdate())
    if first <= day <= last:
        return None
    return f"{day.isoformat()} is outside the dates taken here, {first} to {last}"


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _windowed(window: Window, kind: type[dt.date]) -> Any:
    """The type of a date (``kind`` ``dt.date``) or a date-time (``dt.datetime``) the
    API takes in ``window``: only the ISO text the document states (pydantic alone would
    also read a number as seconds since 1970, "3.6e-36" as 1970-01-01, which the
    document forbids: schemathesis found it); a day outside the window refused at the
    field; the window written into the document. A date-time's day is the city's day
    of that moment (a naive one is the city's local time)."""
    moment = kind is dt.datetime
    text = _ISO_DATETIME if moment else _ISO_DATE
    shape = "a date and time as YYYY-MM-DDTHH:MM[:SS][+HH:MM]" if moment else "a date as YYYY-MM-DD"

    def only_text(value: object) -> object:
        if isinstance(value, kind) or (isinstance(value, str) and text.fullmatch(value)):
            return value
        raise ValueError(f"expected {shape}")

    def inside(value: dt.date) -> dt.date:
        day = value
        if isinstance(value, dt.datetime):
            aware = value if timezone.is_aware(value) else timezone.make_aware(value)
            day = timezone.localtime(aware).date()
        problem = _outside(window, day)
        if problem:
            raise ValueError(problem)
        return value

    document = {"type": "string", "format": "date-time" if moment else "date"}
    return Annotated[
        kind,
        BeforeValidator(only_text),
        AfterValidator(inside),
        WithJsonSchema({**document, WINDOW_KEY: window.value}),
    ]


if TYPE_CHECKING:  # to mypy, plain dates: the windows are checked at run time
    PlausibleDate: TypeAlias = dt.date
    PastDate: TypeAlias = dt.date
    UpcomingDate: TypeAlias = dt.date
    UpcomingDateTime: TypeAlias = dt.datetime
else:
    PlausibleDate = _windowed(Window.PLAUSIBLE, dt.date)
    PastDate = _windowed(Window.PAST, dt.date)
    UpcomingDate = _windowed(Window.UPCOMING, dt.date)
    UpcomingDateTime = _windowed(Window.UPCOMING, dt.datetime)


# ---------------------------------------------------------------- the document


def _digits(low: str, high: str) -> str:
    """A regular expression for the digit strings of one length from ``low`` to
    ``high`` (both included)."""
    if low == high:
        return low
    rest = len(low) - 1
    if low[1:] == "0" * rest and high[1:] == "9" * rest:
        head = low[0] if low[0] == high[0] else f"[{low[0]}-{high[0]}]"
        return head + (rf"\d{{{rest}}}" if rest else "")
    if low[0] == high[0]:
        return low[0] + f"(?:{_digits(low[1:], high[1:])})"
    parts = [low[0] + f"(?:{_digits(low[1:], '9' * rest)})"]
    if int(high[0]) - int(low[0]) > 1:
        parts.append(f"[{int(low[0]) + 1}-{int(high[0]) - 1}]" + rf"\d{{{rest}}}")
    parts.append(high[0] + f"(?:{_digits('0' * rest, high[1:])})")
    return "|".join(parts)


def _days(first: int, last: int) -> str:
    return f"(?:{_digits(f'{first:02d}', f'{last:02d}')})"


def _within_year(first: tuple[int, int], last: tuple[int, int]) -> str:
    """Month and day (MM-DD) from ``first`` to ``last``, both (month, day). Days past a
    month's end (02-30) match too: the format "date" rules them out."""
    (m1, d1), (m2, d2) = first, last
    if m1 == m2:
        return f"{m1:02d}-{_days(d1, d2)}"
    parts = [f"{m1:02d}-{_days(d1, 31)}"]
    if m2 - m1 > 1:
        parts.append(f"{_days(m1 + 1, m2 - 1)}-{_days(1, 31)}")
    parts.append(f"{m2:02d}-{_days(1, d2)}")
    return "(?:" + "|".join(parts) + ")"


def date_pattern(first: dt.date, last: dt.date) -> str:
    """The ISO dates (YYYY-MM-DD) from ``first`` to ``last`` as one regular expression,
    without anchors."""
    start, end = (first.month, first.day), (last.month, last.day)
    if first.year == last.year:
        return f"{first.year:04d}-{_within_year(start, end)}"
    parts = [f"{first.year:04d}-{_within_year(start, (12, 31))}"]
    if last.year - first.year > 1:
        years = _digits(f"{first.year + 1:04d}", f"{last.year - 1:04d}")
        parts.append(f"(?:{years})-{_within_year((1, 1), (12, 31))}")
    parts.append(f"{last.year:04d}-{_within_year((1, 1), end)}")
    return "(?:" + "|".join(parts) + ")"


def _pattern(window: Window, kind: str, today: dt.date) -> str:
    first, last = bounds(window, today)
    if kind == "date-time":
        # The written day may differ from the city's by the offset: a day inside the
        # window on both sides of it is taken whatever the offset and time.
        first, last = first + dt.timedelta(days=1), last - dt.timedelta(days=1)
        return f"^{date_pattern(first, last)}{_TIME}$"
    return f"^{date_pattern(first, last)}$"


def document_date_windows(node: Any, today: dt.date | None = None) -> None:
    """Write each date window of an OpenAPI document (``x-date-window``) out as the
    ``pattern`` of the ISO text, for ``today`` (default: the city's today)."""
    day = today or timezone.localdate()
    if isinstance(node, dict):
        window = node.get(WINDOW_KEY)
        if isinstance(window, str) and node.get("format") in {"date", "date-time"}:
            node["pattern"] = _pattern(Window(window), node["format"], day)
        for value in node.values():
            document_date_windows(value, day)
    elif isinstance(node, list):
        for value in node:
            document_date_windows(value, day)
