"""Regenerate the English catalogue of the whole project (German is the source
language) and compile it; or, with ``--check``, fail when any visible string lacks a
translation.

Django's ``makemessages`` guesses a translation for every new string by fuzzy matching
("Stadtbezirke" inherits "District" from "Stadtbezirk"); a guess is worse than a gap,
because a gap is caught by ``--check`` and a guess is not. So this command turns fuzzy
matching off, and always scans the same tree with the same exclusions."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.commands import makemessages

PROJECT_DIR = Path(__file__).resolve().parents[3]  # src/doconnect
LANGUAGES = ["en"]
IGNORE = ["static/*", "*/migrations/*"]
CATALOGUE = Path("locale") / "{language}" / "LC_MESSAGES" / "django.po"


class Command(makemessages.Command):
    help = (
        "Update the .po catalogue under src/doconnect/locale and compile it; "
        "--check only reports strings without a translation."
    )
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-compile", action="store_true", help="Only update .po files.")
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing; fail when a string in the code has no translation.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if shutil.which("xgettext") is None:
            raise CommandError("GNU gettext is missing (apt-get install -y gettext).")
        if options["check"]:
            self._check(options)
            return
        self._update(PROJECT_DIR, options)
        if not options["no_compile"]:
            call_command("compilemessages", locale=LANGUAGES, verbosity=0)

    def _update(self, directory: Path, options: dict[str, Any]) -> None:
        previous = Path.cwd()
        os.chdir(directory)
        try:
            options.update(
                locale=LANGUAGES,
                exclude=[],
                domain="django",
                all=False,
                extensions=None,
                symlinks=False,
                ignore_patterns=IGNORE,
                use_default_ignore_patterns=True,
                no_wrap=False,
                no_location=False,
                add_location=None,
                no_obsolete=True,
                keep_pot=False,
                verbosity=0,
            )
            super().handle(**options)
        finally:
            os.chdir(previous)

    def _check(self, options: dict[str, Any]) -> None:
        """Regenerate the catalogue in a copy of the tree and list what is untranslated."""
        problems: list[str] = []
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "doconnect"
            shutil.copytree(
                PROJECT_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "static")
            )
            self._update(copy, options)
            for language in LANGUAGES:
                po = copy / str(CATALOGUE).format(language=language)
                untranslated = subprocess.run(
                    ["msgattrib", "--untranslated", "--no-obsolete", "--no-wrap", str(po)],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
                problems += [
                    f"{language}: {msgid} ({where})"
                    for msgid, where in _entries(untranslated)
                    if msgid  # the header
                ]
        if problems:
            raise CommandError(
                f"{len(problems)} string(s) without translation "
                "(run `make messages` and translate them in src/doconnect/locale):\n"
                + "\n".join(problems)
            )
        self.stdout.write("Every string has a translation.")


def _entries(po_text: str) -> list[tuple[str, str]]:
    """(msgid, locations) of each entry of a .po text; a msgid may continue over
    several quoted lines."""
    entries: list[tuple[str, str]] = []
    where, msgid, in_msgid = "", "", False
    for line in po_text.splitlines():
        if line.startswith("#: "):
            where = line[3:]
        elif line.startswith("msgid "):
            msgid, in_msgid = line[6:].strip('"'), True
        elif in_msgid and line.startswith('"'):
            msgid += line.strip('"')
        elif in_msgid:
            entries.append((msgid, where))
            in_msgid = False
    return entries
