"""The next steps' ground as a background job: queued by a page that found the stored
ground stale (``next_steps.ground_refresh_queue``), run by ``doconnect worker``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from doconnect.core.jobs import Progress, register
from doconnect.core.models import Job
from doconnect.pathways.next_steps import GROUND_JOB, ground_is_current, ground_store

PHASES = ("computing",)


@register(GROUND_JOB, phases=PHASES)
def run_ground_job(job: Job, progress: Progress) -> dict[str, Any]:
    # Finished runs are of no further interest (they run whenever a ground went stale).
    Job.objects.filter(
        kind=GROUND_JOB, finished_at__lt=timezone.now() - dt.timedelta(days=1)
    ).delete()
    day = dt.date.fromisoformat(job.params["day"]) if "day" in job.params else None
    if ground_is_current(day):  # computed meanwhile (the first page, another job)
        return {"computed": False}
    progress("computing")
    row = ground_store(day)
    return {"computed": True, "ground": row.pk, "seconds": row.seconds}
