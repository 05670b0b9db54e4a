"""Help output for commands whose description carries examples and file formats, the
one way a command reports a refused file, and the one way it reads a day option."""

from __future__ import annotations

import datetime as dt
from argparse import RawDescriptionHelpFormatter
from typing import Any

from django.conf import settings
from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    DjangoHelpFormatter,
)

from doconnect.files.importing import ImportFailed


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


def day_option(option: str, text: str) -> dt.date:
    """The value of a day option such as ``--today`` (YYYY-MM-DD), or an error naming it."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} {text!r}: expected YYYY-MM-DD") from None
