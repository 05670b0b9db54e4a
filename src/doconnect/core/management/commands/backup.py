from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from doconnect.core.backup import BackupError, backup
from doconnect.core.management.formatting import ExampleCommand

EPILOG = """\
PostgreSQL: pg_dump's custom format (one consistent snapshot while the platform runs);
SQLite: SQLite's online backup API. The file holds personal data and is readable by
its owner only: encrypt it before it leaves the machine (docs/deployment.md, "Backups").
Restore with `doconnect restore FILE` into an empty database.

examples:
  doconnect backup
  doconnect backup --out /srv/backups/doconnect-$(date +%F).dump
"""


class Command(ExampleCommand):
    help = "Back up the whole database into one file (default var/backups/doconnect-DATE.*)."
    epilog = EPILOG

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, help="the backup file (must not exist)")

    def handle(self, *args: Any, out: Path | None, **options: Any) -> None:
        try:
            path = backup(out)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        size = path.stat().st_size
        self.stdout.write(f"backup written: {path} ({size:,} bytes)")
