"""The ``doconnect`` command: a front door to the platform's management commands.

``doconnect demo`` is ``django-admin demo`` with our settings; every Django command
(``check --deploy``, ``createsuperuser``, ``shell``…) works too.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

# The commands a city's staff use, in the order they usually need them.
COMMANDS: dict[str, str] = {
    "migrate": "Create or update the database tables (safe to run repeatedly).",
    "demo": "Build the synthetic demo city (--scale F, --seed S); refuses to touch a "
    "database that already holds other data unless --replace is given. `demo --state "
    "--scale N --out DIR` writes a synthetic federal state (N × 75,000 persons) as Parquet.",
    "serve": "Serve the web interface and the API (default http://127.0.0.1:8000).",
    "worker": "Run the background worker: queued jobs (allocation, scenario, cohort runs) and, "
    "daily from DOCONNECT_WORKER_DAILY_AT, the daily commands; run it beside `serve`.",
    "createuser": "Create a user with a role in an organisation, optionally with an API "
    "token for another system.",
    "import": "Import a file, all-or-nothing: `import offers FILE.json` (offer catalogue), "
    "`import spells FILE.csv` (biography spells), `import jobsuche FILE.json` (BA vacancies), "
    "`import weiterbildung|ausbildung FILE.json` (BA offers), `import statistics "
    "FILE.csv|.xlsx`, `import postcodes FILE.csv`.",
    "export": "Export data in the import format: `export offers [--out FILE.json]` "
    "(offer catalogue), `export spells [--out FILE.csv]`, `export vacancies [--out FILE.csv]`; "
    "`export spells --format parquet --out DIR` a Parquet dataset by district (pseudonyms only).",
    "fetch": "Fetch from the BA's live APIs: `fetch jobsuche --wo Dortmund [--was …] "
    "[--save-dir DIR] [--dry-run]` imports the vacancies found; `fetch weiterbildung|"
    "ausbildung` the training and apprenticeship offers.",
    "pathways": "Dead ends and gaps of the offer landscape: `pathways dead-ends "
    "[--catalogue FILE.json [--with-database]]`; ranked next steps for a person: "
    "`pathways next-steps PERSON_ID --as USERNAME`.",
    "allocate": "Allocate scarce places optimally (highest priority first, then best fit) "
    "and compare with first come first served: `allocate --persons P.csv --places O.csv "
    "--candidates C.csv --out A.csv [--summary S.json]`, or from the database's open "
    "demand: `allocate --as USERNAME [--district NAME] [--dry-run]`.",
    "market": "Labour-market analyses on the database, as JSON or a table: `market "
    "indicators|shortage|regional|potentials|hiring` (shortage by occupation, location "
    "quotients and shift-share, employment potentials, employers likely to hire).",
    "sequences": "Sequence analysis of a wide CSV (one row per person, one column per "
    "period): `sequences summary|distances|typology FILE.csv --id COL --columns FIRST:LAST`.",
    "transitions": "A state's transition figures per district over a Parquet spells "
    "dataset: `transitions figures DIR --year Y [--months M] [--engine local|dask "
    "--scheduler tcp://HOST:PORT] [--format json|csv] [--out FILE]`.",
    "disclose": "Disclosure control for a two-way table: `disclose FILE.csv --rows COL --cols "
    "COL --value COL [--threshold 5] --out OUT.csv` writes it with totals, small cells and "
    "the cells that would reveal them as `*`.",
    "scenario": "Funding scenarios: `scenario run FILE.json [--catalogue OFFERS.json "
    "[--with-database]] [--format json]` — capacity and funding per offer, providers below "
    "the viability threshold, new dead ends, coverage per target group, the best use of a "
    "bridge budget.",
    "report": "The yearly public report, unpublished, for checking: `report build --year Y "
    "[--pdf FILE] [--csv FILE] [--json FILE]` (publishing is done on /transparency/).",
    "forum": "Run daily: `forum remind` mails the owners of conference commitments due soon "
    "or overdue (once per occasion).",
    "tasks": "Run daily: `tasks digest` mails each user who switched it on what is due "
    "today and overdue (pseudonyms, dates and links only; once per user and day).",
    "referrals": "Run daily: `referrals remind` lists referrals about to expire unanswered "
    "for their providers (once each); `referrals expire` expires those left unanswered.",
    "persons": "`persons match-keys [--all]` computes the duplicate check's keys where "
    "missing (--all: every one, after DOCONNECT_PERSON_MATCH_KEY changed).",
    "privacy": "Data-subject requests: `privacy export PERSON --as USER --out FILE.json` "
    "(DSGVO Art. 15), `privacy erase PERSON --as USER --reason TEXT` (Art. 17); audited.",
    "audit": "The access log for the data-protection officer: `audit [--user U] [--person P] "
    "[--since DATE] [--until DATE] --format csv` (one line per event and person).",
    "backup": "Back up the whole database into one file: `backup [--out FILE]` (PostgreSQL: "
    "pg_dump custom format; SQLite: its online backup API).",
    "restore": "Restore a backup into an empty database: `restore FILE` (a non-empty one is "
    "refused).",
    "check": "Check the configuration; `check --deploy` for production settings.",
}


def _usage() -> str:
    width = max(len(name) for name in COMMANDS) + 2
    lines = [
        "usage: doconnect <command> [options]",
        "",
        "do-connect: an open platform for municipal labour-market and employment policy.",
        "",
        "commands:",
    ]
    lines += [f"  {name.ljust(width)}{text}" for name, text in COMMANDS.items()]
    lines += [
        "",
        "`doconnect <command> --help` explains a command's options.",
        "Settings come from the environment: DOCONNECT_DATABASE_URL, DOCONNECT_SECRET_KEY, "
        "DOCONNECT_DEBUG, DOCONNECT_ALLOWED_HOSTS (see README). Commands that only read "
        "and write files (sequences, transitions, disclose, allocate with files, pathways "
        "dead-ends and scenario run with --catalogue, demo --state) need no secret key and "
        "no database.",
    ]
    return "\n".join(lines)


# Calls that read and write files only: no database, no personal data, nothing signed or
# served. They run without DOCONNECT_SECRET_KEY (a random key for this process, as for
# --help) and without a database. Each predicate mirrors the command's own switch between
# its file and database modes (the command's handle()).
def _given(args: list[str], *options: str) -> bool:
    """Whether any of ``options`` is in ``args``, also as ``--option=value`` or
    abbreviated (argparse takes an unambiguous prefix such as ``--with``)."""
    names = [a.split("=", 1)[0] for a in args if a.startswith("--") and len(a) > 2]
    return any(o.startswith(name) for name in names for o in options)


FILE_ONLY: dict[str, Callable[[list[str]], bool]] = {
    "sequences": lambda rest: True,
    "transitions": lambda rest: True,
    "demo": lambda rest: _given(rest, "--state"),
    "disclose": lambda rest: True,
    "allocate": lambda rest: _given(rest, "--persons", "--places", "--candidates", "--out"),
    "pathways": lambda rest: (
        rest[:1] == ["dead-ends"]
        and _given(rest, "--catalogue")
        and not _given(rest, "--with-database")
    ),
    "scenario": lambda rest: (
        rest[:1] == ["run"] and _given(rest, "--catalogue") and not _given(rest, "--with-database")
    ),
}

# Of these, the commands whose module needs none of Django's apps (they call the pure
# engines): they run without loading the apps, so a file calculation starts in a fraction
# of the time the web stack takes to import. Their modules import no model at the top.
WITHOUT_APPS: dict[str, str] = {
    "sequences": "doconnect.transitions.management.commands.sequences",
    "transitions": "doconnect.transitions.management.commands.transitions",
    "disclose": "doconnect.transparency.management.commands.disclose",
    "allocate": "doconnect.allocation.management.commands.allocate",
}


# Of these, the commands written without Django at all: a module with HELP, EPILOG,
# add_arguments(parser), run(options, write) and the exception Refused (its Django command
# wraps the same functions). The front door parses and runs them with plain argparse, so
# a file calculation starts in the time Python and NumPy take (issue #21: Hamming on
# 2,000 sequences takes less than Django's import). --help and Django's own options
# (--traceback, -v 2, ...) go through Django's command: the same command, Django's parser.
WITHOUT_DJANGO: dict[str, str] = {
    "sequences": "doconnect.transitions.sequences_command",
}
DJANGO_OPTIONS = (
    "--help",
    "--version",
    "--verbosity",
    "--settings",
    "--pythonpath",
    "--traceback",
    "--no-color",
    "--force-color",
    "--skip-checks",
)


def without_django(args: list[str]) -> bool:
    """Whether ``doconnect ARGS`` runs without importing Django: a file-only command of
    ``WITHOUT_DJANGO`` with none of Django's options (nor any short option such as
    ``-h`` or ``-v2``; a value such as ``-1`` only costs the faster path)."""
    if not args or args[0] not in WITHOUT_DJANGO or not file_only(args):
        return False
    rest = args[1:]
    if any(a.startswith("-") and not a.startswith("--") and len(a) > 1 for a in rest):
        return False
    return not _given(rest, *DJANGO_OPTIONS)


def file_only(args: list[str]) -> bool:
    """Whether ``doconnect ARGS`` reads and writes files only."""
    rule = FILE_ONLY.get(args[0]) if args else None
    return rule is not None and rule(args[1:])


def _ephemeral_secrets() -> None:
    """A random secret for a process that signs and serves nothing (--help, a file
    calculation); a configured one (or its _FILE) is left alone."""
    for name in ("DOCONNECT_SECRET_KEY", "DOCONNECT_PERSON_MATCH_KEY"):
        if name not in os.environ and f"{name}_FILE" not in os.environ:
            import secrets  # here: the commands without Django need no secret

            os.environ[name] = secrets.token_urlsafe(64)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(_usage())
        return
    if without_django(args):
        _run_plain(args)
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doconnect.settings")
    light = file_only(args)
    if light or "-h" in args or "--help" in args:
        _ephemeral_secrets()
    from doconnect.envconf import ConfigurationError

    if light:
        # The system checks look at the web side (URLs, templates, admin): nothing a
        # file calculation uses, and most of its start-up time.
        args = [args[0], "--skip-checks", *args[1:]]
    try:
        if light and args[0] in WITHOUT_APPS:
            _run_without_apps(args)
            return
        from django.core.management import execute_from_command_line

        execute_from_command_line(["doconnect", *args])
    except ConfigurationError as exc:
        print(f"doconnect: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter at a fixed width: its default asks the terminal's width
    through ``shutil``, whose import (with the compression modules) costs a file command
    more start-up than it uses (issue #21); this parser only formats usage errors."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=100)


def _run_plain(args: list[str]) -> None:
    """A command of ``WITHOUT_DJANGO`` as Django would run it (the same parser, the
    same ``CommandError: …`` on stderr and exit status 1 for a refused call), without
    Django."""
    from importlib import import_module

    # No matrix products here: the BLAS threads NumPy starts when it loads would only add
    # to the start-up (about 30 ms of CPU); a thread count the user set is kept.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    command = import_module(WITHOUT_DJANGO[args[0]])
    parser = argparse.ArgumentParser(
        prog=f"doconnect {args[0]}", description=command.HELP, formatter_class=_Formatter
    )
    command.add_arguments(parser)
    options = vars(parser.parse_args(args[1:]))
    try:
        command.run(options, print)
    except command.Refused as exc:
        print(f"CommandError: {exc}", file=sys.stderr)
        raise SystemExit(1) from None


def _run_without_apps(args: list[str]) -> None:
    """Django's ``run_from_argv`` of the command, without ``django.setup()``: settings
    are read (limits such as IMPORT_MAX_ERRORS), no app, model or URL is loaded."""
    from importlib import import_module

    command = import_module(WITHOUT_APPS[args[0]]).Command()
    command.run_from_argv(["doconnect", *args])


if __name__ == "__main__":
    main()
