"""The allocation as a background job: the allocation page starts it, the job page
shows its phases, the result names the stored run."""

from __future__ import annotations

import datetime as dt
from typing import Any

from doconnect.allocation.services import Scope, allocation_run
from doconnect.core.jobs import Progress, register
from doconnect.core.models import Job

ALLOCATION_JOB = "allocation"
PHASES = ("reading", "solving", "storing")


def allocation_job_params(scope: Scope, day: dt.date) -> dict[str, Any]:
    return {"scope": scope.as_dict(), "day": day.isoformat()}


@register(ALLOCATION_JOB, phases=PHASES)
def run_allocation_job(job: Job, progress: Progress) -> dict[str, Any]:
    scope = job.params["scope"]
    run = allocation_run(
        started_by=job.started_by,
        scope=Scope(
            district=scope.get("district", ""),
            target_group=scope.get("target_group", ""),
            kinds=tuple(scope.get("kinds", ())),
        ),
        day=dt.date.fromisoformat(job.params["day"]),
        progress=progress,
    )
    return {"run": run.pk}
