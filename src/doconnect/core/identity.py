"""Writes for users who sign in through the city's identity provider (OpenID Connect):
the account and its memberships follow the provider's claims at every sign-in.

The provider is the source of truth for these users: the memberships become exactly
those the claims map to (``core.claims``), so taking a group away in the directory takes
the role away at the next sign-in, and a user whose claims map to nothing keeps an
account without any role (the "no role yet" page, no access)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from doconnect.core.claims import claimed_roles, parse_role_map
from doconnect.core.models import Membership, Organisation, Role

logger = logging.getLogger(__name__)


def role_map() -> dict[str, tuple]:
    """The configured mapping; a malformed one raises RoleMapError (the system check
    ``web.signin_checks`` reports it at start-up already)."""
    return parse_role_map(settings.OIDC_ROLE_MAP, roles=Role.values)


def _text(claims: Mapping[str, object], key: str, limit: int) -> str:
    value = claims.get(key)
    return value.strip()[:limit] if isinstance(value, str) else ""


@transaction.atomic
def user_sign_in_from_claims(*, user: User | None, claims: Mapping[str, object]) -> User:
    """Create or update ``user`` from the provider's claims and set its memberships.

    The username comes from ``OIDC_USERNAME_CLAIM``; a new account has no usable
    password. Claimed organisations that do not exist are left out (and logged)."""
    if user is None:
        username = _text(claims, settings.OIDC_USERNAME_CLAIM, 150)
        user = User(username=username)
        user.set_unusable_password()
    user.email = _text(claims, "email", 254) or user.email
    user.first_name = _text(claims, "given_name", 150) or user.first_name
    user.last_name = _text(claims, "family_name", 150) or user.last_name
    wanted = claimed_roles(
        claims, settings.OIDC_ROLE_CLAIM, role_map(), precedence=tuple(Role.values)
    )
    organisations = dict(
        Organisation.objects.filter(external_id__in={c.organisation for c in wanted}).values_list(
            "external_id", "pk"
        )
    )
    for missing in sorted({c.organisation for c in wanted} - organisations.keys()):
        logger.warning(
            "sign-in of %s: the role map names organisation %r, which does not exist",
            user.username,
            missing,
        )
    roles = {
        organisations[c.organisation]: c.role for c in wanted if c.organisation in organisations
    }
    # The Django admin is for the administration role only (what it shows there still
    # depends on the admin's own rules).
    user.is_staff = Role.ADMIN in roles.values()
    user.save()
    Membership.objects.filter(user=user).exclude(organisation_id__in=roles.keys()).delete()
    for organisation_id, role in roles.items():
        Membership.objects.update_or_create(
            user=user, organisation_id=organisation_id, defaults={"role": role}
        )
    return user
