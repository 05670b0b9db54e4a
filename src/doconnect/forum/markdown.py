"""Markdown of agenda items, minutes, decisions and documents as safe HTML.

Two layers, so neither alone has to be perfect: markdown-it-py in CommonMark mode with
raw HTML off (a ``<script>`` typed into the minutes is shown as text) and its own link
check; then nh3 keeps only the tags and attributes listed here, links only to http,
https and mailto addresses, with ``rel="noopener noreferrer"``. Images are not kept:
minutes need no pictures, and a foreign image would tell its server who read them.
"""

from __future__ import annotations

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "strong",
        "em",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False})


def render_markdown(text: str) -> SafeString:
    """``text`` (Markdown) as HTML that is safe to put into a page as it is."""
    html = _parser.render(text or "")
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 just above
