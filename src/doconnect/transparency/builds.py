"""The coordinator's preview of a year's report, built once, stored and shared.

Building a year's report reads every table of ``selectors.REPORT_TABLES`` (about 45
queries; minutes at 100,000 persons). A build is stored in one row (``ReportBuild``:
the protected content as JSON, plain data, so no pickling and no signature) with those
tables' change counters (``core.changes``) read *before* the data, and its day, so every
web and worker process shows the same result.

Honest invalidation, as ``pathways.next_steps`` does for its ground: a build is
*current* while none of its tables changed since, it is of today, and the small-number
threshold and the demo note are the same. Otherwise the page does not wait for the
next: it shows the newest stored build of the year with its date and queues the job
``transparency.report_build`` (at most one queued or running per year, and none
within ``DOCONNECT_KEPT_REBUILD_MINUTES`` of the shown build's computation) for
``doconnect worker``, which builds and stores the next. Exceptions, built at once:
when no build of the year was ever stored (and stored then, so a fresh ``make run``
without a worker shows the preview), inside a transaction (what it reads there may be
rolled back), and when a counter row is missing.

Only the preview reads stored builds. Publishing and ``doconnect report build`` call
``services.yearly_report_build``, which always reads the tables as they are now.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from doconnect.core.changes import rebuild_due, table_versions
from doconnect.core.jobs import job_start
from doconnect.core.models import Job, JobStatus
from doconnect.transparency.models import ReportBuild
from doconnect.transparency.selectors import REPORT_TABLES
from doconnect.transparency.services import yearly_report_build
from doconnect.transparency.small_number import small_number

logger = logging.getLogger(__name__)

BUILD_JOB = "transparency.report_build"
# Raised whenever the content's layout changes, so that rows of an older release are
# built anew rather than shown.
BUILD_FORMAT = 1
# Builds kept in this process: a few years, two languages are rendered from each.
KEEP_LOADED = 8


def _today() -> dt.date:
    return timezone.localdate()


@dataclass(frozen=True)
class KeptBuild:
    """A year's report content (German, protected) and when it was built; ``pk`` the
    stored row (None: built in this request and not stored, inside a transaction);
    ``current``: none of its tables changed since and it is of today (otherwise the
    worker is building the next)."""

    pk: int | None
    content: dict[str, Any]
    computed_at: dt.datetime
    current: bool


def _versions() -> dict[str, Any] | None:
    """The change counters of the report's tables, with what else the content depends
    on (its format, the small-number threshold, the demo note): a build made under other
    settings is never current."""
    tables = sorted({m._meta.db_table for m in REPORT_TABLES})
    found = table_versions(tables)
    if found is None:
        return None
    return {
        **dict(zip(tables, found, strict=True)),
        "format": BUILD_FORMAT,
        "threshold": small_number(),
        "demo": bool(settings.DEMO_MODE),
    }


# Loaded content by (database, row id, computed_at: a row id alone may come again after
# a test's flush); rows known to be current by (database, year, day, counters), so that
# a warm current preview costs the one query of the counters.
_loaded: OrderedDict[tuple[str, int, dt.datetime], dict[str, Any]] = OrderedDict()
_current: OrderedDict[tuple[Any, ...], tuple[int, dt.datetime]] = OrderedDict()
_lock = threading.Lock()


def _keep(memo: OrderedDict[Any, Any], key: Any, value: Any) -> None:
    with _lock:
        memo[key] = value
        memo.move_to_end(key)
        while len(memo) > KEEP_LOADED:
            memo.popitem(last=False)


def _current_key(year: int, day: dt.date, versions: dict[str, Any]) -> tuple[Any, ...]:
    return (connection.settings_dict["NAME"], year, day, tuple(sorted(versions.items())))


def _load(pk: int, computed_at: dt.datetime) -> dict[str, Any]:
    """The content of row ``pk``, read once per process (shared: read-only)."""
    key = (connection.settings_dict["NAME"], pk, computed_at)
    with _lock:
        if key in _loaded:
            return _loaded[key]
    content: dict[str, Any] = ReportBuild.objects.values_list("content", flat=True).get(pk=pk)
    _keep(_loaded, key, content)
    return content


def report_build_store(year: int, day: dt.date | None = None) -> ReportBuild:
    """Build the report of ``year`` as of ``day`` (today) and store it as the year's
    newest row, with the counters read *before* the tables, so a write during the build
    leaves the row stale rather than wrongly current. The year's older rows are deleted."""
    day = day or _today()
    versions = _versions() or {}
    started = time.perf_counter()
    content = yearly_report_build(year=year, today=day)
    row = ReportBuild.objects.create(
        year=year,
        day=day,
        versions=versions,
        seconds=round(time.perf_counter() - started, 3),
        content=content,
    )
    ReportBuild.objects.filter(year=year, computed_at__lte=row.computed_at).exclude(
        pk=row.pk
    ).delete()
    logger.info("report %s of %s built in %.1f s", year, day, row.seconds)
    return row


def report_build_queue(year: int) -> None:
    """Have the worker build the report of ``year``, unless a build of that year is
    already queued or running (its result, if stale again, makes the next page queue
    another). Two pages at the same moment may queue two; the second finds the first's
    build current and builds nothing."""
    if Job.objects.filter(
        kind=BUILD_JOB, status__in=(JobStatus.QUEUED, JobStatus.RUNNING), params__year=year
    ).exists():
        return
    with contextlib.suppress(ValidationError):
        job_start(kind=BUILD_JOB, params={"year": year}, started_by=None)


def report_build_is_current(year: int, day: dt.date | None = None) -> bool:
    """Whether the year's newest stored build is of today and none of its tables changed."""
    day = day or _today()
    row = ReportBuild.objects.filter(year=year).values("day", "versions").first()
    return row is not None and row["day"] == day and row["versions"] == _versions()


def kept_build(year: int) -> KeptBuild:
    """The report of ``year`` for the preview (see the module docstring): the newest
    stored build when current; an older one, with the worker asked for the next, rather
    than waiting; built here only without any stored one, in a transaction, or when a
    change counter is missing. One query when current and seen before in this process."""
    day = _today()
    versions = _versions()
    if versions is not None:
        key = _current_key(year, day, versions)
        with _lock:
            known = _current.get(key)
        if known is not None:
            with contextlib.suppress(ReportBuild.DoesNotExist):
                return KeptBuild(known[0], _load(*known), known[1], current=True)
    if connection.in_atomic_block or versions is None:
        return KeptBuild(None, yearly_report_build(year=year), timezone.now(), current=True)
    row = (
        ReportBuild.objects.filter(year=year).values("pk", "day", "versions", "computed_at").first()
    )
    if row is not None and (row["day"], row["versions"]) == (day, versions):
        _keep(_current, key, (row["pk"], row["computed_at"]))
        return KeptBuild(
            row["pk"], _load(row["pk"], row["computed_at"]), row["computed_at"], current=True
        )
    if row is None or row["versions"].get("format") != BUILD_FORMAT:
        stored = report_build_store(year, day)
        _keep(_current, key, (stored.pk, stored.computed_at))
        return KeptBuild(
            stored.pk, _load(stored.pk, stored.computed_at), stored.computed_at, current=True
        )
    if rebuild_due(row["computed_at"]):
        report_build_queue(year)
    return KeptBuild(
        row["pk"], _load(row["pk"], row["computed_at"]), row["computed_at"], current=False
    )
