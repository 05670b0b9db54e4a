"""Erasures (DSGVO Art. 17) that reach a restored backup.

Backups are not rewritten; a database restored from one is as old as the backup and
holds again every person erased since. The audit log knows those erasures (action
``erase``, the pseudonym and the time — no personal data), but the restored database's
log is as old as the rest. So:

- ``erasure_log(since)`` lists the erasures from the audit log, and
  ``doconnect privacy erasures --out FILE.csv`` writes them (``person,erased_at``) — the
  nightly backup job copies that file off the machine beside the backup, so the list
  survives the loss of the database;
- after a restore, ``doconnect privacy replay-erasures FILE.csv --as USER`` erases
  each listed person still in the database again (``erasures_replay``), all or nothing,
  with an ``erase`` audit event each naming the original time; persons not there
  (registered after the backup, or erased already) are reported and need nothing.
  Running it twice changes nothing the second time.

The replay needs no consent: the erasure was decided and audited when it was first
made; it only needs a coordinator (``--as``) to be named in the trail.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from doconnect.core.models import AuditAction, AuditEvent, Role
from doconnect.core.viewers import Viewer
from doconnect.files.importing import (
    ImportProblem,
    csv_reader,
    header_problem,
    raise_if_any,
)
from doconnect.files.tables import TableWriter
from doconnect.people.access import audit_reads
from doconnect.people.access_rules import Level
from doconnect.people.models import Person
from doconnect.people.privacy import erase_record

LOG_COLUMNS = ("person", "erased_at")
REPLAY_PURPOSE = "art17 replay"


@dataclass(frozen=True)
class Erasure:
    public_id: str
    at: dt.datetime


@dataclass(frozen=True)
class Replayed:
    erased: list[str]  # pseudonyms erased again
    absent: list[str]  # pseudonyms not in this database


def may_replay_erasures(viewer: Viewer) -> bool:
    return viewer.has_role(Role.COORDINATOR)


def erasure_log(since: dt.datetime | None = None) -> list[Erasure]:
    """Every erasure in the audit log (after ``since``), oldest first, each pseudonym
    once (the first time; a replay is an erasure again)."""
    events = AuditEvent.objects.filter(action=AuditAction.ERASE).exclude(person_public_id="")
    if since is not None:
        events = events.filter(at__gt=since)
    found: dict[str, dt.datetime] = {}
    for public_id, at in events.order_by("at", "id").values_list("person_public_id", "at"):
        found.setdefault(public_id, at)
    return [Erasure(public_id, at) for public_id, at in found.items()]


def erasure_log_csv(erasures: Sequence[Erasure]) -> str:
    """The log as CSV: ``person,erased_at`` (ISO 8601 with offset), pseudonyms only."""
    out = io.StringIO()
    writer = TableWriter(out, lineterminator="\n")
    writer.writerow(LOG_COLUMNS)
    writer.writerows((e.public_id, e.at.isoformat()) for e in erasures)
    return out.getvalue()


def read_erasure_log(text: str, *, file: str) -> list[Erasure]:
    """The erasures of a log file; every problem as ``FILE:LINE: field: message`` in
    one ``ImportFailed``, nothing read."""
    rows = list(csv_reader(text))
    if not rows:
        raise_if_any([ImportProblem(file, 1, "", "the file is empty (expected person,erased_at)")])
    problem = header_problem(file, rows[0], LOG_COLUMNS)
    if problem is not None:
        raise_if_any([problem])
    problems: list[ImportProblem] = []
    erasures = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = dict(zip(rows[0], row, strict=False))
        public_id = values.get("person", "").strip().upper()
        if not public_id.startswith("P-") or len(public_id) > 20:
            problems.append(ImportProblem(file, line, "person", f"not a pseudonym: {public_id!r}"))
        text_at = values.get("erased_at", "").strip()
        try:
            at = dt.datetime.fromisoformat(text_at)
        except ValueError:
            problems.append(
                ImportProblem(file, line, "erased_at", f"not a time (ISO 8601): {text_at!r}")
            )
            continue
        if at.tzinfo is None:
            problems.append(ImportProblem(file, line, "erased_at", "the time needs its offset"))
            continue
        erasures.append(Erasure(public_id, at))
    raise_if_any(problems)
    return erasures


@transaction.atomic
def erasures_replay(viewer: Viewer, erasures: Sequence[Erasure], *, view: str) -> Replayed:
    """Erase again every listed person still in this database, all or nothing, each
    with an ``erase`` audit event by ``viewer`` naming the first erasure's time.
    Coordinators only (PermissionDenied)."""
    if not may_replay_erasures(viewer):
        raise PermissionDenied("Only a coordinator may replay erasures.")
    wanted = {e.public_id: e for e in erasures}
    present = {p.public_id: p for p in Person.objects.filter(public_id__in=list(wanted))}
    erased = []
    for public_id, erasure in wanted.items():
        person = present.get(public_id)
        if person is None:
            continue
        at = timezone.localtime(erasure.at)
        audit_reads(
            viewer,
            [(public_id, Level.PERSONAL)],
            view=view,
            purpose=f"{REPLAY_PURPOSE} {at:%Y-%m-%d %H:%M}",
            action=AuditAction.ERASE,
        )
        erase_record(person)
        erased.append(public_id)
    return Replayed(erased=erased, absent=[p for p in wanted if p not in present])
