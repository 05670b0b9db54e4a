"""One structured log line per request (JSON, logger ``doconnect.requests``; the
formatter is set in ``settings.LOGGING``): time, method, path, status, duration in
milliseconds, the CPU milliseconds of the thread that served it, the queries and the
milliseconds spent waiting for the database, and the user's id. Duration against CPU
and database time tells a page that works from one that waits (for a core, a lock or a
slow query): under load the first is the page's cost, the rest is queueing.

Nothing personal: the path without its query string (searches and filters can hold
names), the user's numeric id instead of a name, no client address (an IP address is
personal data; the sign-in throttling keeps its own). A person appears in a path only as
the pseudonym ``P-XXXXXXXX``. ``/healthz`` is answered before this middleware and is not
logged (a monitor asks every few seconds).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

logger = logging.getLogger("doconnect.requests")


def _user_id(request: HttpRequest) -> int | None:
    """The signed-in user's id, if this request looked the user up. Static files and
    other early answers never set ``request.user``; a lazy user nobody read is left
    unread, so logging costs no session query."""
    user: Any = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if user.is_authenticated else None


class _DatabaseTime:
    """Counts the queries of this thread's connections and the wall time they took
    (``connection.execute_wrapper``: on every backend, DEBUG or not)."""

    def __init__(self) -> None:
        self.queries = 0
        self.seconds = 0.0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not logger.isEnabledFor(logging.INFO):
            return self.get_response(request)
        started, cpu = time.perf_counter(), time.thread_time()
        database = _DatabaseTime()
        with contextlib.ExitStack() as wrapped:
            for connection in connections.all(initialized_only=False):
                wrapped.enter_context(connection.execute_wrapper(database))
            response = self.get_response(request)
        logger.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "cpu_ms": round((time.thread_time() - cpu) * 1000, 1),
                "queries": database.queries,
                "db_ms": round(database.seconds * 1000, 1),
                "user_id": _user_id(request),
            },
        )
        return response
