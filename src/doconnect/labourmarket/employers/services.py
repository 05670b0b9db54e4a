"""Writes about vacancies and the postcode table: imports (all or nothing) and the
export, called by the CLI."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, TextIO

from django.db import transaction

from doconnect.core.city_services import district_locator
from doconnect.core.geo import Placed, Placement
from doconnect.core.models import District, Organisation, OrganisationKind
from doconnect.files.importing import (
    ImportFailed,
    ImportProblem,
    ImportResult,
    csv_records,
    header_problem,
    raise_if_any,
)
from doconnect.files.tables import TableWriter
from doconnect.labourmarket.employers.jobsuche import JobsucheResponse, Location, VacancyEntry
from doconnect.labourmarket.employers.models import PostcodeDistrict, Vacancy, VacancySource

# --- the postcode table ---------------------------------------------------------------

POSTCODE_COLUMNS: tuple[str, ...] = ("postcode", "district")
_POSTCODE = re.compile(r"\d{5}")


@dataclass(frozen=True)
class PostcodeRow:
    postcode: str
    district: str  # a district's name or official key
    line: int


def district_ids_by_postcode(postcodes: Iterable[str]) -> dict[str, int]:
    """The district (id) of each postcode the city's table knows."""
    wanted = {p for p in postcodes if p}
    return dict(
        PostcodeDistrict.objects.filter(postcode__in=wanted).values_list("postcode", "district_id")
    )


@dataclass(frozen=True)
class PostcodeRows:
    """A chunk of a postcode file: its good rows and the problems of its other lines."""

    rows: tuple[PostcodeRow, ...]
    problems: tuple[ImportProblem, ...] = ()


# Rows checked and handed on at a time: a large file is read as it is imported.
CHUNK_ROWS = 10_000


def read_postcodes_csv(data: bytes, *, file: str) -> list[PostcodeRow]:
    """The rows of a whole file held in memory (see ``postcode_chunks``); raises
    ImportFailed with every problem of the file itself (the districts are checked
    against the database on import)."""
    rows: list[PostcodeRow] = []
    problems: list[ImportProblem] = []
    for chunk in postcode_chunks(io.BytesIO(data), file=file):
        rows.extend(chunk.rows)
        problems.extend(chunk.problems)
    raise_if_any(problems)
    return rows


def postcode_chunks(
    stream: IO[bytes], *, file: str, chunk_rows: int | None = None
) -> Iterator[PostcodeRows]:
    """``postcode,district`` rows read from ``stream``, ``chunk_rows`` (``CHUNK_ROWS``) at
    a time. An empty file, a bad encoding, a wrong header or a malformed record raise
    ImportFailed when met; a bad row is a problem of its chunk. A postcode listed for two
    districts is refused: the table maps a postcode to one district, and one that lies in
    several is left out, so what comes from there gets no district. Across chunks only
    each postcode's first line and district are kept, to find one given twice."""
    records = csv_records(stream, file=file, empty_field="")
    _first_line, header = next(records)
    names = [h.strip() for h in header]
    bad_header = header_problem(file, names, POSTCODE_COLUMNS)
    if bad_header:
        raise ImportFailed([bad_header])
    chunk_rows = chunk_rows or CHUNK_ROWS
    rows: list[PostcodeRow] = []
    problems: list[ImportProblem] = []
    first: dict[str, tuple[int, str]] = {}  # postcode → its first line and district
    for line, record in records:
        if len(rows) >= chunk_rows:
            yield PostcodeRows(tuple(rows), tuple(problems))
            rows, problems = [], []
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(names):
            problems.append(
                ImportProblem(file, line, "", f"expected {len(names)} columns, found {len(record)}")
            )
            continue
        values = dict(zip(names, (cell.strip() for cell in record), strict=True))
        postcode, district = values["postcode"], values["district"]
        if not _POSTCODE.fullmatch(postcode):
            problems.append(
                ImportProblem(file, line, "postcode", f'"{postcode}" is not five digits')
            )
            continue
        if not district:
            problems.append(ImportProblem(file, line, "district", "is empty"))
            continue
        earlier = first.get(postcode)
        if earlier is not None:
            earlier_line, earlier_district = earlier
            problems.append(
                ImportProblem(
                    file,
                    line,
                    "postcode",
                    f"{postcode} given twice (first at line {earlier_line})"
                    + (
                        "; a postcode in several districts is left out of the table"
                        if earlier_district != district
                        else ""
                    ),
                )
            )
            continue
        first[postcode] = (line, district)
        rows.append(PostcodeRow(postcode, district, line))
    yield PostcodeRows(tuple(rows), tuple(problems))


def postcodes_import(*, rows: Sequence[PostcodeRow], file: str) -> ImportResult:
    """Import rows read whole (``read_postcodes_csv``); see ``postcodes_import_chunks``."""
    return postcodes_import_chunks([PostcodeRows(tuple(rows))], file=file)


@transaction.atomic
def postcodes_import_chunks(chunks: Iterable[PostcodeRows], *, file: str) -> ImportResult:
    """Create or change the postcodes' districts, all or nothing, a chunk at a time as
    the file is read; postcodes not in the file stay. Each chunk is written while the
    file has shown no problem; the districts are checked against the database too, but
    named only when the file itself is right (its own problems come first). Any problem
    or a reader's ImportFailed rolls back the chunks written before."""
    districts = list(District.objects.values_list("id", "name", "official_key"))
    by_name = {name: pk for pk, name, _key in districts}
    by_key = {key: pk for pk, _name, key in districts}
    file_problems: list[ImportProblem] = []
    unknown: list[ImportProblem] = []
    counts = dict.fromkeys(("postcodes_created", "postcodes_changed", "postcodes_unchanged"), 0)
    for chunk in chunks:
        file_problems.extend(chunk.problems)
        if file_problems:
            continue  # only read on, to name every problem of the file
        unknown.extend(
            ImportProblem(
                file,
                row.line,
                "district",
                f'unknown district "{row.district}" (a name or official key); known: '
                + ", ".join(sorted(by_name)),
            )
            for row in chunk.rows
            if row.district not in by_name and row.district not in by_key
        )
        if not unknown:
            _write_postcodes(chunk.rows, by_name, by_key, counts)
    raise_if_any(file_problems or unknown)
    return ImportResult(file=file, counts=counts)


def _write_postcodes(
    rows: Sequence[PostcodeRow],
    by_name: Mapping[str, int],
    by_key: Mapping[str, int],
    counts: dict[str, int],
) -> None:
    existing = PostcodeDistrict.objects.in_bulk([r.postcode for r in rows], field_name="postcode")
    created, changed = [], []
    for row in rows:
        district_id = by_name.get(row.district) or by_key[row.district]
        found = existing.get(row.postcode)
        if found is None:
            created.append(PostcodeDistrict(postcode=row.postcode, district_id=district_id))
        elif found.district_id != district_id:
            found.district_id = district_id
            changed.append(found)
    PostcodeDistrict.objects.bulk_create(created)
    PostcodeDistrict.objects.bulk_update(changed, ["district"])
    counts["postcodes_created"] += len(created)
    counts["postcodes_changed"] += len(changed)
    counts["postcodes_unchanged"] += len(rows) - len(created) - len(changed)


# --- vacancies ------------------------------------------------------------------------


def placement_for(postcodes: Iterable[str]) -> Placement:
    """How records with these postcodes are placed in districts: by their coordinates
    inside the districts' boundaries, else by the postcode table, else not at all."""
    return Placement(district_locator(), district_ids_by_postcode(postcodes))


def _location(entry: VacancyEntry, placement: Placement) -> tuple[Location, int | None, Placed]:
    """The vacancy's place: its first location inside a district's boundary, else its
    first location whose postcode is in the table, else its first location (no
    district): never guessed."""
    by_postcode: tuple[Location, int | None, Placed] | None = None
    for location in entry.locations:
        district_id, how = placement.locate(location.point, location.postcode)
        if how == Placed.COORDINATES:
            return location, district_id, how
        if how == Placed.POSTCODE and by_postcode is None:
            by_postcode = (location, district_id, how)
    if by_postcode is not None:
        return by_postcode
    return (entry.locations[0] if entry.locations else Location("", "")), None, Placed.NOT_PLACED


_VACANCY_COLUMNS = (
    "title",
    "employer_id",
    "employer_name",
    "district_id",
    "postcode",
    "place",
    "published_on",
    "entry_on",
)


@transaction.atomic
def vacancies_import(*, response: JobsucheResponse) -> ImportResult:
    """Create or update the response's vacancies by reference number (source
    ``jobsuche``), all or nothing. The district comes from the coordinates (inside a
    district's boundary), else from the postcode table (empty when the postcode is
    unknown); the employer is linked when exactly one organisation of kind
    employer has that name. Vacancies not in the response stay as they are."""
    entries = list(response.vacancies)
    placement = placement_for(p.postcode for e in entries for p in e.locations)
    employer_names = {e.employer for e in entries if e.employer}
    employers: dict[str, int | None] = {}
    for pk, name in Organisation.objects.filter(
        kind=OrganisationKind.EMPLOYER, name__in=employer_names
    ).values_list("id", "name"):
        employers[name] = None if name in employers else pk  # two of a name: no link
    existing = {
        v.reference: v
        for v in Vacancy.objects.filter(
            source=VacancySource.JOBSUCHE, reference__in=[e.reference for e in entries]
        )
    }
    created: list[Vacancy] = []
    changed: list[Vacancy] = []
    for entry in entries:
        location, district_id, how = _location(entry, placement)
        placement.counts[how] += 1
        values = {
            "title": entry.title[:300],
            "employer_id": employers.get(entry.employer),
            "employer_name": entry.employer[:300],
            "district_id": district_id,
            "postcode": location.postcode,
            "place": location.place,
            "published_on": entry.published_on,
            "entry_on": entry.entry_on,
        }
        vacancy = existing.get(entry.reference)
        if vacancy is None:
            created.append(
                Vacancy(source=VacancySource.JOBSUCHE, reference=entry.reference, **values)
            )
            continue
        if any(getattr(vacancy, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(vacancy, name, value)
            changed.append(vacancy)
    Vacancy.objects.bulk_create(created, batch_size=1000)
    Vacancy.objects.bulk_update(
        changed,
        [name.removesuffix("_id") for name in _VACANCY_COLUMNS],
        batch_size=1000,
    )
    return ImportResult(
        file=response.file,
        counts={
            "vacancies_created": len(created),
            "vacancies_updated": len(changed),
            "vacancies_unchanged": len(entries) - len(created) - len(changed),
            **placement.summary(),
        },
    )


VACANCY_EXPORT_COLUMNS: tuple[str, ...] = (
    "reference",
    "title",
    "employer",
    "postcode",
    "place",
    "district",
    "kldb",
    "published",
    "source",
)


def vacancy_rows_export(*, source: str | None = None) -> list[dict[str, str]]:
    """Every vacancy (or those of one source) as export rows, by source and reference.
    The district is the stored one: empty when the postcode is not in the table."""
    vacancies = Vacancy.objects.select_related("district", "employer").order_by(
        "source", "reference"
    )
    if source is not None:
        vacancies = vacancies.filter(source=source)
    return [
        {
            "reference": v.reference,
            "title": v.title,
            "employer": v.employer_name or (v.employer.name if v.employer else ""),
            "postcode": v.postcode,
            "place": v.place,
            "district": v.district.name if v.district else "",
            "kldb": v.kldb,
            "published": v.published_on.isoformat() if v.published_on else "",
            "source": v.source,
        }
        for v in vacancies
    ]


def write_vacancies_csv(rows: Iterable[dict[str, str]], out: TextIO) -> int:
    # Titles and employer names come from BA files: cells are neutralised (files.tables).
    writer = TableWriter(out)
    writer.writerow(VACANCY_EXPORT_COLUMNS)
    count = 0
    for row in rows:
        writer.writerow(row.get(column, "") for column in VACANCY_EXPORT_COLUMNS)
        count += 1
    return count
