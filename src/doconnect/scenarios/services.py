"""Stored scenarios: who may model them, storing one, running one as a background job.

Scenarios are the city's planning tool, so coordinators create and run them; analysts
read the results (aggregates only: offers, providers and counts of waiting persons)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from doconnect.core.jobs import Progress
from doconnect.core.models import Role
from doconnect.core.viewers import Viewer
from doconnect.scenarios.engine.scenario_file import read_scenario
from doconnect.scenarios.engine.simulate import run_scenario
from doconnect.scenarios.engine.spec import ScenarioSpec
from doconnect.scenarios.inputs import scenario_inputs_from_db, scenario_vocabulary
from doconnect.scenarios.models import Scenario, ScenarioRun

SCENARIO_JOB = "scenario"


def may_model_scenarios(viewer: Viewer) -> bool:
    """Creating and running scenarios is the coordinators' planning work."""
    return viewer.has_role(Role.COORDINATOR)


def may_read_scenarios(viewer: Viewer) -> bool:
    return viewer.has_role(Role.COORDINATOR, Role.ANALYST)


def scenario_spec_read(data: bytes, *, file: str) -> ScenarioSpec:
    """A scenario file checked against the city's vocabulary (ImportFailed with every
    problem otherwise)."""
    return read_scenario(data, file=file, vocabulary=scenario_vocabulary())


def stored_spec(scenario: Scenario) -> ScenarioSpec:
    """The stored scenario read back through the same reader as a file."""
    data = json.dumps(scenario.spec, ensure_ascii=False).encode()
    return scenario_spec_read(data, file=f"scenario-{scenario.pk}.json")


@transaction.atomic
def scenario_create(*, spec: ScenarioSpec, created_by: User) -> Scenario:
    return Scenario.objects.create(
        name=spec.name, description=spec.description, spec=spec.to_dict(), created_by=created_by
    )


def scenario_job_params(*, scenario: Scenario, today: dt.date) -> dict[str, Any]:
    """The background job's params for a run of ``scenario`` on the data of ``today``
    (started with ``core.jobs.job_start``; one at a time)."""
    return {"scenario": scenario.pk, "today": today.isoformat()}


def scenario_run(
    *, scenario: Scenario, today: dt.date, started_by: User | None, progress: Progress | None = None
) -> ScenarioRun:
    """Run ``scenario`` on the city's offers and the demand of ``today`` and store the
    result. Reading and solving happen outside a transaction; storing is one write."""
    report = progress or (lambda phase: None)
    report("reading")
    spec = stored_spec(scenario)
    inputs = scenario_inputs_from_db(today)
    report("running")
    result = run_scenario(spec, inputs)
    report("storing")
    return ScenarioRun.objects.create(
        scenario=scenario,
        demand_day=today,
        inputs_digest=result.inputs_digest,
        result=result.to_dict(),
        started_by=started_by,
    )
