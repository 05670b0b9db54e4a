"""``doconnect demo``: load the synthetic demo city."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from doconnect.demo import loader
from doconnect.demo.generator import DEFAULT_SCALE, DEFAULT_SEED, DEMO_PASSWORD
from doconnect.demo.services import (
    MAX_SEED,
    DemoRefused,
    LoadReport,
    existing_demo_logins,
    has_persons,
    load_demo_city,
    refusal_reason,
)
from doconnect.demo.state import PERSONS_PER_SCALE, write_state
from doconnect.transitions.engine.spells_dataset import DatasetError

# Short names for the summary, in the order a reader looks for them.
SUMMARY_LABELS: tuple[tuple[str, str], ...] = (
    ("core.District", "districts"),
    ("core.TargetGroup", "target groups"),
    ("core.Organisation", "organisations"),
    ("offers.Offer", "offers"),
    ("offers.FollowOn", "follow-ons"),
    ("offers.FundingLine", "funding lines"),
    ("employers.Vacancy", "vacancies"),
    ("people.Person", "persons"),
    ("people.Spell", "spells"),
    ("people.Consent", "consents"),
    ("agreements.Agreement", "agreements"),
    ("agreements.AgreementItem", "agreement items"),
    ("referrals.Referral", "referrals"),
    ("labourmarket.Statistic", "statistics"),
)


def _scale(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from exc
    if not 0 < value <= 100:
        raise argparse.ArgumentTypeError("the scale must be above 0 and at most 100")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from exc
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"the seed must be between 0 and {MAX_SEED}")
    return value


class Command(BaseCommand):
    help = (
        "Build the synthetic demo city (a Dortmund look-alike: 12 districts, providers, "
        "offers, persons with five-year biographies, employers, vacancies and one login "
        "per role) and load it in a single transaction. Everything it creates is marked "
        "synthetic. Refuses a database that already holds data unless --replace is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=_scale,
            default=DEFAULT_SCALE,
            help="Size factor for persons, providers, offers, employers and vacancies "
            "(1 = about 5,000 persons and 300 offers; 20 = 100,000 persons). The 12 "
            "districts do not scale. Default: %(default)s.",
        )
        parser.add_argument(
            "--seed",
            type=_seed,
            default=DEFAULT_SEED,
            help="Random seed; the same seed and scale always build the same city. "
            "Default: %(default)s.",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the persons, organisations, offers, vacancies and everything "
            "attached to them first (in the same transaction), then load the demo city. "
            "Existing demo logins get their demo password back.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load only if the database holds no persons; otherwise print "
            '"demo city already loaded" and exit successfully (for `make run`).',
        )
        parser.add_argument(
            "--loader",
            choices=loader.LOADERS,
            default="fast",
            help="fast: COPY on PostgreSQL, executemany on SQLite; orm: Django's "
            "bulk_create (slower; the benchmark's baseline). Default: %(default)s.",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print the final summary as one JSON object instead of text.",
        )
        parser.add_argument(
            "--state",
            action="store_true",
            help="Instead of the city: write a synthetic federal state (53 districts and "
            f"towns of NRW, --scale N × {PERSONS_PER_SCALE:,} persons, 72 months of "
            "monthly spells 2021-01 … 2026-12 with the demo city's state mix) as a "
            "Parquet spells dataset into --out DIR, the layout of `export spells "
            "--format parquet`. Files only: no database, no secret key.",
        )
        parser.add_argument(
            "--out",
            metavar="DIR",
            help="--state: the dataset's directory (new, empty or an earlier dataset, "
            "which is replaced; written all or nothing)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["state"] or options["out"]:
            self._write_state(options)
            return
        if options["if_empty"] and options["replace"]:
            raise CommandError("--if-empty and --replace contradict each other; pick one")
        if options["if_empty"]:
            if has_persons():
                self.stdout.write("demo city already loaded")
                self._print_logins(existing_demo_logins())
                return
            reason = refusal_reason()
            if reason is not None:
                self.stdout.write(f"demo city not loaded: {reason}")
                return
        verbose = options["verbosity"] > 0

        def progress(message: str) -> None:
            if verbose:
                self.stderr.write(message)

        try:
            report = load_demo_city(
                seed=options["seed"],
                scale=options["scale"],
                replace=options["replace"],
                loader_name=options["loader"],
                progress=progress,
            )
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(self._as_json(report), ensure_ascii=False))
        else:
            self._print_summary(report)

    @staticmethod
    def _as_json(report: LoadReport) -> dict[str, Any]:
        return {
            "seed": report.seed,
            "scale": report.scale,
            "loader": report.loader,
            "method": report.method,
            "seconds": report.seconds,
            "generate_seconds": round(report.generate_seconds, 2),
            "write_seconds": round(report.write_seconds, 2),
            "rows": report.rows,
            "counts": report.counts,
            "logins": [
                {"role": role, "username": username, "password": password}
                for role, username, password in report.logins
            ],
        }

    def _print_summary(self, report: LoadReport) -> None:
        out = self.stdout
        out.write(
            self.style.SUCCESS(
                f"Demo city loaded: {report.rows:,} rows in {report.seconds:.1f} s "
                f"({report.method}, seed {report.seed}, scale {report.scale:g})."
            )
        )
        for label, name in SUMMARY_LABELS:
            out.write(f"  {name:<16} {report.counts.get(label, 0):>12,}")
        self._print_logins(report.logins)

    def _print_logins(self, logins: list[tuple[str, str, str]]) -> None:
        out = self.stdout
        out.write(f"Demo logins (all with password {DEMO_PASSWORD!r}; synthetic data only):")
        out.write(f"  {'role':<16} {'username':<14} password")
        for role, username, password in logins:
            out.write(f"  {role:<16} {username:<14} {password}")

    def _write_state(self, options: dict[str, Any]) -> None:
        if not options["state"]:
            raise CommandError("--out: only with --state (the city is loaded into the database)")
        if not options["out"]:
            raise CommandError("--state writes files: give --out DIR")
        for name in ("replace", "if_empty"):
            if options[name]:
                raise CommandError(f"--{name.replace('_', '-')}: not with --state")
        persons = max(1, round(options["scale"] * PERSONS_PER_SCALE))
        try:
            summary = write_state(Path(options["out"]), persons=persons, seed=options["seed"])
        except DatasetError as exc:
            raise CommandError(f"--out: {exc}") from exc
        except OSError as exc:
            raise CommandError(f"cannot write {options['out']}: {exc.strerror or exc}") from exc
        if options["json"]:
            self.stdout.write(json.dumps(summary.as_dict(), ensure_ascii=False))
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Synthetic state written to {summary.directory}: {summary.persons:,} persons, "
                f"{summary.spells:,} spells in {summary.districts} districts, "
                f"{summary.months} months from {summary.first_month}, "
                f"{summary.seconds:.1f} s (seed {options['seed']})."
            )
        )
