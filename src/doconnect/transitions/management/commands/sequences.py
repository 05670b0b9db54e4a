"""``doconnect sequences`` for Django (``call_command``, ``manage.py``): the command is
``doconnect.transitions.sequences_command`` (options, actions, messages), which the
``doconnect`` front door runs without Django; this adds Django's options and help
layout and turns a refused call into a ``CommandError``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from doconnect.core.management.formatting import ExampleCommand
from doconnect.transitions import sequences_command


class Command(ExampleCommand):
    help = sequences_command.HELP
    epilog = sequences_command.EPILOG

    def add_arguments(self, parser: CommandParser) -> None:
        from doconnect.transitions.engine.tiles import TILE

        sequences_command.add_arguments(parser, tile=TILE)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            sequences_command.run(options, self.stdout.write)
        except sequences_command.Refused as exc:
            raise CommandError(str(exc)) from exc
