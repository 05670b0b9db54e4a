"""Background jobs: started after commit, progress on record, failures kept readable,
one at a time per kind, silent ones given up, queued in the database for the worker
(the worker process itself: ``test_worker.py``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from doconnect.core.jobs import Progress, active_job, job_start, jobs_fail_stale, register
from doconnect.core.models import Job, JobStatus, Organisation

# The phases each test job reported, as seen on its row while running.
SEEN: list[tuple[str, int]] = []


@register("test.count", phases=("counting", "writing"))
def count_job(job: Job, progress: Progress) -> dict[str, Any]:
    progress("counting")
    SEEN.append((job.phase, Job.objects.get(pk=job.pk).step))
    n = Organisation.objects.count()
    progress("writing")
    SEEN.append((job.phase, Job.objects.get(pk=job.pk).step))
    Organisation.objects.create(external_id=f"made-{n}", name="Von der Aufgabe", kind="city")
    return {"counted": n}


@register("test.refuse", phases=("checking",))
def refuse_job(job: Job, progress: Progress) -> dict[str, Any]:
    progress("checking")
    raise ValidationError("Die Auswahl ist leer.")


@register("test.crash", phases=("working",))
def crash_job(job: Job, progress: Progress) -> dict[str, Any]:
    raise KeyError("secret internal detail")


@register("test.wait", phases=("waiting",))
def wait_job(job: Job, progress: Progress) -> dict[str, Any]:
    progress("waiting")
    return {"waited": True}


@pytest.fixture
def inline(settings: Any) -> None:
    settings.JOBS_RUNNER = "inline"


def test_a_job_runs_once_its_start_is_committed_and_records_phases_and_result(
    db: None, inline: None, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    SEEN.clear()
    user = User.objects.create_user("starter")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = job_start(kind="test.count", params={"x": 1}, started_by=user)
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED  # nothing ran before commit

    for callback in callbacks:
        callback()

    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result == {"counted": 0}
    assert job.percent == 100 and job.finished_at is not None and job.started_by == user
    assert SEEN == [("counting", 0), ("writing", 1)]
    assert Organisation.objects.filter(external_id="made-0").exists()


def test_a_refusal_is_kept_in_the_handlers_words(
    db: None, inline: None, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(kind="test.refuse", params={}, started_by=None)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == "Die Auswahl ist leer."


def test_a_crash_is_recorded_without_showing_internals_on_the_page(
    db: None, inline: None, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(kind="test.crash", params={}, started_by=None)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "KeyError" in job.error and "secret" not in job.error


def test_a_second_job_of_the_same_kind_is_refused_while_one_is_queued(db: None) -> None:
    job_start(kind="test.count", params={}, started_by=None)  # not committed: stays queued

    with pytest.raises(ValidationError) as refused:
        job_start(kind="test.count", params={}, started_by=None)

    assert refused.value.code == "busy"
    assert Job.objects.filter(kind="test.count").count() == 1


@override_settings(JOB_STALE_MINUTES=30)
def test_a_job_silent_for_longer_than_the_limit_is_given_up_and_frees_its_kind(
    db: None,
) -> None:
    long_ago = timezone.now() - dt.timedelta(minutes=31)
    silent = Job.objects.create(
        kind="test.count", status=JobStatus.RUNNING, heartbeat_at=long_ago, created_at=long_ago
    )
    alive = Job.objects.create(
        kind="test.wait", status=JobStatus.RUNNING, heartbeat_at=timezone.now()
    )

    assert active_job("test.count") is None
    assert jobs_fail_stale() == 0  # already failed by active_job

    silent.refresh_from_db()
    alive.refresh_from_db()
    assert silent.status == JobStatus.FAILED and "30" in silent.error
    assert alive.status == JobStatus.RUNNING
    job_start(kind="test.count", params={}, started_by=None)  # allowed again


def test_for_the_worker_a_job_and_its_queued_task_are_made_together(db: None) -> None:
    job = job_start(kind="test.count", params={"x": 1}, started_by=None)

    task = DBTaskResult.objects.get(id=job.task_id)
    assert task.status == TaskResultStatus.READY and task.task_path == "doconnect.core.jobs.run_job"
    assert task.args_kwargs == {"args": [job.pk], "kwargs": {}}
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED  # nothing ran here


@override_settings(JOB_STALE_MINUTES=30)
def test_a_job_waiting_in_the_queue_is_not_given_up_however_long_it_waits(db: None) -> None:
    job = job_start(kind="test.count", params={}, started_by=None)
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(hours=5))

    assert jobs_fail_stale() == 0 and active_job("test.count") is not None
