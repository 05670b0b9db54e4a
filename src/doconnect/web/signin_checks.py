"""A start-up check of the identity provider's role mapping: a malformed
DOCONNECT_OIDC_ROLE_MAP stops `doconnect serve` (and every command) with the entry and
field named, instead of failing at somebody's sign-in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from doconnect.core.claims import RoleMapError, parse_role_map
from doconnect.core.models import Role


@register()
def role_map_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    try:
        parse_role_map(settings.OIDC_ROLE_MAP, roles=Role.values)
    except RoleMapError as exc:
        return [Error(problem, id="doconnect.E101") for problem in exc.problems]
    return []
