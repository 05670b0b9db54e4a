"""Page-number pagination that hands the endpoint the page's *objects*, so person lists
can pass exactly that page through ``access.records_for_page`` (which audits it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from django.db.models import Model, QuerySet

from doconnect.core.api.schemas import PageParams

M = TypeVar("M", bound=Model)


def page_of(queryset: QuerySet[M], params: PageParams) -> tuple[Sequence[M], int]:
    """The objects on the requested page and the total count (two queries). A page
    past the end is empty, not an error."""
    count = queryset.count()
    offset = (params.page - 1) * params.page_size
    items = list(queryset[offset : offset + params.page_size]) if offset < count else []
    return items, count


def page_body(items: Sequence[object], count: int, params: PageParams) -> dict[str, object]:
    return {"count": count, "page": params.page, "page_size": params.page_size, "items": items}
