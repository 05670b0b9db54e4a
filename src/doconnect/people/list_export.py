"""The persons list as a file (CSV or XLSX): every person the list keeps with the user's
filters and order, with the columns the page shows — pseudonym, names only where the
user sees them (``records_for_page``, the same rule as the page), the pseudonymous
record, the current state, and of the user's own organisations' case work only the
responsible worker and the next due date (no notes, no reasons, no texts).

Each person in the file is audited as an ``export`` naming what was written of them.
The persons are read in chunks, each a fixed number of queries, so a file of 30
persons costs what one of 2 does, and a coordinator's whole city stays within SQLite's
parameter limit."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator, Sequence

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from doconnect.core.models import AuditAction
from doconnect.core.viewers import Viewer
from doconnect.files.tables import TableWriter, xlsx_value
from doconnect.people.access import (
    PersonRecord,
    audit_reads,
    may_search_names,
    records_for_page,
)
from doconnect.people.access_rules import Purpose
from doconnect.people.analyst_view import (
    QUASI_IDENTIFIERS,
    coarsened_lists,
    coarsened_records,
    district_names,
)
from doconnect.people.list_columns import DUE_LABELS, ListColumns, list_columns
from doconnect.people.models import Gender, LegalBranch, Person, SpellState

# Zweckbindung: the list's export serves what the list does: counselling.
PURPOSE = Purpose.COUNSELLING

EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CHUNK = 500
NAME_FIELDS = ("given_name", "family_name")

Cell = str | int | dt.date | None


def _header(names: bool) -> list[str]:
    return [
        _("Pseudonym"),
        *([_("Nachname"), _("Vorname")] if names else []),
        _("Geburtsjahr"),
        _("Geschlecht"),
        _("Stadtbezirk"),
        _("Rechtskreis"),
        _("Aktueller Status"),
        _("Status seit"),
        _("Zuständig"),
        _("Nächste Fälligkeit"),
        _("Art der Fälligkeit"),
    ]


class _Labels:
    """The code lists' labels in the active language, looked up once per file rather
    than once per cell (a whole city is a hundred thousand rows)."""

    def __init__(self) -> None:
        self.gender = {code: str(label) for code, label in Gender.choices}
        self.legal_branch = {code: str(label) for code, label in LegalBranch.choices}
        self.state = {code: str(label) for code, label in SpellState.choices}
        self.due = {kind: str(label) for kind, label in DUE_LABELS.items()}


def _coarse_header() -> list[str]:
    return [
        _("Pseudonym"),
        _("Altersgruppe"),
        _("Geschlecht"),
        _("Stadtbezirk"),
        _("Rechtskreis"),
        _("Schulabschluss"),
        _("Berufsabschluss"),
    ]


def _coarse_row(record: PersonRecord, districts: dict[str, str]) -> list[Cell]:
    """An analyst's row: the coarsened record only (``analyst_view``); nothing else of
    the person, not even the current state."""
    statistical = record.statistical
    if statistical is None:  # seen with names through another membership
        [statistical] = coarsened_records([record.person.pk]).values()
    words = statistical.labels(districts)
    return [record.person.public_id, *(words[name] for name in QUASI_IDENTIFIERS)]


def _row(record: PersonRecord, columns: ListColumns, names: bool, labels: _Labels) -> list[Cell]:
    person, personal = record.person, record.personal if record.shows_personal else None
    return [
        person.public_id,
        *(
            [personal.family_name if personal else "", personal.given_name if personal else ""]
            if names
            else []
        ),
        person.birth_year,
        labels.gender.get(person.gender, person.gender),
        person.district.name if person.district else "",
        labels.legal_branch.get(person.legal_branch, person.legal_branch),
        labels.state.get(columns.state, ""),
        columns.state_since,
        "; ".join(columns.workers),
        columns.due.on if columns.due else None,
        labels.due[columns.due.kind] if columns.due else "",
    ]


def _exported_fields(record: PersonRecord, columns: ListColumns, names: bool) -> list[str]:
    shown = ["pseudonymous", "spells"]
    if names and record.shows_personal and record.personal is not None:
        shown += NAME_FIELDS
    return shown + columns.read_fields


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def export_rows(
    viewer: Viewer, persons: QuerySet[Person], *, view: str, today: dt.date | None = None
) -> tuple[list[str], list[list[Cell]]]:
    """The header (in the active language) and the rows of ``persons`` in their order,
    each person audited as exported. Call inside a transaction: the file and its audit
    go together."""
    day = today or timezone.localdate()
    coarse = coarsened_lists(viewer)
    names = may_search_names(viewer) and not coarse
    districts = district_names() if coarse else {}
    purpose = PURPOSE
    ids = list(persons.values_list("pk", flat=True))
    labels = _Labels()
    rows: list[list[Cell]] = []
    for chunk in _chunks(ids):
        by_id = {p.pk: p for p in Person.objects.filter(pk__in=chunk).select_related("district")}
        # records_for_page audits a list's reads; the export audits its own kind below.
        records = records_for_page(
            viewer,
            [by_id[pk] for pk in chunk if pk in by_id],
            view=view,
            purpose=purpose,
            today=day,
            audit=False,
        )
        if coarse:
            audit_reads(
                viewer,
                [(r.person.public_id, r.level) for r in records],
                view=view,
                purpose=purpose,
                action=AuditAction.EXPORT,
                fields=["pseudonymous"],
            )
            rows += [_coarse_row(r, districts) for r in records]
            continue
        columns = list_columns(viewer, [r.person.pk for r in records], today=day)
        audit_reads(
            viewer,
            [(r.person.public_id, r.level) for r in records],
            view=view,
            purpose=purpose,
            action=AuditAction.EXPORT,
            fields_by_person={
                r.person.public_id: _exported_fields(r, columns[r.person.pk], names)
                for r in records
            },
        )
        rows += [_row(r, columns[r.person.pk], names, labels) for r in records]
    return (_coarse_header() if coarse else _header(names)), rows


def _csv(header: list[str], rows: list[list[Cell]]) -> bytes:
    """UTF-8 with a byte order mark, ``;`` between fields, CRLF lines, dates as
    YYYY-MM-DD: what German Excel opens as a table (as the charts' tables)."""
    out = io.StringIO()
    writer = TableWriter(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(header: list[str], rows: list[list[Cell]]) -> bytes:
    """One sheet, the header (bold) in the first row, years as numbers, dates as
    dates; written row by row (a whole city fits)."""
    from openpyxl import Workbook  # only loaded for exports
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(slugify(_("Personen"))[:31] or "persons")
    bold = Font(bold=True)
    cells = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    for row in rows:
        line = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=xlsx_value(value))
            if isinstance(value, dt.date):
                cell.number_format = "DD.MM.YYYY"
            line.append(cell)
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def person_list_export(
    viewer: Viewer, persons: QuerySet[Person], *, fmt: str, view: str
) -> HttpResponse:
    """The file of ``persons`` (a key of ``EXPORT_FORMATS``) as a download."""
    with transaction.atomic():
        header, rows = export_rows(viewer, persons, view=view)
    content = _csv(header, rows) if fmt == "csv" else _xlsx(header, rows)
    response = HttpResponse(content, content_type=EXPORT_FORMATS[fmt])
    filename = f"{slugify(_('Personen'))}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
