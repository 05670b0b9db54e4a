"""Spells in bulk: the all-or-nothing import and the export in the same CSV format.
The single-spell write is people/services.py:spell_create; both apply the same overlap
rules (people/biography.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from django.db import connection, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, Lookup, QuerySet

from doconnect.core.models import Organisation
from doconnect.files.importing import ImportProblem, ImportResult, raise_if_any
from doconnect.offers.models import Offer
from doconnect.people.models import Person, Spell
from doconnect.people.spell_import import ExistingSpell, SpellRow, SpellRows, overlap_problems

M = TypeVar("M", bound=models.Model)


class _AnyOf(Lookup):
    """``column = ANY(%s)`` with all values as one array parameter. PostgreSQL plans
    this in a fraction of the time a 20,000-item ``IN (…)`` takes, and it is one query
    however long the file."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: BaseDatabaseWrapper) -> tuple[str, Any]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, list(self.rhs))


def _filtered(query: QuerySet[M], field: str, values: Iterable[object]) -> Iterator[QuerySet[M]]:
    """``query`` restricted to ``field`` in ``values``: one query on PostgreSQL; on
    SQLite chunks that fit its limit of 999 parameters."""
    items = sorted(set(values), key=str)
    if not items:
        return
    if connection.vendor == "postgresql":
        yield query.filter(_AnyOf(F(field), items))
        return
    size = max((connection.features.max_query_params or 999) - 10, 1)
    for i in range(0, len(items), size):
        yield query.filter(**{f"{field}__in": items[i : i + size]})


def _ids_by_key(query: QuerySet[M], key: str, values: Iterable[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for part in _filtered(query, key, values):
        ids.update(part.values_list(key, "id"))
    return ids


def _existing_spells(person_ids: dict[str, int]) -> dict[str, list[ExistingSpell]]:
    public_ids = {pk: public_id for public_id, pk in person_ids.items()}
    existing: dict[str, list[ExistingSpell]] = {}
    for part in _filtered(Spell.objects.all(), "person_id", public_ids.keys()):
        rows = part.values_list(
            "person_id",
            "state",
            "start",
            "end",
            "source_organisation__external_id",
            "offer__external_id",
        )
        for person_pk, state, start, end, organisation, offer in rows:
            existing.setdefault(public_ids[person_pk], []).append(
                ExistingSpell(state, start, end, organisation or "", offer or "")
            )
    return existing


def _unknown(
    rows: Sequence[SpellRow], file: str, column: str, known: dict[str, int], what: str
) -> list[ImportProblem]:
    return [
        ImportProblem(file, row.line, column, f'unknown {what} "{value}"')
        for row in rows
        if (value := getattr(row, column)) and value not in known
    ]


_INSERT_ATTNAMES = (
    "person_id",
    "state",
    "start",
    "end",
    "source_organisation_id",
    "offer_id",
    "kldb",
)
_SpellValues = tuple[int, str, dt.date, dt.date | None, int | None, int | None, str]


def _spells_insert(values: Sequence[_SpellValues]) -> None:
    """Insert checked spells in the caller's transaction, bypassing model instances:
    building 100,000 of them and their INSERT parameters costs the ORM several seconds.
    PostgreSQL takes the rows through COPY, other databases through one prepared INSERT
    run for every row. Spells have no save() logic or signals to miss."""
    quote = connection.ops.quote_name
    column_of = {f.attname: f.column for f in Spell._meta.concrete_fields if f.column}
    table = quote(Spell._meta.db_table)
    columns = ", ".join(quote(column_of[name]) for name in _INSERT_ATTNAMES)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            return
        adapt = connection.ops.adapt_datefield_value
        placeholders = ", ".join(["%s"] * len(_INSERT_ATTNAMES))
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",
            [
                (p, state, adapt(start), adapt(end), o, f, kldb)
                for p, state, start, end, o, f, kldb in values
            ],
        )


@transaction.atomic
def spells_import(*, rows: SpellRows) -> ImportResult:
    """Add the file's spells to the persons' biographies, all or nothing.

    Raises ImportFailed with the file's own problems, unknown persons, organisations
    and offers, and every overlap (within the file or with stored spells) before
    anything is written. Checks run in memory over a handful of queries, then the rows
    go in with bulk inserts.
    """
    spells = rows.rows
    file = rows.file
    # Like spell_create, lock the persons so a concurrent writer cannot slip an
    # overlapping spell in between our check and our insert.
    persons = _ids_by_key(
        Person.objects.select_for_update(), "public_id", (r.person_id for r in spells)
    )
    organisations = _ids_by_key(
        Organisation.objects.all(),
        "external_id",
        (r.organisation for r in spells if r.organisation),
    )
    offers = _ids_by_key(
        Offer.objects.all(), "external_id", (r.offer_id for r in spells if r.offer_id)
    )
    raise_if_any(
        [
            *rows.problems,
            *_unknown(spells, file, "person_id", persons, "person"),
            *_unknown(spells, file, "organisation", organisations, "organisation"),
            *_unknown(spells, file, "offer_id", offers, "offer"),
            *overlap_problems(rows, _existing_spells(persons)),
        ]
    )
    _spells_insert(
        [
            (
                persons[r.person_id],
                r.state,
                r.start,
                r.end,
                organisations.get(r.organisation),
                offers.get(r.offer_id),
                r.kldb,
            )
            for r in spells
        ]
    )
    return ImportResult(
        file=file,
        counts={"spells_created": len(spells), "persons": len({r.person_id for r in spells})},
    )


def spell_rows_export() -> Iterator[SpellRow]:
    """Every spell in the import format, by person and start. A read, streamed in
    chunks so a city's whole history does not sit in memory. Pseudonymous: persons
    appear by public id only."""
    rows = Spell.objects.order_by("person__public_id", "start", "id").values_list(
        "person__public_id",
        "state",
        "start",
        "end",
        "source_organisation__external_id",
        "offer__external_id",
        "kldb",
    )
    for public_id, state, start, end, organisation, offer, kldb in rows.iterator(chunk_size=5_000):
        yield SpellRow(public_id, state, start, end, organisation or "", offer or "", kldb)
