"""Template filters of the published report: a figure as the public reads it."""

from __future__ import annotations

from django import template

from doconnect.transparency.report import SUPPRESSED, number

register = template.Library()


@register.filter
def figure(value: int | None) -> str:
    """A published figure the German way (4.210); a hidden one as ``*``."""
    return SUPPRESSED if value is None else number(int(value))
