"""One structured log line per request (JSON, logger ``doconnect.requests``; the
formatter is set in ``settings.LOGGING``): time, method, path, status, duration in
milliseconds and the user's id.

Nothing personal: the path without its query string (searches and filters can hold
names), the user's numeric id instead of a name, no client address (an IP address is
personal data; the sign-in throttling keeps its own). A person appears in a path only as
the pseudonym ``P-XXXXXXXX``. ``/healthz`` is answered before this middleware and is not
logged (a monitor asks every few seconds).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

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


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        if logger.isEnabledFor(logging.INFO):
            logger.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": _user_id(request),
                },
            )
        return response
