"""A session signed in by password alone is let in only while no second factor is
needed: the sign-in pages ask for one before they sign in, and this guard catches what
they cannot see (a role given while the user is signed in, a sign-in by another path)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from doconnect.core.second_factor import needs_second_factor
from doconnect.core.viewers import request_viewer

IDENTITY_PROVIDER_BACKEND = "doconnect.web.signin_backend.CityIdentityBackend"


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.TOTP_REQUIRED
            and request.user.is_authenticated
            and DEVICE_ID_SESSION_KEY not in request.session
            and request.session.get(BACKEND_SESSION_KEY) != IDENTITY_PROVIDER_BACKEND
            and needs_second_factor(request_viewer(request), request.user)
        ):
            logout(request)
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('web:login')}?{query}")
        return self.get_response(request)
