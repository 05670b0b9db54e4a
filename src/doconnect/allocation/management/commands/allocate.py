"""``doconnect allocate``: the city-wide allocation, optimal, compared with first come
first served. From files, or from the database's current open demand (stored as a run
with proposed referrals, as the allocation page does)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from doconnect.allocation.engine.files import (
    CANDIDATE_COLUMNS,
    MAX_CAPACITY,
    MAX_COST,
    MAX_PRIORITY,
    OUT_COLUMNS,
    PERSON_COLUMNS,
    PLACE_COLUMNS,
    allocate_files,
)
from doconnect.allocation.engine.problem import AllocationError
from doconnect.core.management.formatting import ExampleCommand, problems_error
from doconnect.files.importing import ImportFailed

EPILOG = f"""\
files (UTF-8 CSV with a header line; commas or semicolons; columns in any order):
  --persons     {",".join(PERSON_COLUMNS)}          priority: integer 1..{MAX_PRIORITY:,}
  --places      {",".join(PLACE_COLUMNS)}           capacity: integer 0..{MAX_CAPACITY:,}
  --candidates  {",".join(CANDIDATE_COLUMNS)}   cost: integer 0..{MAX_COST:,}, lower is better
  --out         {",".join(OUT_COLUMNS)}   written: the assigned persons only

The result is optimal: first the greatest sum of priorities of the persons placed, then,
among those, the least total cost. The summary (--summary) holds assigned,
weighted_assigned, total_cost and unassigned, the same for the first-come-first-served
baseline ("greedy"), and why persons stayed unplaced.

All or nothing: a bad file (unknown ids, duplicate ids or pairs, negative or non-integer
numbers, missing columns …) writes nothing, lists every problem as FILE:LINE: field:
message (at most DOCONNECT_IMPORT_MAX_ERRORS) and exits with status 1. Progress goes to
standard error (-v 0 silences it).

Without files, the database mode: the open demand today (persons with a running
unemployed or inactive spell, not in an offer, without an open referral) and the free
places of the active offers, priorities from the recorded weights, costs from
district, fit, the route to the person's goal; stored as a run with one proposed
referral per placed person, for a coordinator to review and send. --as names the
coordinator who runs it; --dry-run shows the figures and stores nothing.

examples:
  doconnect allocate --persons persons.csv --places places.csv \\
      --candidates candidates.csv --out assignments.csv --summary summary.json
  doconnect allocate --as koordination --district Eving --dry-run
"""

FILE_OPTIONS = ("persons", "places", "candidates", "out")


class Command(ExampleCommand):
    help = "Allocate places to persons: the most at risk first, each in the best-fitting place."
    epilog = EPILOG

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--persons", metavar="P.csv", help="persons and their priority")
        parser.add_argument("--places", metavar="O.csv", help="places and their capacity")
        parser.add_argument(
            "--candidates", metavar="C.csv", help="eligible (person, place) pairs and costs"
        )
        parser.add_argument("--out", metavar="A.csv", help="where to write the assignments")
        parser.add_argument(
            "--summary", metavar="S.json", help="where to write the summary (optional)"
        )
        db = parser.add_argument_group("database mode (without files)")
        db.add_argument("--as", dest="as_user", metavar="USERNAME", help="the coordinator")
        db.add_argument("--district", default="", help="only this district (its name)")
        db.add_argument("--target-group", default="", help="only this target group (code)")
        db.add_argument(
            "--kind", action="append", default=[], help="only offers of this kind (repeatable)"
        )
        db.add_argument("--dry-run", action="store_true", help="show the figures, store nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        given = [name for name in FILE_OPTIONS if options.get(name)]
        if not given:
            self._database_mode(options)
            return
        missing = [f"--{name}" for name in FILE_OPTIONS if name not in given]
        if missing:
            raise CommandError(f"file mode needs {', '.join(missing)} as well")
        outputs = [Path(options["out"])]
        if options.get("summary"):
            outputs.append(Path(options["summary"]))
        for path in outputs:
            if not path.parent.is_dir():
                raise CommandError(f"cannot write {path}: folder {path.parent} does not exist")
        verbosity = int(options.get("verbosity", 1))

        def progress(message: str) -> None:
            if verbosity >= 1:
                self.stderr.write(message)
                self.stderr.flush()

        try:
            run = allocate_files(
                options["persons"],
                options["places"],
                options["candidates"],
                options["out"],
                options.get("summary"),
                progress=progress,
            )
        except ImportFailed as exc:
            raise problems_error(exc, "nothing written") from exc
        except AllocationError as exc:
            raise CommandError(f"nothing written: {exc}") from exc
        except OSError as exc:
            where = exc.filename or ""
            raise CommandError(f"nothing written: {where}: {exc.strerror or exc}") from exc
        figures = run.summary
        shown = {key: figures[key] for key in ("assigned", "weighted_assigned", "total_cost")}
        self.stdout.write(
            f"{options['out']}: {figures['assigned']:,} of {figures['persons']:,} persons "
            f"placed (weighted {figures['weighted_assigned']:,}, cost "
            f"{figures['total_cost']:,}); first come first served would place "
            f"{figures['greedy']['assigned']:,} (weighted "
            f"{figures['greedy']['weighted_assigned']:,}, cost "
            f"{figures['greedy']['total_cost']:,})"
        )
        if verbosity >= 2:
            self.stdout.write(json.dumps({**shown, "greedy": figures["greedy"]}))

    def _database_mode(self, options: dict[str, Any]) -> None:
        from django.contrib.auth.models import User
        from django.db import transaction

        from doconnect.allocation.services import Scope, allocation_run, may_allocate
        from doconnect.core.viewers import viewer_for

        if not options.get("as_user"):
            raise CommandError(
                "give files (--persons, --places, --candidates, --out) or, for the "
                "database mode, --as USERNAME (a coordinator)"
            )
        user = User.objects.filter(username=options["as_user"]).first()
        if user is None or not may_allocate(viewer_for(user)):
            raise CommandError(f"{options['as_user']!r} is not a coordinator")
        verbosity = int(options.get("verbosity", 1))
        scope = Scope(
            district=options["district"],
            target_group=options["target_group"],
            kinds=tuple(options["kind"]),
        )
        with transaction.atomic():
            run = allocation_run(
                started_by=user,
                scope=scope,
                propose=not options["dry_run"],
                progress=(lambda phase: self.stderr.write(phase)) if verbosity >= 1 else None,
            )
            figures = dict(run.summary)
            if options["dry_run"]:
                transaction.set_rollback(True)
        if options.get("summary"):
            Path(options["summary"]).write_text(json.dumps(figures, indent=2) + "\n")
        stored = "dry run, nothing stored" if options["dry_run"] else f"run {run.pk} stored"
        self.stdout.write(
            f"{stored}: {figures['assigned']:,} of {figures['persons']:,} waiting persons "
            f"placed in {figures['places']:,} free places (weighted "
            f"{figures['weighted_assigned']:,}, cost {figures['total_cost']:,}); first come "
            f"first served: {figures['greedy']['assigned']:,} (weighted "
            f"{figures['greedy']['weighted_assigned']:,}, cost "
            f"{figures['greedy']['total_cost']:,})"
        )
