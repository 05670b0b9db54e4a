"""``doconnect export KIND``: the kinds are those the domains register in their
``transfers`` modules (see ``doconnect.core.transfers``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from doconnect.core.management.formatting import ExampleCommand
from doconnect.core.transfers import ExportKind, examples_help, export_kinds, kinds_help
from doconnect.files.atomic import write_atomically

ROUND_TRIP = """\
Offers and spells are written in the import format of the same kind, so
`doconnect import KIND FILE` reads them back. The offer catalogue is written in its
canonical form: every field present (null or [] when empty), amounts as numbers."""


def epilog(kinds: list[ExportKind]) -> str:
    sections = [kinds_help(kinds), ROUND_TRIP, *(kind.help for kind in kinds if kind.help)]
    return "\n\n".join([*sections, examples_help(kinds)])


class Command(ExampleCommand):
    help = "Export data in the import format of the same kind."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        self.kinds = {kind.name: kind for kind in export_kinds()}
        kwargs.setdefault("epilog", epilog(list(self.kinds.values())))
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "kind", choices=list(self.kinds), help="what to export (see kinds below)"
        )
        parser.add_argument(
            "--out",
            metavar="FILE|DIR",
            help="write to FILE (replaced as a whole) instead of standard output; "
            "a directory format writes into DIR (required)",
        )
        formats = sorted({name for kind in self.kinds.values() for name in kind.formats()})
        parser.add_argument(
            "--format",
            dest="file_format",
            choices=formats,
            help="the kind's import format (default) or a further one it offers "
            "(spells: parquet, see below)",
        )

    def handle(
        self, *args: Any, kind: str, out: str | None, file_format: str | None, **options: Any
    ) -> None:
        export = self.kinds[kind]
        if file_format not in (None, export.format):
            self._export_directory(export, file_format, out)
            return
        exported = export.run()
        if out is None:
            self.stdout.write(exported.text, ending="")
            return
        try:
            write_atomically([(out, exported.text)])
        except OSError as exc:
            raise CommandError(f"cannot write {out}: {exc.strerror or exc}") from exc
        self.stdout.write(f"{out}: exported {exported.what}")

    def _export_directory(
        self, export: ExportKind, file_format: str | None, out: str | None
    ) -> None:
        writers = dict(export.directory_formats)
        if file_format not in writers:
            raise CommandError(
                f"--format {file_format}: {export.name} is exported as "
                f"{' or '.join(export.formats())}"
            )
        if out is None:
            raise CommandError(f"--format {file_format} writes a directory: give --out DIR")
        exported = writers[file_format](Path(out))
        self.stdout.write(f"{out}: exported {exported.what}")
