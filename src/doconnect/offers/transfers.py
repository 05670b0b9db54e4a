"""The offers' file kinds of ``doconnect import`` and ``export``: the offer catalogue
and the BA's training and apprenticeship offers (see ``doconnect.core.transfers``)."""

from __future__ import annotations

from doconnect.core.transfers import Exported, ExportKind, ImportKind, register
from doconnect.files.importing import ImportResult
from doconnect.offers.ba_import import SOURCES, ba_offers_import, read_ba_offers
from doconnect.offers.catalogue import catalogue_json, read_catalogue
from doconnect.offers.selectors import catalogue_export, catalogue_vocabulary
from doconnect.offers.services import offer_catalogue_import

CATALOGUE_HELP = """\
offers FILE.json
  {"providers": [{"id": "p-eving-1", "name": "…", "district": "Eving"}],
   "offers": [{"id": "o-1", "provider": "p-eving-1", "title": "…", "kind": "low_threshold",
               "district": "Eving", "capacity": 12, "status": "active",
               "target_groups": ["youth_difficult_start"], "min_age": 16, "max_age": 25,
               "legal_branches": ["SGB II"], "start": "2026-01-01", "end": "2026-12-31",
               "funding": [{"funder": "jobcenter", "amount_eur": 120000,
                            "start": "2026-01-01", "end": "2026-12-31"}],
               "follow_ons": ["o-7", "destination:apprenticeship"],
               "description": "…", "other_rules": "…"}]}
  An offer needs id, provider, title and kind. Re-importing updates by id; an offer in
  the file is replaced as a whole (funding, follow-ons and target groups included).
  Unknown target group codes are added to the city's list, labelled with their code."""

BA_OFFERS_HELP = """\
weiterbildung|ausbildung FILE.json
  {"_embedded": {"termine": [{"id": 190000001, "angebot": {"titel": "…",
    "bildungsanbieter": {"id": 300001, "name": "…"}}, "beginn": "2026-01-05",
    "ende": "2026-06-30", "adresse": {"ortStrasse": {"plz": "44137", "name": "Dortmund"}},
    "foerderung": true, "teilnehmerMax": 12}]}}
  Re-importing updates by the BA's id; fields the city changed by hand stay as they are.
  Providers are matched by name or created (id ba-anbieter-<BA id>)."""


def catalogue_import(data: bytes, file: str) -> ImportResult:
    catalogue = read_catalogue(data, file=file, vocabulary=catalogue_vocabulary())
    return offer_catalogue_import(catalogue=catalogue)


def weiterbildung_import(data: bytes, file: str) -> ImportResult:
    response = read_ba_offers(data, file=file, source=SOURCES["weiterbildung"])
    return ba_offers_import(response=response)


def ausbildung_import(data: bytes, file: str) -> ImportResult:
    response = read_ba_offers(data, file=file, source=SOURCES["ausbildung"])
    return ba_offers_import(response=response)


def catalogue_exported() -> Exported:
    data = catalogue_export()
    return Exported(
        text=catalogue_json(data),
        what=f"{len(data['offers'])} offers, {len(data['providers'])} providers",
    )


register(
    ImportKind(
        name="offers",
        description="offer catalogue, JSON: providers and offers, created or updated by id",
        run=catalogue_import,
        position=10,
        help=CATALOGUE_HELP,
        examples=("doconnect import offers catalogue.json",),
    ),
    ImportKind(
        name="weiterbildung",
        description="training offers, JSON: a saved BA Weiterbildungssuche response",
        run=weiterbildung_import,
        position=40,
        help=BA_OFFERS_HELP,
        examples=("doconnect import weiterbildung wbsuche-dortmund.json",),
    ),
    ImportKind(
        name="ausbildung",
        description="apprenticeship offers, JSON: a saved BA Ausbildungssuche response",
        run=ausbildung_import,
        position=50,
    ),
    ExportKind(
        name="offers",
        description="the offer catalogue as JSON (providers and offers, sorted by id)",
        run=catalogue_exported,
        position=10,
        examples=("doconnect export offers --out catalogue.json",),
        format="json",
    ),
)
