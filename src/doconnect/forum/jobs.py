"""The reminders as a background job, so a coordinator can send them from the
commitments board (the daily run is ``doconnect forum remind``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from doconnect.core.jobs import Progress, register
from doconnect.core.models import Job
from doconnect.forum.reminders import commitment_reminders_send

REMIND_JOB = "forum_remind"
PHASES = ("sending",)


def remind_job_params(day: dt.date) -> dict[str, Any]:
    return {"day": day.isoformat()}


@register(REMIND_JOB, phases=PHASES)
def run_remind_job(job: Job, progress: Progress) -> dict[str, Any]:
    progress("sending")
    report = commitment_reminders_send(today=dt.date.fromisoformat(job.params["day"]))
    return {
        "due_soon": len(report.due_soon),
        "overdue": len(report.overdue),
        "mails": report.mails,
        "days": report.days,
    }
