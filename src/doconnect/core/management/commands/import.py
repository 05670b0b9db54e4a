from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from doconnect.core.management.formatting import ExampleCommand, problems_error
from doconnect.files.importing import ImportFailed, ImportResult
from doconnect.labourmarket.employers.jobsuche import read_jobsuche
from doconnect.labourmarket.employers.services import (
    POSTCODE_COLUMNS,
    postcodes_import,
    read_postcodes_csv,
    vacancies_import,
)
from doconnect.labourmarket.services import statistics_import
from doconnect.labourmarket.statistics_file import DIMENSIONS, read_statistics
from doconnect.offers.ba_import import SOURCES, ba_offers_import, read_ba_offers
from doconnect.offers.catalogue import read_catalogue
from doconnect.offers.selectors import catalogue_vocabulary
from doconnect.offers.services import offer_catalogue_import
from doconnect.people.models import SpellState
from doconnect.people.spell_import import SPELL_COLUMNS, read_spells_csv
from doconnect.people.spell_services import spells_import

KINDS: dict[str, str] = {
    "offers": "offer catalogue, JSON: providers and offers, created or updated by id",
    "spells": "biography spells, CSV: one spell per row, added to the persons' biographies",
    "jobsuche": "vacancies, JSON: a saved BA Jobsuche search response (v4 or v6 shape)",
    "weiterbildung": "training offers, JSON: a saved BA Weiterbildungssuche response",
    "ausbildung": "apprenticeship offers, JSON: a saved BA Ausbildungssuche response",
    "statistics": "labour-market figures, CSV or XLSX in the long format",
    "postcodes": "the postcode -> district table, CSV",
}

EPILOG = f"""\
kinds:
{chr(10).join(f"  {kind:14}{text}" for kind, text in KINDS.items())}

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
  An optional kldb column holds the occupation (KldB 2010, 5 digits): the job of an
  employment spell, the occupation sought in unemployment.
  Spells must respect the overlap rules, within the file and with stored spells.

jobsuche FILE.json
  {{"stellenangebote": [{{"refnr": "10000-1184867112-S", "beruf": "Elektroniker/in",
    "arbeitgeber": "…", "arbeitsort": {{"plz": "44137", "ort": "Dortmund"}},
    "aktuelleVeroeffentlichungsdatum": "2026-11-02", "eintrittsdatum": "2026-12-01"}}]}}
  or the v6 shape {{"ergebnisliste": [{{"referenznummer", "stellenangebotsTitel", "firma",
    "stellenlokationen": [{{"adresse": {{"plz", "ort"}}}}], "datumErsteVeroeffentlichung"}}]}}.
  Re-importing updates by reference number. The district comes from the postcode table
  (empty when the postcode is not in it, never guessed).

weiterbildung|ausbildung FILE.json
  {{"_embedded": {{"termine": [{{"id": 190000001, "angebot": {{"titel": "…",
    "bildungsanbieter": {{"id": 300001, "name": "…"}}}}, "beginn": "2026-01-05",
    "ende": "2026-06-30", "adresse": {{"ortStrasse": {{"plz": "44137", "name": "Dortmund"}}}},
    "foerderung": true, "teilnehmerMax": 12}}]}}}}
  Re-importing updates by the BA's id; fields the city changed by hand stay as they are.
  Providers are matched by name or created (id ba-anbieter-<BA id>).

statistics FILE.csv|FILE.xlsx
  region,period,indicator,{",".join(DIMENSIONS)},value
  Eving,2026-10,unemployed,15-24,female,,SGB II,,,123
  Eving,2026-10,unemployed,15-24,male,,SGB III,,,*
  Dimension columns may be left out; an empty one means "all". The BA's signs * - . x
  and an empty value are kept as signs without a value, never read as 0.

postcodes FILE.csv
  {",".join(POSTCODE_COLUMNS)}
  44137,Innenstadt-West
  district by name or official key; a postcode in several districts is left out.

examples:
  doconnect import offers catalogue.json
  doconnect import spells spells-2026-11.csv
  doconnect import jobsuche jobsuche-dortmund-2026-11-24.json
  doconnect import weiterbildung wbsuche-dortmund.json
  doconnect import statistics arbeitslose-2026-10.xlsx
"""


class Command(ExampleCommand):
    help = "Import a file into the database, all or nothing."
    epilog = EPILOG

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "kind", choices=list(KINDS), help="what the file holds (see kinds below)"
        )
        parser.add_argument(
            "file",
            metavar="FILE",
            help="the file to import, UTF-8 (with or without BOM); statistics also XLSX",
        )

    def handle(self, *args: Any, kind: str, file: str, **options: Any) -> None:
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror or exc}") from exc
        try:
            result = self._import(kind, data, file)
        except ImportFailed as exc:
            raise problems_error(exc, f"{file}: nothing imported") from exc
        self.stdout.write(result.summary())

    def _import(self, kind: str, data: bytes, file: str) -> ImportResult:
        if kind == "offers":
            catalogue = read_catalogue(data, file=file, vocabulary=catalogue_vocabulary())
            return offer_catalogue_import(catalogue=catalogue)
        if kind == "jobsuche":
            return vacancies_import(response=read_jobsuche(data, file=file))
        if kind in SOURCES:
            return ba_offers_import(response=read_ba_offers(data, file=file, source=SOURCES[kind]))
        if kind == "statistics":
            return statistics_import(statistics=read_statistics(data, file=file))
        if kind == "postcodes":
            return postcodes_import(rows=read_postcodes_csv(data, file=file), file=file)
        rows = read_spells_csv(data, file=file, states=tuple(SpellState.values))
        return spells_import(rows=rows)
