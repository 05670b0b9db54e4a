"""Change counters and the results kept while they stand (core.changes): every way of
writing a watched table counts — the ORM's save, a bulk update, a delete, raw SQL — and
a kept result is computed afresh after any of them, never inside a transaction."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from doconnect.core import changes
from doconnect.core.changes import (
    cached,
    install_triggers,
    kept_rows,
    kept_total,
    table_versions,
    watch,
)
from doconnect.core.models import District, TableVersion, TargetGroup
from doconnect.people.models import Spell
from tests.conftest import City


def test_every_kind_of_write_to_a_watched_table_moves_its_counter(db: None) -> None:
    watch(District)
    install_triggers()
    seen = [table_versions([District])]
    district = District.objects.create(name="Eving", official_key="05913004")
    seen.append(table_versions([District]))
    district.name = "Eving-Nord"
    district.save()
    seen.append(table_versions([District]))
    District.objects.filter(pk=district.pk).update(name="Eving")
    seen.append(table_versions([District]))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_district SET name = 'Brackel'")
    seen.append(table_versions([District]))
    District.objects.all().delete()
    seen.append(table_versions([District]))
    assert None not in seen and len(set(seen)) == len(seen)


def test_a_table_nobody_watches_has_no_counter_and_nothing_is_kept(db: None) -> None:
    assert table_versions(["auth_group"]) is None
    results = iter(range(10))
    assert cached("test.unwatched", ["auth_group"], 1, lambda: next(results)) == 0
    assert cached("test.unwatched", ["auth_group"], 1, lambda: next(results)) == 1


def test_a_result_is_kept_until_a_watched_table_changes_even_by_raw_sql(
    transactional_db: None, city: City
) -> None:
    watch(TargetGroup)
    install_triggers()
    computed: list[int] = []

    def compute() -> int:
        computed.append(TargetGroup.objects.count())
        return computed[-1]

    assert cached("test.groups", [TargetGroup], "k", compute) == 1
    assert cached("test.groups", [TargetGroup], "k", compute) == 1
    assert len(computed) == 1  # kept
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO core_targetgroup (code, label) VALUES ('new', 'Neu')")
    assert cached("test.groups", [TargetGroup], "k", compute) == 2
    assert cached("test.groups", [TargetGroup], "other key", compute) == 2
    assert len(computed) == 3
    TargetGroup.objects.filter(code="new").update(label="Neue")
    cached("test.groups", [TargetGroup], "k", compute)
    assert len(computed) == 4


def test_inside_a_transaction_nothing_is_kept(transactional_db: None, city: City) -> None:
    watch(TargetGroup)
    install_triggers()
    results = iter(range(10))
    with transaction.atomic():
        first = cached("test.atomic", [TargetGroup], 1, lambda: next(results))
        second = cached("test.atomic", [TargetGroup], 1, lambda: next(results))
    assert (first, second) == (0, 1)


@pytest.mark.parametrize("model", [Spell, TargetGroup])
def test_the_counters_of_the_watched_domain_tables_exist_after_migrate(
    db: None, model: type
) -> None:
    assert TableVersion.objects.filter(name=model._meta.db_table).exists()


def _groups_and_districts() -> list[Any]:
    return [TargetGroup.objects.all(), District.objects.filter(name__startswith="E")]


def _watching_groups_and_districts() -> int:
    """Watch the tables of ``_groups_and_districts``: the rows of both together."""
    watch(TargetGroup, District)
    install_triggers()
    return TargetGroup.objects.count() + District.objects.filter(name__startswith="E").count()


def test_a_kept_total_counts_again_only_the_part_whose_table_changed(
    transactional_db: None, city: City
) -> None:
    expected = _watching_groups_and_districts()
    assert kept_total(_groups_and_districts()) == expected
    with CaptureQueriesContext(connection) as kept:
        assert kept_total(_groups_and_districts()) == expected
    assert len(kept) == 1  # the counters only
    District.objects.create(name="Eichlinghofen", official_key="05913999")
    with CaptureQueriesContext(connection) as counted:
        assert kept_total(_groups_and_districts()) == expected + 1
    # The counters, then the district part alone: the target groups stay kept.
    assert len(counted) == 2
    assert "core_targetgroup" not in counted[1]["sql"]
    assert "core_district" in counted[1]["sql"]


def test_a_kept_total_part_on_a_table_nobody_watches_is_always_counted(
    transactional_db: None, city: City
) -> None:
    watch(TargetGroup)
    install_triggers()
    users = get_user_model().objects.all()
    before = users.count()
    assert kept_total([TargetGroup.objects.all(), users]) == TargetGroup.objects.count() + before
    get_user_model().objects.create_user(username="neu")
    assert (
        kept_total([TargetGroup.objects.all(), users]) == TargetGroup.objects.count() + before + 1
    )


def test_inside_a_transaction_a_kept_total_is_one_union_query(
    transactional_db: None, city: City
) -> None:
    watch(TargetGroup)
    install_triggers()
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        total = kept_total([TargetGroup.objects.all(), TargetGroup.objects.all()])
    assert total == 2 * TargetGroup.objects.count()
    assert len(queries) == 1 and "UNION ALL" in queries[0]["sql"]


def _codes() -> Any:
    return TargetGroup.objects.order_by("code").values_list("code", flat=True)


def test_kept_rows_are_read_again_only_for_the_query_whose_table_changed(
    transactional_db: None, city: City
) -> None:
    watch(TargetGroup, District)
    install_triggers()
    districts = District.objects.order_by("name").values_list("name", flat=True)
    codes, names = kept_rows([_codes(), districts])
    assert (codes, names) == (tuple(_codes()), tuple(districts))
    with CaptureQueriesContext(connection) as kept:
        assert kept_rows([_codes(), districts]) == [codes, names]
    assert len(kept) == 1  # the counters only
    District.objects.create(name="Eichlinghofen", official_key="05913999")
    with CaptureQueriesContext(connection) as read:
        again = kept_rows([_codes(), districts])
    assert again[0] == codes and "Eichlinghofen" in again[1]
    assert len(read) == 2 and "core_district" in read[1]["sql"]


def test_kept_rows_with_a_plan_build_their_querysets_only_when_a_result_is_read(
    transactional_db: None, city: City
) -> None:
    watch(District)
    install_triggers()
    built: list[int] = []

    def names() -> list[Any]:
        built.append(1)
        return [District.objects.order_by("name").values_list("name", flat=True)]

    (first,) = kept_rows(names, plan=("test", "district names"))
    (again,) = kept_rows(names, plan=("test", "district names"))
    assert again == first and len(built) == 1  # compiled SQL and rows both kept
    District.objects.create(name="Eichlinghofen", official_key="05913999")
    (changed,) = kept_rows(names, plan=("test", "district names"))
    assert "Eichlinghofen" in changed and len(built) == 2  # read: the querysets built
    with transaction.atomic():
        District.objects.create(name="Im Vorgang", official_key="05913998")
        (inside,) = kept_rows(names, plan=("test", "district names"))
        assert "Im Vorgang" in inside and len(built) == 3  # never kept in a transaction
        transaction.set_rollback(True)


def test_kept_rows_of_another_filter_are_another_result(transactional_db: None, city: City) -> None:
    watch(District)
    install_triggers()
    all_names = District.objects.values_list("name", flat=True)
    (every,) = kept_rows([all_names.order_by("name")])
    (some,) = kept_rows([all_names.filter(name__startswith="E").order_by("name")])
    assert some == tuple(n for n in every if n.startswith("E")) and some != every


def test_kept_rows_on_a_table_nobody_watches_or_in_a_transaction_are_always_read(
    transactional_db: None, city: City
) -> None:
    watch(TargetGroup)
    install_triggers()
    users = get_user_model().objects.order_by("pk").values_list("username", flat=True)
    (before,) = kept_rows([users])
    get_user_model().objects.create_user(username="neu")
    (after,) = kept_rows([users])
    assert after == (*before, "neu")
    with transaction.atomic():
        TargetGroup.objects.create(code="tx", label="Im Vorgang")
        (inside,) = kept_rows([_codes()])
        assert "tx" in inside
        transaction.set_rollback(True)
    (outside,) = kept_rows([_codes()])
    assert "tx" not in outside


def test_kept_rows_and_totals_may_be_behind_by_at_most_their_stale_seconds(
    transactional_db: None, city: City, kept_clock: list[float]
) -> None:
    # An overview's figures: after a change, what was read at most ``stale_seconds``
    # ago is still shown; after that, or without ``stale_seconds``, read again.
    watch(District)
    install_triggers()
    names = District.objects.order_by("name").values_list("name", flat=True)
    now = kept_clock
    (before,) = kept_rows([names], stale_seconds=60)
    counted = kept_total([District.objects.all()], stale_seconds=60)
    District.objects.create(name="Eichlinghofen", official_key="05913999")
    now[0] += 59
    assert kept_rows([names], stale_seconds=60) == [before]
    assert kept_total([District.objects.all()], stale_seconds=60) == counted
    assert "Eichlinghofen" in kept_rows([names])[0]  # no window: current
    assert kept_total([District.objects.all()]) == counted + 1
    now[0] += 2  # the current read above started a new window
    assert "Eichlinghofen" in kept_rows([names], stale_seconds=60)[0]
    now[0] += 61
    assert kept_total([District.objects.all()], stale_seconds=60) == counted + 1


def at_once(ask: Callable[[], object], threads: int = 4) -> None:
    """Run ``ask`` in that many threads at once (each with its own connection, closed
    after) and wait for all."""

    def run() -> None:
        try:
            ask()
        finally:
            connection.close()

    started = [threading.Thread(target=run) for _ in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join()


def test_threads_that_miss_the_same_count_at_once_count_it_once(
    transactional_db: None, city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Under load every thread of a process missed the same task count after a change
    # and counted it again: the others now wait for the first one's count.
    watch(TargetGroup)
    install_triggers()
    counted: list[int] = []
    count_parts = changes._count_parts

    def slow(parts: Any) -> int:
        if parts:
            counted.append(len(parts))
            time.sleep(0.3)  # long enough for every thread to miss meanwhile
        return count_parts(parts)

    monkeypatch.setattr(changes, "_count_parts", slow)
    totals: list[int] = []

    at_once(lambda: totals.append(kept_total([TargetGroup.objects.all()])))
    assert totals == [TargetGroup.objects.count()] * 4
    assert counted == [1]


def test_threads_that_miss_the_same_rows_at_once_read_them_once(
    transactional_db: None, city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    watch(TargetGroup)
    install_triggers()
    reads: list[str] = []
    read = changes._read

    def slow(queryset: Any) -> tuple[Any, ...]:
        reads.append(str(queryset.query))
        time.sleep(0.3)
        return read(queryset)

    monkeypatch.setattr(changes, "_read", slow)
    results: list[Any] = []

    at_once(lambda: results.append(kept_rows([_codes()])))
    assert results == [[tuple(_codes())]] * 4
    assert len(reads) == 1


# --- shared between the server's processes ----------------------------------------------


def _as_another_process() -> None:
    """What a second worker process of the server has: nothing in its own memory, the
    same shared cache (``settings.KEPT_SHARED``)."""
    with changes._lock:
        for kept in (
            changes._memo,
            changes._counts,
            changes._latest_counts,
            changes._rows,
            changes._latest_rows,
            changes._plans,
        ):
            kept.clear()


def test_a_count_of_one_process_is_read_by_another_until_its_table_changes(
    transactional_db: None, city: City
) -> None:
    expected = _watching_groups_and_districts()
    assert kept_total(_groups_and_districts()) == expected
    _as_another_process()
    with CaptureQueriesContext(connection) as shared:
        assert kept_total(_groups_and_districts()) == expected
    assert len(shared) == 1  # the counters only: the counts came from the first process
    District.objects.create(name="Eichlinghofen", official_key="05913999")
    _as_another_process()
    with CaptureQueriesContext(connection) as counted:
        assert kept_total(_groups_and_districts()) == expected + 1
    assert len(counted) == 2 and "core_district" in counted[1]["sql"]


def test_rows_and_results_of_one_process_are_read_by_another(
    transactional_db: None, city: City
) -> None:
    watch(TargetGroup)
    install_triggers()
    (codes,) = kept_rows([_codes()])
    first = cached("test.shared", [TargetGroup], "k", lambda: sorted(_codes()))
    _as_another_process()
    with CaptureQueriesContext(connection) as shared:
        assert kept_rows([_codes()]) == [codes]
        assert cached("test.shared", [TargetGroup], "k", lambda: ["computed again"]) == first
    assert all("core_tableversion" in query["sql"] for query in shared)
    TargetGroup.objects.create(code="neu", label="Neu")
    _as_another_process()
    assert "neu" in kept_rows([_codes()])[0]
    assert cached("test.shared", [TargetGroup], "k", lambda: ["computed again"]) == [
        "computed again"
    ]


def test_with_sharing_off_every_process_computes_its_own(
    transactional_db: None, city: City, settings: Any
) -> None:
    settings.KEPT_SHARED = "off"
    watch(TargetGroup)
    install_triggers()
    assert cached("test.own", [TargetGroup], "k", lambda: "first") == "first"
    _as_another_process()
    assert cached("test.own", [TargetGroup], "k", lambda: "second") == "second"


def test_a_result_that_cannot_be_shared_is_kept_in_its_own_process(
    transactional_db: None, city: City
) -> None:
    watch(TargetGroup)
    install_triggers()
    lock = threading.Lock()  # cannot be pickled
    assert cached("test.unpicklable", [TargetGroup], "k", lambda: lock) is lock
    assert cached("test.unpicklable", [TargetGroup], "k", lambda: None) is lock  # kept here
    _as_another_process()
    assert cached("test.unpicklable", [TargetGroup], "k", lambda: None) is None


def test_a_result_larger_than_the_shared_limit_is_kept_in_its_own_process(
    transactional_db: None, city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(changes, "SHARED_MAX_BYTES", 100)
    watch(TargetGroup)
    install_triggers()
    assert cached("test.large", [TargetGroup], "k", lambda: "x" * 1000) == "x" * 1000
    assert cached("test.small", [TargetGroup], "k", lambda: "small") == "small"
    _as_another_process()
    assert cached("test.large", [TargetGroup], "k", lambda: "again") == "again"
    assert cached("test.small", [TargetGroup], "k", lambda: "again") == "small"
