"""``doconnect disclose``: disclosure control for any two-way table from a CSV file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from doconnect.core.management.formatting import ExampleCommand, problems_error
from doconnect.files.atomic import write_atomically
from doconnect.files.importing import ImportFailed
from doconnect.transparency.engine.suppress import DEFAULT_THRESHOLD, DisclosureError, protect
from doconnect.transparency.engine.table import (
    SUPPRESSED,
    TOTAL,
    format_protected,
    read_long_csv,
)

EPILOG = f"""\
input (UTF-8 CSV with a header line; commas or semicolons; other columns ignored):
  one line per (row label, column label, value); value a whole number >= 0; lines with
  the same (row, column) pair are summed, pairs that never appear count as 0.

output (UTF-8 CSV, commas, written atomically):
  ROWS,<column labels…>,{TOTAL}
  <row label>,<cells, {SUPPRESSED} where suppressed…>,<row total>
  {TOTAL},<column totals…>,<grand total>

Cells with 0 < value < threshold are suppressed (primary); zeros are published. The
totals are always published, so further cells are suppressed (secondary) until no
suppressed cell can be recomputed from the published figures — checked by linear
programming before anything is written. A bad file writes nothing and lists every
problem as FILE:LINE: column: message.

example:
  doconnect disclose persons.csv --rows district --cols target_group --value count \\
      --threshold 5 --out published.csv
"""


class Command(ExampleCommand):
    help = "Publish a two-way table safely: small cells and cells that would reveal them as *."
    epilog = EPILOG

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE.csv", help="the table as long rows")
        parser.add_argument("--rows", required=True, metavar="COL", help="the rows' column")
        parser.add_argument("--cols", required=True, metavar="COL", help="the columns' column")
        parser.add_argument("--value", required=True, metavar="COL", help="the counts' column")
        parser.add_argument(
            "--threshold",
            type=int,
            default=DEFAULT_THRESHOLD,
            help=f"smallest publishable non-zero count (default {DEFAULT_THRESHOLD})",
        )
        parser.add_argument("--out", required=True, metavar="OUT.csv", help="where to write")

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["file"])
        out = Path(options["out"])
        threshold = int(options["threshold"])
        if threshold < 1:
            raise CommandError(f"--threshold must be at least 1, not {threshold}")
        if not source.is_file():
            raise CommandError(f"{source}: no such file")
        if not out.parent.is_dir():
            raise CommandError(f"cannot write {out}: folder {out.parent} does not exist")
        try:
            table = read_long_csv(source, options["rows"], options["cols"], options["value"])
        except ImportFailed as exc:
            raise problems_error(exc, "nothing written") from exc
        except OSError as exc:
            raise CommandError(f"{source}: {exc.strerror or exc}") from exc
        try:
            protection = protect(table.cells, threshold)
        except DisclosureError as exc:
            raise CommandError(f"nothing written: {source}: {exc}") from exc
        try:
            write_atomically([(out, format_protected(table, protection, options["rows"]))])
        except OSError as exc:
            raise CommandError(f"nothing written: {out}: {exc.strerror or exc}") from exc
        rows, cols = table.cells.shape
        self.stdout.write(
            f"{out}: {rows} × {cols} cells, "
            f"{protection.primary_count + protection.secondary_count} suppressed "
            f"({protection.primary_count} primary, {protection.secondary_count} secondary), "
            f"threshold {threshold}"
        )
