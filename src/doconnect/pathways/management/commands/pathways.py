"""``doconnect pathways``: dead ends and gaps of the offer landscape, and next steps for
one person (read through ``pathways.access``, as the web and the API do)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError, CommandParser

from doconnect.core.management.formatting import (
    ExampleCommand,
    acting_viewer,
    problems_error,
)
from doconnect.files.importing import ImportFailed
from doconnect.offers.catalogue import Catalogue, read_catalogue
from doconnect.offers.selectors import catalogue_vocabulary
from doconnect.pathways.access import access_next_steps
from doconnect.pathways.engine.inputs import GOAL_DESTINATIONS, PathwayError
from doconnect.pathways.engine.report import PathwayReport
from doconnect.pathways.next_steps import PersonNextSteps
from doconnect.pathways.schemas import DEFAULT_LIMIT, next_steps_body
from doconnect.pathways.services import pathways_report
from doconnect.people.access import PersonNotFound

EPILOG = """\
actions:
  dead-ends   dead ends, gaps (district x target group) and single bridges of the
              offer landscape: of the database, or with --catalogue of a catalogue file
              on its own (its offers, follow-ons, districts and target groups; needs no
              database and no secret key), or with --catalogue and --with-database of
              the landscape the file would give once imported (the file is checked
              exactly like `doconnect import offers`, and nothing is written).
  next-steps  ranked next offers for one person, every factor in words. Reads the
              person through the access rules as the user given with --as (required);
              the read is audited. Only coordinators and case workers see next steps,
              as on the web and in the API.

examples:
  doconnect pathways dead-ends
  doconnect pathways dead-ends --catalogue draft-offers.json --format json
  doconnect pathways dead-ends --catalogue draft-offers.json --with-database
  doconnect pathways next-steps P-4K7M2Q9X --as fallberatung --goal apprenticeship
  doconnect pathways next-steps P-4K7M2Q9X --as fallberatung --why-not --format json
"""

VIEW = "cli:pathways next-steps"
LISTED_IN_TEXT = 20


class Command(ExampleCommand):
    help = "Pathways through the offer landscape: dead ends, gaps, next steps."
    epilog = EPILOG

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        dead = actions.add_parser("dead-ends", help="dead ends, gaps and single bridges")
        dead.add_argument(
            "--catalogue",
            metavar="FILE.json",
            help="analyse an offer catalogue file (import format) without importing it",
        )
        dead.add_argument(
            "--with-database",
            action="store_true",
            help="with --catalogue: the database's offers with the file's replacing theirs, "
            "the file checked like the import",
        )
        dead.add_argument("--format", choices=["text", "json"], default="text")
        steps = actions.add_parser("next-steps", help="ranked next steps for one person")
        steps.add_argument("person", metavar="PERSON_ID", help="the person's pseudonym")
        steps.add_argument(
            "--as",
            dest="username",
            metavar="USERNAME",
            help="the user on whose behalf the person is read (required)",
        )
        steps.add_argument(
            "--goal",
            choices=sorted(GOAL_DESTINATIONS),
            help="the person's goal destination (default: any goal)",
        )
        steps.add_argument(
            "--why-not", action="store_true", help="also list the excluded offers and why"
        )
        steps.add_argument(
            "--limit",
            type=int,
            default=DEFAULT_LIMIT,
            help=f"steps shown (default {DEFAULT_LIMIT})",
        )
        steps.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "dead-ends":
            self._dead_ends(options.get("catalogue"), options["format"], options["with_database"])
        else:
            self._next_steps(options)

    # ----------------------------------------------------------------- dead ends

    def _dead_ends(self, file: str | None, fmt: str, with_database: bool) -> None:
        try:
            report = pathways_report(
                source=self._catalogue(file) if file else None, with_database=with_database
            )
        except ImportFailed as exc:
            raise problems_error(exc, f"{file}: not analysed") from exc
        except PathwayError as exc:
            raise CommandError(str(exc)) from exc
        if fmt == "json":
            data = report.to_dict()
            data["dead_ends"] = sorted(data["dead_ends"], key=lambda d: d["offer"])
            data["source"] = file or "database"
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(_report_text(report, file or "database"))

    def _catalogue(self, file: str) -> Catalogue:
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror or exc}") from exc
        return read_catalogue(data, file=file, vocabulary=catalogue_vocabulary())

    # ----------------------------------------------------------------- next steps

    def _next_steps(self, options: dict[str, Any]) -> None:
        viewer = acting_viewer(
            options.get("username"),
            missing="next-steps reads a person's data: give --as USERNAME, the user on whose "
            "behalf it is read; the access rules and the audit trail apply as on the web",
        )
        public_id = options["person"]
        try:
            _record, found = access_next_steps(
                viewer,
                public_id,
                view=VIEW,
                goal=options.get("goal"),
                include_excluded=options["why_not"],
            )
        except PersonNotFound as exc:
            raise CommandError(f"person {public_id} not found") from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc  # the web's and the API's refusal
        limit = max(options["limit"], 0)
        if options["format"] == "json":
            data = next_steps_body(public_id, options.get("goal"), found, limit)
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(_next_steps_text(public_id, found, limit))


def _report_text(report: PathwayReport, source: str) -> str:
    dead_ends = sorted(report.dead_ends, key=lambda d: d.offer)
    lines = [
        f"Pathways / Wege ({source}): {report.offer_count} offers, "
        f"{report.link_count} follow-ons; goals: {', '.join(report.goals)}",
        "",
        f"Dead ends / Sackgassen: {len(dead_ends)}",
    ]
    lines += [f"  {d.offer}: {d.reason}" for d in dead_ends[:LISTED_IN_TEXT]]
    if len(dead_ends) > LISTED_IN_TEXT:
        lines.append(f"  … and {len(dead_ends) - LISTED_IN_TEXT} more (--format json lists all)")
    gaps = report.gaps
    lines += ["", f"Gaps / Lücken (district × target group): {len(gaps)}"]
    for gap in gaps[:LISTED_IN_TEXT]:
        what = (
            "no low-threshold entry / kein niedrigschwelliger Einstieg"
            if not gap.has_entry
            else f"{gap.entry_count} entr{'ies' if gap.entry_count != 1 else 'y'}, "
            f"no path to {', '.join(gap.missing)}"
        )
        lines.append(f"  {gap.district} × {gap.target_group}: {what}")
    if len(gaps) > LISTED_IN_TEXT:
        lines.append(f"  … and {len(gaps) - LISTED_IN_TEXT} more (--format json lists all)")
    bridges = report.single_bridges
    lines += ["", f"Single bridges / einzige Brücken: {len(bridges)}"]
    lines += [
        f"  {b.offer}: closing it would strand {b.stranded_count} "
        f"offer{'s' if b.stranded_count != 1 else ''}"
        for b in bridges[:LISTED_IN_TEXT]
    ]
    if len(bridges) > LISTED_IN_TEXT:
        lines.append(f"  … and {len(bridges) - LISTED_IN_TEXT} more (--format json lists all)")
    return "\n".join(lines)


def _next_steps_text(public_id: str, found: PersonNextSteps, limit: int) -> str:
    facts = found.facts
    result = found.result
    lines = [
        f"Next steps / nächste Schritte for {public_id}"
        f" (goal / Ziel: {facts.goal or 'any / beliebig'})",
        "Order / Reihenfolge: " + " › ".join(result.order),
        "",
    ]
    if not found.current:
        # Ranked against the last complete analysis while the worker computes the next.
        lines[-1:-1] = [
            f"Analysis as of / Auswertung vom {found.computed_at:%Y-%m-%d %H:%M} UTC"
            " (a newer one is being computed by doconnect worker)"
        ]
    if not result.steps:
        lines.append("No offer fits / kein passendes Angebot (--why-not says why).")
    for step in result.steps[:limit]:
        lines.append(f"{step.rank}. {step.offer} {found.titles.get(step.offer, '')}".rstrip())
        lines += [f"     - {f.text}" for f in step.factors]
    if len(result.steps) > limit:
        lines.append(f"… and {len(result.steps) - limit} more (--limit)")
    if result.excluded:
        lines += ["", f"Why not / warum nicht ({len(result.excluded)} offers):"]
        for ex in result.excluded:
            reasons = "; ".join(f.text for f in ex.why_not)
            lines.append(f"  {ex.offer}: {reasons}")
    return "\n".join(lines)
