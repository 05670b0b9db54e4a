"""``doconnect import KIND FILE``: the kinds are those the domains register in their
``transfers`` modules (see ``doconnect.core.transfers``)."""

from __future__ import annotations

from argparse import Action
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from doconnect.core.management.formatting import ExampleCommand, problems_error
from doconnect.core.transfers import ImportKind, examples_help, import_kinds, kinds_help
from doconnect.files.importing import ImportFailed
from doconnect.files.jsonfile import refuse_too_big

ALL_OR_NOTHING = """\
All or nothing: if any entry is wrong, nothing is imported, every problem is listed as
FILE:LINE: field: message (at most DOCONNECT_IMPORT_MAX_ERRORS, default 100) and the
command exits with status 1."""


def epilog(kinds: list[ImportKind]) -> str:
    sections = [kinds_help(kinds), ALL_OR_NOTHING, *(kind.help for kind in kinds if kind.help)]
    return "\n\n".join([*sections, examples_help(kinds)])


class Command(ExampleCommand):
    help = "Import a file into the database, all or nothing."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        self.kinds = {kind.name: kind for kind in import_kinds()}
        # The options each kind added, to hand their values to that kind only.
        self.kind_options: dict[str, list[Action]] = {}
        kwargs.setdefault("epilog", epilog(list(self.kinds.values())))
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "kind", choices=list(self.kinds), help="what the file holds (see kinds below)"
        )
        parser.add_argument(
            "file",
            metavar="FILE",
            help="the file to import, UTF-8 (with or without BOM); statistics and persons "
            "also XLSX",
        )
        for kind in self.kinds.values():
            if kind.arguments is not None:
                self.kind_options[kind.name] = list(kind.arguments(parser))

    def handle(self, *args: Any, kind: str, file: str, **options: Any) -> None:
        values = self._kind_values(kind, options)
        chosen = self.kinds[kind]
        try:
            if chosen.stream is not None:
                with Path(file).open("rb") as stream:
                    result = chosen.stream(stream, file, **values)
            else:
                # A kind that needs the whole file: refused by its size before reading.
                refuse_too_big(Path(file).stat().st_size, file=file)
                result = chosen.run(Path(file).read_bytes(), file, **values)
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror or exc}") from exc
        except ImportFailed as exc:
            raise problems_error(exc, f"{file}: nothing imported") from exc
        self.stdout.write(result.summary())

    def _kind_values(self, kind: str, options: dict[str, Any]) -> dict[str, Any]:
        """The values of ``kind``'s own options; another kind's option given is an error."""
        for other, actions in self.kind_options.items():
            for action in actions:
                if other != kind and options.get(action.dest, action.default) != action.default:
                    flag = "/".join(action.option_strings) or action.dest
                    raise CommandError(f"{flag} is an option of import {other}, not of {kind}")
        return {action.dest: options[action.dest] for action in self.kind_options.get(kind, [])}
