"""Signing in and out: the password with its second step (the code of the authenticator
app, set up at the first sign-in with a QR code drawn here), and the city's identity
provider by OpenID Connect (the protocol is mozilla-django-oidc's; these views only
switch it off when no provider is configured and say where to go afterwards).

Between the password and the code the user is *not* signed in: the session only holds
whom the password was right for, for a few minutes, and nothing else opens with it."""

from __future__ import annotations

import base64
import io
import time
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, login
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
    OIDCLogoutView,
)

from doconnect.core.second_factor import (
    confirmed_device,
    device_confirm,
    enrolment_device,
    needs_second_factor,
)
from doconnect.core.viewers import viewer_for
from doconnect.web.forms import CodeForm, LoginForm
from doconnect.web.signin_middleware import IDENTITY_PROVIDER_BACKEND

PENDING_KEY = "signin_pending"
PENDING_SECONDS = 300


def _provider_context() -> dict[str, Any]:
    return {
        "password_login": settings.PASSWORD_LOGIN,
        "oidc_enabled": settings.OIDC_ENABLED,
        "provider_name": settings.OIDC_PROVIDER_NAME,
    }


class SignInView(LoginView):
    """The login page: the password form (unless switched off) and the button of the
    identity provider (if one is configured)."""

    template_name = "registration/login.html"
    authentication_form = LoginForm

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.PASSWORD_LOGIN:
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            **_provider_context(),
            "provider_failed": self.request.GET.get("provider") == "failed",
        }

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if not needs_second_factor(viewer_for(user), user):
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,  # set by authenticate()
            "next": self.get_success_url(),
            "at": time.time(),
        }
        if confirmed_device(user) is None:
            return redirect("web:login_code_setup")
        return redirect("web:login_code")


def _pending(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    """Whom the password was right for, while the few minutes for the code last."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    return (user, pending) if user is not None else None


def _finish(
    request: HttpRequest, user: User, pending: dict[str, Any], device: TOTPDevice
) -> HttpResponse:
    request.session.pop(PENDING_KEY, None)
    login(request, user, backend=pending["backend"])
    otp_login(request, device)
    return HttpResponseRedirect(pending["next"])


def _check_code(form: CodeForm, device: TOTPDevice) -> bool:
    """django-otp's own throttling: after each wrong code the next try waits longer."""
    allowed, details = device.verify_is_allowed()
    if not allowed:
        until = (details or {}).get("locked_until")
        form.add_error(
            "code",
            _("Zu viele falsche Codes. Bitte versuchen Sie es um %(time)s noch einmal.")
            % {"time": timezone.localtime(until).strftime("%H:%M:%S")}
            if until
            else _("Zu viele falsche Codes. Bitte warten Sie einen Moment."),
        )
        return False
    if device.verify_token(form.cleaned_data["code"]):
        return True
    form.add_error("code", _("Der Code ist nicht richtig. Bitte geben Sie den aktuellen Code ein."))
    return False


@never_cache
@require_http_methods(["GET", "POST"])
def code(request: HttpRequest) -> HttpResponse:
    """The second step: the code of the authenticator app set up before."""
    found = _pending(request)
    if found is None:
        return redirect("web:login")
    user, pending = found
    device = confirmed_device(user)
    if device is None:
        return redirect("web:login_code_setup")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid() and _check_code(form, device):
        return _finish(request, user, pending, device)
    return render(request, "registration/login_code.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def code_setup(request: HttpRequest) -> HttpResponse:
    """The first sign-in: set up the authenticator app with the QR code (or the key
    typed in), confirmed by its first code. A user who already has an app set up is
    asked for its code instead: the password alone never sets up another one."""
    found = _pending(request)
    if found is None:
        return redirect("web:login")
    user, pending = found
    if confirmed_device(user) is not None:
        return redirect("web:login_code")
    device = enrolment_device(user)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid() and _check_code(form, device):
        device_confirm(device)
        return _finish(request, user, pending, device)
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "registration/login_code_setup.html",
        {
            "form": form,
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
            "issuer": settings.OTP_TOTP_ISSUER,
        },
    )


@never_cache
@require_GET
def code_setup_qr(request: HttpRequest) -> HttpResponse:
    """The QR code of the app being set up, drawn here (segno): the key never leaves
    the platform."""
    found = _pending(request)
    if found is None or confirmed_device(found[0]) is not None:
        raise Http404
    buffer = io.BytesIO()
    segno.make(enrolment_device(found[0]).config_url, error="m").save(
        buffer, kind="svg", scale=5, border=2, title=_("QR-Code für die Authenticator-App")
    )
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


class ProviderSignInView(OIDCAuthenticationRequestView):
    """To the identity provider (with state, nonce and the PKCE challenge)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.OIDC_ENABLED:
            raise Http404
        return super().get(request)


class ProviderCallbackView(OIDCAuthenticationCallbackView):
    """Back from the identity provider: the code is exchanged, the account set up."""

    @property
    def failure_url(self) -> str:
        return f"{reverse('web:login')}?provider=failed"

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.OIDC_ENABLED:
            raise Http404
        return super().get(request)


class SignOutView(OIDCLogoutView):
    """Signing out (a POST, so no link elsewhere can sign anybody out); a user who came
    through the identity provider is signed out there too."""

    http_method_names = ["post"]


def provider_logout_url(request: HttpRequest) -> str:
    """Where sign-out goes (``OIDC_OP_LOGOUT_URL_METHOD``, called before the session
    ends): the provider's end-session endpoint with the ID token as hint and the way
    back (RP-initiated logout), or the login page for a password sign-in."""
    back = reverse(settings.LOGOUT_REDIRECT_URL)
    id_token = request.session.get("oidc_id_token")
    if (
        request.session.get(BACKEND_SESSION_KEY) != IDENTITY_PROVIDER_BACKEND
        or not id_token
        or not settings.OIDC_OP_END_SESSION_ENDPOINT
    ):
        return back
    query = urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": request.build_absolute_uri(back),
            "client_id": settings.OIDC_RP_CLIENT_ID,
        }
    )
    return f"{settings.OIDC_OP_END_SESSION_ENDPOINT}?{query}"


def locked_out(request: HttpRequest, response: Any, credentials: Any) -> HttpResponse:
    """django-axes' answer to a sign-in while the account is locked at this address
    (``AXES_LOCKOUT_CALLABLE``): a page saying why and for how long, 429."""
    return render(
        request,
        "registration/locked_out.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
        status=429,
    )
