"""Background jobs: a long computation started from a page, run outside the request, its
progress and outcome kept in a ``Job`` row that the page polls.

An app registers a kind once (``register``) with its phases and its handler; a view
starts it (``job_start``). With ``settings.JOBS_RUNNER = "worker"`` (the default) the
start queues a django-tasks task (``run_job``) in the database, in the same transaction
as the ``Job`` row, and ``doconnect worker`` runs it (``core/worker.py``): a restart of
the web process touches nothing, a stopped worker's job is taken over. With "inline" the
task runs at once once the starting transaction commits (tests, one-off scripts). The
handler does its own writes in its own transaction; progress is written outside it, so
the page sees it while the work runs.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskContext, task

from doconnect.core.models import Job, JobStatus

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]
Handler = Callable[[Job, Progress], dict[str, Any]]


@dataclass(frozen=True)
class JobKind:
    """``phases`` in order (the codes the handler reports); ``single``: at most one job
    of this kind queued or running at a time."""

    code: str
    phases: tuple[str, ...]
    handler: Handler
    single: bool = True


_KINDS: dict[str, JobKind] = {}


def register(
    code: str, *, phases: Sequence[str], single: bool = True
) -> Callable[[Handler], Handler]:
    def decorate(handler: Handler) -> Handler:
        _KINDS[code] = JobKind(code=code, phases=tuple(phases), handler=handler, single=single)
        return handler

    return decorate


def job_kind(code: str) -> JobKind:
    return _KINDS[code]


def _stale_before() -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=settings.JOB_STALE_MINUTES)


def jobs_fail_stale(kind: str | None = None) -> int:
    """Mark jobs that went silent (their process ended) as failed; returns how many."""
    cutoff = _stale_before()
    # A job queued in the database waits for a worker however long that takes; only an
    # inline job (no task) can be left queued by a process that ended before it ran.
    stale = Job.objects.filter(
        Q(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff)
        | Q(status=JobStatus.QUEUED, task_id="", created_at__lt=cutoff)
    )
    if kind is not None:
        stale = stale.filter(kind=kind)
    return stale.update(
        status=JobStatus.FAILED,
        error=_("Abgebrochen: seit %(minutes)d Minuten kein Lebenszeichen.")
        % {"minutes": settings.JOB_STALE_MINUTES},
        finished_at=timezone.now(),
    )


def active_job(kind: str) -> Job | None:
    """The queued or running job of this kind, if any (stale ones are failed first)."""
    jobs_fail_stale(kind)
    return Job.objects.filter(kind=kind, status__in=(JobStatus.QUEUED, JobStatus.RUNNING)).first()


def job_start(*, kind: str, params: Mapping[str, Any], started_by: User | None) -> Job:
    """Queue a job: for the worker, in this transaction (it starts once the transaction
    commits), or inline, run at commit. Refuses (code ``busy``) a second job of a single
    kind while one is queued or running."""
    spec = _KINDS[kind]
    with transaction.atomic():
        if spec.single:
            jobs_fail_stale(kind)
            # Lock the kind's active rows so two clicks at once cannot both pass.
            busy = (
                Job.objects.select_for_update()
                .filter(kind=kind, status__in=(JobStatus.QUEUED, JobStatus.RUNNING))
                .first()
            )
            if busy is not None:
                raise ValidationError(
                    _("Es läuft schon eine Berechnung dieser Art (gestartet %(when)s).")
                    % {"when": timezone.localtime(busy.created_at).strftime("%d.%m.%Y %H:%M")},
                    code="busy",
                )
        job = Job.objects.create(
            kind=kind, params=dict(params), steps=len(spec.phases), started_by=started_by
        )
        if settings.JOBS_RUNNER == "worker":
            # In the same transaction: the task exists exactly when the job does.
            job_enqueue(job)
    if settings.JOBS_RUNNER == "inline":
        transaction.on_commit(lambda: run_job.using(backend="immediate").enqueue(job.pk))
    return job


def job_enqueue(job: Job) -> None:
    """Queue the job's task in the database (for ``doconnect worker``) and note its id."""
    result = run_job.enqueue(job.pk)
    job.task_id = result.id
    Job.objects.filter(pk=job.pk).update(task_id=result.id)


@task(takes_context=True)
def run_job(context: TaskContext, job_id: int) -> None:
    """The task every job runs as: the worker that took it is noted on the job."""
    worker_ids = context.task_result.worker_ids
    job_execute(job_id, worker_id=worker_ids[-1] if worker_ids else "")


def job_execute(job_id: int, *, worker_id: str = "") -> Job:
    """Run a queued job to its end; a failure is recorded on the job, never raised."""
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
        worker_id=worker_id,
        attempts=F("attempts") + 1,
    )
    job = Job.objects.get(pk=job_id)
    if not claimed:
        return job  # somebody else runs it, or it was failed as stale
    spec = _KINDS[job.kind]

    def progress(phase: str) -> None:
        step = spec.phases.index(phase) if phase in spec.phases else job.step
        job.phase, job.step = phase, step
        Job.objects.filter(pk=job_id).update(phase=phase, step=step, heartbeat_at=timezone.now())

    try:
        result = spec.handler(job, progress)
    except Exception as exc:
        logger.exception("job %s (%s) failed", job_id, job.kind)
        # A refusal the handler phrased for people is shown as it is; anything else is
        # a fault whose details belong in the server log, not on the page.
        message = (
            "; ".join(exc.messages)
            if isinstance(exc, ValidationError)
            else _("Interner Fehler (%(kind)s); Einzelheiten stehen im Serverprotokoll.")
            % {"kind": type(exc).__name__}
        )
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED, error=message, finished_at=timezone.now()
        )
    else:
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.DONE,
            result=result,
            step=len(spec.phases),
            finished_at=timezone.now(),
        )
    job.refresh_from_db()
    return job
