"""The ``doconnect`` command: a front door to the platform's management commands.

``doconnect demo`` is ``django-admin demo`` with our settings; every Django command
(``check --deploy``, ``createsuperuser``, ``shell``…) works too.
"""

from __future__ import annotations

import os
import secrets
import sys

# The commands a city's staff use, in the order they usually need them.
COMMANDS: dict[str, str] = {
    "migrate": "Create or update the database tables (safe to run repeatedly).",
    "demo": "Build the synthetic demo city (--scale F, --seed S); refuses to touch a "
    "database that already holds other data unless --replace is given.",
    "serve": "Serve the web interface and the API (default http://127.0.0.1:8000).",
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
    "[--catalogue FILE.json]`; ranked next steps for a person: `pathways next-steps "
    "PERSON_ID --as USERNAME`.",
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
    "scenario": "Funding scenarios: `scenario run FILE.json [--catalogue OFFERS.json] "
    "[--format json]` — capacity and funding per offer, providers below the viability "
    "threshold, new dead ends, coverage per target group, the best use of a bridge budget.",
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
        "DOCONNECT_DEBUG, DOCONNECT_ALLOWED_HOSTS (see README).",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(_usage())
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doconnect.settings")
    if "-h" in args or "--help" in args:
        # Reading a command's help must not need production secrets; a random key is
        # safe because a help call serves and signs nothing.
        os.environ.setdefault("DOCONNECT_SECRET_KEY", secrets.token_urlsafe(64))
        os.environ.setdefault("DOCONNECT_PERSON_MATCH_KEY", secrets.token_urlsafe(64))
    from doconnect.envconf import ConfigurationError

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["doconnect", *args])
    except ConfigurationError as exc:
        print(f"doconnect: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc


if __name__ == "__main__":
    main()
