"""Which organisation and role a user signed in through the city's identity provider gets,
read from the claims of the sign-in by the mapping of the settings
(``DOCONNECT_OIDC_ROLE_MAP``). Pure: no Django, so the rule is tested on its own.

The mapping names claim values (e.g. groups of the directory) and, for each, one or more
memberships::

    {"jc-fallberatung": {"organisation": "jobcenter-dortmund", "role": "case_worker"},
     "stadt-koordination": [{"organisation": "stadt", "role": "coordinator"}]}
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class ClaimedRole:
    organisation: str  # Organisation.external_id
    role: str  # a core.models.Role value


class RoleMapError(ValueError):
    """The mapping is malformed; ``problems`` name the entry and the field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def parse_role_map(
    raw: object, *, roles: Collection[str], name: str = "DOCONNECT_OIDC_ROLE_MAP"
) -> dict[str, tuple[ClaimedRole, ...]]:
    """The mapping as data, or RoleMapError listing every problem."""
    if not isinstance(raw, Mapping):
        raise RoleMapError([f"{name} must be a JSON object of claim values"])
    problems: list[str] = []
    parsed: dict[str, tuple[ClaimedRole, ...]] = {}
    for value, target in raw.items():
        entries = target if isinstance(target, list) else [target]
        claimed: list[ClaimedRole] = []
        for index, entry in enumerate(entries):
            where = f"{name}[{value!r}]" + (f"[{index}]" if isinstance(target, list) else "")
            if not isinstance(entry, Mapping):
                problems.append(f'{where}: expected {{"organisation": …, "role": …}}')
                continue
            organisation = entry.get("organisation")
            role = entry.get("role")
            if not isinstance(organisation, str) or not organisation.strip():
                problems.append(f"{where}: organisation: missing (an organisation id)")
            if role not in roles:
                problems.append(f"{where}: role: {role!r} is not one of {', '.join(sorted(roles))}")
            if isinstance(organisation, str) and organisation.strip() and role in roles:
                claimed.append(ClaimedRole(organisation.strip(), str(role)))
        parsed[str(value)] = tuple(claimed)
    if problems:
        raise RoleMapError(problems)
    return parsed


def claimed_roles(
    claims: Mapping[str, object],
    claim: str,
    role_map: Mapping[str, tuple[ClaimedRole, ...]],
    *,
    precedence: tuple[str, ...],
) -> tuple[ClaimedRole, ...]:
    """The memberships the claims map to, one per organisation (a user has one role in
    an organisation: where two claim values give two roles there, the first role in
    ``precedence`` wins). A claim may be one value or a list (groups)."""
    value = claims.get(claim)
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    rank = {role: index for index, role in enumerate(precedence)}
    best: dict[str, ClaimedRole] = {}
    for item in values:
        for claimed in role_map.get(str(item), ()):
            current = best.get(claimed.organisation)
            if current is None or rank.get(claimed.role, len(rank)) < rank.get(
                current.role, len(rank)
            ):
                best[claimed.organisation] = claimed
    return tuple(sorted(best.values()))
