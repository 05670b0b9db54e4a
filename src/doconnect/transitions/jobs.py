"""The transitions report as a background job: the transitions page starts it, the job
page shows its phases, the finished job holds the report (``Job.result``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from doconnect.core.jobs import Progress, register
from doconnect.core.models import Job
from doconnect.transitions.cohorts import CohortSpec
from doconnect.transitions.services import transitions_report

TRANSITIONS_JOB = "transitions"
PHASES = ("reading", "describing", "distances", "typology")


def transitions_job_params(
    spec: CohortSpec, *, months: int, k: int, min_count: int, today: dt.date
) -> dict[str, Any]:
    return {
        "spec": spec.as_dict(),
        "months": months,
        "k": k,
        "min_count": min_count,
        "today": today.isoformat(),
    }


@register(TRANSITIONS_JOB, phases=PHASES)
def run_transitions_job(job: Job, progress: Progress) -> dict[str, Any]:
    params = job.params
    return transitions_report(
        CohortSpec.from_dict(params["spec"]),
        months=int(params["months"]),
        k=int(params["k"]),
        min_count=int(params["min_count"]),
        today=dt.date.fromisoformat(params["today"]),
        progress=progress,
    )
