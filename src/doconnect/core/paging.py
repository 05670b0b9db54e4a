"""Pages of long lists whose total is counted once and kept (``core.changes``): a
person list of 100,000 took 140 ms of the database on every page to count the same
rows again (issue #19)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

from doconnect.core.changes import kept_total


class KeptCountPaginator(Paginator):
    """A ``Paginator`` over a queryset whose count is ``kept_total``'s: kept while none
    of the tables its SQL names changed, counted afresh after any write to them (and
    always inside a transaction). Only the page's rows are read each time."""

    object_list: QuerySet[Any]

    @cached_property
    def count(self) -> int:
        return kept_total([self.object_list])
