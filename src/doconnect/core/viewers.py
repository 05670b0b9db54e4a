"""Who is asking: a user's memberships (organisation and role) read once, as plain data
that every access rule, page, API endpoint and command decides on."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest

from doconnect.core.models import Membership
from doconnect.core.roles import MembershipRole


@dataclass(frozen=True)
class Viewer:
    user_id: int | None
    username: str
    memberships: tuple[MembershipRole, ...]
    organisation_keys: dict[int, str] = field(default_factory=dict)
    # For the page header ("Koordination · Stadt Dortmund"), read in the same query.
    organisation_names: dict[int, str] = field(default_factory=dict)

    @property
    def organisation_ids(self) -> set[int]:
        return {m.organisation_id for m in self.memberships}

    def orgs_with(self, *roles: str) -> set[int]:
        return {m.organisation_id for m in self.memberships if m.role in roles}

    def has_role(self, *roles: str) -> bool:
        return any(m.role in roles for m in self.memberships)

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    def describe_organisations(self) -> str:
        return ",".join(sorted(self.organisation_keys.values()))


def viewer_for(user: AbstractBaseUser | AnonymousUser | None) -> Viewer:
    if user is None or not user.is_authenticated or not user.is_active:
        return Viewer(user_id=None, username="", memberships=())
    rows = Membership.objects.filter(user_id=user.pk).values_list(
        "organisation_id", "role", "organisation__external_id", "organisation__name"
    )
    memberships = tuple(MembershipRole(org, role) for org, role, _key, _name in rows)
    return Viewer(
        user_id=user.pk,
        username=user.get_username(),
        memberships=memberships,
        organisation_keys={org: key for org, _role, key, _name in rows},
        organisation_names={org: name for org, _role, _key, name in rows},
    )


def request_viewer(request: HttpRequest) -> Viewer:
    """The viewer of this request, read once per request (views and the navigation
    share it)."""
    cached: Viewer | None = getattr(request, "_doconnect_viewer", None)
    if cached is None:
        cached = viewer_for(request.user)
        request._doconnect_viewer = cached  # type: ignore[attr-defined]
    return cached
