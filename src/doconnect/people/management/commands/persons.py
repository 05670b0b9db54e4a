"""``doconnect persons match-keys``: compute the duplicate check's keys of persons that
lack one (rows written before the key existed, or in bulk by another writer), or with
``--all`` of every person after DOCONNECT_PERSON_MATCH_KEY changed.

A command and not a data migration: the key is a secret of the running installation,
and a migration may run where it is not set or differs (a build or CI job, a
development copy with DEBUG's fixed key); a key computed there would be silently
wrong. A change of the key needs the very same recomputation, so one command does both,
and it can run again at any time (it only writes keys that differ). Until it runs, the
check still finds such persons through the fuzzy comparison of names within the birth
year, just without the exact match by key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from doconnect.core.management.formatting import ExampleCommand
from doconnect.people.analyst_view import disclosure_figures
from doconnect.people.duplicates import match_keys_fill

EPILOG = """\
actions:
  match-keys  computes PersonalDetails.match_key (HMAC-SHA256 of the normalised name
              and birth date with DOCONNECT_PERSON_MATCH_KEY) where it is missing;
              with --all for every person (after changing the key).
  analyst-view
              how identifying the analysts' person records are, before and after
              they are coarsened to DOCONNECT_ANALYST_K (or --k): the share of
              persons unique on them, the smallest combination, the persons
              suppressed and the level chosen per quasi-identifier. Reads only.

examples:
  doconnect persons match-keys
  doconnect persons match-keys --all
  doconnect persons analyst-view --k 10
"""


class Command(ExampleCommand):
    help = "Persons: compute the duplicate check's match keys; check the analysts' view."
    epilog = EPILOG

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        keys = actions.add_parser("match-keys", help="compute missing (or --all) match keys")
        keys.add_argument(
            "--all",
            action="store_true",
            dest="everything",
            help="recompute every key (after DOCONNECT_PERSON_MATCH_KEY changed)",
        )

        view = actions.add_parser(
            "analyst-view", help="how identifying the analysts' records are (k-anonymity)"
        )
        view.add_argument(
            "--k", type=int, default=None, help="k to check (default: DOCONNECT_ANALYST_K)"
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "analyst-view":
            self._analyst_view(options["k"])
            return
        changed = match_keys_fill(everything=options["everything"])
        self.stdout.write(f"{changed} match key{'s' if changed != 1 else ''} written.")

    def _analyst_view(self, k: int | None) -> None:
        if k is not None and k < 2:
            raise CommandError(f"--k must be at least 2; got {k}")
        figures = disclosure_figures(k=k)
        levels = ", ".join(f"{name} {level}" for name, level in figures["levels"].items())
        self.stdout.write(
            f"persons: {figures['persons']}, k = {figures['k']}\n"
            "unique on birth year, gender, district, legal branch and qualifications "
            f"(before): {figures['unique_before']:.1%}\n"
            f"unique on what analysts see (after): {figures['unique_after']:.1%}\n"
            f"smallest combination analysts see: {figures['smallest_after']}\n"
            f"suppressed: {figures['suppressed']}\n"
            f"levels (0 = as recorded): {levels}"
        )
