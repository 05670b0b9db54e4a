from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from doconnect.core.importing import ImportFailed, ImportResult
from doconnect.core.management.formatting import ExampleCommand
from doconnect.offers.catalogue import read_catalogue
from doconnect.offers.selectors import catalogue_vocabulary
from doconnect.offers.services import offer_catalogue_import
from doconnect.people.models import SpellState
from doconnect.people.spell_import import SPELL_COLUMNS, read_spells_csv
from doconnect.people.spell_services import spells_import

KINDS: dict[str, str] = {
    "offers": "offer catalogue, JSON: providers and offers, created or updated by id",
    "spells": "biography spells, CSV: one spell per row, added to the persons' biographies",
}

EPILOG = f"""\
kinds:
{chr(10).join(f"  {kind:8}{text}" for kind, text in KINDS.items())}

All or nothing: if any entry is wrong, nothing is imported, every problem is listed as
FILE:LINE: field: message (at most DOCONNECT_IMPORT_MAX_ERRORS, default 100) and the
command exits with status 1.

offers FILE.json
  {{"providers": [{{"id": "p-eving-1", "name": "…", "district": "Eving"}}],
   "offers": [{{"id": "o-1", "provider": "p-eving-1", "title": "…", "kind": "low_threshold",
               "district": "Eving", "capacity": 12, "status": "active",
               "target_groups": ["youth_difficult_start"], "min_age": 16, "max_age": 25,
               "legal_branches": ["SGB II"], "start": "2026-01-01", "end": "2026-12-31",
               "funding": [{{"funder": "jobcenter", "amount_eur": 120000,
                            "start": "2026-01-01", "end": "2026-12-31"}}],
               "follow_ons": ["o-7", "destination:apprenticeship"],
               "description": "…", "other_rules": "…"}}]}}
  An offer needs id, provider, title and kind. Re-importing updates by id; an offer in
  the file is replaced as a whole (funding, follow-ons and target groups included).
  Unknown target group codes are added to the city's list, labelled with their code.

spells FILE.csv
  {",".join(SPELL_COLUMNS)}
  P-4K7M2Q9X,unemployed,2025-01-01,,jc,
  Comma-separated (semicolons, as German Excel writes them, work too); person_id is a
  person's pseudonym, dates are YYYY-MM-DD (end empty = still running),
  organisation and offer_id are ids of existing organisations and offers (may be empty).
  Spells must respect the overlap rules, within the file and with stored spells.

examples:
  doconnect import offers catalogue.json
  doconnect import spells spells-2026-11.csv
"""


class Command(ExampleCommand):
    help = "Import a file into the database, all or nothing."
    epilog = EPILOG

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "kind", choices=list(KINDS), help="what the file holds (see kinds below)"
        )
        parser.add_argument(
            "file", metavar="FILE", help="the file to import, UTF-8 (with or without BOM)"
        )

    def handle(self, *args: Any, kind: str, file: str, **options: Any) -> None:
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror or exc}") from exc
        try:
            result = self._import(kind, data, file)
        except ImportFailed as exc:
            count = len(exc.problems)
            raise CommandError(
                f"{file}: nothing imported, {count} problem{'s' if count != 1 else ''}:\n"
                + exc.format(limit=settings.IMPORT_MAX_ERRORS)
            ) from exc
        self.stdout.write(result.summary())

    def _import(self, kind: str, data: bytes, file: str) -> ImportResult:
        if kind == "offers":
            catalogue = read_catalogue(data, file=file, vocabulary=catalogue_vocabulary())
            return offer_catalogue_import(catalogue=catalogue)
        rows = read_spells_csv(data, file=file, states=tuple(SpellState.values))
        return spells_import(rows=rows)
