"""The ``doconnect`` command: a front door to the platform's management commands.

``doconnect demo`` is ``django-admin demo`` with our settings; every Django command
(``check --deploy``, ``createsuperuser``, ``shell``…) works too.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Callable

# The commands a city's staff use, in the order they usually need them.
COMMANDS: dict[str, str] = {
    "migrate": "Create or update the database tables (safe to run repeatedly).",
    "demo": "Build the synthetic demo city (--scale F, --seed S); refuses to touch a "
    "database that already holds other data unless --replace is given.",
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
    "(offer catalogue), `export spells [--out FILE.csv]`, `export vacancies [--out FILE.csv]`.",
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
        "and write files (sequences, disclose, allocate with files, pathways dead-ends and "
        "scenario run with --catalogue) need no secret key and no database.",
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
    "disclose": "doconnect.transparency.management.commands.disclose",
    "allocate": "doconnect.allocation.management.commands.allocate",
}


def file_only(args: list[str]) -> bool:
    """Whether ``doconnect ARGS`` reads and writes files only."""
    rule = FILE_ONLY.get(args[0]) if args else None
    return rule is not None and rule(args[1:])


def _ephemeral_secrets() -> None:
    """A random secret for a process that signs and serves nothing (--help, a file
    calculation); a configured one (or its _FILE) is left alone."""
    for name in ("DOCONNECT_SECRET_KEY", "DOCONNECT_PERSON_MATCH_KEY"):
        if name not in os.environ and f"{name}_FILE" not in os.environ:
            os.environ[name] = secrets.token_urlsafe(64)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(_usage())
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


def _run_without_apps(args: list[str]) -> None:
    """Django's ``run_from_argv`` of the command, without ``django.setup()``: settings
    are read (limits such as IMPORT_MAX_ERRORS), no app, model or URL is loaded."""
    from importlib import import_module

    command = import_module(WITHOUT_APPS[args[0]]).Command()
    command.run_from_argv(["doconnect", *args])


if __name__ == "__main__":
    main()
