"""``doconnect transitions figures DATASET``: a state's transition figures over a spells
dataset (Parquet, a directory per district), in this process or on a Dask cluster. Reads
and writes files only (``cli.py``'s ``FILE_ONLY`` and ``WITHOUT_APPS``): no model is
imported, no database or secret key needed."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from doconnect.core.management.formatting import ExampleCommand
from doconnect.files.atomic import write_atomically
from doconnect.files.tables import TableWriter
from doconnect.transitions.engine import clara, cluster
from doconnect.transitions.engine.aggregates import (
    MAX_MONTHS,
    MIN_MONTHS,
    Figures,
    FiguresError,
    transition_figures,
)
from doconnect.transitions.engine.spells_dataset import DatasetError

EPILOG = f"""\
figures    Per district of DATASET (the layout of `doconnect export spells --format
           parquet` and `doconnect demo --state`), the persons with a spell running in
           --year, followed from January for --months months ({MIN_MONTHS}-{MAX_MONTHS}),
           as the district cohorts of /transitions/: persons, persons per month and
           state, month-to-month transitions (from -> to), the leavers of unemployment
           and their state 6, 12 and 24 months later (with the share employed). Counts
           are exact (no small-number rule: these are inputs for pooling, not for
           publication). Each district is one task: DuckDB reads its files; with
           --engine dask the tasks run on the cluster's workers (the dataset must be at
           the same path for them), with identical results.

output: --format json (default) the whole figures; --format csv the transitions as
  district,from,to,count (non-zero counts). To --out FILE (written whole) or stdout.

examples:
  doconnect transitions figures state/ --year 2024 --months 24 --out figures.json
  doconnect transitions figures state/ --year 2024 --engine dask \\
      --scheduler tcp://10.0.0.5:8786 --format csv --out transitions.csv
"""


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--today: not a date YYYY-MM-DD: {text!r}") from exc


def _json(figures: Figures) -> str:
    return json.dumps(figures.as_dict(), ensure_ascii=False, indent=1) + "\n"


def _csv(figures: Figures) -> str:
    buffer = io.StringIO()
    writer = TableWriter(buffer)
    writer.writerow(["district", "from", "to", "count"])
    for row in figures.transition_rows():
        writer.writerow(list(row))
    return buffer.getvalue()


class Command(ExampleCommand):
    help = "A state's transition figures over a spells dataset (Parquet), per district."
    epilog = EPILOG

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="figures")
        sub = actions.add_parser("figures", help="the figures per district")
        sub.add_argument("dataset", metavar="DATASET", help="the dataset's directory")
        sub.add_argument("--year", type=int, required=True, help="the cohort's year")
        sub.add_argument(
            "--months",
            type=int,
            default=36,
            help=f"months followed from January ({MIN_MONTHS}-{MAX_MONTHS}; 36)",
        )
        sub.add_argument(
            "--today",
            metavar="YYYY-MM-DD",
            help="months after this one are not yet observed (default: today)",
        )
        sub.add_argument("--engine", choices=["local", "dask"], help="where it runs (local)")
        sub.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="the Dask scheduler")
        sub.add_argument("--format", choices=["json", "csv"], default="json", dest="output")
        sub.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        engine, scheduler = options.get("engine") or "local", options.get("scheduler")
        if engine == "dask" and not scheduler:
            raise CommandError("--engine dask needs --scheduler tcp://HOST:PORT")
        if engine == "local" and scheduler:
            raise CommandError("--scheduler: only with --engine dask")
        months = options["months"]
        if not MIN_MONTHS <= months <= MAX_MONTHS:
            raise CommandError(f"--months: {MIN_MONTHS} to {MAX_MONTHS}, not {months}")
        today = _day(options["today"]) if options.get("today") else None
        dataset = Path(options["dataset"])

        def run(mapper: clara.Mapper) -> Figures:
            return transition_figures(
                dataset, year=options["year"], months=months, today=today, mapper=mapper
            )

        try:
            if engine == "dask":
                with cluster.connected(str(scheduler)) as on_cluster:
                    figures = run(on_cluster)
            else:
                figures = run(clara.local_map)
        except cluster.SchedulerError as exc:
            raise CommandError(f"--scheduler: {exc}") from exc
        except (DatasetError, FiguresError) as exc:
            raise CommandError(str(exc)) from exc
        text = _json(figures) if options["output"] == "json" else _csv(figures)
        out = options.get("out")
        if out is None:
            self.stdout.write(text, ending="")
            return
        try:
            write_atomically([(out, text)])
        except OSError as exc:
            raise CommandError(f"cannot write {out}: {exc.strerror or exc}") from exc
        persons = sum(d.persons for d in figures.districts)
        self.stdout.write(
            f"{out}: figures of {len(figures.districts)} districts, {persons:,} persons ({engine})"
        )
