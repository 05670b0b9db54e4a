"""Writes generator tables into the database, fast: COPY on PostgreSQL, one executemany
per table on SQLite. ``orm`` writes the same rows with Django's bulk_create; it is the
baseline the benchmark compares against.

Table and column names come from the models' ``_meta``, never from strings here, so a
renamed table or column cannot silently drift away from the models.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.apps import apps
from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction
from django.db.models.deletion import SET_NULL
from psycopg import sql

from doconnect.core.models import District, Organisation, TargetGroup
from doconnect.demo.rows import Table
from doconnect.people.models import Person

LOADERS = ("fast", "orm")
ORM_BATCH = 2000


class Writer(Protocol):
    def __call__(self, table: Table) -> int: ...

    def finish(self) -> None:
        """Called once after the last table, inside the transaction."""


class _PlainWriter:
    def __init__(self, write: Callable[[Table], int]) -> None:
        self.write = write

    def __call__(self, table: Table) -> int:
        return self.write(table)

    def finish(self) -> None:
        if connection.vendor == "postgresql":
            # Run the queued deferred checks now, so the load's time includes them
            # (SQLite checks its deferred keys at commit, all at once).
            connection.check_constraints()


@dataclass(frozen=True)
class Target:
    """Where a generator table goes: the model (or many-to-many through model), its
    table, and the column and attribute name of each field."""

    model: type[models.Model]
    table: str
    columns: tuple[str, ...]
    attnames: tuple[str, ...]


def resolve(table: Table) -> Target:
    model: type[models.Model] = apps.get_model(table.model)
    if table.m2m:
        model = model._meta.get_field(table.m2m).remote_field.through  # type: ignore[union-attr]
    fields = [model._meta.get_field(name) for name in table.fields]
    concrete = [f for f in fields if isinstance(f, models.Field)]
    if len(concrete) != len(fields):
        raise ValueError(f"{table.label}: every field must be a concrete column")
    return Target(
        model=model,
        table=model._meta.db_table,
        columns=tuple(str(f.column) for f in concrete),
        attnames=tuple(f.attname for f in concrete),
    )


class _CopyWriter:
    """COPY into each table. The foreign keys of the tables it fills are dropped before
    their first row and restored by :meth:`finish`: restoring checks each constraint
    with one join over the whole table, where keeping it would queue one deferred
    trigger check per row and reference (about five million at scale 20), all run at
    commit. DDL is transactional in PostgreSQL, so a failed load restores them too."""

    def __init__(self) -> None:
        self.dropped: list[tuple[str, str, str]] = []  # table, constraint, definition
        self.seen: set[str] = set()

    def __call__(self, table: Table) -> int:
        target = resolve(table)
        if target.table not in self.seen:
            self.seen.add(target.table)
            self._drop_foreign_keys(target.table)
        return _copy(target, table.rows)

    def _drop_foreign_keys(self, table: str) -> None:
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
                [quote(table)],
            )
            constraints = cursor.fetchall()
            for name, definition in constraints:
                try:
                    # A database user that does not own the tables may not alter them:
                    # then the load keeps the constraints and is only slower.
                    with transaction.atomic():
                        cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
                except DatabaseError:
                    continue
                self.dropped.append((table, name, definition))

    def finish(self) -> None:
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for table, name, definition in self.dropped:
                cursor.execute(
                    f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}"
                )
        self.dropped.clear()
        # Checks still queued for constraints that could not be dropped run now.
        connection.check_constraints()


def _copy(target: Target, rows: list[tuple[Any, ...]]) -> int:
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(target.table), sql.SQL(", ").join(map(sql.Identifier, target.columns))
    )
    with connection.cursor() as cursor:
        # The psycopg cursor under Django's wrapper: COPY is psycopg's, not the DB-API's.
        raw = cursor.cursor
        with raw.copy(statement) as copy:
            write = copy.write_row
            for row in rows:
                write(row)
    return len(rows)


def _sqlite_writer(table: Table) -> int:
    target = resolve(table)
    quote = connection.ops.quote_name
    statement = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(target.table),
        ", ".join(quote(c) for c in target.columns),
        ", ".join("?" for _ in target.columns),
    )
    # The sqlite3 connection itself: Django's cursor wrapper would rewrite every
    # statement's placeholders and, with DEBUG, log it.
    raw = connection.connection
    assert raw is not None
    raw.executemany(statement, table.rows)
    return len(table.rows)


def _orm_converters(target: Target) -> list[Callable[[Any], Any] | None]:
    """What bulk_create needs instead of the literal text forms COPY takes."""
    converters: list[Callable[[Any], Any] | None] = []
    for attname in target.attnames:
        field = next(f for f in target.model._meta.concrete_fields if f.attname == attname)
        if isinstance(field, models.JSONField):
            converters.append(lambda v: None if v is None else json.loads(v))
        elif isinstance(field, models.DateTimeField):
            converters.append(
                lambda v: None if v is None else dt.datetime.fromisoformat(v).replace(tzinfo=dt.UTC)
            )
        else:
            converters.append(None)
    return converters


def _orm_writer(table: Table) -> int:
    target = resolve(table)
    converters = _orm_converters(target)
    attnames = target.attnames
    objects = []
    for row in table.rows:
        values = {
            name: (convert(value) if convert else value)
            for name, value, convert in zip(attnames, row, converters, strict=True)
        }
        objects.append(target.model(**values))
    target.model._default_manager.bulk_create(objects, batch_size=ORM_BATCH)
    return len(objects)


def writer_for(loader: str) -> Writer:
    if loader == "orm":
        return _PlainWriter(_orm_writer)
    if connection.vendor == "postgresql":
        return _CopyWriter()
    if connection.vendor == "sqlite":
        return _PlainWriter(_sqlite_writer)
    return _PlainWriter(_orm_writer)  # another backend: correct, only slower


def describe(loader: str) -> str:
    if loader == "orm":
        return "Django bulk_create"
    return {"postgresql": "PostgreSQL COPY", "sqlite": "SQLite executemany"}.get(
        connection.vendor, "Django bulk_create"
    )


def prepare_connection() -> None:
    """Per-connection settings that speed up one large write."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # A large page cache keeps the index B-trees of the big tables in memory.
            cursor.execute("PRAGMA cache_size = -262144")


# -- what the demo owns, and wiping it --------------------------------------------------
ROOTS: tuple[type[models.Model], ...] = (District, TargetGroup, Organisation, Person)


def _foreign_keys(model: type[models.Model]) -> Iterable[models.ForeignKey[Any, Any]]:
    for f in model._meta.concrete_fields:
        if isinstance(f, models.ForeignKey):
            yield f


def city_models() -> list[type[models.Model]]:
    """Every model holding city data: the roots and, transitively, every model that
    points at one of them (except through a nullable SET_NULL link, which is cleared
    instead). Children come before their parents, the order to delete in."""
    everything = apps.get_models(include_auto_created=True)
    owned: set[type[models.Model]] = set(ROOTS)
    changed = True
    while changed:
        changed = False
        for model in everything:
            if model in owned:
                continue
            for fk in _foreign_keys(model):
                if fk.related_model in owned and fk.remote_field.on_delete is not SET_NULL:
                    owned.add(model)
                    changed = True
                    break
    ordered: list[type[models.Model]] = []
    remaining = set(owned)
    while remaining:
        # A model can go once no other remaining model points at it.
        ready = [
            m
            for m in remaining
            if not any(
                fk.related_model is m
                for other in remaining
                if other is not m
                for fk in _foreign_keys(other)
            )
        ]
        if not ready:  # a cycle: constraints are deferred, any order works at commit
            ready = list(remaining)
        for m in sorted(ready, key=lambda m: m._meta.label):
            ordered.append(m)
            remaining.discard(m)
    return ordered


def _nullable_links_into(owned: set[type[models.Model]]) -> list[models.ForeignKey[Any, Any]]:
    return [
        fk
        for model in apps.get_models(include_auto_created=True)
        if model not in owned
        for fk in _foreign_keys(model)
        if fk.related_model in owned
    ]


def occupied() -> dict[str, int]:
    """Rows already in the city's tables (models with data only)."""
    found: dict[str, int] = {}
    for model in city_models():
        if model._meta.auto_created:
            continue
        if model._default_manager.exists():
            found[model._meta.label] = model._default_manager.count()
    return found


def wipe() -> None:
    """Delete the city's data, children first, inside the caller's transaction."""
    ordered = city_models()
    owned = set(ordered)
    quote = connection.ops.quote_name
    outside = _nullable_links_into(owned)
    with connection.cursor() as cursor:
        for fk in outside:
            cursor.execute(
                f"UPDATE {quote(fk.model._meta.db_table)} SET {quote(fk.column)} = NULL "
                f"WHERE {quote(fk.column)} IS NOT NULL"
            )
        if connection.vendor == "postgresql" and not outside:
            # One TRUNCATE of all tables: no per-row trigger work, unlike DELETE. It
            # refuses tables with deferred checks still queued by earlier writes in
            # the same transaction, so run those first.
            connection.check_constraints()
            tables = ", ".join(quote(m._meta.db_table) for m in ordered)
            cursor.execute(f"TRUNCATE {tables}")
        else:
            for model in ordered:
                cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")


def reset_sequences() -> None:
    """After explicit primary keys, point PostgreSQL's sequences past them (SQLite's
    AUTOINCREMENT bookkeeping follows explicit ids by itself)."""
    if connection.vendor != "postgresql":
        return
    statements = connection.ops.sequence_reset_sql(no_style(), city_models())
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def analyze() -> None:
    """Fresh planner statistics for the new tables (PostgreSQL; outside the load
    transaction, so the statistics describe committed data)."""
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in city_models():
            cursor.execute(f"ANALYZE {quote(model._meta.db_table)}")
