"""Writes about users, memberships and API tokens: one function per rule, called by the
``createuser`` command, the admin and tests."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from doconnect.core.models import ApiToken, Membership, Organisation, Role

TOKEN_PREFIX_LENGTH = 8


@transaction.atomic
def user_create_with_membership(
    *,
    username: str,
    organisation_external_id: str,
    role: str,
    email: str = "",
    password: str | None = None,
    is_staff: bool = False,
) -> User:
    """A new user working for one organisation in one role.

    ``password=None`` gives the user an unusable password (a system account that only
    uses API tokens). The password is checked against the configured validators.
    Raises ValidationError, keyed by the offending field, for an existing username, an
    unknown organisation or role, or a weak password.
    """
    username = username.strip()
    if not username:
        raise ValidationError({"username": "The username must not be empty."})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"A user named {username!r} already exists."})
    if role not in Role.values:
        raise ValidationError(
            {"role": f"Unknown role {role!r}; choose one of: {', '.join(Role.values)}."}
        )
    organisation = Organisation.objects.filter(external_id=organisation_external_id).first()
    if organisation is None:
        raise ValidationError(
            {"organisation": f"No organisation with the id {organisation_external_id!r}."}
        )
    user = User(username=username, email=email, is_staff=is_staff)
    if password is None:
        user.set_unusable_password()
    else:
        validate_password(password, user=user)
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new bearer token for ``user``. Returns the stored token and the raw secret;
    the secret is not stored anywhere, so the caller shows it once."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A token needs a name (which system uses it)."})
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[:TOKEN_PREFIX_LENGTH], key_hash=ApiToken.hash(raw)
    )
    return token, raw


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke a token for good; revoking twice keeps the first date."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_user(raw: str) -> User | None:
    """The active user holding this raw token, or None for unknown, revoked or
    inactive. Records when the token was last used."""
    if not raw.startswith("dc_"):
        return None
    token = (
        ApiToken.objects.active().select_related("user").filter(key_hash=ApiToken.hash(raw)).first()
    )
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
