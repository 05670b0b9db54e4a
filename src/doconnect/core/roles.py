"""A user's role in one organisation as plain data, so pure rules (``people.access_rules``)
can decide on it without Django."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MembershipRole:
    organisation_id: int
    role: str  # a core.models.Role value
