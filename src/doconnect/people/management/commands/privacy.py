"""``doconnect privacy export|erase``: a data-subject request from the command line —
the same ``people.privacy`` functions as the coordinator's page (/privacy/), with the
same rule (a coordinator with a valid consent covering their organisation) and the
same audit trail, on behalf of ``--as USERNAME``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from doconnect.core.management.formatting import ExampleCommand, acting_viewer
from doconnect.files.atomic import write_atomically
from doconnect.files.importing import ImportFailed, decode_utf8
from doconnect.people.access import PersonNotFound
from doconnect.people.erasure_replay import (
    erasure_log,
    erasure_log_csv,
    erasures_replay,
    read_erasure_log,
)
from doconnect.people.privacy import person_data_export, person_erase

EPILOG = """\
actions:
  export           writes everything stored about the person (DSGVO Art. 15) as JSON
  erase            erases the person and everything hanging off them (DSGVO Art. 17);
                   the audit trail keeps the pseudonym and the reason
  erasures         writes the erasure log (person,erased_at: pseudonyms and times only)
                   from the audit log, [--since TIME]; the nightly backup copies it
                   off the machine beside the backup
  replay-erasures  after a restore: erases every person of an erasure log who is in
                   the database again, all or nothing, audited; a second run changes
                   nothing

examples:
  doconnect privacy export P-7K2M9QXA --as koordination --out auskunft.json
  doconnect privacy erase P-7K2M9QXA --as koordination --reason "Antrag vom 3.12."
  doconnect privacy erasures --out var/erasures.csv
  doconnect privacy replay-erasures var/erasures.csv --as koordination
"""


class Command(ExampleCommand):
    help = "Data-subject requests: export (Art. 15) or erase (Art. 17) a person."
    epilog = EPILOG

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        export = actions.add_parser("export", help="a person's data as JSON (Art. 15)")
        erase = actions.add_parser("erase", help="erase a person (Art. 17)")
        for sub in (export, erase):
            sub.add_argument("person", metavar="PERSON", help="the person's pseudonym")
            sub.add_argument(
                "--as",
                dest="username",
                metavar="USERNAME",
                help="the coordinator acting (required)",
            )
        export.add_argument("--out", metavar="FILE.json", help="write here (default: stdout)")
        erase.add_argument("--reason", metavar="TEXT", help="why (required; audited)")
        log = actions.add_parser("erasures", help="write the erasure log (pseudonyms, times)")
        log.add_argument("--out", metavar="FILE.csv", help="write here (default: stdout)")
        log.add_argument(
            "--since", metavar="TIME", help="only erasures after this ISO time or date"
        )
        replay = actions.add_parser(
            "replay-erasures", help="after a restore: erase the logged persons again"
        )
        replay.add_argument("log", metavar="FILE.csv", help="an erasure log (privacy erasures)")
        replay.add_argument(
            "--as",
            dest="username",
            metavar="USERNAME",
            help="the coordinator named in the audit trail (required)",
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "erasures":
            self._erasures(options.get("out"), options.get("since"))
            return
        if action == "replay-erasures":
            self._replay(options["log"], options.get("username"))
            return
        viewer = acting_viewer(
            options.get("username"),
            missing=f"privacy {action} reads a person's data: give --as USERNAME, the "
            "coordinator acting; the access rules and the audit trail apply as on the web",
        )
        public_id = str(options["person"]).strip().upper()
        try:
            if action == "export":
                self._export(viewer, public_id, options.get("out"))
            else:
                if not (options.get("reason") or "").strip():
                    raise CommandError("privacy erase: give --reason TEXT (it is audited)")
                person_erase(
                    viewer=viewer,
                    public_id=public_id,
                    reason=options["reason"],
                    view="cli:person_erase",
                )
                self.stdout.write(f"{public_id} erased; the audit trail keeps the pseudonym.")
        except PersonNotFound as exc:
            raise CommandError(f"person {public_id} not found") from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc

    def _erasures(self, out: str | None, since: str | None) -> None:
        after = None
        if since:
            try:
                after = dt.datetime.fromisoformat(since)
            except ValueError as exc:
                raise CommandError(f"--since: not an ISO time or date: {since!r}") from exc
            if timezone.is_naive(after):
                after = timezone.make_aware(after)
        text = erasure_log_csv(erasure_log(after))
        if out is None:
            self.stdout.write(text, ending="")
        else:
            write_atomically([(out, text)])

    def _replay(self, log: str, username: str | None) -> None:
        viewer = acting_viewer(
            username,
            missing="privacy replay-erasures: give --as USERNAME, the coordinator named "
            "in the audit trail",
        )
        path = Path(log)
        try:
            text = decode_utf8(path.read_bytes(), file=log)
        except OSError as exc:
            raise CommandError(f"{log}: {exc.strerror}") from exc
        try:
            erasures = read_erasure_log(text, file=log)
            done = erasures_replay(viewer, erasures, view="cli:replay_erasures")
        except ImportFailed as exc:
            raise CommandError(exc.format()) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{len(done.erased)} erased again, {len(done.absent)} not in this database "
            f"(of {len(erasures)} in {log})."
        )
        for public_id in done.erased:
            self.stdout.write(f"erased again: {public_id}")

    def _export(self, viewer: Any, public_id: str, out: str | None) -> None:
        data = person_data_export(viewer=viewer, public_id=public_id, view="cli:person_data_export")
        text = json.dumps(data, ensure_ascii=False, indent=2)
        if out is None:
            self.stdout.write(text)
            return
        try:
            Path(out).write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot write {out}: {exc.strerror or exc}") from exc
        self.stdout.write(f"{public_id}: written to {out}")
