"""The labour market's file kinds of ``doconnect import`` and ``export``: BA vacancies,
labour-market figures and the postcode table (see ``doconnect.core.transfers``)."""

from __future__ import annotations

import io
from typing import IO

from doconnect.core.city_services import organisations_import, organisations_import_chunks
from doconnect.core.directory_file import (
    ORGANISATION_COLUMNS,
    ORGANISATION_OPTIONAL,
    organisation_chunks,
    read_organisations_csv,
)
from doconnect.core.models import OrganisationKind
from doconnect.core.transfers import Exported, ExportKind, ImportKind, register
from doconnect.files.importing import ImportResult
from doconnect.labourmarket.employers.jobsuche import read_jobsuche
from doconnect.labourmarket.employers.services import (
    POSTCODE_COLUMNS,
    VACANCY_EXPORT_COLUMNS,
    district_ids_by_postcode,
    postcode_chunks,
    postcodes_import,
    postcodes_import_chunks,
    read_postcodes_csv,
    vacancies_import,
    vacancy_rows_export,
    write_vacancies_csv,
)
from doconnect.labourmarket.services import statistics_import, statistics_import_chunks
from doconnect.labourmarket.statistics_file import DIMENSIONS, read_statistics, statistic_chunks

JOBSUCHE_HELP = """\
jobsuche FILE.json
  {"stellenangebote": [{"refnr": "10000-1184867112-S", "beruf": "Elektroniker/in",
    "arbeitgeber": "…", "arbeitsort": {"plz": "44137", "ort": "Dortmund"},
    "aktuelleVeroeffentlichungsdatum": "2026-11-02", "eintrittsdatum": "2026-12-01"}]}
  or the v6 shape {"ergebnisliste": [{"referenznummer", "stellenangebotsTitel", "firma",
    "stellenlokationen": [{"adresse": {"plz", "ort"}}], "datumErsteVeroeffentlichung"}]}.
  Re-importing updates by reference number. The district comes from the coordinates
  (arbeitsort.koordinaten {lat, lon}; v6: stellenlokationen[].koordinaten {breite,
  laenge}) inside the districts' boundaries, else from the postcode table, else none:
  never guessed. The summary says how many were placed how."""

ORGANISATIONS_HELP = f"""\
organisations FILE.csv
  {",".join(ORGANISATION_COLUMNS)}[,{",".join(ORGANISATION_OPTIONAL)}]
  jobcenter,Jobcenter Musterstadt,jobcenter,Mitte,
  b-werk,Beispiel Werkstatt GmbH,employer,,25.62,44137,51.5136,7.4653
  kind one of: {", ".join(OrganisationKind.values)}; district a name or official key.
  An empty district is taken from lat,lon (WGS 84) inside the districts' boundaries,
  else from the postcode table, else left empty: never guessed. Updated by id."""

STATISTICS_HELP = f"""\
statistics FILE.csv|FILE.xlsx
  region,period,indicator,{",".join(DIMENSIONS)},value
  Eving,2026-10,unemployed,15-24,female,,SGB II,,,123
  Eving,2026-10,unemployed,15-24,male,,SGB III,,,*
  Dimension columns may be left out; an empty one means "all". The BA's signs * - . x
  and an empty value are kept as signs without a value, never read as 0."""

POSTCODES_HELP = f"""\
postcodes FILE.csv
  {",".join(POSTCODE_COLUMNS)}
  44137,Innenstadt-West
  district by name or official key; a postcode in several districts is left out."""

VACANCIES_EXPORT_HELP = f"""\
vacancies: {",".join(VACANCY_EXPORT_COLUMNS)}
  by source and reference; district is empty when the postcode is not in the city's
  postcode table (never guessed), published is YYYY-MM-DD."""


def jobsuche_import(data: bytes, file: str) -> ImportResult:
    return vacancies_import(response=read_jobsuche(data, file=file))


def organisations_file_import(data: bytes, file: str) -> ImportResult:
    rows = read_organisations_csv(data, file=file, kinds=OrganisationKind.values)
    # Assembled here, not in core: the postcode table is the labour market's.
    return organisations_import(rows=rows, file=file, postcode_districts=district_ids_by_postcode)


def organisations_stream_import(stream: IO[bytes], file: str) -> ImportResult:
    """The command's way: the file read and imported a chunk at a time."""
    chunks = organisation_chunks(stream, file=file, kinds=OrganisationKind.values)
    return organisations_import_chunks(
        chunks, file=file, postcode_districts=district_ids_by_postcode
    )


def statistics_file_import(data: bytes, file: str) -> ImportResult:
    return statistics_import(statistics=read_statistics(data, file=file))


def statistics_stream_import(stream: IO[bytes], file: str) -> ImportResult:
    """The command's way: the file read and imported a chunk at a time."""
    return statistics_import_chunks(statistic_chunks(stream, file=file), file=file)


def postcodes_file_import(data: bytes, file: str) -> ImportResult:
    return postcodes_import(rows=read_postcodes_csv(data, file=file), file=file)


def postcodes_stream_import(stream: IO[bytes], file: str) -> ImportResult:
    """The command's way: the file read and imported a chunk at a time."""
    return postcodes_import_chunks(postcode_chunks(stream, file=file), file=file)


def vacancies_exported() -> Exported:
    buffer = io.StringIO()
    count = write_vacancies_csv(vacancy_rows_export(), buffer)
    return Exported(text=buffer.getvalue(), what=f"{count} vacancies")


register(
    ImportKind(
        name="organisations",
        description="organisations (city, Jobcenter, providers, employers …), CSV",
        run=organisations_file_import,
        stream=organisations_stream_import,
        position=2,
        help=ORGANISATIONS_HELP,
        examples=("doconnect import organisations organisations.csv",),
    ),
    ImportKind(
        name="jobsuche",
        description="vacancies, JSON: a saved BA Jobsuche search response (v4 or v6 shape)",
        run=jobsuche_import,
        position=30,
        help=JOBSUCHE_HELP,
        examples=("doconnect import jobsuche jobsuche-dortmund-2026-11-24.json",),
    ),
    ImportKind(
        name="statistics",
        description="labour-market figures, CSV or XLSX in the long format",
        run=statistics_file_import,
        stream=statistics_stream_import,
        position=60,
        help=STATISTICS_HELP,
        examples=("doconnect import statistics arbeitslose-2026-10.xlsx",),
    ),
    ImportKind(
        name="postcodes",
        description="the postcode -> district table, CSV",
        run=postcodes_file_import,
        stream=postcodes_stream_import,
        position=70,
        help=POSTCODES_HELP,
    ),
    ExportKind(
        name="vacancies",
        description="all vacancies as CSV (for analysis; not an import format)",
        run=vacancies_exported,
        position=30,
        help=VACANCIES_EXPORT_HELP,
        examples=("doconnect export vacancies --out vacancies.csv",),
    ),
)
