"""Request and response guards of issue #20, as middleware (settings.MIDDLEWARE):

- ``RequestSizeLimitMiddleware``: a request whose body is larger than
  ``MAX_REQUEST_BYTES`` is answered 413 before anything reads it (Django's own
  ``DATA_UPLOAD_MAX_MEMORY_SIZE`` only counts form fields, not uploaded files, which it
  would otherwise spool to disk however large).
- ``NoStoreMiddleware``: every answer to a signed-in user or to a request with an API
  token gets ``Cache-Control: no-store`` (person pages, the person API and exports hold
  social data; no browser or proxy cache may keep them). Public pages stay cacheable.
- ``SessionTimeoutMiddleware``: a session unused for ``SESSION_IDLE_SECONDS`` (default
  30 minutes) or older than ``SESSION_COOKIE_AGE`` (the absolute limit, 8 hours) is
  signed out.
- ``NulTextMiddleware``: a JSON body with a NUL character in any text is a 422 naming
  where (no field may hold one; PostgreSQL would refuse it with a server error inside
  a lookup). Form fields refuse it themselves (Django's CharField), the API's query
  parameters in ``api.api.TextParser``.
- ``ContentSecurityPolicyMiddleware``: django-csp's middleware (the policy is
  ``CONTENT_SECURITY_POLICY`` in the settings), with the identity provider's origin
  added to ``form-action``: signing out posts a form that redirects there, and browsers
  check ``form-action`` on the redirect too.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.contrib import auth, messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils.translation import gettext as _

Handler = Callable[[HttpRequest], HttpResponse]

# Session keys: when the session was signed in and last used (seconds since 1970).
SIGNED_IN_AT = "doconnect_signed_in_at"
LAST_SEEN = "doconnect_last_seen"
# The last use is written at most this often: not a session write on every request.
_TOUCH_SECONDS = 60


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit: int = settings.MAX_REQUEST_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            message = _(
                "Die Anfrage ist zu groß: höchstens %(limit)s MB sind erlaubt, "
                "gesendet wurden %(sent)s MB."
            ) % {"limit": f"{limit / 2**20:.0f}", "sent": f"{length / 2**20:.1f}"}
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


NUL_MESSAGE = "text must not contain NUL (\\u0000)"


def nul_at(value: object, where: list[str | int]) -> list[str | int] | None:
    """The path to the first text (or key) in ``value`` holding a NUL, or None."""
    if isinstance(value, str):
        return where if "\x00" in value else None
    if isinstance(value, dict):
        items: list[tuple[str | int, object]] = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    else:
        return None
    for key, item in items:
        if isinstance(key, str) and "\x00" in key:
            return [*where, key]
        found = nul_at(item, [*where, key])
        if found is not None:
            return found
    return None


class NulTextMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.content_type == "application/json" and request.body:
            try:
                body = json.loads(request.body)
            except ValueError:
                body = None  # malformed: the API answers 400 itself
            found = nul_at(body, ["body"])
            if found is not None:
                error = {"type": "value_error", "loc": found, "msg": NUL_MESSAGE}
                return JsonResponse({"detail": [error]}, status=422)
        return self.get_response(request)


class NoStoreMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META:
            # Replaces whatever a view said: with personal data nothing may be kept.
            response["Cache-Control"] = "no-store"
        return response


def mark_signed_in(sender: object, request: HttpRequest, **kwargs: object) -> None:
    """On ``user_logged_in``: the session's start and last use are now (so the first
    request after signing in does not write the session again)."""
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        session = request.session
        now = int(time.time())
        signed_in = session.setdefault(SIGNED_IN_AT, now)
        last_seen = session.get(LAST_SEEN, now)
        idle: int = settings.SESSION_IDLE_SECONDS
        if now - last_seen > idle or now - signed_in > settings.SESSION_COOKIE_AGE:
            auth.logout(request)
            messages.info(
                request,
                _("Sie wurden nach %(minutes)s Minuten ohne Aktivität abgemeldet.")
                % {"minutes": idle // 60}
                if now - last_seen > idle
                else _("Ihre Sitzung ist abgelaufen; bitte melden Sie sich neu an."),
            )
        elif LAST_SEEN not in session or now - last_seen >= _TOUCH_SECONDS:
            session[LAST_SEEN] = now


def identity_provider_origins() -> list[str]:
    """The origins (scheme://host:port) of the identity provider's sign-in and sign-out
    endpoints, when single sign-on is configured."""
    urls = (
        getattr(settings, "OIDC_OP_AUTHORIZATION_ENDPOINT", ""),
        getattr(settings, "OIDC_OP_END_SESSION_ENDPOINT", ""),
    )
    return sorted(
        {"/".join(url.split("/", 3)[:3]) for url in urls if url.startswith(("https://", "http://"))}
    )


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        origins = identity_provider_origins()
        if origins and parts.update is None:
            parts.update = {"form-action": origins}
        return parts
