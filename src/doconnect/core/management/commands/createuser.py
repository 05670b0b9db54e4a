"""``doconnect createuser``: a user with a role in an organisation, optionally with an
API token for another system."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from doconnect.core.models import Role
from doconnect.core.services import api_token_create, user_create_with_membership

ROLE_HELP = ", ".join(f"{value} ({label})" for value, label in Role.choices)


class Command(BaseCommand):
    help = (
        "Create a user who works for one organisation in one role. The password comes "
        "from an environment variable (--password-from-env) or is asked for twice; "
        "--no-password makes an account that can only use API tokens. With --token the "
        "user also gets an API token, printed once and never again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="login name of the new user (must be unused)")
        parser.add_argument(
            "--organisation",
            required=True,
            metavar="EXTERNAL_ID",
            help="external id of the organisation the user works for, e.g. jc-dortmund",
        )
        parser.add_argument(
            "--role",
            required=True,
            choices=Role.values,
            metavar="ROLE",
            help=f"the user's role in that organisation, one of: {ROLE_HELP}",
        )
        parser.add_argument("--email", default="", help="e-mail address (optional)")
        password = parser.add_mutually_exclusive_group()
        password.add_argument(
            "--password-from-env",
            metavar="VAR",
            help="read the password from this environment variable instead of asking "
            "(for scripts; the password is never taken on the command line)",
        )
        password.add_argument(
            "--no-password",
            action="store_true",
            help="no password: the account cannot log in to the web pages (for systems "
            "that only use an API token)",
        )
        parser.add_argument(
            "--staff",
            action="store_true",
            help="may open the admin pages (/admin/); what they see there still depends "
            "on Django permissions",
        )
        parser.add_argument(
            "--token",
            metavar="NAME",
            help="also create an API token with this name (say which system uses it) and "
            "print it once",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = self._password(options)
        try:
            with transaction.atomic():
                user = user_create_with_membership(
                    username=options["username"],
                    organisation_external_id=options["organisation"],
                    role=options["role"],
                    email=options["email"],
                    password=password,
                    is_staff=options["staff"],
                )
                token = raw = None
                if options["token"]:
                    token, raw = api_token_create(user=user, name=options["token"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            f"Created user {user.username!r}: {options['role']} at {options['organisation']}."
        )
        if token is not None and raw is not None:
            self.stdout.write(f"API token {token.name!r} (shown only now, store it safely):")
            self.stdout.write(raw)

    def _password(self, options: dict[str, Any]) -> str | None:
        if options["no_password"]:
            return None
        variable = options["password_from_env"]
        if variable:
            value = os.environ.get(variable)
            if not value:
                raise CommandError(f"The environment variable {variable} is not set or empty.")
            return value
        if not _stdin_is_a_terminal():
            raise CommandError(
                "No password given: use --password-from-env VAR or --no-password when not "
                "running in a terminal."
            )
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The passwords do not match.")
        return first


def _stdin_is_a_terminal() -> bool:
    try:
        return os.isatty(0)
    except OSError:
        return False
