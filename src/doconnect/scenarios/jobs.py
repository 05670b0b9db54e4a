"""A scenario run as a background job: the scenario page starts it, the job page shows
its phases, the finished job points at the stored run (``Job.result["run"]``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from doconnect.core.jobs import Progress, register
from doconnect.core.models import Job
from doconnect.scenarios.models import Scenario
from doconnect.scenarios.services import SCENARIO_JOB, scenario_run

PHASES = ("reading", "running", "storing")


@register(SCENARIO_JOB, phases=PHASES)
def run_scenario_job(job: Job, progress: Progress) -> dict[str, Any]:
    scenario = Scenario.objects.get(pk=job.params["scenario"])
    run = scenario_run(
        scenario=scenario,
        today=dt.date.fromisoformat(job.params["today"]),
        started_by=job.started_by,
        progress=progress,
    )
    return {"run": run.pk}
