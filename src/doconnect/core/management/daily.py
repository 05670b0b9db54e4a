"""The shape of a command run daily (e.g. from cron): one subcommand per job, each with
``--today`` to run for another day (a missed run, a test). ``doconnect referrals``,
``doconnect forum`` and ``doconnect tasks`` are such commands."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, ClassVar

from django.core.management.base import CommandParser
from django.utils import timezone

from doconnect.core.management.formatting import ExampleCommand, day_option


class DailyCommand(ExampleCommand):
    """A command whose subcommands (``jobs``: name → help) each run for one day:
    ``--today YYYY-MM-DD`` or, by default, today in the city's time. Subclasses write
    ``run(action, today)``."""

    jobs: ClassVar[Mapping[str, str]] = {}

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        for name, text in self.jobs.items():
            job = actions.add_parser(name, help=text)
            job.add_argument(
                "--today", metavar="YYYY-MM-DD", help="the day to run for (default: today)"
            )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        today = (
            day_option("--today", options["today"])
            if options.get("today")
            else timezone.localdate()
        )
        self.run(action, today)

    def run(self, action: str, today: dt.date) -> None:
        raise NotImplementedError
