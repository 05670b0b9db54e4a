"""Change counters and the results kept while they stand (core.changes): every way of
writing a watched table counts — the ORM's save, a bulk update, a delete, raw SQL — and
a kept result is computed afresh after any of them, never inside a transaction."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from doconnect.core.changes import cached, install_triggers, table_versions, watch
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
