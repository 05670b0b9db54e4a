"""``doconnect fetch``: search a public API of the Bundesagentur für Arbeit live, page by
page, and import what it finds, like ``doconnect import`` does with a saved answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from doconnect.core.management.formatting import ExampleCommand
from doconnect.files.atomic import write_atomically
from doconnect.files.importing import ImportFailed
from doconnect.labourmarket.employers.ba import (
    INFOSYSBUB_MAX_PAGE_SIZE,
    INFOSYSBUB_RESULT_CAP,
    JOBSUCHE_MAX_PAGE_SIZE,
    JOBSUCHE_RESULT_CAP,
    BAClient,
    FetchFailed,
    JobsucheSearch,
    infosysbub_search,
    jobsuche_search,
)
from doconnect.labourmarket.employers.jobsuche import combine, read_jobsuche
from doconnect.labourmarket.employers.services import vacancies_import
from doconnect.offers.ba_import import (
    SOURCES,
    BAOfferResponse,
    ba_offers_import,
    combine_ba_offers,
    read_ba_offers,
)


@dataclass(frozen=True)
class Service:
    """One of the BA's services: the settings that say where it is (the public
    endpoints by default), its search path and how its pages are counted and read."""

    title: str
    url_setting: str
    key_setting: str
    endpoint: str
    max_size: int
    default_size: int
    cap: int
    narrow: str  # the options that narrow a search

    @property
    def url(self) -> str:
        return str(getattr(settings, self.url_setting))

    @property
    def api_key(self) -> str:
        return str(getattr(settings, self.key_setting))


SERVICES: dict[str, Service] = {
    "jobsuche": Service(
        "vacancies from the BA Jobsuche (search, all pages), imported like "
        "`doconnect import jobsuche`",
        "JOBSUCHE_URL",
        "JOBSUCHE_API_KEY",
        "/pc/v4/jobs",
        JOBSUCHE_MAX_PAGE_SIZE,
        JOBSUCHE_MAX_PAGE_SIZE,
        JOBSUCHE_RESULT_CAP,
        "--was, --umkreis, --veroeffentlichtseit",
    ),
    "weiterbildung": Service(
        "further training offers from the BA Weiterbildungssuche, imported like "
        "`doconnect import weiterbildung`",
        "WEITERBILDUNGSSUCHE_URL",
        "WEITERBILDUNGSSUCHE_API_KEY",
        "/pc/v2/bildungsangebot",
        INFOSYSBUB_MAX_PAGE_SIZE,
        100,
        INFOSYSBUB_RESULT_CAP,
        "--sw, --umkreis, --region, --param",
    ),
    "ausbildung": Service(
        "apprenticeship offers from the BA Ausbildungssuche, imported like "
        "`doconnect import ausbildung`",
        "AUSBILDUNGSSUCHE_URL",
        "AUSBILDUNGSSUCHE_API_KEY",
        "/pc/v1/ausbildungsangebot",
        INFOSYSBUB_MAX_PAGE_SIZE,
        100,
        INFOSYSBUB_RESULT_CAP,
        "--sty, --umkreis, --region, --param",
    ),
}

EPILOG = f"""\
kinds:
{chr(10).join(f"  {kind:14}{service.title}" for kind, service in SERVICES.items())}

Asks the service (jobsuche: DOCONNECT_JOBSUCHE_URL, weiterbildung:
DOCONNECT_WEITERBILDUNGSSUCHE_URL, ausbildung: DOCONNECT_AUSBILDUNGSSUCHE_URL) with the
header X-API-Key (DOCONNECT_*_API_KEY; default: the BA's public client id), page by
page. The APIs never return more than {JOBSUCHE_RESULT_CAP:,} results for one search;
when one finds more, the command says so: narrow the search. A time-out, 429 or 5xx
answer is tried again DOCONNECT_BA_RETRIES times with growing pauses; without network
the command stops with a clear message and writes nothing. All pages are imported in one
transaction, all or nothing. --save-dir DIR also saves each page for `doconnect import`.

examples:
  doconnect fetch jobsuche --wo Dortmund
  doconnect fetch jobsuche --wo Dortmund --umkreis 10 --veroeffentlichtseit 7 --save-dir var/
  doconnect fetch jobsuche --wo Dortmund --was Pflege --max 500 --dry-run
  doconnect fetch weiterbildung --ort Dortmund_44135_7.4653_51.5136 --umkreis 25 --bildungsgutschein
  doconnect fetch weiterbildung --sw Lagerlogistik --region NW --max 200
  doconnect fetch ausbildung --orte 12345 --umkreis 25 --sty 0
  doconnect fetch ausbildung --region NW --param bart=101 --dry-run

Run `doconnect fetch KIND --help` for each kind's search options.
"""


def _param(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise CommandError(f"--param {text!r}: expected NAME=VALUE")
    return key.strip(), value


class Command(ExampleCommand):
    help = "Fetch data from a public API of the Bundesagentur für Arbeit and import it."
    epilog = EPILOG

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND")

        def kind(name: str) -> CommandParser:
            service = SERVICES[name]
            sub: CommandParser = kinds.add_parser(
                name, help=service.title, description=service.title
            )
            sub.add_argument(
                "--max",
                metavar="N",
                type=int,
                default=service.cap,
                help=f"fetch at most about N results (whole pages; default and upper limit "
                f"{service.cap:,})",
            )
            sub.add_argument(
                "--size",
                metavar="N",
                type=int,
                default=service.default_size,
                help=f"results per page (1-{service.max_size}, default {service.default_size})",
            )
            sub.add_argument(
                "--endpoint",
                default=service.endpoint,
                help=f"the search path under the service's URL (default {service.endpoint})",
            )
            sub.add_argument(
                "--save-dir",
                metavar="DIR",
                help=f"also save each page as DIR/{name}-page-NNN.json "
                f"(for `doconnect import {name}`)",
            )
            sub.add_argument(
                "--dry-run", action="store_true", help="fetch and check, but import nothing"
            )
            return sub

        jobs = kind("jobsuche")
        jobs.add_argument("--wo", metavar="PLACE", required=True, help="place, e.g. Dortmund")
        jobs.add_argument("--was", metavar="TEXT", help="occupation or keyword")
        jobs.add_argument("--umkreis", metavar="KM", type=int, help="radius around the place")
        jobs.add_argument(
            "--angebotsart",
            metavar="N",
            type=int,
            choices=(1, 2, 4, 34),
            help="1 work, 2 self-employment, 4 apprenticeship/dual study, 34 internship",
        )
        jobs.add_argument(
            "--veroeffentlichtseit",
            metavar="DAYS",
            type=int,
            help="only vacancies published in the last DAYS days (0-100)",
        )

        for name in ("weiterbildung", "ausbildung"):
            sub = kind(name)
            sub.add_argument(
                "--umkreis",
                metavar="KM",
                help="radius around the place: 25, 50, 100, 150, 200 or Bundesweit (uk)",
            )
            sub.add_argument(
                "--region", metavar="CODE", help="federal state(s), comma-separated (re)"
            )
            sub.add_argument(
                "--bildungsgutschein",
                action="store_true",
                help="only offers approved for the Bildungsgutschein (bg=true)",
            )
            sub.add_argument(
                "--param",
                metavar="NAME=VALUE",
                action="append",
                default=[],
                help="any further search parameter of the API, e.g. bt=1 (repeatable)",
            )
            if name == "weiterbildung":
                sub.add_argument("--sw", metavar="TEXT", help="search word (sw)")
                sub.add_argument(
                    "--ort",
                    metavar="PLACE",
                    help="place as Name_PLZ_longitude_latitude, e.g. "
                    "Dortmund_44135_7.4653_51.5136 (ort)",
                )
            else:
                sub.add_argument("--orte", metavar="IDS", help="the BA's place ids (orte)")
                sub.add_argument(
                    "--sty",
                    metavar="N",
                    type=int,
                    choices=(0, 1, 2, 3),
                    help="0 apprenticeship, 1 school-leaving qualification, 2 preparation, "
                    "3 accompanying help (sty)",
                )
                sub.add_argument(
                    "--ids", metavar="IDS", help="BERUFENET occupation ids, comma-separated"
                )

    def handle(self, *args: Any, kind: str, **options: Any) -> None:
        service = SERVICES[kind]
        if not 1 <= options["size"] <= service.max_size:
            raise CommandError(f"--size must be between 1 and {service.max_size}")
        if options["max"] < 1:
            raise CommandError("--max must be at least 1")
        save_dir = Path(options["save_dir"]) if options["save_dir"] else None
        if save_dir is not None and not save_dir.is_dir():
            raise CommandError(f"--save-dir {save_dir}: not an existing directory")
        client = BAClient(
            base_url=service.url,
            api_key=service.api_key,
            timeout=float(settings.BA_TIMEOUT_SECONDS),
            retries=settings.BA_RETRIES,
        )
        fetch: Callable[..., JobsucheSearch]
        if kind == "jobsuche":
            params: dict[str, object] = {
                "wo": options["wo"],
                "was": options["was"],
                "umkreis": options["umkreis"],
                "angebotsart": options["angebotsart"],
                "veroeffentlichtseit": options["veroeffentlichtseit"],
            }
            fetch = jobsuche_search
        else:
            params = {
                "sw": options.get("sw"),
                "ort": options.get("ort"),
                "orte": options.get("orte"),
                "sty": options.get("sty"),
                "ids": options.get("ids"),
                "uk": options["umkreis"],
                "re": options["region"],
                "bg": "true" if options["bildungsgutschein"] else None,
            }
            params.update(_param(text) for text in options["param"])
            fetch = infosysbub_search
        try:
            search = fetch(
                client, options["endpoint"], params, size=options["size"], limit=options["max"]
            )
        except FetchFailed as exc:
            raise CommandError(f"nothing imported: {exc}") from exc
        read = self._jobsuche if kind == "jobsuche" else self._offers
        found, detail, count, run_import = read(kind, search, options)
        if save_dir is not None:
            write_atomically(
                [
                    (save_dir / f"{kind}-page-{page.number:03d}.json", page.body)
                    for page in search.pages
                ]
            )
        if search.capped:
            what = "vacancies" if kind == "jobsuche" else "offers"
            self.stderr.write(
                f"the search found {search.reported_total:,} {what}, but the API returns "
                f"only the first {service.cap:,}; narrow it ({service.narrow}) to get the rest"
            )
        if not count:
            self.stdout.write(f"{found}: nothing to import")
        elif options["dry_run"]:
            self.stdout.write(f"{found}{detail}; dry run, nothing imported")
        else:
            self.stdout.write(f"{found}{detail}; " + run_import())

    def _jobsuche(
        self, kind: str, search: JobsucheSearch, options: dict[str, Any]
    ) -> tuple[str, str, int, Callable[[], str]]:
        """(what was found, its detail, how many, the import) of a Jobsuche search."""
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
        return (
            f"{len(response.vacancies)} vacancies on {_pages(search)}",
            f" ({response.shape})",
            len(response.vacancies),
            lambda: vacancies_import(response=response).summary(),
        )

    def _offers(
        self, kind: str, search: JobsucheSearch, options: dict[str, Any]
    ) -> tuple[str, str, int, Callable[[], str]]:
        """The same for a Weiterbildungs- or Ausbildungssuche search."""
        source = SOURCES[kind]
        try:
            pages: list[BAOfferResponse] = [
                read_ba_offers(page.body, file=page.url, source=source, allow_empty=True)
                for page in search.pages
            ]
        except ImportFailed as exc:
            raise CommandError(
                f"nothing imported: the API's answer is not what a {kind} search returns:\n"
                + exc.format(limit=settings.IMPORT_MAX_ERRORS)
            ) from exc
        response = combine_ba_offers(pages, file=f"{kind} search", source=source)

        def run_import() -> str:
            try:
                return ba_offers_import(response=response).summary()
            except ImportFailed as exc:
                raise CommandError(
                    "nothing imported:\n" + exc.format(limit=settings.IMPORT_MAX_ERRORS)
                ) from exc

        return (
            f"{len(response.offers)} offers on {_pages(search)}",
            "",
            len(response.offers),
            run_import,
        )


def _pages(search: JobsucheSearch) -> str:
    n = len(search.pages)
    return f"{n} page{'s' if n != 1 else ''}"
