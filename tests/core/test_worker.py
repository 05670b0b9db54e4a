"""Background work outside the web process: a job started on a page waits in the
database for ``doconnect worker`` (a real process on the test database), the page
follows it to its result; a worker killed mid-run has the run finished by the next one,
and a run broken off twice fails with the reason — never silently lost. The daily
commands run once a day from the set time, however often workers restart."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from doconnect.allocation.jobs import ALLOCATION_JOB
from doconnect.allocation.models import AllocationRun
from doconnect.allocation.services import priority_weights_record
from doconnect.core.jobs import job_start
from doconnect.core.models import Job, JobStatus, ScheduledRun, WorkerProcess
from doconnect.core.schedule import DAILY_JOB, daily_commands, daily_runs_queue
from doconnect.core.worker import jobs_recover, worker_status
from doconnect.referrals.models import Referral, ReferralStatus
from tests.conftest import City, logged_in, make_person, waiting
from tests.core.test_settings import run_doconnect
from tests.workers import RunningWorker, start_worker, wait_for

BERLIN = ZoneInfo("Europe/Berlin")
TRIES = 5


@pytest.fixture
def queue(transactional_db: None, scarce: City, coordinator: User) -> City:
    """Committed data a worker process can see: persons waiting for one place (enough
    for a few runs: each run proposes the place to one of them)."""
    waiting(scarce, "Anna", youth=False)
    for name in ("Ben", "Cem", "Dana", "Emil", "Fritz"):
        waiting(scarce, name)
    priority_weights_record(
        target_groups={scarce.youth.code: 2},
        support_needs={},
        note="Junge Menschen zuerst",
        recorded_by=coordinator,
    )
    return scarce


def _start_allocation_on_the_page(client: Client) -> Job:
    started = client.post(reverse("web:allocation"), {})
    assert started.status_code == 302, started.content.decode()[:500]
    return Job.objects.get(pk=int(started["Location"].rstrip("/").rsplit("/", 1)[1]))


def _caught_mid_run(worker: RunningWorker, job: Job, attempt: int) -> bool:
    """Freeze the worker the moment it runs ``attempt`` of the job and SIGKILL it; the
    row, read again while it is frozen and after the kill, still says running: it died
    mid-run. False (the worker goes on) if the run ended before it could be caught —
    a run takes a tenth of a second, and a busy machine may not look in time."""
    deadline = time.monotonic() + 60
    while True:
        status, attempts = Job.objects.filter(pk=job.pk).values_list("status", "attempts").get()
        if status == JobStatus.RUNNING and attempts == attempt:
            worker.freeze()
            break
        if status in (JobStatus.DONE, JobStatus.FAILED):
            return False
        assert time.monotonic() < deadline, f"attempt {attempt} never started"
    if Job.objects.get(pk=job.pk).is_finished:
        worker.thaw()
        return False
    worker.kill()
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.worker_id == worker.worker_id
    return True


def _killed_mid_run(client: Client) -> Job:
    """An allocation run started on the page whose worker was killed during the run."""
    worker = start_worker()
    for _ in range(TRIES):
        job = _start_allocation_on_the_page(client)
        if _caught_mid_run(worker, job, attempt=1):
            return job
    worker.stop()
    pytest.fail(f"no run could be caught mid-run in {TRIES} tries")


# ------------------------------------------------------------------ the web only enqueues


def test_a_run_started_on_the_page_waits_for_the_worker_and_the_page_follows_it(
    queue: City, coordinator: User
) -> None:
    client = logged_in(coordinator)
    threads_before = threading.active_count()

    job = _start_allocation_on_the_page(client)

    # Nothing runs in the web process: no thread, the task waits in the database.
    assert threading.active_count() == threads_before
    assert job.status == JobStatus.QUEUED and job.task_id
    assert DBTaskResult.objects.get(id=job.task_id).status == TaskResultStatus.READY
    waiting_page = client.get(reverse("web:job_status", args=[job.pk])).content.decode()
    assert "Wartet auf den Start" in waiting_page
    assert "Der Hintergrunddienst läuft gerade nicht" in waiting_page
    assert worker_status()["queue_depth"] == 1

    worker = start_worker()
    try:
        url = reverse("web:job_status", args=[job.pk])
        wait_for(
            lambda: client.get(url, HTTP_HX_REQUEST="true").status_code == 204,
            "the page to see the run done",
        )
        done = client.get(url, HTTP_HX_REQUEST="true")
        job.refresh_from_db()
        assert done["HX-Redirect"] == reverse("web:allocation_run", args=[job.result["run"]])
        assert job.worker_id == worker.worker_id and job.attempts == 1
        assert AllocationRun.objects.get().summary["assigned"] == 1
        assert DBTaskResult.objects.get(id=job.task_id).status == TaskResultStatus.SUCCESSFUL
        status = worker_status()
        assert status["alive"] and status["workers"] == 1 and status["queue_depth"] == 0
        assert status["heartbeat_age_seconds"] < 5
    finally:
        assert worker.stop() == 0  # SIGTERM: a clean stop
    assert WorkerProcess.objects.get(worker_id=worker.worker_id).stopped_at is not None
    assert worker_status()["alive"] is False


# ------------------------------------------------------------------ killed workers


def test_a_worker_killed_mid_run_has_the_run_finished_by_the_next_worker(
    queue: City, coordinator: User
) -> None:
    job = _killed_mid_run(logged_in(coordinator))
    runs_before = AllocationRun.objects.count()  # of runs that ended before one was caught
    first_task = job.task_id

    second = start_worker()
    try:
        wait_for(lambda: Job.objects.get(pk=job.pk).is_finished, "the run to end", seconds=90)
    finally:
        second.stop()

    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert job.attempts == 2 and job.worker_id == second.worker_id
    # The killed attempt stored nothing; the retry stored one run.
    assert AllocationRun.objects.count() == runs_before + 1
    assert job.result["run"] == AllocationRun.objects.latest("pk").pk
    killed = DBTaskResult.objects.get(id=first_task)
    assert killed.status == TaskResultStatus.FAILED and "stopped" in killed.traceback


def test_a_run_broken_off_twice_fails_with_the_reason(queue: City, coordinator: User) -> None:
    client = logged_in(coordinator)
    for _ in range(TRIES):
        job = _killed_mid_run(client)
        second = start_worker()
        if _caught_mid_run(second, job, attempt=2):
            break
        second.stop()  # the retry ended before it could be caught: once more
    else:
        pytest.fail(f"no retried run could be caught mid-run in {TRIES} tries")
    runs_before = AllocationRun.objects.count()

    third = start_worker()
    try:
        wait_for(lambda: Job.objects.get(pk=job.pk).is_finished, "the run to end", seconds=90)
    finally:
        third.stop()

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.attempts == 2
    assert job.error == "Abgebrochen: Der Hintergrunddienst wurde während der Berechnung beendet."
    assert AllocationRun.objects.count() == runs_before  # neither attempt stored anything
    page = logged_in(coordinator).get(reverse("web:job_status", args=[job.pk])).content.decode()
    assert "Der Hintergrunddienst wurde während der Berechnung beendet" in page
    # The kind is free again: the coordinator can start a new run.
    assert _start_allocation_on_the_page(client).status == JobStatus.QUEUED


# ------------------------------------------------------------------ taking over, in-process


def _orphan(worker_id: str, *, attempts: int, silent_for: dt.timedelta) -> Job:
    """A job running on a worker whose last heartbeat is ``silent_for`` ago."""
    WorkerProcess.objects.create(
        worker_id=worker_id, host="elsewhere", pid=1, heartbeat_at=timezone.now() - silent_for
    )
    job = job_start(kind=ALLOCATION_JOB, params={}, started_by=None)
    DBTaskResult.objects.filter(id=job.task_id).update(
        status=TaskResultStatus.RUNNING, worker_ids=[worker_id]
    )
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, worker_id=worker_id, attempts=attempts, phase="solving"
    )
    job.refresh_from_db()
    return job


def test_the_job_of_a_silent_worker_is_queued_once_more(db: None, settings: Any) -> None:
    settings.WORKER_STALE_SECONDS = 60
    orphan = _orphan("gone", attempts=1, silent_for=dt.timedelta(seconds=61))
    old_task = orphan.task_id

    assert [job.pk for job in jobs_recover(me="me")] == [orphan.pk]

    orphan.refresh_from_db()
    assert orphan.status == JobStatus.QUEUED and orphan.phase == "" and orphan.worker_id == ""
    assert orphan.task_id != old_task
    assert DBTaskResult.objects.get(id=orphan.task_id).status == TaskResultStatus.READY
    assert DBTaskResult.objects.get(id=old_task).status == TaskResultStatus.FAILED
    assert jobs_recover(me="me") == []  # queued, not taken: nothing more to do


def test_the_job_of_a_live_worker_is_left_alone(db: None, settings: Any) -> None:
    settings.WORKER_STALE_SECONDS = 60
    busy = _orphan("alive", attempts=1, silent_for=dt.timedelta(seconds=30))

    assert jobs_recover(me="me") == []
    busy.refresh_from_db()
    assert busy.status == JobStatus.RUNNING and busy.worker_id == "alive"


def test_a_job_whose_second_worker_stopped_too_fails_with_the_reason(
    db: None, settings: Any
) -> None:
    orphan = _orphan("gone", attempts=2, silent_for=dt.timedelta(hours=1))

    jobs_recover(me="me")

    orphan.refresh_from_db()
    assert orphan.status == JobStatus.FAILED and orphan.finished_at is not None
    assert "Hintergrunddienst wurde während der Berechnung beendet" in orphan.error


def test_a_stopped_worker_counts_as_gone_at_once(db: None) -> None:
    orphan = _orphan("stopped", attempts=1, silent_for=dt.timedelta(seconds=1))
    WorkerProcess.objects.filter(worker_id="stopped").update(stopped_at=timezone.now())

    assert [job.pk for job in jobs_recover(me="me")] == [orphan.pk]


def test_the_status_for_monitoring_counts_the_queue_and_names_no_person(
    db: None, settings: Any
) -> None:
    settings.WORKER_STALE_SECONDS = 60
    beat = timezone.now() - dt.timedelta(seconds=10)
    WorkerProcess.objects.create(worker_id="w1", host="h", pid=2, heartbeat_at=beat)
    job_start(kind=ALLOCATION_JOB, params={}, started_by=None)

    status = worker_status(now=beat + dt.timedelta(seconds=10))

    assert status == {
        "alive": True,
        "workers": 1,
        "heartbeat_at": beat.isoformat(),
        "heartbeat_age_seconds": 10.0,
        "queue_depth": 1,
        "jobs_running": 0,
    }
    later = worker_status(now=beat + dt.timedelta(seconds=61))
    assert later["alive"] is False and later["workers"] == 0


# ------------------------------------------------------------------ the daily commands


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)


def test_the_daily_commands_run_once_a_day_from_the_set_time(
    city: City,
    settings: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    settings.JOBS_RUNNER = "inline"
    settings.WORKER_DAILY_AT = dt.time(6, 0)
    day = dt.date(2026, 11, 23)
    sent = _at(day - dt.timedelta(days=15), 10)
    overdue = Referral.objects.create(
        person=make_person(city), offer=city.offer_a, status=ReferralStatus.SENT, sent_at=sent
    )

    assert daily_runs_queue(_at(day, 5, 59)) == []  # not yet
    with django_capture_on_commit_callbacks(execute=True):
        queued = daily_runs_queue(_at(day, 6, 1))

    assert {job.params["command"] for job in queued} == set(daily_commands())
    assert {"referrals expire", "referrals remind", "tasks digest", "forum remind"} <= set(
        daily_commands()
    )
    expire = Job.objects.get(kind=DAILY_JOB, params__command="referrals expire")
    assert expire.status == JobStatus.DONE and expire.params["day"] == "2026-11-23"
    assert expire.result == {"summary": "1 referral expired (answer period 14 days)."}
    assert Referral.objects.get(pk=overdue.pk).status == ReferralStatus.EXPIRED
    # Later the same day, or after a restart: recorded, nothing runs twice.
    assert daily_runs_queue(_at(day, 23, 59)) == []
    assert ScheduledRun.objects.filter(day=day).count() == len(daily_commands())
    # The next day runs again.
    with django_capture_on_commit_callbacks(execute=True):
        assert len(daily_runs_queue(_at(day + dt.timedelta(days=1), 6))) == len(daily_commands())


def test_switched_off_the_worker_queues_no_daily_run(db: None, settings: Any) -> None:
    settings.WORKER_DAILY_AT = None

    assert daily_runs_queue(_at(dt.date(2026, 11, 23), 12)) == []
    assert not ScheduledRun.objects.exists()


def test_a_restarted_worker_does_not_run_the_days_commands_again(transactional_db: None) -> None:
    first = start_worker(daily_at="00:00")
    try:
        wait_for(
            lambda: (
                Job.objects.filter(kind=DAILY_JOB, status=JobStatus.DONE).count()
                == len(daily_commands())
            ),
            "the day's runs",
            seconds=90,
        )
    finally:
        assert first.stop() == 0
    second = start_worker(daily_at="00:00")
    try:
        # Three heartbeat ticks of the new worker, each of which would queue a due run.
        beats = WorkerProcess.objects.get(worker_id=second.worker_id).heartbeat_at
        wait_for(
            lambda: (
                WorkerProcess.objects.get(worker_id=second.worker_id).heartbeat_at
                > beats + dt.timedelta(seconds=2)
            ),
            "three heartbeats",
        )
    finally:
        second.stop()

    assert Job.objects.filter(kind=DAILY_JOB).count() == len(daily_commands())
    runs = ScheduledRun.objects.all()
    assert len({run.day for run in runs}) == 1 and runs.count() == len(daily_commands())
    assert all(run.job is not None and run.job.status == JobStatus.DONE for run in runs)


def test_a_daily_time_the_worker_cannot_read_refuses_to_start(tmp_path: Path) -> None:
    result = run_doconnect(
        "worker", "--help", env={"DOCONNECT_WORKER_DAILY_AT": "6 Uhr"}, tmp_path=tmp_path
    )

    assert result.returncode == 2
    assert "DOCONNECT_WORKER_DAILY_AT must be a time as HH:MM or off, not '6 Uhr'" in (
        result.stderr
    )
