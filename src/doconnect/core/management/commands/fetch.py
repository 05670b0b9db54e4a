from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from doconnect.core.atomic_files import write_atomically
from doconnect.core.importing import ImportFailed
from doconnect.core.management.formatting import ExampleCommand
from doconnect.employers.ba import (
    JOBSUCHE_MAX_PAGE_SIZE,
    JOBSUCHE_RESULT_CAP,
    BAClient,
    FetchFailed,
    jobsuche_search,
)
from doconnect.employers.jobsuche import combine, read_jobsuche
from doconnect.employers.services import vacancies_import

KINDS: dict[str, str] = {
    "jobsuche": "vacancies from the BA Jobsuche (search, all pages), imported like "
    "`doconnect import jobsuche`",
}

EPILOG = f"""\
kinds:
{chr(10).join(f"  {kind:10}{text}" for kind, text in KINDS.items())}

Asks {settings.JOBSUCHE_URL} (DOCONNECT_JOBSUCHE_URL) with the header
X-API-Key: DOCONNECT_JOBSUCHE_API_KEY (default: the BA's public client id), page by page
({JOBSUCHE_MAX_PAGE_SIZE} results each). The API never returns more than
{JOBSUCHE_RESULT_CAP:,} results for one search; when it finds more, the command says so:
narrow the search (--was, --umkreis, --veroeffentlichtseit). A time-out, 429 or 5xx
answer is tried again DOCONNECT_BA_RETRIES times with growing pauses; without network
the command stops with a clear message and writes nothing. All pages are imported in one
transaction, all or nothing.

examples:
  doconnect fetch jobsuche --wo Dortmund
  doconnect fetch jobsuche --wo Dortmund --umkreis 10 --veroeffentlichtseit 7 --save-dir var/
  doconnect fetch jobsuche --wo Dortmund --was Pflege --max 500 --dry-run
"""


class Command(ExampleCommand):
    help = "Fetch data from a public API of the Bundesagentur für Arbeit and import it."
    epilog = EPILOG

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=list(KINDS), help="what to fetch (see kinds below)")
        parser.add_argument("--wo", metavar="PLACE", required=True, help="place, e.g. Dortmund")
        parser.add_argument("--was", metavar="TEXT", help="occupation or keyword")
        parser.add_argument(
            "--umkreis", metavar="KM", type=int, help="radius around the place in km"
        )
        parser.add_argument(
            "--angebotsart",
            metavar="N",
            type=int,
            choices=(1, 2, 4, 34),
            help="1 work, 2 self-employment, 4 apprenticeship/dual study, 34 internship",
        )
        parser.add_argument(
            "--veroeffentlichtseit",
            metavar="DAYS",
            type=int,
            help="only vacancies published in the last DAYS days (0-100)",
        )
        parser.add_argument(
            "--max",
            metavar="N",
            type=int,
            default=JOBSUCHE_RESULT_CAP,
            help=f"fetch at most about N results (whole pages; default and upper limit "
            f"{JOBSUCHE_RESULT_CAP:,})",
        )
        parser.add_argument(
            "--size",
            metavar="N",
            type=int,
            default=JOBSUCHE_MAX_PAGE_SIZE,
            help=f"results per page (1-{JOBSUCHE_MAX_PAGE_SIZE})",
        )
        parser.add_argument(
            "--endpoint",
            default="/pc/v4/jobs",
            help="the search path under DOCONNECT_JOBSUCHE_URL (default /pc/v4/jobs); "
            "both the v4 and the v6 answer shape are read",
        )
        parser.add_argument(
            "--save-dir",
            metavar="DIR",
            help="also save each page as DIR/jobsuche-page-NNN.json "
            "(for `doconnect import jobsuche`)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="fetch and check, but import nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["size"] <= JOBSUCHE_MAX_PAGE_SIZE:
            raise CommandError(f"--size must be between 1 and {JOBSUCHE_MAX_PAGE_SIZE}")
        if options["max"] < 1:
            raise CommandError("--max must be at least 1")
        save_dir = Path(options["save_dir"]) if options["save_dir"] else None
        if save_dir is not None and not save_dir.is_dir():
            raise CommandError(f"--save-dir {save_dir}: not an existing directory")
        client = BAClient(
            base_url=settings.JOBSUCHE_URL,
            api_key=settings.JOBSUCHE_API_KEY,
            timeout=float(settings.BA_TIMEOUT_SECONDS),
            retries=settings.BA_RETRIES,
        )
        params = {
            "wo": options["wo"],
            "was": options["was"],
            "umkreis": options["umkreis"],
            "angebotsart": options["angebotsart"],
            "veroeffentlichtseit": options["veroeffentlichtseit"],
        }
        try:
            search = jobsuche_search(
                client,
                options["endpoint"],
                params,
                size=options["size"],
                limit=options["max"],
            )
        except FetchFailed as exc:
            raise CommandError(f"nothing imported: {exc}") from exc
        try:
            pages = [
                read_jobsuche(page.body, file=page.url, allow_empty=True) for page in search.pages
            ]
            response = combine(pages, file=f"jobsuche wo={options['wo']}")
        except ImportFailed as exc:
            raise CommandError(
                "nothing imported: the API's answer is not what a Jobsuche search returns:\n"
                + exc.format(limit=settings.IMPORT_MAX_ERRORS)
            ) from exc
        if save_dir is not None:
            for page in search.pages:
                write_atomically([(save_dir / f"jobsuche-page-{page.number:03d}.json", page.body)])
        if search.capped:
            self.stderr.write(
                f"the search found {search.reported_total:,} vacancies, but the API returns "
                f"only the first {JOBSUCHE_RESULT_CAP:,}; narrow it (--was, --umkreis, "
                "--veroeffentlichtseit) to get the rest"
            )
        found = (
            f"{len(response.vacancies)} vacancies on {len(search.pages)} page"
            f"{'s' if len(search.pages) != 1 else ''}"
        )
        if not response.vacancies:
            self.stdout.write(f"{found}: nothing to import")
            return
        if options["dry_run"]:
            self.stdout.write(f"{found} ({response.shape}); dry run, nothing imported")
            return
        result = vacancies_import(response=response)
        self.stdout.write(f"{found} ({response.shape}); " + result.summary())
