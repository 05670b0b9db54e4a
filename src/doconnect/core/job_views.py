"""The progress page of a background job: polled by htmx until the job ends, then on to
its result. Each kind of job says who may watch it and where its result is."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from doconnect.core.forms import KernForm
from doconnect.core.jobs import job_start, jobs_fail_stale
from doconnect.core.models import Job, JobStatus
from doconnect.core.viewers import Viewer, request_viewer
from doconnect.core.worker import worker_alive

POLL_SECONDS = 1


@dataclass(frozen=True)
class JobPage:
    title: Any  # a lazily translated string
    may_view: Callable[[Viewer], bool]
    result_url: Callable[[Job], str]
    back_url: Callable[[Job], str]
    phase_labels: Mapping[str, Any]


JOB_PAGES: dict[str, JobPage] = {}


def job_for_viewer(viewer: Viewer, pk: int) -> tuple[Job, JobPage]:
    """The job and its page for a viewer allowed to watch it; 404 or 403 otherwise."""
    job = Job.objects.filter(pk=pk).first()
    if job is None or job.kind not in JOB_PAGES:
        raise Http404
    page = JOB_PAGES[job.kind]
    if not page.may_view(viewer):
        raise PermissionDenied
    return job, page


def start_job_from_form(
    request: HttpRequest,
    form: KernForm,
    *,
    kind: str,
    params: Callable[[], Mapping[str, Any]],
) -> HttpResponse | None:
    """For a POSTed start form: queue the job and answer with a redirect to its progress
    page; or None, with the form's errors (or the refusal, e.g. one already running) next
    to the form, for the caller to render again with 400."""
    if not form.is_valid():
        return None
    try:
        job = job_start(kind=kind, params=params(), started_by=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        form.add_service_errors(exc)
        return None
    return redirect("web:job_status", pk=job.pk)


@login_required
@require_GET
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    job, page = job_for_viewer(request_viewer(request), pk)
    if not job.is_finished:
        jobs_fail_stale(job.kind)
        job.refresh_from_db()
    partial = request.headers.get("HX-Request") == "true"
    if job.status == JobStatus.DONE:
        url = page.result_url(job)
        if partial:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
    context = {
        "job": job,
        "page": page,
        "phase_label": page.phase_labels.get(job.phase, ""),
        "poll_seconds": POLL_SECONDS,
        "back_url": page.back_url(job),
        # A queued job waits for `doconnect worker`; say so if none is running.
        "worker_missing": (
            job.status == JobStatus.QUEUED
            and settings.JOBS_RUNNER == "worker"
            and not worker_alive()
        ),
    }
    return render(
        request, "core/job_status_region.html" if partial else "core/job_status.html", context
    )
