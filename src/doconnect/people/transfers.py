"""The people's file kinds of ``doconnect import`` and ``export``: biography spells
(see ``doconnect.core.transfers``)."""

from __future__ import annotations

import io

from doconnect.core.transfers import Exported, ExportKind, ImportKind, register
from doconnect.files.importing import ImportResult
from doconnect.people.models import SpellState
from doconnect.people.spell_import import SPELL_COLUMNS, read_spells_csv, write_spells_csv
from doconnect.people.spell_services import spell_rows_export, spells_import

SPELLS_HELP = f"""\
spells FILE.csv
  {",".join(SPELL_COLUMNS)}
  P-4K7M2Q9X,unemployed,2025-01-01,,jc,
  Comma-separated (semicolons, as German Excel writes them, work too); person_id is a
  person's pseudonym, dates are YYYY-MM-DD (end empty = still running),
  organisation and offer_id are ids of existing organisations and offers (may be empty).
  An optional kldb column holds the occupation (KldB 2010, 5 digits): the job of an
  employment spell, the occupation sought in unemployment.
  Spells must respect the overlap rules, within the file and with stored spells."""


def spells_file_import(data: bytes, file: str) -> ImportResult:
    return spells_import(rows=read_spells_csv(data, file=file, states=tuple(SpellState.values)))


def spells_exported() -> Exported:
    buffer = io.StringIO()
    count = write_spells_csv(spell_rows_export(), buffer)
    return Exported(text=buffer.getvalue(), what=f"{count} spells")


register(
    ImportKind(
        name="spells",
        description="biography spells, CSV: one spell per row, added to the persons' biographies",
        run=spells_file_import,
        position=20,
        help=SPELLS_HELP,
        examples=("doconnect import spells spells-2026-11.csv",),
    ),
    ExportKind(
        name="spells",
        description="all biography spells as CSV (persons by pseudonym only, no names)",
        run=spells_exported,
        position=20,
        examples=("doconnect export spells > spells.csv",),
    ),
)
