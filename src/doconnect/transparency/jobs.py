"""The report preview's build as a background job: queued by a preview that found the
year's stored build stale (``builds.report_build_queue``), run by ``doconnect worker``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from doconnect.core.jobs import Progress, register
from doconnect.core.models import Job
from doconnect.transparency.builds import BUILD_JOB, report_build_is_current, report_build_store

PHASES = ("building",)


# Not ``single``: one job per year at a time, checked by ``report_build_queue``.
@register(BUILD_JOB, phases=PHASES, single=False)
def run_report_build_job(job: Job, progress: Progress) -> dict[str, Any]:
    # Finished runs are of no further interest (they run whenever a build went stale).
    Job.objects.filter(
        kind=BUILD_JOB, finished_at__lt=timezone.now() - dt.timedelta(days=1)
    ).delete()
    year = int(job.params["year"])
    if report_build_is_current(year):  # built meanwhile (the first page, another job)
        return {"built": False}
    progress("building")
    row = report_build_store(year)
    return {"built": True, "build": row.pk, "seconds": row.seconds}
