"""Who is calling: a bearer token (other systems) or the browser session (our own pages),
and the viewer both lead to. Every endpoint works with ``viewer(request)``; the access
rules do not know or care how the caller logged in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth
from ninja.utils import check_csrf

from doconnect.core.models import Role
from doconnect.core.services import api_token_user
from doconnect.core.viewers import Viewer, viewer_for

_VIEWER_ATTRIBUTE = "_doconnect_viewer"


class BearerToken(HttpBearer):
    """``Authorization: Bearer dc_…``: a token made with ``doconnect createuser --token``.
    Unknown, revoked and inactive users' tokens are refused (401)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return api_token_user(token)


class BrowserSession(SessionAuth):
    """Ninja's session auth (the ``sessionid`` cookie) with its CSRF check, but looking
    at the login first: an anonymous write gets 401 like an anonymous read, not a CSRF
    403."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        exempt = getattr(request, "_ninja_csrf_exempt", False)
        if self.csrf and not exempt and check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed")
        return user


API_AUTH = [BearerToken(), BrowserSession()]


def viewer(request: HttpRequest) -> Viewer:
    """The authenticated caller as the access rules see them (one query, then cached
    on the request)."""
    cached = getattr(request, _VIEWER_ATTRIBUTE, None)
    if cached is None:
        cached = viewer_for(getattr(request, "auth", None))
        setattr(request, _VIEWER_ATTRIBUTE, cached)
    return cached


PERSON_READING_ROLES = (Role.COORDINATOR, Role.CASE_WORKER, Role.PROVIDER_STAFF, Role.ANALYST)


def require_membership(request: HttpRequest) -> Viewer:
    """Non-personal data (offers, providers, districts, vacancies) is for anybody who
    works for an organisation on the platform; a login without membership gets 403."""
    who = viewer(request)
    if not who.memberships:
        raise HttpError(403, "Forbidden")
    return who


def require_person_lists(request: HttpRequest) -> Viewer:
    """Person lists are for roles that may see persons at all; admins and users without
    membership get 403 (a single person is 404 for them, as for everybody refused)."""
    who = viewer(request)
    if not who.has_role(*PERSON_READING_ROLES):
        raise HttpError(403, "Forbidden")
    return who
