"""Spells in bulk: the all-or-nothing import and the export in the same CSV format.
The single-spell write is people/services.py:spell_create; both apply the same overlap
rules (people/biography.py)."""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

import numpy as np
from django.db import connection, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, Lookup, Max, QuerySet

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
    """Add a file's spells, read whole, to the persons' biographies, all or nothing
    (see ``spells_import_chunks``)."""
    return spells_import_chunks([rows], file=rows.file)


@transaction.atomic
def spells_import_chunks(chunks: Iterable[SpellRows], *, file: str) -> ImportResult:
    """Add the file's spells, read chunk by chunk (``spell_chunks``), to the persons'
    biographies, all or nothing.

    Raises ImportFailed with the file's own problems, unknown persons, organisations
    and offers, and every overlap (within the file or with stored spells); then the
    transaction is rolled back, so nothing stays written. Each chunk is checked over a
    handful of queries and inserted while the file is still being read; for the
    overlaps, which may join rows far apart in the file, only a compact copy of each
    row is kept (``_Kept``), so memory grows by a few dozen bytes a row, not by the
    rows themselves.
    """
    stored_up_to = Spell.objects.aggregate(last=Max("id"))["last"] or 0
    kept = _Kept()
    problems: list[ImportProblem] = []
    for chunk in chunks:
        spells = chunk.rows
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
        problems.extend(chunk.problems)
        problems.extend(_unknown(spells, file, "person_id", persons, "person"))
        problems.extend(_unknown(spells, file, "organisation", organisations, "organisation"))
        problems.extend(_unknown(spells, file, "offer_id", offers, "offer"))
        known = [r for r in spells if r.person_id in persons]
        kept.add(known, persons)
        if not problems:  # once the file is refused, inserting more is wasted work
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
                    for r in known
                ]
            )
    problems.extend(kept.overlap_problems(file, stored_up_to))
    raise_if_any(problems)
    return ImportResult(
        file=file, counts={"spells_created": kept.count, "persons": kept.person_count()}
    )


class _Kept:
    """What the overlap check needs of every row read so far, in flat typed arrays
    (about 30 bytes a row): person, state, start, end, organisation, offer, line."""

    def __init__(self) -> None:
        self.person = array("q")
        self.state = array("H")
        self.start = array("i")
        self.end = array("i")  # 0: open
        self.organisation = array("i")
        self.offer = array("i")
        self.line = array("i")
        self._texts: dict[str, int] = {"": 0}
        self.texts: list[str] = [""]

    @property
    def count(self) -> int:
        return len(self.line)

    def _code(self, text: str) -> int:
        code = self._texts.get(text)
        if code is None:
            code = self._texts[text] = len(self.texts)
            self.texts.append(text)
        return code

    def add(self, rows: Sequence[SpellRow], persons: dict[str, int]) -> None:
        for row in rows:
            self.person.append(persons[row.person_id])
            self.state.append(self._code(row.state))
            self.start.append(row.start.toordinal())
            self.end.append(row.end.toordinal() if row.end else 0)
            self.organisation.append(self._code(row.organisation))
            self.offer.append(self._code(row.offer_id))
            self.line.append(row.line)

    def person_count(self) -> int:
        return len(set(self.person))

    def _row(self, i: int, public_id: str) -> SpellRow:
        end = self.end[i]
        return SpellRow(
            public_id,
            self.texts[self.state[i]],
            dt.date.fromordinal(self.start[i]),
            dt.date.fromordinal(end) if end else None,
            self.texts[self.organisation[i]],
            self.texts[self.offer[i]],
            line=self.line[i],
        )

    def overlap_problems(
        # 900: under SQLite's limit of 999 parameters in one query.
        self,
        file: str,
        stored_up_to: int,
        persons_at_once: int = 900,
    ) -> list[ImportProblem]:
        """Every overlap of the rows kept, with each other and with the spells stored
        before the import (id up to ``stored_up_to``), a batch of persons at a time."""
        if not self.count:
            return []
        people = np.frombuffer(self.person, dtype=np.int64)
        # Rows by person, in file order within each (a stable sort), and where each
        # person's rows begin.
        order = np.argsort(people, kind="stable")
        ordered = people[order]
        begins: list[int] = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]).tolist()
        problems: list[ImportProblem] = []
        for first in range(0, len(begins), persons_at_once):
            low = begins[first]
            high = (
                begins[first + persons_at_once]
                if first + persons_at_once < len(begins)
                else len(order)
            )
            rows_of_batch = order[low:high].tolist()
            batch = sorted({int(p) for p in ordered[low:high]})
            public_ids = dict(Person.objects.filter(pk__in=batch).values_list("pk", "public_id"))
            rows = [self._row(i, public_ids[self.person[i]]) for i in rows_of_batch]
            problems.extend(
                overlap_problems(
                    SpellRows(file=file, rows=tuple(rows)),
                    _stored_spells(public_ids, stored_up_to),
                )
            )
        return problems


def _stored_spells(public_ids: dict[int, str], stored_up_to: int) -> dict[str, list[ExistingSpell]]:
    """The persons' spells stored before the import began, by public id."""
    existing: dict[str, list[ExistingSpell]] = {}
    for part in _filtered(Spell.objects.filter(id__lte=stored_up_to), "person_id", public_ids):
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


def spell_rows_by_district() -> Iterator[tuple[str, SpellRow]]:
    """Every spell as in :func:`spell_rows_export`, with the district name of its person
    (``""`` without one), by person and start. Streamed in chunks; pseudonymous."""
    rows = Spell.objects.order_by("person__public_id", "start", "id").values_list(
        "person__district__name",
        "person__public_id",
        "state",
        "start",
        "end",
        "source_organisation__external_id",
        "offer__external_id",
        "kldb",
    )
    for district, public_id, state, start, end, organisation, offer, kldb in rows.iterator(
        chunk_size=5_000
    ):
        yield (
            district or "",
            SpellRow(public_id, state, start, end, organisation or "", offer or "", kldb),
        )
