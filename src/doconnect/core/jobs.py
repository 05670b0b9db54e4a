"""Background jobs: a long computation started from a page, run outside the request, its
progress and outcome kept in a ``Job`` row that the page polls.

An app registers a kind once (``register``) with its phases and its handler; a view
starts it (``job_start``); the runner (``settings.JOBS_RUNNER``) executes it after the
starting transaction commits: in a thread of the same process ("thread"), or at once
("inline"). The handler does its own writes in its own transaction; progress is written
outside it, so the page sees it while the work runs.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

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
    stale = Job.objects.filter(
        Q(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff)
        | Q(status=JobStatus.QUEUED, created_at__lt=cutoff)
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
    """Queue a job and have it run once this transaction commits. Refuses (code
    ``busy``) a second job of a single kind while one is queued or running."""
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
    transaction.on_commit(lambda: _launch(job.pk))
    return job


def _launch(job_id: int) -> None:
    if settings.JOBS_RUNNER == "inline":
        job_execute(job_id)
        return
    thread = threading.Thread(
        target=_run_in_thread, args=(job_id,), name=f"doconnect-job-{job_id}", daemon=True
    )
    thread.start()


def _run_in_thread(job_id: int) -> None:
    close_old_connections()
    try:
        job_execute(job_id)
    finally:
        connection.close()  # the thread's own connection


def job_execute(job_id: int) -> Job:
    """Run a queued job to its end; a failure is recorded on the job, never raised."""
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now()
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
