"""The worker's side of background jobs: who is alive (a heartbeat row per
``doconnect worker``), taking over the jobs of a worker that stopped, and the figures
``/healthz`` reports (``worker_status``).

django-tasks' database worker (``django_tasks_db``) takes tasks from the queue and runs
them one at a time; it knows nothing of a worker killed mid-task (its task stays
"running" for ever). So every worker writes a heartbeat from a thread of its own, and
each tick looks for jobs whose worker is silent for ``WORKER_STALE_SECONDS`` or has
stopped: such a job is queued once more (``MAX_ATTEMPTS``), and a job whose second run is
broken off too fails with the reason instead of being silently lost.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from doconnect.core.jobs import job_enqueue
from doconnect.core.models import Job, JobStatus, WorkerProcess
from doconnect.core.schedule import daily_runs_queue

logger = logging.getLogger(__name__)

# The first run and one more after its worker stopped; a job broken off twice fails.
MAX_ATTEMPTS = 2
# Rows of workers gone for longer than this are cleared away at a worker's start.
FORGET_AFTER = dt.timedelta(days=1)


def worker_register(now: dt.datetime | None = None) -> WorkerProcess:
    """A new worker's row (its id is also django-tasks' worker id, at most 64 chars)."""
    now = now or timezone.now()
    WorkerProcess.objects.filter(heartbeat_at__lt=now - FORGET_AFTER).delete()
    host = socket.gethostname()[:200]
    return WorkerProcess.objects.create(
        worker_id=f"{host[:40]}-{os.getpid()}-{get_random_string(12)}",
        host=host,
        pid=os.getpid(),
        started_at=now,
        heartbeat_at=now,
    )


def worker_beat(worker_id: str, now: dt.datetime | None = None) -> None:
    """The worker is alive, and so is the job it runs (its heartbeat keeps the job page's
    own staleness rule, ``jobs_fail_stale``, off a long computation)."""
    now = now or timezone.now()
    WorkerProcess.objects.filter(worker_id=worker_id).update(heartbeat_at=now)
    Job.objects.filter(worker_id=worker_id, status=JobStatus.RUNNING).update(heartbeat_at=now)


def worker_stopped(worker_id: str) -> None:
    WorkerProcess.objects.filter(worker_id=worker_id).update(stopped_at=timezone.now())


def alive_worker_ids(now: dt.datetime | None = None) -> set[str]:
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.WORKER_STALE_SECONDS)
    return set(
        WorkerProcess.objects.filter(stopped_at__isnull=True, heartbeat_at__gte=cutoff).values_list(
            "worker_id", flat=True
        )
    )


def jobs_recover(*, me: str = "", now: dt.datetime | None = None) -> list[Job]:
    """Take over the jobs of workers that stopped or went silent: queue each once more,
    or fail it with the reason after ``MAX_ATTEMPTS`` starts. Returns the jobs touched.

    A job is orphaned when its task was taken by a worker (django-tasks' row is no
    longer "ready") that is not alive — whether the worker had already marked the job
    running or was killed just before."""
    alive = alive_worker_ids(now) | ({me} if me else set())
    waiting = list(
        Job.objects.filter(status__in=(JobStatus.QUEUED, JobStatus.RUNNING)).exclude(task_id="")
    )
    if not waiting:
        return []
    tasks = {
        str(row.id): row
        for row in DBTaskResult.objects.filter(id__in=[job.task_id for job in waiting]).exclude(
            status=TaskResultStatus.READY
        )
    }
    touched = []
    for job in waiting:
        row = tasks.get(job.task_id)
        if row is None:
            continue  # still in the queue
        worker = job.worker_id or (row.worker_ids[-1] if row.worker_ids else "")
        if worker in alive:
            continue
        if _take_over(job, row):
            touched.append(job)
    return touched


def _take_over(job: Job, row: DBTaskResult) -> bool:
    """Queue the job again or fail it; False if somebody else got there first."""
    now = timezone.now()
    with transaction.atomic():
        # Only one recovering worker wins: the update is conditional on the task id.
        same = Job.objects.filter(pk=job.pk, status=job.status, task_id=job.task_id)
        DBTaskResult.objects.filter(id=row.id, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path="doconnect.core.worker.WorkerStopped",
            traceback=f"worker {job.worker_id or '?'} stopped during the run",
        )
        if job.attempts < MAX_ATTEMPTS:
            if not same.update(
                status=JobStatus.QUEUED,
                phase="",
                step=0,
                worker_id="",
                started_at=None,
                heartbeat_at=None,
            ):
                return False
            job.refresh_from_db()
            job_enqueue(job)
            logger.warning("job %s (%s): worker stopped, queued again", job.pk, job.kind)
            return True
        if not same.update(
            status=JobStatus.FAILED,
            error=_("Abgebrochen: Der Hintergrunddienst wurde während der Berechnung beendet."),
            finished_at=now,
        ):
            return False
        job.refresh_from_db()
        logger.error("job %s (%s): worker stopped again, job failed", job.pk, job.kind)
        return True


def worker_alive() -> bool:
    return bool(alive_worker_ids())


def worker_status(now: dt.datetime | None = None) -> dict[str, Any]:
    """For ``/healthz`` (no personal data): whether a worker is alive, the newest
    heartbeat and its age in seconds, and how many tasks wait in the queue."""
    now = now or timezone.now()
    latest = WorkerProcess.objects.order_by("-heartbeat_at").first()
    alive = alive_worker_ids(now)
    return {
        "alive": bool(alive),
        "workers": len(alive),
        "heartbeat_at": latest.heartbeat_at.isoformat() if latest else None,
        "heartbeat_age_seconds": (
            round((now - latest.heartbeat_at).total_seconds(), 1) if latest else None
        ),
        "queue_depth": DBTaskResult.objects.ready().filter(backend_name="default").count(),
        "jobs_running": Job.objects.filter(status=JobStatus.RUNNING).count(),
    }


class Heartbeat(threading.Thread):
    """Beside the worker's task loop, every ``WORKER_HEARTBEAT_SECONDS``: the
    heartbeat, taking over stopped workers' jobs, and queueing the day's scheduled runs.
    Its own thread with its own database connection, so a long task does not silence
    it; a failed tick (a locked SQLite file) is logged and tried again next time."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name="doconnect-worker-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.halt = threading.Event()

    def run(self) -> None:
        try:
            while not self.halt.wait(settings.WORKER_HEARTBEAT_SECONDS):
                self.tick()
        finally:
            connection.close()

    def tick(self) -> None:
        close_old_connections()
        try:
            worker_beat(self.worker_id)
            jobs_recover(me=self.worker_id)
            daily_runs_queue(timezone.now())
        except Exception:
            logger.exception("worker %s: heartbeat tick failed", self.worker_id)
