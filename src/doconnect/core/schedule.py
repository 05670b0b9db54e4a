"""The daily commands as scheduled jobs: once a day, from ``settings.WORKER_DAILY_AT``
(the city's time) on, the worker queues one ``daily`` job per action of every
``DailyCommand`` (``referrals expire``, ``referrals remind``, ``tasks digest``,
``forum remind`` …) and runs it like any other job.

Each day's run is recorded (``ScheduledRun``, unique per name and day) in the same
transaction that queues it, so a restarted or second worker never queues it twice; a
worker that starts after the time catches up on today's runs (a day missed entirely is
not repeated — the commands take ``--today`` for that by hand). The commands are found
by Django's command discovery, so ``core`` names no domain.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from typing import Any

from django.conf import settings
from django.core.management import call_command, get_commands, load_command_class
from django.db import IntegrityError, transaction
from django.utils import timezone

from doconnect.core.jobs import Progress, job_start, register
from doconnect.core.management.daily import DailyCommand
from doconnect.core.models import Job, ScheduledRun

DAILY_JOB = "daily"


@functools.cache
def daily_commands() -> tuple[str, ...]:
    """Every daily action as ``"command action"``, sorted by command, each command's
    actions in its own order (``referrals``: expire, then remind)."""
    names = []
    for name, app in sorted(get_commands().items()):
        if not app.startswith("doconnect"):
            continue
        command = load_command_class(app, name)
        if isinstance(command, DailyCommand):
            names += [f"{name} {action}" for action in command.jobs]
    return tuple(names)


def daily_runs_due(now: dt.datetime) -> list[str]:
    """The daily actions not yet queued today, once the day's time has come."""
    local = timezone.localtime(now)
    if settings.WORKER_DAILY_AT is None or local.time() < settings.WORKER_DAILY_AT:
        return []
    done = set(ScheduledRun.objects.filter(day=local.date()).values_list("name", flat=True))
    return [name for name in daily_commands() if name not in done]


def daily_runs_queue(now: dt.datetime) -> list[Job]:
    """Queue today's due daily runs, each recorded once; returns the jobs queued."""
    day = timezone.localdate(now)
    queued = []
    for name in daily_runs_due(now):
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(name=name, day=day)
                job = job_start(
                    kind=DAILY_JOB,
                    params={"command": name, "day": day.isoformat()},
                    started_by=None,
                )
                ScheduledRun.objects.filter(pk=run.pk).update(job=job)
        except IntegrityError:
            continue  # another worker recorded it first
        queued.append(job)
    return queued


@register(DAILY_JOB, phases=("running",), single=False)
def run_daily(job: Job, progress: Progress) -> dict[str, Any]:
    """Run one daily command for its day; keep its last line (counts only, no names)."""
    progress("running")
    command, action = job.params["command"].split(" ", 1)
    out = io.StringIO()
    call_command(command, action, "--today", job.params["day"], stdout=out)
    lines = out.getvalue().strip().splitlines()
    return {"summary": lines[-1] if lines else ""}
