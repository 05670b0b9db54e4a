"""The persons import: a file from another organisation's system (``person_import``)
registered or brought up to date all or nothing, on behalf of a user.

The rules are the registration's (``registration``): only coordinators and case
workers import; a case worker's consents must include their own organisation; a new
person's first consent must hold today; the duplicate check is the registration's
``CandidateFinder`` and its queue (``duplicates.queue_candidates``). What differs is
the scale: one finder reads each birth year once for the whole file, the checks run in
memory over a fixed number of queries, and the rows go in with bulk inserts, so a file
of 10,000 persons takes seconds, not the minutes 10,000 single registrations would.

Idempotent by the pair (delivering organisation, ``source_id``): the importing user's
organisation is the delivering system. A line whose person was delivered before (also
when that record was merged into another since) changes that person where the line
differs, and leaves them alone where it does not. The consent of a line is recorded
once: a line with the consent already on file changes nothing; the same consent (same
purpose, organisations and start) with another end extends or shortens it, unless it
was withdrawn; any other consent is recorded beside the earlier ones.

A possible duplicate of a person already on file (or of an earlier line) is imported
and queued for the coordinators' review; the result names its line, never the other
person, so the import reveals nobody the user may not see.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from array import array
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from doconnect.core.models import AuditAction, Organisation, Role
from doconnect.core.viewers import Viewer
from doconnect.files.importing import ImportProblem, raise_if_any
from doconnect.people.access import audit_reads, levels_for
from doconnect.people.access_rules import Level, Purpose
from doconnect.people.consent_actions import may_record_consent
from doconnect.people.duplicates import Candidate, CandidateFinder, queue_candidates
from doconnect.people.models import (
    ConsentPurpose,
    Gender,
    LegalBranch,
    MergedPerson,
    Person,
    SchoolQualification,
    VocationalQualification,
)
from doconnect.people.person_import import (
    PersonRow,
    PersonRows,
    PersonVocabulary,
    person_chunks,
    read_persons,
)
from doconnect.people.person_import_bulk import (
    LineChange,
    Lookups,
    NewRecord,
    changes_audit,
    filtered,
    line_change,
    lookups_for,
    persons_create,
    persons_update,
    stored_persons,
    target_groups_ensure,
)
from doconnect.people.registration import REGISTERED_FIELDS, may_register

# Zweckbindung: a delivered person enters the importing organisation's counselling.
PURPOSE = Purpose.COUNSELLING

IMPORT_VIEW = "cli:import persons"
# The roles that import (the registration's), and whose consent opens a file to them.
IMPORTING_ROLES = (Role.COORDINATOR, Role.CASE_WORKER)


@dataclass(frozen=True)
class PersonsImported:
    """What an import did, by the file's lines."""

    file: str
    created: int
    updated: int
    unchanged: int
    # The lines of persons queued as possible duplicates, in file order.
    possible_duplicate_lines: tuple[int, ...] = ()
    target_groups_created: int = 0

    def as_dict(self) -> dict[str, object]:
        """The command's ``--format json`` answer, exactly as documented."""
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "possible_duplicates": [{"line": line} for line in self.possible_duplicate_lines],
        }


def person_vocabulary() -> PersonVocabulary:
    return PersonVocabulary(
        genders=tuple(Gender.values),
        legal_branches=tuple(LegalBranch.values),
        school_qualifications=tuple(SchoolQualification.values),
        vocational_qualifications=tuple(VocationalQualification.values),
        consent_purposes=tuple(ConsentPurpose.values),
        default_gender=Gender.UNSPECIFIED,
        default_legal_branch=LegalBranch.NONE,
        default_qualification=SchoolQualification.UNKNOWN,
    )


def persons_file_read(data: bytes, *, file: str, today: dt.date | None = None) -> PersonRows:
    """Read and check a persons file (CSV or XLSX) against the model's codes."""
    return read_persons(
        data, file=file, vocabulary=person_vocabulary(), today=today or timezone.localdate()
    )


def delivering_organisation(viewer: Viewer) -> Organisation:
    """The organisation whose system the viewer's files come from: their one
    organisation in which they may register persons. PermissionDenied when they may
    not register, or may in several organisations (the file would not say which)."""
    if not may_register(viewer):
        raise PermissionDenied(_("Nur Koordination und Fallberatung nehmen Personen auf."))
    ids = viewer.orgs_with(*IMPORTING_ROLES)
    if len(ids) > 1:
        keys = ", ".join(sorted(viewer.organisation_keys.get(i, str(i)) for i in ids))
        raise PermissionDenied(
            _(
                "%(user)s nimmt in mehreren Organisationen Personen auf (%(keys)s); eine "
                "Lieferung kommt aus dem System einer Organisation: importieren Sie als "
                "Benutzer nur dieser Organisation."
            )
            % {"user": viewer.username, "keys": keys}
        )
    return Organisation.objects.get(pk=next(iter(ids)))


# ---------------------------------------------------------------- reading in bulk


def _persons_by_source(organisation: Organisation, source_ids: Collection[str]) -> dict[str, int]:
    """source_id → person id of the persons this organisation delivered before, also
    of records merged into another since (they lead to the record they went into), as
    ``registration.person_by_source`` finds one. The persons found are locked, so a
    concurrent import or edit cannot change them between our check and our write."""
    found: dict[str, int] = {}
    aliases = MergedPerson.objects.filter(source_organisation=organisation).only(
        "source_id", "merged_into_id"
    )
    for alias in filtered(aliases, "source_id", source_ids):
        found[alias.source_id] = alias.merged_into_id
    persons = (
        Person.objects.select_for_update()
        .filter(source_organisation=organisation)
        .only("pk", "source_id")
    )
    for person in filtered(persons, "source_id", source_ids):
        found[person.source_id] = person.pk
    return found


# ---------------------------------------------------------------- comparing a line


def _holds(row: PersonRow, today: dt.date) -> bool:
    until = row.consent_valid_until
    return row.consent_valid_from <= today and (until is None or until >= today)


# ---------------------------------------------------------------- the import


def _line_problems(
    viewer: Viewer, file: str, rows: Sequence[PersonRow], lookups: Lookups
) -> list[ImportProblem]:
    """What only the database knows: districts and organisations, and whether this
    user may record each line's consent."""
    problems: list[ImportProblem] = []
    for row in rows:
        if row.district and lookups.district(row.district) is None:
            problems.append(
                ImportProblem(
                    file,
                    row.line,
                    "district",
                    f'unknown district "{row.district}" (give its official key or name)',
                )
            )
        unknown = [key for key in row.consent_organisations if key not in lookups.organisations]
        if unknown:
            problems.append(
                ImportProblem(
                    file,
                    row.line,
                    "consent_organisations",
                    f"unknown organisation{'s' if len(unknown) > 1 else ''} "
                    + ", ".join(f'"{key}"' for key in unknown),
                )
            )
        elif not may_record_consent(
            viewer, [lookups.organisations[key] for key in row.consent_organisations]
        ):
            problems.append(
                ImportProblem(
                    file,
                    row.line,
                    "consent_organisations",
                    "a case worker records only consents that include their own "
                    f"organisation ({viewer.describe_organisations()})",
                )
            )
    return problems


def _new_line_problems(file: str, rows: Sequence[PersonRow], today: dt.date) -> list[ImportProblem]:
    """A new person's first consent must hold today, as when registering one by one:
    without it nobody could open the record."""
    return [
        ImportProblem(
            file,
            row.line,
            "consent_valid_from" if row.consent_valid_from > today else "consent_valid_until",
            f"a new person's first consent must hold today ({today}); this one runs "
            f"{row.consent_valid_from} to {row.consent_valid_until or 'withdrawal'}",
        )
        for row in rows
        if not _holds(row, today)
    ]


def _change_problems(
    viewer: Viewer,
    file: str,
    changes: Sequence[LineChange],
    lookups: Lookups,
    today: dt.date,
) -> list[ImportProblem]:
    """Changing a person's file is case work: the user must see the person with
    personal data in a counselling role, or the line must bring a consent that holds
    today and opens the file to the user's organisation."""
    if not changes:
        return []
    counselling = dataclasses.replace(
        viewer, memberships=tuple(m for m in viewer.memberships if m.role in IMPORTING_ROLES)
    )
    levels = levels_for(counselling, [c.stored.pk for c in changes], today=today, purpose=PURPOSE)
    own = counselling.organisation_ids
    problems = []
    for change in changes:
        row = change.row
        opens = (
            change.new_consent
            and _holds(row, today)
            and bool(own & {lookups.organisations[k] for k in row.consent_organisations})
        )
        if levels[change.stored.pk] < Level.PERSONAL and not opens:
            problems.append(
                ImportProblem(
                    file,
                    row.line,
                    "source_id",
                    f'the person delivered before as "{row.source_id}" is no longer open to '
                    f"{viewer.describe_organisations()} (no valid consent covers it); a line "
                    "that changes them needs a new consent that holds today",
                )
            )
    return problems


def _same_person_problems(
    file: str,
    rows: Sequence[PersonRow],
    existing: dict[str, int],
    first: dict[int, tuple[int, str]],
) -> list[ImportProblem]:
    """Two lines that lead to one record (two delivered records merged since).
    ``first`` (person id → line and source_id of the first line leading there) is kept
    across the chunks of a file."""
    problems = []
    for row in rows:
        person_id = existing.get(row.source_id)
        if person_id is None:
            continue
        earlier = first.setdefault(person_id, (row.line, row.source_id))
        if earlier[0] != row.line:
            line, source_id = earlier
            problems.append(
                ImportProblem(
                    file,
                    row.line,
                    "source_id",
                    f'"{source_id}" (line {line}) and "{row.source_id}" '
                    f"(line {row.line}) were merged into one person; deliver them in one line",
                )
            )
    return problems


class _NewLines:
    """The duplicate check of a file's new lines, chunk by chunk: one finder for the
    whole file, which learns each new line as a placeholder (-1, -2, … by the line's
    place among the file's new lines) until it is written, and the ids written so far
    (8 bytes a line), so a later chunk's candidate among an earlier chunk's lines is
    queued with the right person."""

    def __init__(self) -> None:
        self.finder = CandidateFinder(whole_years=True)
        self.created = array("q")

    def find(self, rows: Sequence[PersonRow]) -> list[list[Candidate]]:
        """The possible duplicates of each new line among the persons on file and the
        file's earlier new lines."""
        found = []
        for index, row in enumerate(rows, start=len(self.created)):
            found.append(self.finder.find(row.given_name, row.family_name, row.birth_date))
            self.finder.add(-(index + 1), row.given_name, row.family_name, row.birth_date)
        return found

    def queue(
        self,
        viewer: Viewer,
        found: Sequence[list[Candidate]],
        persons: Sequence[NewRecord],
        *,
        view: str,
    ) -> list[int]:
        """Remember the chunk's new persons, then queue every possible pair for the
        coordinators; the indexes (in the chunk) of the lines that had one."""
        self.created.extend(person.pk for person in persons)
        queued = []
        for index, (candidates, person) in enumerate(zip(found, persons, strict=True)):
            if not candidates:
                continue
            real = [
                dataclasses.replace(c, person_id=self.created[-c.person_id - 1])
                if c.person_id < 0
                else c
                for c in candidates
            ]
            queue_candidates(
                second=person.as_person(),
                candidates=real,
                shown=(),
                found_by_id=viewer.user_id,
                found_in=view,
            )
            queued.append(index)
        return queued


def persons_file_chunks(
    stream: IO[bytes], *, file: str, today: dt.date | None = None
) -> Iterator[PersonRows]:
    """Read and check a persons file (CSV or XLSX) from ``stream`` a chunk at a time
    (``person_import.person_chunks``) against the model's codes."""
    return person_chunks(
        stream, file=file, vocabulary=person_vocabulary(), today=today or timezone.localdate()
    )


def persons_import_as(
    viewer: Viewer,
    *,
    rows: PersonRows,
    view: str = IMPORT_VIEW,
    today: dt.date | None = None,
) -> PersonsImported:
    """Import a file read whole (``persons_file_read``); see ``persons_import_chunks``."""
    return persons_import_chunks(viewer, [rows], file=rows.file, view=view, today=today)


@dataclass
class _Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    groups_created: int = 0
    duplicate_lines: list[int] = dataclasses.field(default_factory=list)


@transaction.atomic
def persons_import_chunks(
    viewer: Viewer,
    chunks: Iterable[PersonRows],
    *,
    file: str,
    view: str = IMPORT_VIEW,
    today: dt.date | None = None,
) -> PersonsImported:
    """Register the file's new persons and bring those delivered before up to date, as
    this viewer, all or nothing, reading the file chunk by chunk (``persons_file_chunks``).

    Raises PermissionDenied (see ``delivering_organisation``) before anything is read,
    or ImportFailed with the file's own problems and everything only the database knows;
    then the transaction is rolled back, so nothing stays written. Each chunk is checked
    over a fixed number of queries and written while the file is still being read (once
    a problem is found, the rest is only checked, so every problem of the file is
    reported at once). What a later line needs of an earlier one is kept compactly: the
    keys of the same-person checks, the duplicate finder's name forms, the ids created.
    Each person created or changed is audited as a ``change``."""
    day = today or timezone.localdate()
    source = delivering_organisation(viewer)
    problems: list[ImportProblem] = []
    merged_first: dict[int, tuple[int, str]] = {}
    new_lines = _NewLines()
    counts = _Counts()
    for chunk in chunks:
        lines = list(chunk.rows)
        lookups = lookups_for(lines)
        existing = _persons_by_source(source, [row.source_id for row in lines])
        new_rows = [row for row in lines if row.source_id not in existing]
        old_rows = [row for row in lines if row.source_id in existing]
        problems += [
            *chunk.problems,
            *_line_problems(viewer, file, lines, lookups),
            *_new_line_problems(file, new_rows, day),
            *_same_person_problems(file, old_rows, existing, merged_first),
        ]
        if problems:
            continue  # nothing more is written; the rest of the file is still checked
        stored = stored_persons({existing[row.source_id] for row in old_rows})
        compared = [
            line_change(
                row,
                stored[existing[row.source_id]],
                lookups.district(row.district) if row.district else None,
            )
            for row in old_rows
        ]
        changes = [c for c in compared if c.changes_anything]
        problems += _change_problems(viewer, file, changes, lookups, day)
        if problems:
            continue
        _write_chunk(viewer, new_rows, changes, new_lines, counts, source, lookups, view)
        counts.unchanged += len(old_rows) - len(changes)
    raise_if_any(problems)
    return PersonsImported(
        file=file,
        created=counts.created,
        updated=counts.updated,
        unchanged=counts.unchanged,
        possible_duplicate_lines=tuple(counts.duplicate_lines),
        target_groups_created=counts.groups_created,
    )


def _write_chunk(
    viewer: Viewer,
    new_rows: Sequence[PersonRow],
    changes: Sequence[LineChange],
    new_lines: _NewLines,
    counts: _Counts,
    source: Organisation,
    lookups: Lookups,
    view: str,
) -> None:
    """Write a checked chunk: its new persons, its changes, the duplicate queue and the
    audit trail."""
    found = new_lines.find(new_rows)
    groups, groups_created = target_groups_ensure(
        code for row in [*new_rows, *(c.row for c in changes)] for code in row.target_groups
    )
    created = persons_create(viewer, new_rows, source=source, lookups=lookups, groups=groups)
    persons_update(viewer, changes, lookups=lookups, groups=groups)
    queued = new_lines.queue(viewer, found, created, view=view)

    changes_audit(
        viewer,
        [record.public_id for record in created],
        fields=REGISTERED_FIELDS,
        view=view,
        purpose=PURPOSE,
    )
    by_fields: dict[tuple[str, ...], list[str]] = {}
    for change in changes:
        by_fields.setdefault(tuple(change.fields), []).append(change.stored.public_id)
    for fields, public_ids in by_fields.items():
        audit_reads(
            viewer,
            [(public_id, Level.PERSONAL) for public_id in public_ids],
            view=view,
            purpose=PURPOSE,
            action=AuditAction.CHANGE,
            fields=fields,
        )
    counts.created += len(created)
    counts.updated += len(changes)
    counts.groups_created += groups_created
    counts.duplicate_lines += [new_rows[i].line for i in queued]
