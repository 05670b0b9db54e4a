"""Links into the people's pages for other pages (the dashboard, the providers and
districts pages), so they need not import the people's views."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse


def person_list_url(**params: str) -> str:
    """The person list filtered like a figure (the list's parameter names)."""
    return f"{reverse('web:person_list')}?{urlencode(params)}"
