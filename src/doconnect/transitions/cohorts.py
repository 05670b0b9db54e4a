"""A cohort's biographies as monthly sequences for the engine (``doconnect.transitions.engine``).

A cohort is chosen by a ``CohortSpec``; ``cohort_sequences`` reads it in four queries
(the cohort's defining spells or persons, the persons, all their spells, their target
groups), whatever its size, and paints the spells onto a month grid with NumPy.

Alignment (month 0 of every person):

- ``school_leavers`` (``year``): persons whose school spell (state ``school``) ended in
  that year; month 0 is the month *after* the end of their last such spell.
- ``offer`` (``offer``, an external id) and ``offer_kind`` (``offer_kind``): persons
  with a spell in that offer (or an offer of that kind), optionally starting in
  ``year``; month 0 is the month their first such spell started.
- ``district`` (``district``, a name) and ``target_group`` (``target_group``, a code),
  each with ``year``: persons of the district (target group) with any spell running
  in that year; month 0 is January of that year for everybody.

``district`` and ``target_group`` also narrow any other kind (school leavers of a year
in one district, participants of an offer kind in one target group).

A month shows the state of the spells running in it; when spells overlap, the state
earliest in ``priority`` wins (``DEFAULT_PRIORITY``: employment before apprenticeship
before offers before school … before unemployment and inactivity). A month without a
spell is missing (``NO_SPELL``), a month after today's month is not yet observed
(``NOT_YET``); both are negative codes, so the engine counts them as missing.

The *origin* a cohort leaves (for the outcome tables): school leavers left school in
month 0; offer cohorts leave the defining spell in the month after it ends (a spell
still running has no exit yet); district and target group cohorts leave unemployment
(the engine's first exit from ``unemployed`` in months 1 .. ``months - 1``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Q, QuerySet, TextChoices
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doconnect.months import month_number, month_numbers, month_of
from doconnect.people.models import Person, Spell, SpellState
from doconnect.transitions.engine.data import Sequences

# The month grid is the engine's (one rule for the database and the Parquet datasets);
# its names stay importable from here, where the cohorts' callers look for them.
from doconnect.transitions.engine.grid import DEFAULT_PRIORITY as DEFAULT_PRIORITY
from doconnect.transitions.engine.grid import MAX_HORIZON as MAX_HORIZON
from doconnect.transitions.engine.grid import NO_SPELL as NO_SPELL
from doconnect.transitions.engine.grid import NOT_YET as NOT_YET
from doconnect.transitions.engine.grid import OPEN_END, month_grid
from doconnect.transitions.engine.outcomes import exits

# Every cohort's sequences use all states in this order, so codes mean the same
# everywhere (code ``i`` is ``STATES[i]``).
STATES: tuple[str, ...] = tuple(str(s) for s in SpellState.values)
MIN_MONTHS, MAX_MONTHS = 12, 72
_OPEN_END = OPEN_END


class CohortKind(TextChoices):
    SCHOOL_LEAVERS = "school_leavers", _("Schulabgänger:innen eines Jahres")
    OFFER = "offer", _("Teilnehmende eines Angebots")
    OFFER_KIND = "offer_kind", _("Teilnehmende einer Angebotsart")
    DISTRICT = "district", _("Personen eines Stadtbezirks in einem Jahr")
    TARGET_GROUP = "target_group", _("Personen einer Zielgruppe in einem Jahr")


# What each kind needs besides ``kind``.
REQUIRED: Mapping[str, tuple[str, ...]] = {
    CohortKind.SCHOOL_LEAVERS: ("year",),
    CohortKind.OFFER: ("offer",),
    CohortKind.OFFER_KIND: ("offer_kind",),
    CohortKind.DISTRICT: ("district", "year"),
    CohortKind.TARGET_GROUP: ("target_group", "year"),
}


@dataclass(frozen=True)
class CohortSpec:
    """Who is in the cohort: ``kind`` and its parameter(s); ``district`` and
    ``target_group`` narrow every kind; ``year`` is optional for offer cohorts (the
    year the spell started)."""

    kind: str
    year: int | None = None
    offer: str = ""
    offer_kind: str = ""
    district: str = ""
    target_group: str = ""

    def __post_init__(self) -> None:
        if self.kind not in REQUIRED:
            raise ValueError(f"unknown cohort kind {self.kind!r}")
        missing = [name for name in REQUIRED[self.kind] if not getattr(self, name)]
        if missing:
            raise ValueError(f"a {self.kind} cohort needs {', '.join(missing)}")

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "year": self.year,
            "offer": self.offer,
            "offer_kind": self.offer_kind,
            "district": self.district,
            "target_group": self.target_group,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CohortSpec:
        year = data.get("year")
        return cls(
            kind=str(data["kind"]),
            year=int(year) if year not in (None, "") else None,
            offer=str(data.get("offer") or ""),
            offer_kind=str(data.get("offer_kind") or ""),
            district=str(data.get("district") or ""),
            target_group=str(data.get("target_group") or ""),
        )

    @property
    def origin(self) -> str:
        """What the outcome tables count leaving: ``school``, ``offer`` or
        ``unemployed``."""
        if self.kind == CohortKind.SCHOOL_LEAVERS:
            return SpellState.SCHOOL
        if self.kind in (CohortKind.OFFER, CohortKind.OFFER_KIND):
            return SpellState.OFFER
        return SpellState.UNEMPLOYED


@dataclass(frozen=True)
class Cohort:
    """The cohort's sequences (``seqs``: ids are pseudonyms, ``months`` periods from
    month 0), per person district name (``""`` unknown), target group codes and gender,
    the absolute month 0 (its ``doconnect.months`` month number), the longer ``grid``
    (``months + MAX_HORIZON`` months, same alignment) the outcomes look into, and
    ``exit_month``: the month (relative) in which the person was first out of the
    origin, ``-1`` when not within months ``0 .. months - 1``."""

    spec: CohortSpec
    seqs: Sequences
    districts: tuple[str, ...]
    target_groups: tuple[tuple[str, ...], ...]
    genders: tuple[str, ...]
    start_month: np.ndarray
    grid: np.ndarray
    exit_month: np.ndarray
    today: dt.date

    @property
    def n(self) -> int:
        return self.seqs.n

    @property
    def months(self) -> int:
        return self.seqs.periods


def _year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _narrow(qs: QuerySet[Any], spec: CohortSpec, prefix: str) -> QuerySet[Any]:
    if spec.district:
        qs = qs.filter(**{f"{prefix}district__name": spec.district})
    if spec.target_group:
        qs = qs.filter(**{f"{prefix}target_groups__code": spec.target_group})
    return qs


def _events(spec: CohortSpec) -> tuple[QuerySet[Any], list[tuple[Any, ...]]]:
    """The query naming the cohort's candidates (for subqueries) and the rows that
    define it: school leavers every school spell of the candidates ``(person_id, start,
    end)``, offer cohorts the offer spells ``(person_id, start, end)``, district and
    target group cohorts ``(person_id,)``."""
    if spec.kind == CohortKind.SCHOOL_LEAVERS:
        assert spec.year is not None
        qs = _narrow(
            Spell.objects.filter(state=SpellState.SCHOOL, end__year=spec.year), spec, "person__"
        )
        school = Spell.objects.filter(
            state=SpellState.SCHOOL, person_id__in=qs.values("person_id")
        ).order_by()
        return qs, list(school.values_list("person_id", "start", "end"))
    if spec.kind in (CohortKind.OFFER, CohortKind.OFFER_KIND):
        qs = (
            Spell.objects.filter(offer__external_id=spec.offer)
            if spec.kind == CohortKind.OFFER
            else Spell.objects.filter(offer__kind=spec.offer_kind)
        )
        if spec.year:
            qs = qs.filter(start__year=spec.year)
        qs = _narrow(qs, spec, "person__")
        return qs, list(qs.order_by().values_list("person_id", "start", "end"))
    assert spec.year is not None
    first, last = _year_bounds(spec.year)
    qs = _narrow(
        Spell.objects.filter(Q(end__isnull=True) | Q(end__gte=first), start__lte=last),
        spec,
        "person__",
    )
    return qs, list(qs.order_by().values_list("person_id").distinct())


def school_leaving(
    pids: np.ndarray, starts: np.ndarray, ends: np.ndarray, year: int
) -> dict[int, int]:
    """Per person the last month of school in ``year``: school spells that follow each
    other without a month's gap (school years recorded one by one) are one stay at
    school; a person left school in ``year`` when such a stay ends in it (the last one,
    if several). Months are absolute indices, ``ends`` inclusive (open: far future)."""
    if not len(pids):
        return {}
    order = np.lexsort((starts, pids))
    pid, first, last = pids[order], starts[order], ends[order]
    stride = 4 * _OPEN_END
    reach = np.maximum.accumulate(pid * stride + last) - pid * stride  # latest end so far
    new_person = np.r_[True, pid[1:] != pid[:-1]]
    new_stay = new_person | np.r_[True, first[1:] > reach[:-1] + 1]
    stay_end = np.r_[new_stay[1:], True]  # the last spell of each stay
    in_year = (reach >= month_number(year, 1)) & (reach <= month_number(year, 12))
    left = stay_end & in_year & (reach < _OPEN_END)
    leaving: dict[int, int] = {}
    for person, month in zip(pid[left].tolist(), reach[left].tolist(), strict=True):
        leaving[person] = max(month, leaving.get(person, month))
    return leaving


def _first_per_person(pids: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Indices of the row with the smallest ``key`` per person (ties: the first)."""
    order = np.lexsort((key, pids))
    _unique, first = np.unique(pids[order], return_index=True)
    return np.asarray(order[first])


def cohort_sequences(
    spec: CohortSpec,
    *,
    months: int = 36,
    priority: Sequence[str] = DEFAULT_PRIORITY,
    today: dt.date | None = None,
) -> Cohort:
    """The cohort's monthly sequences (see the module text for alignment, priority and
    missing months); rows ordered by pseudonym."""
    if not MIN_MONTHS <= months <= MAX_MONTHS:
        raise ValueError(f"months must be {MIN_MONTHS} .. {MAX_MONTHS}, not {months}")
    unknown = [s for s in priority if s not in STATES]
    if unknown:
        raise ValueError(f"unknown state(s) in the priority: {', '.join(unknown)}")
    today = today or timezone.localdate()
    events_qs, events = _events(spec)
    members = events_qs.values("person_id")

    persons = list(
        Person.objects.filter(id__in=members)
        .order_by("public_id")
        .values_list("id", "public_id", "gender", "district__name")
    )
    spells = list(
        Spell.objects.filter(person_id__in=members)
        .order_by()
        .values_list("person_id", "state", "start", "end")
    )
    memberships = list(
        Person.target_groups.through.objects.filter(person_id__in=members)
        .order_by()
        .values_list("person_id", "targetgroup__code")
    )

    # Month 0 and the end of the defining spell (-1: none) per member.
    event: dict[int, tuple[int, int]] = {}
    if events:
        pids = np.array([e[0] for e in events], dtype=np.int64)
        if spec.kind == CohortKind.SCHOOL_LEAVERS:
            assert spec.year is not None
            leaving = school_leaving(
                pids,
                month_numbers((e[1] for e in events), 0),
                month_numbers((e[2] for e in events), _OPEN_END),
                spec.year,
            )
            event = {person: (month + 1, month) for person, month in leaving.items()}
        elif spec.kind in (CohortKind.OFFER, CohortKind.OFFER_KIND):
            begins = month_numbers((e[1] for e in events), 0)
            ends = month_numbers((e[2] for e in events), -1)
            pick = _first_per_person(pids, begins)  # the first spell in the offer
            event = dict(
                zip(
                    pids[pick].tolist(),
                    zip(begins[pick].tolist(), ends[pick].tolist(), strict=True),
                    strict=True,
                )
            )
        else:
            assert spec.year is not None
            event = {person: (month_number(spec.year, 1), -1) for person in pids.tolist()}
    persons = [p for p in persons if p[0] in event]  # school: candidates who stayed
    n = len(persons)
    person_ids = np.array([p[0] for p in persons], dtype=np.int64)
    by_id = np.argsort(person_ids, kind="stable")
    sorted_ids = person_ids[by_id]

    def row_of(ids: Sequence[int] | np.ndarray) -> np.ndarray:
        ids = np.asarray(ids, dtype=np.int64)
        return np.asarray(by_id[np.searchsorted(sorted_ids, ids)], dtype=np.int64)

    start_month = np.array([event[p[0]][0] for p in persons], dtype=np.int64)
    defining_end = np.array([event[p[0]][1] for p in persons], dtype=np.int64)
    spells = [row for row in spells if row[0] in event]

    code_of = {state: i for i, state in enumerate(STATES)}
    span = months + MAX_HORIZON
    if spells:
        columns = list(zip(*spells, strict=True))
        grid = month_grid(
            row_of(columns[0]),
            np.array([code_of[s] for s in columns[1]], dtype=np.int64),
            month_numbers(columns[2], 0),
            month_numbers(columns[3], _OPEN_END),
            start_month,
            span,
            [code_of[s] for s in priority],
            month_of(today),
        )
    else:
        grid = month_grid(
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
            start_month,
            span,
            [],
            month_of(today),
        )

    seqs = Sequences(grid[:, :months].copy(), STATES, ids=tuple(p[1] for p in persons))
    exit_month = np.full(n, -1, dtype=np.int64)
    if n:
        if spec.kind == CohortKind.SCHOOL_LEAVERS:
            exit_month[:] = 0
        elif spec.kind in (CohortKind.OFFER, CohortKind.OFFER_KIND):
            ended = defining_end >= 0
            relative = defining_end + 1 - start_month
            within = ended & (relative >= 0) & (relative < months)
            exit_month[within] = relative[within]
        else:
            exit_at, _outcome = exits(seqs, [SpellState.UNEMPLOYED], (1, months - 1), 1)
            exit_month[:] = exit_at

    groups: dict[int, list[str]] = {}
    for person_id, code in memberships:
        groups.setdefault(person_id, []).append(code)
    return Cohort(
        spec=spec,
        seqs=seqs,
        districts=tuple(p[3] or "" for p in persons),
        target_groups=tuple(tuple(sorted(groups.get(p[0], ()))) for p in persons),
        genders=tuple(p[2] for p in persons),
        start_month=start_month,
        grid=grid,
        exit_month=exit_month,
        today=today,
    )
