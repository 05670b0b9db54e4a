"""``/healthz`` for monitoring: is the database reachable, is a worker alive, how many
tasks wait. JSON, no sign-in, no personal data (counts and ages only); 503 when the
database cannot be reached, 200 otherwise (a stopped worker is reported, not fatal:
pages still work, queued jobs wait).

Answered by a middleware at the very front, so the probe needs neither an allowed host
name nor https (a load balancer or ``curl http://127.0.0.1:8000/healthz`` on the
machine), and it opens no session.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

PATH = "/healthz"


def database_status() -> dict[str, Any]:
    """Whether a trivial query gets an answer, and from which kind of database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        # The reason goes to the log only: the answer is public.
        logger.error("healthz: database unreachable: %s", exc)
        return {"ok": False, "vendor": connection.vendor}
    return {"ok": True, "vendor": connection.vendor}


def worker_figures() -> dict[str, Any]:
    """The background worker's heartbeat and the queue depth (``core/worker.py``)."""
    from doconnect.core.worker import worker_status

    return worker_status()


def health() -> tuple[bool, dict[str, Any]]:
    """(healthy, the report): healthy while the database answers."""
    database = database_status()
    report: dict[str, Any] = {"status": "ok" if database["ok"] else "fail", "database": database}
    if database["ok"]:
        try:
            report["worker"] = worker_figures()
        except DatabaseError as exc:  # e.g. not migrated yet
            logger.error("healthz: worker figures unavailable: %s", exc)
            report["worker"] = None
    return database["ok"], report


class HealthMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info != PATH or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        healthy, report = health()
        response = HttpResponse(
            json.dumps(report),
            content_type="application/json",
            status=200 if healthy else 503,
        )
        response["Cache-Control"] = "no-store"
        return response
