"""Benchmark: importing 100,000 biography spells from CSV, all or nothing.

Starts a throwaway PostgreSQL cluster (or, with --sqlite, a temporary SQLite file),
migrates, creates 20,000 persons with one stored spell each, writes a CSV of 100,000
new spells (5 per person, checked against the stored spell and each other), then times
reading + checking + inserting, and the export of all spells. The baseline, in the same
run, is the plainest way to write the same rows: Django's ``bulk_create`` of unchecked
Spell objects for already-known persons, rolled back afterwards. Prints the timings, the
ratio import / baseline and one JSON summary line; exits 1 when the checked import is
more than MAX_RATIO times slower than that unchecked baseline, or a row count is wrong.

    .venv/bin/python bench/spells_import.py            # 100,000 rows on PostgreSQL
    .venv/bin/python bench/spells_import.py --small    # 10,000 rows
    .venv/bin/python bench/spells_import.py --sqlite
"""

from __future__ import annotations

import argparse
import io
import json
import time

from _database import throwaway_database

MAX_RATIO = 1.0  # the checked import must not be slower than an unchecked ORM insert
SPELLS_PER_PERSON = 5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="10,000 rows instead of 100,000")
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    args = parser.parse_args()
    rows_wanted = 10_000 if args.small else 100_000
    backend = throwaway_database(sqlite=args.sqlite)

    import datetime as dt

    from doconnect.core.models import Organisation
    from doconnect.people.models import Person, Spell, SpellState
    from doconnect.people.spell_import import SPELL_COLUMNS, read_spells_csv, write_spells_csv
    from doconnect.people.spell_services import spell_rows_export, spells_import

    Organisation.objects.create(external_id="jc", name="Jobcenter", kind="jobcenter")
    persons = Person.objects.bulk_create(
        [Person() for _ in range(rows_wanted // SPELLS_PER_PERSON)], batch_size=5_000
    )
    Spell.objects.bulk_create(
        [
            Spell(person=p, state="school", start=dt.date(2005, 8, 1), end=dt.date(2014, 7, 31))
            for p in persons
        ],
        batch_size=5_000,
    )
    lines = [",".join(SPELL_COLUMNS)]
    for person in persons:
        for year in range(2015, 2015 + SPELLS_PER_PERSON):
            state = "employment" if year % 2 else "unemployed"
            lines.append(f"{person.public_id},{state},{year}-01-01,{year}-12-31,jc,")
    data = ("\n".join(lines) + "\n").encode()

    from django.db import transaction

    # Baseline: no parsing, no lookups, no overlap checks; ids already in memory.
    started = time.perf_counter()
    with transaction.atomic():
        Spell.objects.bulk_create(
            [
                Spell(
                    person_id=person.pk,
                    state="employment" if year % 2 else "unemployed",
                    start=dt.date(year, 1, 1),
                    end=dt.date(year, 12, 31),
                )
                for person in persons
                for year in range(2015, 2015 + SPELLS_PER_PERSON)
            ],
            batch_size=5_000,
        )
        transaction.set_rollback(True)
    baseline_seconds = time.perf_counter() - started

    started = time.perf_counter()
    rows = read_spells_csv(data, file="bench.csv", states=tuple(SpellState.values))
    read_seconds = time.perf_counter() - started
    result = spells_import(rows=rows)
    import_seconds = time.perf_counter() - started

    started = time.perf_counter()
    exported = write_spells_csv(spell_rows_export(), io.StringIO())
    export_seconds = time.perf_counter() - started

    created = result.counts["spells_created"]
    ok = created == rows_wanted and exported == rows_wanted + len(persons)
    print(f"backend            {backend}")
    print(f"rows               {rows_wanted:,}")
    print(f"read + check CSV   {read_seconds:6.2f} s")
    ratio = import_seconds / baseline_seconds
    print(f"baseline ORM       {baseline_seconds:6.2f} s  (bulk_create, unchecked)")
    print(f"import in total    {import_seconds:6.2f} s  (ratio {ratio:.2f}, at most {MAX_RATIO})")
    print(f"export all spells  {export_seconds:6.2f} s")
    print(
        json.dumps(
            {
                "benchmark": "spells_import",
                "backend": backend,
                "rows": rows_wanted,
                "read_seconds": round(read_seconds, 3),
                "import_seconds": round(import_seconds, 3),
                "export_seconds": round(export_seconds, 3),
                "baseline_seconds": round(baseline_seconds, 3),
                "ratio": round(ratio, 3),
                "max_ratio": MAX_RATIO,
                "ok": ok and ratio <= MAX_RATIO,
            }
        )
    )
    return 0 if ok and ratio <= MAX_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
