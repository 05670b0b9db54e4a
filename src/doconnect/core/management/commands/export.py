from __future__ import annotations

import io
from typing import Any

from django.core.management.base import CommandError, CommandParser

from doconnect.core.management.formatting import ExampleCommand
from doconnect.files.atomic import write_atomically
from doconnect.labourmarket.employers.services import (
    VACANCY_EXPORT_COLUMNS,
    vacancy_rows_export,
    write_vacancies_csv,
)
from doconnect.offers.catalogue import catalogue_json
from doconnect.offers.selectors import catalogue_export
from doconnect.people.spell_import import write_spells_csv
from doconnect.people.spell_services import spell_rows_export

KINDS: dict[str, str] = {
    "offers": "the offer catalogue as JSON (providers and offers, sorted by id)",
    "spells": "all biography spells as CSV (persons by pseudonym only, no names)",
    "vacancies": "all vacancies as CSV (for analysis; not an import format)",
}

EPILOG = f"""\
kinds:
{chr(10).join(f"  {kind:10}{text}" for kind, text in KINDS.items())}

Offers and spells are written in the import format of the same kind, so
`doconnect import KIND FILE` reads them back. The offer catalogue is written in its
canonical form: every field present (null or [] when empty), amounts as numbers.

vacancies: {",".join(VACANCY_EXPORT_COLUMNS)}
  by source and reference; district is empty when the postcode is not in the city's
  postcode table (never guessed), published is YYYY-MM-DD.

examples:
  doconnect export offers --out catalogue.json
  doconnect export spells > spells.csv
  doconnect export vacancies --out vacancies.csv
"""


class Command(ExampleCommand):
    help = "Export data in the import format of the same kind."
    epilog = EPILOG

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=list(KINDS), help="what to export (see kinds below)")
        parser.add_argument(
            "--out",
            metavar="FILE",
            help="write to FILE (replaced as a whole) instead of standard output",
        )

    def handle(self, *args: Any, kind: str, out: str | None, **options: Any) -> None:
        if kind == "offers":
            data = catalogue_export()
            text = catalogue_json(data)
            what = f"{len(data['offers'])} offers, {len(data['providers'])} providers"
        elif kind == "vacancies":
            buffer = io.StringIO()
            count = write_vacancies_csv(vacancy_rows_export(), buffer)
            text = buffer.getvalue()
            what = f"{count} vacancies"
        else:
            buffer = io.StringIO()
            count = write_spells_csv(spell_rows_export(), buffer)
            text = buffer.getvalue()
            what = f"{count} spells"
        if out is None:
            self.stdout.write(text, ending="")
            return
        try:
            write_atomically([(out, text)])
        except OSError as exc:
            raise CommandError(f"cannot write {out}: {exc.strerror or exc}") from exc
        self.stdout.write(f"{out}: exported {what}")
