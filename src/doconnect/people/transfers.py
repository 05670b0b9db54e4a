"""The people's file kinds of ``doconnect import`` and ``export``: persons delivered by
another organisation's system, and biography spells (see ``doconnect.core.transfers``)."""

from __future__ import annotations

import io
import json
from argparse import Action, ArgumentParser
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError

from doconnect.core.management.formatting import acting_viewer
from doconnect.core.transfers import Exported, ExportKind, ImportKind, register
from doconnect.files.importing import ImportResult
from doconnect.people.models import SpellState
from doconnect.people.person_import import PERSON_COLUMNS
from doconnect.people.person_import_services import (
    IMPORT_VIEW,
    PersonsImported,
    delivering_organisation,
    persons_file_chunks,
    persons_import_chunks,
)
from doconnect.people.spell_import import (
    SPELL_COLUMNS,
    SpellRow,
    read_spells_csv,
    spell_chunks,
    write_spells_csv,
)
from doconnect.people.spell_services import (
    spell_rows_by_district,
    spell_rows_export,
    spells_import,
    spells_import_chunks,
)
from doconnect.transitions.engine.aggregates import STATES_KEY
from doconnect.transitions.engine.spells_dataset import COLUMNS as DATASET_COLUMNS
from doconnect.transitions.engine.spells_dataset import NO_DISTRICT, DatasetError, DatasetWriter

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


# One line of a persons file, in the columns' order (consent_valid_until empty).
PERSON_EXAMPLE = ",".join(
    (
        "JC-100234",
        "Anna",
        "Schmidt",
        "2004-05-17",
        "female",
        "44339",
        "Bayrische Str. 12",
        "Eving",
        "SGB II",
        "hauptschule",
        "none",
        "youth_difficult_start",
        "counselling",
        "jobcenter-dortmund city-dortmund",
        "2026-11-01",
        "",
    )
)

PERSONS_HELP = f"""\
persons FILE.csv|FILE.xlsx --as USERNAME [--format json]
  {",".join(PERSON_COLUMNS)}
  {PERSON_EXAMPLE}
  Persons delivered by another organisation's system, imported on behalf of the user
  --as names (a coordinator or case worker of one organisation: that organisation is
  the delivering system). CSV as UTF-8, comma- or semicolon-separated, or
  XLSX (first sheet); at most 100,000 persons per file. source_id is the person's id in
  the delivering system: importing the same file again changes nothing, a changed line
  updates the person. Dates YYYY-MM-DD (or DD.MM.YYYY); birth_date, the names,
  consent_purpose, consent_organisations and consent_valid_from are required;
  consent_valid_until empty = until withdrawn; a new person's consent must hold today.
  gender, legal_branch and the qualifications are codes (empty: unspecified, none,
  unknown); district is an official key or a name; target_groups and
  consent_organisations hold codes and organisation ids separated by spaces (a new
  target group code is added to the city's list). The same person twice in one file
  (same source_id, or same name and birth date) is refused naming both lines. Possible
  duplicates of persons already on file are imported and queued for the coordinators'
  review. --format json prints
  {{"created": N, "updated": N, "unchanged": N, "possible_duplicates": [{{"line": L}}]}}."""


@dataclass(frozen=True)
class PersonsImportResult(ImportResult):
    """The persons import's summary: the counts, and the lines queued as possible
    duplicates; as text or as the JSON object ``--format json`` promises."""

    imported: PersonsImported | None = None
    as_json: bool = False

    def summary(self) -> str:
        imported = self.imported
        assert imported is not None
        if self.as_json:
            return json.dumps(imported.as_dict())
        text = super().summary()
        lines = imported.possible_duplicate_lines
        if lines:
            text += (
                "\npossible duplicates, queued for the coordinators' review: line"
                f"{'s' if len(lines) > 1 else ''} {', '.join(str(line) for line in lines)}"
            )
        return text


def persons_arguments(parser: ArgumentParser) -> Sequence[Action]:
    return [
        parser.add_argument(
            "--as",
            dest="as_user",
            metavar="USERNAME",
            help="persons: the user on whose behalf they are imported (required); "
            "their organisation is the delivering system",
        ),
        parser.add_argument(
            "--format",
            dest="output_format",
            choices=["text", "json"],
            default="text",
            help="persons: the summary as text (default) or as JSON",
        ),
    ]


def persons_file_import(
    data: bytes, file: str, *, as_user: str | None, output_format: str
) -> ImportResult:
    return persons_stream_import(
        io.BytesIO(data), file, as_user=as_user, output_format=output_format
    )


def persons_stream_import(
    stream: IO[bytes], file: str, *, as_user: str | None, output_format: str
) -> ImportResult:
    """The command's way: the file read and imported a chunk at a time."""
    viewer = acting_viewer(
        as_user,
        missing="import persons registers persons on behalf of a user: give --as USERNAME "
        "(a coordinator or case worker; the access rules and the audit trail apply)",
    )
    try:
        delivering_organisation(viewer)  # refuse before reading the file
        imported = persons_import_chunks(
            viewer, persons_file_chunks(stream, file=file), file=file, view=IMPORT_VIEW
        )
    except PermissionDenied as exc:
        raise CommandError(f"{as_user}: {exc}") from exc
    return PersonsImportResult(
        file=file,
        counts={
            "created": imported.created,
            "updated": imported.updated,
            "unchanged": imported.unchanged,
            "possible_duplicates": len(imported.possible_duplicate_lines),
            "target_groups_created": imported.target_groups_created,
        },
        imported=imported,
        as_json=output_format == "json",
    )


def spells_file_import(data: bytes, file: str) -> ImportResult:
    return spells_import(rows=read_spells_csv(data, file=file, states=tuple(SpellState.values)))


def spells_stream_import(stream: IO[bytes], file: str) -> ImportResult:
    """The command's way: the file read and imported a chunk at a time."""
    chunks = spell_chunks(stream, file=file, states=tuple(SpellState.values))
    return spells_import_chunks(chunks, file=file)


def spells_exported() -> Exported:
    buffer = io.StringIO()
    count = write_spells_csv(spell_rows_export(), buffer)
    return Exported(text=buffer.getvalue(), what=f"{count} spells")


SPELLS_PARQUET_HELP = f"""\
spells --format parquet --out DIR
  A Parquet dataset partitioned by district (Hive layout, read by DuckDB, pyarrow,
  Dask, Spark, pandas): DIR/district=NAME/part-00000.parquet, NAME percent-encoded,
  persons without a district under district={NO_DISTRICT}. Columns:
  {", ".join(DATASET_COLUMNS)}
  (start and end as dates, end empty while running); the district is the directory.
  Pseudonymous only: persons by pseudonym, never a name, birth date, gender, address,
  contact or note. Written all or nothing (a hidden
  directory beside DIR, renamed at the end); DIR must be new, empty or an earlier
  spells dataset, which is replaced. Several cities' datasets pool by copying their
  district directories side by side; `doconnect transitions figures DIR` reads them."""

_BATCH = 50_000  # rows a district collects before they are written (a row group)


def spells_parquet_exported(directory: Path) -> Exported:
    """Every spell into a Parquet dataset partitioned by district (the layout of
    ``transitions.engine.spells_dataset``), all or nothing."""
    try:
        metadata = {STATES_KEY: ",".join(SpellState.values), "doconnect.source": "export spells"}
        with DatasetWriter(directory, metadata=metadata) as out:
            batches: dict[str, dict[str, list[Any]]] = {}
            for district, row in spell_rows_by_district():
                batch = batches.setdefault(district, {name: [] for name in DATASET_COLUMNS})
                for name, value in zip(DATASET_COLUMNS, _dataset_values(row), strict=True):
                    batch[name].append(value)
                if len(batch["person_id"]) >= _BATCH:
                    out.write(district, batches.pop(district))
            for district, batch in sorted(batches.items()):
                out.write(district, batch)
            count = out.rows
            districts = len(out.districts)
    except DatasetError as exc:
        raise CommandError(f"--out: {exc}") from exc
    except OSError as exc:
        raise CommandError(f"cannot write {directory}: {exc.strerror or exc}") from exc
    return Exported(text="", what=f"{count} spells in {districts} districts")


def _dataset_values(row: SpellRow) -> tuple[Any, ...]:
    return (
        row.person_id,
        row.state,
        row.start,
        row.end,
        row.organisation,
        row.offer_id,
        row.kldb,
    )


register(
    ImportKind(
        name="persons",
        description="persons, CSV or XLSX: registered or updated by source_id (--as USERNAME)",
        run=persons_file_import,
        stream=persons_stream_import,
        position=15,
        help=PERSONS_HELP,
        examples=(
            "doconnect import persons jobcenter-2026-11.csv --as fallberatung",
            "doconnect import persons jobcenter-2026-11.xlsx --as fallberatung --format json",
        ),
        arguments=persons_arguments,
    ),
    ImportKind(
        name="spells",
        description="biography spells, CSV: one spell per row, added to the persons' biographies",
        run=spells_file_import,
        stream=spells_stream_import,
        position=20,
        help=SPELLS_HELP,
        examples=("doconnect import spells spells-2026-11.csv",),
    ),
    ExportKind(
        name="spells",
        description="all biography spells as CSV (persons by pseudonym only, no names)",
        run=spells_exported,
        position=20,
        help=SPELLS_PARQUET_HELP,
        examples=(
            "doconnect export spells > spells.csv",
            "doconnect export spells --format parquet --out spells-dataset",
        ),
        directory_formats=(("parquet", spells_parquet_exported),),
    ),
)
