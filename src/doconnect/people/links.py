"""Links into the people's pages for other pages (the dashboard, the providers and
districts pages), so they need not import the people's views."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from doconnect.core.viewers import Viewer
from doconnect.people.analyst_view import coarsened_lists

# What an analyst's coarsened record does not show, so an analyst's list cannot be
# filtered by it (``selectors`` keeps nobody for such a filter).
NOT_IN_COARSENED_RECORDS = ("target_group", "state", "support")


def person_list_url(**params: str) -> str:
    """The person list filtered like a figure (the list's parameter names)."""
    return f"{reverse('web:person_list')}?{urlencode(params)}"


def person_list_link(viewer: Viewer, **params: str) -> str | None:
    """``person_list_url`` if this viewer's list can show the persons behind the figure;
    None (a figure without a link) for an analyst and a filter their list refuses."""
    if coarsened_lists(viewer) and any(params.get(name) for name in NOT_IN_COARSENED_RECORDS):
        return None
    return person_list_url(**params)
