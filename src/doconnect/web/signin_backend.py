"""Sign-in through the city's identity provider (OpenID Connect, authorization code flow
with PKCE) by mozilla-django-oidc: the library runs the protocol (state, nonce, PKCE,
token exchange, signature of the ID token, userinfo); this backend only says which
account the claims belong to and hands them to ``core.identity``, which sets the
account's organisation and role from them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import SuspiciousOperation
from django.db.models import QuerySet
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from doconnect.core.identity import user_sign_in_from_claims


class CityIdentityBackend(OIDCAuthenticationBackend):
    def _username(self, claims: dict[str, Any]) -> str:
        value = claims.get(settings.OIDC_USERNAME_CLAIM)
        return value.strip() if isinstance(value, str) else ""

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        # The account is found by the username claim, not by the e-mail address.
        return bool(self._username(claims))

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[User]:
        return User.objects.filter(username__iexact=self._username(claims))

    def create_user(self, claims: dict[str, Any]) -> User:
        return user_sign_in_from_claims(user=None, claims=claims)

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        if user.is_superuser:
            # A superuser is no directory account: a provider account of the same name
            # must not take it over (the library answers this with a failed sign-in).
            raise SuspiciousOperation(f"{user.username} is a superuser; not via the provider")
        return user_sign_in_from_claims(user=user, claims=claims)
