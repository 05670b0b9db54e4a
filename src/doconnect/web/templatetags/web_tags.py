"""Template helpers of the web pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters set (or removed, when the value is
    None or ""): links to another page of a list, a sort order or a chart export keep the
    filters the user has chosen."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value not in (None, ""):
            query[key] = value
    encoded: str = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``mapping[key]`` in a template (None when missing), for labels looked up by code."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
