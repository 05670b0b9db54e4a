"""Help output for commands whose description carries examples and file formats."""

from __future__ import annotations

from argparse import RawDescriptionHelpFormatter
from typing import Any

from django.core.management.base import BaseCommand, CommandParser, DjangoHelpFormatter


class ExampleHelpFormatter(DjangoHelpFormatter, RawDescriptionHelpFormatter):
    """Django's option order, but the description and epilog keep their line breaks, so
    examples and format sketches stay readable."""


class ExampleCommand(BaseCommand):
    """A command whose ``--help`` ends with ``epilog`` (examples, file formats), laid out
    as written."""

    epilog: str = ""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        kwargs.setdefault("formatter_class", ExampleHelpFormatter)
        kwargs.setdefault("epilog", self.epilog)
        return super().create_parser(prog_name, subcommand, **kwargs)
