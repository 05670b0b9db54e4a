"""``doconnect audit``: the access log as CSV (or text) for the data-protection
officer — the same query (``core.audit.audit_events``) as the page /audit/. One line
per event *and* person, so a spreadsheet can filter by person: a list read of 50
persons is one event in the log and 50 lines here. Pseudonyms only, no names."""

from __future__ import annotations

import csv
from typing import Any

from django.core.management.base import CommandParser

from doconnect.core.audit import AuditFilter, audit_events, person_reads
from doconnect.core.management.formatting import ExampleCommand, day_option

EPILOG = """\
examples:
  doconnect audit --format csv > audit.csv
  doconnect audit --user koordination --since 2026-01-01 --format csv
  doconnect audit --person P-7K2M9QXA --format text
"""

COLUMNS = ["at", "user", "organisation", "action", "view", "purpose", "person", "fields"]


class Command(ExampleCommand):
    help = "The access log (who read whom when), filtered, as CSV or text."
    epilog = EPILOG

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", metavar="USERNAME", default="", help="only this user")
        parser.add_argument("--person", metavar="PERSON", default="", help="only this pseudonym")
        parser.add_argument("--since", metavar="YYYY-MM-DD", help="from this day on")
        parser.add_argument("--until", metavar="YYYY-MM-DD", help="up to this day")
        parser.add_argument("--format", choices=["csv", "text"], default="csv")

    def handle(self, *args: Any, **options: Any) -> None:
        criteria = AuditFilter(
            user=options["user"],
            person=str(options["person"]).strip().upper(),
            since=day_option("--since", options["since"]) if options["since"] else None,
            until=day_option("--until", options["until"]) if options["until"] else None,
        )
        events = audit_events(criteria).prefetch_related("persons")
        writer = csv.writer(self.stdout) if options["format"] == "csv" else None
        if writer:
            writer.writerow(COLUMNS)
        for event in events.iterator(chunk_size=2000):
            reads = person_reads(event)
            if criteria.person:  # the one asked about, not the list it was read in
                reads = [(p, f) for p, f in reads if p == criteria.person]
            for person, fields in reads:
                row = [
                    event.at.isoformat(timespec="seconds"),
                    event.actor_username,
                    event.actor_organisation,
                    event.action,
                    event.view,
                    event.purpose,
                    person,
                    " ".join(fields),
                ]
                if writer:
                    writer.writerow(row)
                else:
                    self.stdout.write("  ".join(row))
