"""Template helpers of the web pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format

from doconnect.charts.chart import SignedFloat, SignedInt
from doconnect.core.forms import input_html, options_html
from doconnect.web.context import roles_allowed

register = template.Library()
# A select's options and an input written in one pass (web/forms/kern_select.html,
# kern_input.html).
register.filter("options_html", options_html)
register.filter("input_html", input_html)


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


@register.simple_tag(takes_context=True)
def roles_for_this_page(context: dict[str, Any]) -> list[str]:
    """The roles that may use the page being refused (for the 403 page), from the same
    rules the navigation asks (web/context.py)."""
    match = getattr(context.get("request"), "resolver_match", None)
    return roles_allowed(match.url_name or "") if match else []


@register.filter
def cell(value: Any) -> Any:
    """A table cell beside a chart: whole numbers with the language's thousands
    separator (1.085 in German, 1,085 in English), decimals localised, a change with its
    sign (+12), text unchanged."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    shown = number_format(value, force_grouping=True)
    return f"+{shown}" if isinstance(value, SignedInt | SignedFloat) and value > 0 else shown
