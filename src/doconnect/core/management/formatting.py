"""Help output for commands whose description carries examples and file formats, the
one way a command reports a refused file, the one way it reads a day option, and the
one way it acts as a user (``--as USERNAME``)."""

from __future__ import annotations

import datetime as dt
from argparse import RawDescriptionHelpFormatter
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    DjangoHelpFormatter,
)

from doconnect.files.importing import ImportFailed

if TYPE_CHECKING:
    from doconnect.core.viewers import Viewer


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


def acting_viewer(username: str | None, *, missing: str) -> Viewer:
    """The viewer a command reads or writes as, so the access rules and the audit trail
    apply as on the web: ``missing`` is the error without a username; an unknown or
    inactive user is an error as well."""
    # Imported here: the file-only commands use this module without Django's apps.
    from django.contrib.auth import get_user_model

    from doconnect.core.viewers import viewer_for

    if not username:
        raise CommandError(missing)
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"no active user {username!r}")
    return viewer_for(user)


def day_option(option: str, text: str) -> dt.date:
    """The value of a day option such as ``--today`` (YYYY-MM-DD), or an error naming it."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} {text!r}: expected YYYY-MM-DD") from None
