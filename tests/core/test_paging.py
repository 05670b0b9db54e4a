"""Long lists count their rows once and keep the count while nothing they read changed
(core.paging.KeptCountPaginator over core.changes.kept_total)."""

from __future__ import annotations

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from doconnect.core.changes import install_triggers, watch
from doconnect.core.models import District
from doconnect.core.paging import KeptCountPaginator
from tests.conftest import City


def _districts() -> KeptCountPaginator:
    return KeptCountPaginator(District.objects.order_by("official_key"), 2)


def test_the_count_is_kept_until_the_listed_table_changes(
    transactional_db: None, city: City
) -> None:
    watch(District)
    install_triggers()
    before = District.objects.count()
    assert _districts().count == before
    with CaptureQueriesContext(connection) as kept:
        page = _districts().get_page(1)
        assert page.paginator.count == before and len(page.object_list) == min(2, before)
    # The counters and the page's rows: no count of the whole table again.
    assert not any("COUNT(" in q["sql"] for q in kept)
    District.objects.create(name="Eichlinghofen", official_key="05913999")
    assert _districts().count == before + 1
    assert _districts().num_pages == -(-(before + 1) // 2)


def test_inside_a_transaction_the_count_is_always_taken(transactional_db: None, city: City) -> None:
    watch(District)
    install_triggers()
    before = _districts().count
    with transaction.atomic():
        District.objects.create(name="Im Vorgang", official_key="05913998")
        assert _districts().count == before + 1
        transaction.set_rollback(True)
    assert _districts().count == before
