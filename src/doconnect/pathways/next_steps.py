"""A person's ranked next steps, against a ground computed once and shared.

What every person's next steps are ranked against — the landscape, its analysis (onward
distances, observed outcomes), the leavers' tallies by age band and target groups, the
offers' titles — is a ``Ground``. It is computed from the tables of ``GROUND_TABLES``
and stored in one row (``NextStepsGround``) with those tables' change counters
(``core.changes``) and its day, so every web and worker process uses the same result:
a process unpickles a row once and keeps it in memory.

Honest invalidation: a ground is *current* while none of its tables changed since and
it is of today. Otherwise a page does not wait for the next one (at 100,000 persons
the analysis takes half a minute): it ranks against the last complete ground, says
when that was computed, and queues the job ``pathways.ground`` for ``doconnect worker``
(unless one is queued, or the shown ground is younger than
``DOCONNECT_KEPT_REBUILD_MINUTES``), which computes and stores the next. Exceptions,
computed at once: when no ground was ever stored (and stored then), inside a
transaction (what it reads there may be rolled back), and when a counter row is
missing. Free places change with every booking and
are read apart (``FREE_PLACE_TABLES``), so a referral's step is seen at once and does
not make the ground stale.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hmac
import logging
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.crypto import salted_hmac

from doconnect.core.changes import cached, rebuild_due, table_versions
from doconnect.core.jobs import job_start
from doconnect.core.models import District, Job, JobStatus
from doconnect.offers.models import FollowOn, Offer
from doconnect.pathways.engine.analysis import analyse_pathways
from doconnect.pathways.engine.districts import DORTMUND_NEIGHBOURS
from doconnect.pathways.engine.fit import PersonFacts
from doconnect.pathways.engine.inputs import GOAL_DESTINATIONS, PathwayConfig, PathwayError
from doconnect.pathways.engine.inputs import Offer as EngineOffer
from doconnect.pathways.engine.next_steps import (
    LeaverTallies,
    NextSteps,
    next_steps_to_dict,
    rank_next_steps,
)
from doconnect.pathways.engine.offer_table import OfferTable
from doconnect.pathways.engine.report import Distances, EmpiricalResult
from doconnect.pathways.models import NextStepsGround
from doconnect.pathways.services import (
    LEAVER_TABLES,
    free_places_from_db,
    landscape_from_db,
    leaver_facts_from_db,
)
from doconnect.people.models import Person, Spell
from doconnect.referrals.models import Referral

logger = logging.getLogger(__name__)

# What the ground is read from: the landscape and the leavers.
GROUND_TABLES = (*LEAVER_TABLES, Offer.target_groups.through, FollowOn, District)
# Free places change with every booking: read apart, kept per process while unchanged.
FREE_PLACE_TABLES = (Offer, Spell, Referral)
GROUND_JOB = "pathways.ground"
# Raised whenever ``Ground`` or what it holds changes shape, so that rows pickled by an
# older release are recomputed rather than misread.
# 3: Distances keeps its routes per goal, LeaverTallies its judgements; 4: the offers'
# table, Distances its route columns.
GROUND_FORMAT = 4
FORMAT_KEY = "format"
# Grounds unpickled in this process (by row id): the current one and the one before.
KEEP_LOADED = 2


def _today() -> dt.date:
    return timezone.localdate()


@dataclass(frozen=True)
class Ground:
    """What every person's next steps are ranked against on ``day`` (read-only)."""

    day: dt.date
    offers: tuple[EngineOffer, ...]
    distances: Distances
    empirical: tuple[EmpiricalResult, ...]
    tallies: LeaverTallies
    titles: dict[str, str]
    table: OfferTable  # ``offers`` as columns


@dataclass(frozen=True)
class KeptGround:
    """A ground and when it was computed; ``current``: none of its tables changed since
    and it is of today (otherwise the worker is computing the next one)."""

    ground: Ground
    computed_at: dt.datetime
    current: bool


def ground_compute(day: dt.date) -> Ground:
    """The ground on ``day`` from the database (the landscape's analysis with every
    leaver's outcome: the costly part)."""
    offers, links = landscape_from_db()
    leavers = leaver_facts_from_db(day)
    report = analyse_pathways(offers, links, PathwayConfig(), [f.outcome for f in leavers])
    return Ground(
        day=day,
        table=OfferTable.of(offers),
        offers=tuple(offers),
        distances=report.distances,
        empirical=report.empirical,
        tallies=LeaverTallies.of(leavers),
        titles=dict(Offer.objects.values_list("external_id", "title")),
    )


def _versions() -> dict[str, int] | None:
    """The change counters of the ground's tables, and the ground's format: a stored
    ground of another format (an older release) is never current."""
    tables = sorted({m._meta.db_table for m in GROUND_TABLES})
    found = table_versions(tables)
    if found is None:
        return None
    return {**dict(zip(tables, found, strict=True)), FORMAT_KEY: GROUND_FORMAT}


_loaded: OrderedDict[tuple[str, int], Ground] = OrderedDict()
_lock = threading.Lock()


def _remember(pk: int, ground: Ground) -> None:
    with _lock:
        _loaded[(connection.settings_dict["NAME"], pk)] = ground
        while len(_loaded) > KEEP_LOADED:
            _loaded.popitem(last=False)


def _load(pk: int) -> Ground:
    """The ground of row ``pk``, unpickled once per process."""
    key = (connection.settings_dict["NAME"], pk)
    with _lock:
        if key in _loaded:
            return _loaded[key]
    data = NextStepsGround.objects.filter(pk=pk).values_list("data", flat=True).get()
    ground: Ground = pickle.loads(_verified(bytes(data)))  # noqa: S301  (signed by _signed)
    _remember(pk, ground)
    return ground


# Unpickling runs code named in the data: a row is signed with a key derived from the
# secret key, so that write access to the database alone cannot make a web process run
# code. A row that fails the check is treated as one from an older release.
_SIGNATURE_SALT = "doconnect.pathways.next_steps.ground"
_SIGNATURE_BYTES = 32


def _signed(payload: bytes) -> bytes:
    return salted_hmac(_SIGNATURE_SALT, payload, algorithm="sha256").digest() + payload


def _verified(data: bytes) -> bytes:
    signature, payload = data[:_SIGNATURE_BYTES], data[_SIGNATURE_BYTES:]
    expected = salted_hmac(_SIGNATURE_SALT, payload, algorithm="sha256").digest()
    if not hmac.compare_digest(signature, expected):
        raise pickle.UnpicklingError("next steps ground: signature does not match")
    return payload


def ground_store(day: dt.date | None = None) -> NextStepsGround:
    """Compute the ground of ``day`` (today) and store it as the newest row, with the
    counters read *before* the tables, so a write during the computation leaves the row
    stale rather than wrongly current. Older rows are deleted."""
    day = day or _today()
    versions = _versions() or {}
    started = time.perf_counter()
    ground = ground_compute(day)
    row = NextStepsGround.objects.create(
        day=day,
        versions=versions,
        seconds=round(time.perf_counter() - started, 3),
        data=_signed(pickle.dumps(ground, protocol=pickle.HIGHEST_PROTOCOL)),
    )
    NextStepsGround.objects.exclude(pk=row.pk).filter(computed_at__lte=row.computed_at).delete()
    _remember(row.pk, ground)
    logger.info("next steps ground of %s computed in %.1f s", day, row.seconds)
    return row


def ground_refresh_queue(day: dt.date) -> None:
    """Have the worker compute the ground of ``day``, unless one is already queued or
    running (that one's result, if stale again, makes the next page queue another)."""
    if Job.objects.filter(
        kind=GROUND_JOB, status__in=(JobStatus.QUEUED, JobStatus.RUNNING)
    ).exists():
        return
    # "busy": another request queued it a moment ago.
    with contextlib.suppress(ValidationError):
        job_start(kind=GROUND_JOB, params={"day": day.isoformat()}, started_by=None)


def ground_is_current(day: dt.date | None = None) -> bool:
    """Whether the newest stored ground is today's and none of its tables changed."""
    day = day or _today()
    row = NextStepsGround.objects.values("day", "versions").first()
    return row is not None and row["day"] == day and row["versions"] == _versions()


_UNREADABLE = (pickle.UnpicklingError, AttributeError, ImportError, TypeError)


def ground_preload() -> None:
    """Unpickle the newest stored ground into this process, if there is a readable one
    (``doconnect serve`` before its workers fork: ``core.warmup``). Whether it is still
    current is asked on each page as always."""
    row = NextStepsGround.objects.values("pk").first()
    if row is not None:
        with contextlib.suppress(*_UNREADABLE):
            _load(row["pk"])


def kept_ground(day: dt.date | None = None) -> KeptGround:
    """The ground to rank against (see the module docstring): the newest stored one
    when current; an older one, with the worker asked for the next, rather than
    waiting; computed here only without any stored one, in a transaction, or when a
    change counter is missing. Two queries when current and loaded in this process."""
    day = day or _today()
    versions = _versions()
    row = NextStepsGround.objects.values("pk", "day", "versions", "computed_at").first()
    if (
        row is not None
        and versions is not None
        and (row["day"], row["versions"])
        == (
            day,
            versions,
        )
    ):
        with contextlib.suppress(*_UNREADABLE):
            return KeptGround(_load(row["pk"]), row["computed_at"], current=True)
        stored = ground_store(day)
        return KeptGround(_load(stored.pk), stored.computed_at, current=True)
    if connection.in_atomic_block or versions is None:
        return KeptGround(ground_compute(day), timezone.now(), current=True)
    if row is None or (row["versions"] or {}).get(FORMAT_KEY) != GROUND_FORMAT:
        # None stored, or one of an older release's shape: computed now, not misread.
        stored = ground_store(day)
        return KeptGround(_load(stored.pk), stored.computed_at, current=True)
    if rebuild_due(row["computed_at"]):
        ground_refresh_queue(day)
    try:
        older = _load(row["pk"])
    except _UNREADABLE:
        # Pickled by a release whose classes are gone, or not signed with this secret
        # key: nothing older to show.
        stored = ground_store(day)
        return KeptGround(_load(stored.pk), stored.computed_at, current=True)
    return KeptGround(older, row["computed_at"], current=False)


# --------------------------------------------------------------------------- a person


def person_facts(
    person: Person, *, goal: str | None = None, today: dt.date | None = None
) -> PersonFacts:
    """What the ranking needs to know of a person already fetched through
    ``people.access`` (pseudonymous fields only; two queries). Without ``goal``, the
    goal the person stated, if any."""
    day = today or _today()
    return PersonFacts(
        age=day.year - person.birth_year if person.birth_year else None,
        legal_branch=person.legal_branch,
        target_groups=frozenset(person.target_groups.values_list("code", flat=True)),
        district=person.district.name if person.district_id and person.district else None,
        goal=goal if goal is not None else (person.goal or None),
        done=frozenset(
            Spell.objects.filter(person=person, offer__isnull=False).values_list(
                "offer__external_id", flat=True
            )
        ),
    )


@dataclass(frozen=True)
class PersonNextSteps:
    facts: PersonFacts
    result: NextSteps
    titles: Mapping[str, str]  # the ground's own, read-only (not copied per person)
    # When the ground was computed, and whether it is current (see ``KeptGround``).
    computed_at: dt.datetime
    current: bool = True

    def to_dict(self) -> dict[str, Any]:
        return next_steps_to_dict(self.result, self.titles)


def next_steps_for(
    person: Person,
    *,
    goal: str | None = None,
    include_excluded: bool = False,
    today: dt.date | None = None,
    first: int | None = None,
    first_excluded: int | None = None,
) -> PersonNextSteps:
    """Ranked next steps for a person the caller has already fetched through
    ``people.access`` (the access check is the caller's duty); ``first`` and
    ``first_excluded`` as for ``rank_next_steps``."""
    if goal is not None and goal not in GOAL_DESTINATIONS:
        raise PathwayError(
            f"unknown goal {goal!r}; expected one of {', '.join(sorted(GOAL_DESTINATIONS))}"
        )
    facts = person_facts(person, goal=goal, today=today)
    day = today or _today()
    config = PathwayConfig()
    kept = kept_ground(day)
    ground = kept.ground
    free_places = cached(
        "pathways.free-places", FREE_PLACE_TABLES, day, lambda: free_places_from_db(day)
    )
    result = rank_next_steps(
        facts,
        ground.table,
        free_places=free_places,
        distances=ground.distances,
        neighbours=DORTMUND_NEIGHBOURS,
        outcomes=ground.empirical,
        # The leavers are compared through their tallies (``similar``); an empty,
        # not a missing, list: the ranking does compare.
        leavers=(),
        include_excluded=include_excluded,
        first=first,
        first_excluded=first_excluded,
        min_leavers=config.min_leavers,
        min_share_6m=config.min_share_6m,
        min_share_12m=config.min_share_12m,
        similar=ground.tallies.similar_outcomes(
            facts, config.min_share_6m, config.min_share_12m, config.min_leavers
        )
        if facts.age is not None
        else None,
    )
    return PersonNextSteps(
        facts=facts,
        result=result,
        titles=MappingProxyType(ground.titles),
        computed_at=kept.computed_at,
        current=kept.current,
    )
