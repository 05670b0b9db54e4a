from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from doconnect.core.backup import BackupError, restore
from doconnect.core.management.formatting import ExampleCommand

EPILOG = """\
Restores a file of `doconnect backup` into the database DOCONNECT_DATABASE_URL points
at, which must be empty (no tables): a non-empty one is refused and left alone. All or
nothing: a failed restore leaves the database empty. Prints every table's row count.

examples:
  createdb doconnect_restored   # PostgreSQL: a new, empty database
  DOCONNECT_DATABASE_URL=postgresql://doconnect@/doconnect_restored doconnect restore B.dump
  DOCONNECT_DATABASE_URL=sqlite:///var/restored.sqlite3 doconnect restore B.sqlite3
"""


class Command(ExampleCommand):
    help = "Restore a backup of `doconnect backup` into an empty database."
    epilog = EPILOG
    # The target is empty: the system checks would look for tables that are not there yet.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the backup file")

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            counts = restore(file)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for table, count in counts.items():
            self.stdout.write(f"{table:<45} {count:>10,}")
        self.stdout.write(f"restored {file}: {len(counts)} tables, {sum(counts.values()):,} rows")
