"""``doconnect scenario run FILE.json``: what a funding scenario does to providers,
capacity, pathways and coverage, and how a bridge budget is best spent."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from doconnect.core.management.formatting import ExampleCommand, problems_error
from doconnect.files.atomic import write_atomically
from doconnect.files.importing import ImportFailed
from doconnect.offers.catalogue import read_catalogue
from doconnect.offers.selectors import catalogue_vocabulary
from doconnect.pathways.engine.inputs import PathwayError
from doconnect.scenarios.engine.baseline import ScenarioInputs
from doconnect.scenarios.engine.bridge import german_number
from doconnect.scenarios.engine.results import ScenarioResult
from doconnect.scenarios.engine.scenario_file import read_scenario
from doconnect.scenarios.engine.simulate import run_scenario
from doconnect.scenarios.inputs import (
    scenario_inputs_from_catalogue,
    scenario_inputs_from_db,
    scenario_vocabulary,
)

EPILOG = """\
scenario file (JSON; see src/doconnect/scenario/README.md):
  {"name": "Kürzung Bildungsgutscheine 2027",
   "period": {"start": "2027-01-01", "end": "2027-12-31"},
   "changes": [
     {"type": "funding_change", "funder": "federal_agency", "percent": -30,
      "offer_kinds": ["further_training"]},
     {"type": "eligibility_change", "funder": "jobcenter", "target_groups": ["returners"]},
     {"type": "close_offer", "offer": "o-00012"},
     {"type": "open_offer", "offer": {"id": "o-new", "provider": "p-3", "kind": "counselling",
      "capacity": 20, "funding": [...]}}],
   "bridge_budget_eur": 200000,
   "rules": {"viability_threshold": 0.7, "bridge_weights": {"youth_difficult_start": 3}}}

Runs on the database's offers and demand (waiting persons per target group, district
and offer kind). With --catalogue on the offers of a catalogue file (import format) on
their own, without demand (coverage stays empty) and without any database or secret
key; add --with-database for the database's demand. A bad file prints every problem as
FILE:LINE: field: message and writes nothing (exit status 1).

examples:
  doconnect scenario run docs/examples/scenario-voucher-cut.json
  doconnect scenario run cut.json --format json --out result.json
  doconnect scenario run cut.json --catalogue draft-offers.json
  doconnect scenario run cut.json --catalogue draft-offers.json --with-database
"""
LISTED = 15


class Command(ExampleCommand):
    help = "Funding scenarios: providers, places, pathways and coverage before and after."
    epilog = EPILOG

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        run = actions.add_parser("run", help="run a scenario file")
        run.add_argument("file", metavar="FILE.json", help="the scenario")
        run.add_argument(
            "--catalogue", metavar="OFFERS.json", help="the offers of a catalogue file instead"
        )
        run.add_argument(
            "--with-database",
            action="store_true",
            help="with --catalogue: the database's demand for the file's offers",
        )
        run.add_argument("--format", choices=["text", "json"], default="text")
        run.add_argument("--out", metavar="FILE", help="write to FILE instead of the terminal")
        run.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            metavar="YYYY-MM-DD",
            help="the day whose waiting persons are the demand (default: today)",
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        assert action == "run"
        file = options["file"]
        out = Path(options["out"]) if options.get("out") else None
        if out is not None and not out.parent.is_dir():
            raise CommandError(f"cannot write {out}: folder {out.parent} does not exist")
        today = options.get("today") or timezone.localdate()
        try:
            spec = read_scenario(_read(file), file=file, vocabulary=scenario_vocabulary())
            inputs = self._inputs(options.get("catalogue"), today, options["with_database"])
            result = run_scenario(spec, inputs)
        except ImportFailed as exc:
            raise problems_error(exc, "nothing written") from exc
        except PathwayError as exc:
            raise CommandError(f"nothing written: {exc}") from exc
        text = (
            json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n"
            if options["format"] == "json"
            else result_text(result) + "\n"
        )
        if out is None:
            self.stdout.write(text, ending="")
            return
        try:
            write_atomically([(out, text)])
        except OSError as exc:
            raise CommandError(f"nothing written: {out}: {exc.strerror or exc}") from exc
        self.stdout.write(f"{out}: scenario {result.spec.name!r} written")

    def _inputs(self, catalogue: str | None, today: dt.date, with_database: bool) -> ScenarioInputs:
        if catalogue is None:
            return scenario_inputs_from_db(today)
        read = read_catalogue(_read(catalogue), file=catalogue, vocabulary=catalogue_vocabulary())
        return scenario_inputs_from_catalogue(read, today, with_database=with_database)


def _read(file: str) -> bytes:
    try:
        return Path(file).read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {file}: {exc.strerror or exc}") from exc


def _eur(amount: float) -> str:
    return f"{german_number(amount)} €"


def result_text(result: ScenarioResult) -> str:
    """A readable summary, German first with the English in brackets where it helps."""
    data = result.to_dict()
    summary = data["summary"]
    lines = [
        f"Szenario / scenario: {result.spec.name} "
        f"({result.spec.start.isoformat()} – {result.spec.end.isoformat()})",
        f"Regeln / rules: {data['rules']['capacity_rule']}; "
        f"Tragfähigkeit / viability threshold {result.spec.rules.viability_threshold:.0%}",
        f"Eingaben / inputs: sha256 {result.inputs_digest[:16]}…",
        "",
        f"Plätze / places: {summary['places_before']} → {summary['places_after']} "
        f"(−{summary['places_lost']}); mit Brücke / with bridge: "
        f"{summary['places_after_bridge']}",
        f"Geschlossene Angebote / offers closed: {summary['offers_closed']}",
        f"Träger unter der Schwelle / providers not viable: "
        f"{summary['providers_not_viable']} von/of {summary['providers_total']}",
    ]
    for provider in result.providers:
        if not provider.viable:
            lines.append(
                f"  {provider.provider}: {_eur(provider.funding_before_eur)} → "
                f"{_eur(provider.funding_after_eur)} ({provider.share:.0%}), "
                f"{provider.offers_closed} "
                f"Angebot{'e' if provider.offers_closed != 1 else ''} geschlossen / offers closed"
            )
    lines += ["", f"Neue Sackgassen / new dead ends: {len(result.new_dead_ends)}"]
    lines += [f"  {d['offer']}: {d['reason']}" for d in result.new_dead_ends[:LISTED]]
    if len(result.new_dead_ends) > LISTED:
        lines.append(f"  … {len(result.new_dead_ends) - LISTED} weitere / more (--format json)")
    lines += ["", f"Gebrochene Brücken / broken bridges: {len(result.broken_bridges)}"]
    lines += [f"  {b['offer']}: {b['reason']}" for b in result.broken_bridges[:LISTED]]
    lines += ["", "Versorgter Bedarf / covered demand (vorher → nachher → mit Brücke):"]
    before = summary["demand_covered_before"]
    after = summary["demand_covered_after"]
    bridged = summary["demand_covered_after_bridge"]
    for group in sorted(before):
        lines.append(
            f"  {group}: {before[group]:g} → {after.get(group, 0):g} → {bridged.get(group, 0):g}"
        )
    bridge = result.bridge
    lines += [
        "",
        f"Brückenbudget / bridge budget: {_eur(bridge.budget_eur)}, eingesetzt / spent "
        f"{_eur(bridge.spent_eur)} ({bridge.status})",
    ]
    for allocation in bridge.allocations[:LISTED]:
        lines.append(
            f"  {allocation.offer}: {_eur(allocation.eur)} → {allocation.places_kept} "
            + ("Platz" if allocation.places_kept == 1 else "Plätze")
            + (" (Träger erhalten / provider kept)" if allocation.reopened else "")
        )
    if len(bridge.allocations) > LISTED:
        lines.append(f"  … {len(bridge.allocations) - LISTED} weitere / more (--format json)")
    lines += [f"  · {price.text}" for price in bridge.shadow_prices]
    if result.warnings:
        lines += ["", "Hinweise / warnings:"] + [f"  {w}" for w in result.warnings]
    return "\n".join(lines)
