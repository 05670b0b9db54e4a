"""Help output for commands whose description carries examples and file formats, and the
one way a command reports a refused file."""

from __future__ import annotations

from argparse import RawDescriptionHelpFormatter
from typing import Any

from django.conf import settings
from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    DjangoHelpFormatter,
)

from doconnect.core.importing import ImportFailed


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


def problems_error(exc: ImportFailed, what: str) -> CommandError:
    """A refused file as a command error: ``what`` happened ("nothing written"), how many
    problems, then each as FILE:LINE: field: message (at most IMPORT_MAX_ERRORS)."""
    count = len(exc.problems)
    return CommandError(
        f"{what}, {count} problem{'s' if count != 1 else ''}:\n"
        + exc.format(limit=settings.IMPORT_MAX_ERRORS)
    )
