"""``{% load vocabulary %}``: stored German data labels in the reader's language —
``{{ person.strengths|data_labels|join:", " }}``, ``{{ code_or_text|data_label }}``."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from doconnect.core.vocabulary import data_label as translate_label

register = template.Library()


@register.filter
def data_label(text: str | None) -> str:
    return translate_label(text) if text else ""


@register.filter
def data_labels(texts: Iterable[str] | None) -> list[str]:
    return [translate_label(text) for text in texts or ()]
