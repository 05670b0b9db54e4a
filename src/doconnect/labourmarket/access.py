"""Who may see the labour-market pages, or refuse. The figures are aggregates, no
persons: every member of an organisation sees the labour-market and occupations pages;
the potentials and employers pages are for coordinators, case workers and analysts."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from doconnect.core.models import Role
from doconnect.core.viewers import Viewer, request_viewer

ANALYSIS_ROLES = (Role.COORDINATOR, Role.CASE_WORKER, Role.ANALYST)


def may_see_market(viewer: Viewer) -> bool:
    """The labour-market and occupations pages: every member of an organisation."""
    return bool(viewer.memberships)


def may_see_market_analyses(viewer: Viewer) -> bool:
    """Potentials and employers: coordinators, case workers and analysts."""
    return viewer.has_role(*ANALYSIS_ROLES)


def market_viewer(request: HttpRequest) -> Viewer:
    """The viewer of a labour-market page; ``PermissionDenied`` (403) for a user
    without an organisation."""
    viewer = request_viewer(request)
    if not may_see_market(viewer):
        raise PermissionDenied
    return viewer


def analyses_viewer(request: HttpRequest) -> Viewer:
    """The viewer of the potentials or employers page; ``PermissionDenied`` (403) for
    anybody but coordinators, case workers and analysts of an organisation."""
    viewer = market_viewer(request)
    if not may_see_market_analyses(viewer):
        raise PermissionDenied
    return viewer
