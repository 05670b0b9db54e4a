"""The synthetic demo city as plain rows. Pure: NumPy and the standard library, no Django.

``CityGenerator(seed, scale).phases()`` lists the phases in load order; each phase
returns :class:`Table` objects whose rows are tuples with explicit integer primary keys
and foreign keys, ready for COPY or executemany. Dates are ISO strings, timestamps are
naive UTC strings ("YYYY-MM-DD HH:MM:SS"), JSON fields are JSON text: the one literal
form both PostgreSQL and Django's SQLite backend store as they are.

Everything is deterministic: each phase draws from its own random generator seeded by
(seed, phase), so the same seed and scale always give the same rows.

The generator keeps what later phases need of earlier ones and hands it on; the phases
themselves are built in ``organisation_tables``, ``offer_tables``, ``employer_tables``,
``person_tables`` (persons and spells), ``casework_tables`` (consents, agreements,
referrals), ``labourstats`` (statistics) and ``forum`` (the conference).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import numpy as np

from doconnect.demo import careers as cr
from doconnect.demo import labourstats
from doconnect.demo.casefile_tables import CasefileInputs, casefile_tables
from doconnect.demo.casework_tables import agreement_tables, consent_tables, referral_table
from doconnect.demo.clients import TARGET_GROUPS
from doconnect.demo.dates import DEMO_TODAY, month_start
from doconnect.demo.districts import AGS_DORTMUND, DISTRICTS
from doconnect.demo.employer_tables import employer_tables
from doconnect.demo.forum import ForumInputs, build_forum
from doconnect.demo.forum_actors import EXTRA_ORGANISATIONS
from doconnect.demo.offer_tables import OfferFacts, offer_tables
from doconnect.demo.organisation_tables import (
    JOBCENTER_ID,
    PUBLIC_BODIES,
    Providers,
    organisation_table,
)
from doconnect.demo.person_tables import Persons, person_tables, spell_table
from doconnect.demo.rows import Table, tolist

DEFAULT_SEED = 2026
DEFAULT_SCALE = 1.0

# Counts at scale 1 (the numbers); all scale, districts do not. The minimums
# keep a tiny city (tests use scale 0.05) complete: every offer kind, a chain that
# reaches a destination, a dead end and a dead-end cycle.
BASE_COUNTS = {"persons": 5000, "providers": 60, "offers": 300, "employers": 150, "vacancies": 1500}
MIN_COUNTS = {"persons": 20, "providers": 3, "offers": 13, "employers": 3, "vacancies": 10}

# The demo users: (username, role, organisation); "provider" is the busiest provider.
DEMO_PASSWORD = "do-connect-demo"  # noqa: S105 - published on purpose, synthetic data only
DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    ("koordination", "coordinator", "city-dortmund"),
    ("fallberatung", "case_worker", "jobcenter-dortmund"),
    ("traeger", "provider_staff", "provider"),
    ("analyse", "analyst", "city-dortmund-statistik"),
    ("admin", "admin", "city-dortmund"),
    # The city's data-protection officer: the audit log, no person files (issue #20).
    ("datenschutz", "dpo", "city-dortmund"),
)

PHASES = (
    "reference",
    "organisations",
    "offers",
    "employers",
    "persons",
    "spells",
    "consents",
    "agreements",
    "referrals",
    "statistics",
    "forum",
    "casefiles",
)


def scaled(name: str, scale: float) -> int:
    return max(MIN_COUNTS[name], round(BASE_COUNTS[name] * scale))


class CityGenerator:
    """Builds the demo city phase by phase; later phases use what earlier ones built."""

    def __init__(self, seed: int = DEFAULT_SEED, scale: float = DEFAULT_SCALE) -> None:
        if seed < 0:
            raise ValueError("seed must not be negative")
        if scale <= 0:
            raise ValueError("scale must be positive")
        self.seed = seed
        self.scale = scale
        self.counts = {name: scaled(name, scale) for name in BASE_COUNTS}
        self._next_organisation_id = len(PUBLIC_BODIES) + 1
        empty = np.zeros(0, dtype=np.int64)
        self._providers = Providers(ids=empty, district=empty, external={})
        self._offers = OfferFacts()
        self._persons: Persons | None = None
        # Each employer's hiring pattern (occupations.PATTERN_NAMES) by external id.
        self.hiring_patterns: dict[str, str] = {}
        self._consents: list[Table] = []
        # The case files' authors and workers: the demo users' ids, which the loader
        # knows once it has made the accounts (demo.services); by default their
        # positions in DEMO_USERS. The case files are dated from ``casefile_today``.
        self.demo_user_ids: dict[str, int] = {
            username: i + 1 for i, (username, _role, _org) in enumerate(DEMO_USERS)
        }
        self.casefile_today = DEMO_TODAY

    @property
    def _people(self) -> Persons:
        assert self._persons is not None, "the persons phase must run first"
        return self._persons

    def rng(self, phase: str, stream: int = 0) -> np.random.Generator:
        """The phase's random stream; a further ``stream`` of a phase leaves the first
        one (and so the data drawn from it) unchanged."""
        key = [self.seed, PHASES.index(phase)]
        return np.random.default_rng([*key, stream] if stream else key)

    def phases(self) -> list[tuple[str, Callable[[], list[Table]]]]:
        return [
            ("reference", self.reference),
            ("organisations", self.organisations),
            ("offers", self.offers),
            ("employers", self.employers),
            ("persons", self.persons),
            ("spells", self.spells),
            ("consents", self.consents),
            ("agreements", self.agreements),
            ("referrals", self.referrals),
            ("statistics", self.statistics),
            ("forum", self.forum),
            ("casefiles", self.casefiles),
        ]

    def tables(self) -> list[Table]:
        """All tables at once (tests, small scales)."""
        return [table for _name, build in self.phases() for table in build()]

    # -- reference data -------------------------------------------------------------
    def reference(self) -> list[Table]:
        districts = [
            (i + 1, d.name, AGS_DORTMUND + d.number, None) for i, d in enumerate(DISTRICTS)
        ]
        groups = [(i + 1, g.code, g.label) for i, g in enumerate(TARGET_GROUPS)]
        # The postcode table the imports place vacancies and offers by; a postcode in
        # two districts would be left out (none is in the demo's lists).
        counts = Counter(p for d in DISTRICTS for p in d.postcodes)
        postcodes = [
            (i + 1, postcode, district)
            for i, (postcode, district) in enumerate(
                (p, n + 1) for n, d in enumerate(DISTRICTS) for p in d.postcodes if counts[p] == 1
            )
        ]
        return [
            Table("core.District", ("id", "name", "official_key", "boundary"), districts),
            Table("core.TargetGroup", ("id", "code", "label"), groups),
            Table("employers.PostcodeDistrict", ("id", "postcode", "district"), postcodes),
        ]

    # -- organisations --------------------------------------------------------------
    def organisations(self) -> list[Table]:
        table, self._providers = organisation_table(
            self.rng("organisations"), self.counts["providers"], self._next_organisation_id
        )
        self._next_organisation_id += len(self._providers.ids)
        return [table]

    # -- offers ---------------------------------------------------------------------
    def offers(self) -> list[Table]:
        tables, self._offers = offer_tables(
            self.rng("offers"),
            self.rng("offers", stream=1),
            self.counts["offers"],
            self._providers,
        )
        return tables

    # -- employers and vacancies ----------------------------------------------------
    def employers(self) -> list[Table]:
        tables, self.hiring_patterns = employer_tables(
            self.rng("employers"),
            self.rng("employers", stream=1),
            self.counts["employers"],
            self.counts["vacancies"],
            self._next_organisation_id,
        )
        self._next_organisation_id += self.counts["employers"]
        return tables

    # -- persons and their biographies ----------------------------------------------
    def persons(self) -> list[Table]:
        assert self._offers.network is not None, "the offers phase must run first"
        tables, self._persons = person_tables(
            self.rng("persons"),
            self.rng("persons", stream=1),
            self.counts["persons"],
            self.seed,
            self._offers.network,
        )
        return tables

    def spells(self) -> list[Table]:
        return [spell_table(self._people, self._offers.provider, self.rng("spells", stream=1))]

    # -- casework -------------------------------------------------------------------
    def consents(self) -> list[Table]:
        self._consents = consent_tables(self.rng("consents"), self._people, self._offers.provider)
        return self._consents

    def agreements(self) -> list[Table]:
        return agreement_tables(self.rng("agreements"), self._people)

    def referrals(self) -> list[Table]:
        return [referral_table(self.rng("referrals"), self._people, self._offers)]

    # -- labour-market statistics ---------------------------------------------------
    def statistics(self) -> list[Table]:
        """The BA-style statistics of the city, its districts and the reference region
        (demo/labourstats.py): 36 months up to the last one reported by the demo's
        today (2026-10). Their size does not depend on the scale."""
        rng = self.rng("statistics")
        last = cr.N_MONTHS - 2
        months = range(last - labourstats.MONTHS + 1, last + 1)
        periods = [month_start(m).strftime("%Y-%m") for m in months]
        calendar = np.array([month_start(m).month for m in months], dtype=np.int64)
        rows = labourstats.statistics_rows(
            rng,
            [(d.name, d.weight) for d in DISTRICTS],
            periods,
            calendar,
            vacancies_rng=self.rng("statistics", stream=1),
        )
        return [Table("labourmarket.Statistic", labourstats.FIELDS, rows)]

    # -- the labour-policy conference (demo/forum.py) -------------------------------
    def forum(self) -> list[Table]:
        first = self._next_organisation_id
        built = build_forum(
            self.rng("forum"),
            ForumInputs(
                today=DEMO_TODAY,
                first_organisation_id=first,
                provider_ids=tolist(self._providers.ids),
                provider_districts=tolist(self._providers.district + 1),
                offer_providers=tolist(self._offers.provider),
                running_offers=tolist(self._offers.running_now),
                target_groups=[g.code for g in TARGET_GROUPS],
            ),
        )
        self._next_organisation_id = first + len(EXTRA_ORGANISATIONS)
        return [Table(model, fields, rows, m2m) for model, fields, rows, m2m in built]

    # -- case files (demo/casefile_tables.py) ---------------------------------------
    def casefiles(self) -> list[Table]:
        """Notes, follow-ups, appointments and responsibilities of the demo logins who
        do case work (``fallberatung``, ``traeger``)."""
        consents, organisations = self._consents
        provider = self.busiest_provider()
        careers = self._people.careers
        return casefile_tables(
            self.rng("casefiles"),
            CasefileInputs(
                consents=consents,
                consent_organisations=organisations,
                spell_person=careers.person,
                spell_offer=careers.offer,
                offer_provider=self._offers.provider,
                jobcenter_id=JOBCENTER_ID,
                provider_id=next(
                    pk for pk, key in self._providers.external.items() if key == provider
                ),
                users=self.demo_user_ids,
                today=self.casefile_today,
            ),
        )

    # -- the demo users -------------------------------------------------------------
    def busiest_provider(self) -> str:
        """External id of the provider with most participants: the provider login shows
        a full list."""
        careers = self._people.careers
        with_offer = careers.offer >= 0
        providers = self._offers.provider[careers.offer[with_offer]]
        if not len(providers):
            return str(self._providers.external[int(self._providers.ids[0])])
        values, counts = np.unique(providers, return_counts=True)
        return str(self._providers.external[int(values[np.argmax(counts)])])
