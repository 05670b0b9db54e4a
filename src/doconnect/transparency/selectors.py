"""The yearly report's raw figures, read from the database (counts and sums only; no
person ever leaves this module: ids are used to count, never returned).

Definitions (the same as elsewhere, never a second version):

- *offers of the year*: offers of the city's own catalogue (source ``""``; the BA's
  training and apprenticeship catalogues are not the city's policy) whose dates overlap
  the year (no start: since ever; no end: still running), except ones ended without an
  end date. Places are their capacities (offers without a capacity are counted apart).
- *participants of the year*: the yearly form of ``offers.participation``: a person
  takes part when a spell with an offer runs on some day of the year
  (``taking_part_spells``), or a referral of theirs was started in the year (a started
  referral may not have a spell yet; ``started_referrals`` counts one started *now*,
  the report one started in the year); each person counted once, in their district.
  By target group a person counts in each of their groups (none: "ohne Zielgruppe").
- *leavers of the year* and where they were 6 months later: the transitions app's
  offer-kind cohorts (``transitions.cohorts.cohort_sequences``, month 0 the start of a
  person's first spell in an offer of the kind, exit the month after it ends); a leaver
  of the year is one whose spell ended in the year; a person leaving offers of several
  kinds in the year counts once, with their latest exit. The
  outcome is the state of month ``exit + 6 - 1`` on the cohort's grid (as the
  transitions report's +6 table); after today's month it is not yet observable.
- *funding of the year*: each funding line's amount pro rata to the days it overlaps the
  year.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.db.models import Q, QuerySet

from doconnect.core.changes import cached
from doconnect.core.models import District, TargetGroup
from doconnect.decisions.models import Decision, DecisionRecord
from doconnect.decisions.selectors import public_decisions
from doconnect.months import month_number
from doconnect.offers.models import FundingLine, Offer, OfferKind, OfferSource, OfferStatus
from doconnect.people.models import Person, Spell, SpellState
from doconnect.referrals.models import ReferralEvent, ReferralStatus
from doconnect.transitions.cohorts import (
    MAX_MONTHS,
    NO_SPELL,
    NOT_YET,
    STATES,
    CohortKind,
    CohortSpec,
    cohort_sequences,
)

NO_GROUP = ""  # persons without a target group
NO_DISTRICT = ""  # persons or offers without a district
OUTCOME_HORIZON = 6

# Where leavers are, in words the public understands; every spell state has one place.
OUTCOME_CATEGORIES: dict[str, tuple[str, ...]] = {
    "work": (SpellState.EMPLOYMENT, SpellState.SELF_EMPLOYMENT),
    "training": (
        SpellState.APPRENTICESHIP,
        SpellState.HIGHER_EDUCATION,
        SpellState.VOCATIONAL_COLLEGE,
        SpellState.SCHOOL,
    ),
    "support": (
        SpellState.OFFER,
        SpellState.FURTHER_TRAINING,
        SpellState.SUBSIDISED_EMPLOYMENT,
    ),
    "unemployed": (SpellState.UNEMPLOYED,),
    "other": (
        SpellState.MARGINAL_EMPLOYMENT,
        SpellState.PARENTAL_LEAVE,
        SpellState.CARE,
        SpellState.INACTIVE,
        SpellState.UNKNOWN,
    ),
}
_CATEGORY_OF_STATE = {
    str(state): category for category, states in OUTCOME_CATEGORIES.items() for state in states
}
OTHER = "other"  # also a month without any spell


@dataclass(frozen=True)
class YearFigures:
    """Raw counts of one calendar year; keys are codes and names, values counts."""

    year: int
    as_of: dt.date
    districts: list[str]  # names, in official order; NO_DISTRICT last when used
    groups: dict[str, str]  # code -> label, NO_GROUP last
    providers: int
    offers_by_kind: Counter[str]
    places_by_kind: Counter[str]
    offers_by_district: Counter[str]
    places_by_district: Counter[str]
    offers_without_capacity: int
    participants: int
    participants_by_district_group: Counter[tuple[str, str]]
    leavers: int
    leavers_not_yet_observable: int
    outcomes_by_group: Counter[tuple[str, str]]
    outcomes_by_district: Counter[tuple[str, str]]
    funding_by_funder_kind: dict[tuple[str, str], Decimal]
    # The priority decisions taken in the year and published (their public record).
    decisions: tuple[DecisionFact, ...] = ()


@dataclass(frozen=True)
class DecisionFact:
    pk: int
    title: str
    question: str
    chosen: str
    decided_by: str
    decided_on: dt.date
    reasons: str


def decisions_of_year(year: int) -> tuple[DecisionFact, ...]:
    """Published priority decisions taken in ``year``, oldest first."""
    rows = public_decisions().filter(record__decided_at__year=year).order_by("record__decided_at")
    return tuple(
        DecisionFact(
            pk=d.pk,
            title=d.title,
            question=d.question,
            chosen=d.record.chosen_label,
            decided_by=d.record.decided_by_label,
            decided_on=d.record.decided_at.date(),
            reasons=d.record.reasons,
        )
        for d in rows
    )


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def offers_of_year(year: int) -> QuerySet[Offer]:
    first, last = year_bounds(year)
    return Offer.objects.filter(
        Q(start__isnull=True) | Q(start__lte=last),
        Q(end__isnull=True) | Q(end__gte=first),
        source=OfferSource.CITY,
    ).exclude(status=OfferStatus.ENDED, end__isnull=True)


def spells_of_year(year: int) -> QuerySet[Spell]:
    """``offers.participation.taking_part_spells`` widened from one day to a year:
    spells with an offer that run on at least one day of ``year``."""
    first, last = year_bounds(year)
    return Spell.objects.filter(
        Q(end__isnull=True) | Q(end__gte=first), offer__isnull=False, start__lte=last
    )


def participants_of_year(year: int) -> QuerySet[Person]:
    """Persons taking part in an offer on some day of ``year`` (see the module text)."""
    first, last = year_bounds(year)
    referral_started = ReferralEvent.objects.filter(
        to_status=ReferralStatus.STARTED, at__date__gte=first, at__date__lte=last
    )
    return Person.objects.filter(
        Q(pk__in=spells_of_year(year).values("person_id"))
        | Q(pk__in=referral_started.values("referral__person_id"))
    )


def _groups(person_ids: set[int]) -> dict[int, list[str]]:
    rows = Person.target_groups.through.objects.filter(person_id__in=person_ids).values_list(
        "person_id", "targetgroup__code"
    )
    out: dict[int, list[str]] = {}
    for person_id, code in rows:
        out.setdefault(person_id, []).append(code)
    return out


def _participants(year: int) -> tuple[int, Counter[tuple[str, str]]]:
    rows = list(participants_of_year(year).values_list("pk", "district__name"))
    groups = _groups({pk for pk, _ in rows})
    table: Counter[tuple[str, str]] = Counter()
    for pk, district in rows:
        for code in groups.get(pk) or [NO_GROUP]:
            table[(district or NO_DISTRICT, code)] += 1
    return len(rows), table


def outcome_category(code: int) -> str:
    """The public category of a grid code (a month without spell: "other")."""
    if code == NO_SPELL:
        return OTHER
    return _CATEGORY_OF_STATE[STATES[code]]


def _leavers(
    year: int, today: dt.date
) -> tuple[int, int, Counter[tuple[str, str]], Counter[tuple[str, str]]]:
    """Leavers of offers in ``year`` and their category ``OUTCOME_HORIZON`` months on."""
    # person pseudonym -> (absolute exit month, outcome code, district, groups)
    latest: dict[str, tuple[int, int, str, tuple[str, ...]]] = {}
    first_month, last_month = month_number(year, 1), month_number(year, 12)
    for kind in OfferKind.values:
        cohort = cohort_sequences(
            CohortSpec(kind=CohortKind.OFFER_KIND, offer_kind=kind),
            months=MAX_MONTHS,
            today=today,
        )
        if not cohort.n:
            continue
        # The exit month is the first month out; the offer ended the month before.
        absolute = cohort.start_month + cohort.exit_month
        ended = absolute - 1
        chosen = np.flatnonzero(
            (cohort.exit_month >= 0) & (ended >= first_month) & (ended <= last_month)
        )
        at = cohort.exit_month[chosen] + OUTCOME_HORIZON - 1
        outcomes = cohort.grid[chosen, np.minimum(at, cohort.grid.shape[1] - 1)]
        for row, month, outcome in zip(
            chosen.tolist(), absolute[chosen].tolist(), outcomes.tolist(), strict=True
        ):
            pseudonym = cohort.seqs.ids[row]
            if pseudonym not in latest or latest[pseudonym][0] < month:
                latest[pseudonym] = (
                    month,
                    int(outcome),
                    cohort.districts[row],
                    cohort.target_groups[row],
                )
    by_group: Counter[tuple[str, str]] = Counter()
    by_district: Counter[tuple[str, str]] = Counter()
    not_yet = 0
    for _month, outcome, district, groups in latest.values():
        if outcome == NOT_YET:
            not_yet += 1
            continue
        category = outcome_category(outcome)
        by_district[(district or NO_DISTRICT, category)] += 1
        for code in groups or (NO_GROUP,):
            by_group[(code, category)] += 1
    return len(latest), not_yet, by_group, by_district


def _funding(year: int) -> dict[tuple[str, str], Decimal]:
    first, last = year_bounds(year)
    lines = FundingLine.objects.filter(
        start__lte=last, end__gte=first, offer__source=OfferSource.CITY
    ).values_list("funder", "offer__kind", "amount_eur", "start", "end")
    out: dict[tuple[str, str], Decimal] = {}
    for funder, kind, amount, start, end in lines:
        days = (end - start).days + 1
        if days <= 0:
            continue
        overlap = (min(end, last) - max(start, first)).days + 1
        out[(funder, kind)] = out.get((funder, kind), Decimal(0)) + amount * overlap / days
    return out


# What the yearly report is read from: a change in any of these builds it afresh.
REPORT_TABLES = (
    Offer,
    FundingLine,
    Spell,
    Person,
    Person.target_groups.through,
    TargetGroup,
    District,
    ReferralEvent,
    Decision,
    DecisionRecord,
)


def year_figures(year: int, *, today: dt.date) -> YearFigures:
    """Every raw figure of the yearly report: a few dozen queries whatever the size, or
    one while none of ``REPORT_TABLES`` changed (``core.changes``; read-only)."""
    return cached(
        "transparency.year", REPORT_TABLES, (year, today), lambda: _year_figures(year, today)
    )


def _year_figures(year: int, today: dt.date) -> YearFigures:
    offers = list(
        offers_of_year(year).values_list("kind", "district__name", "capacity", "provider_id")
    )
    offers_by_kind: Counter[str] = Counter()
    places_by_kind: Counter[str] = Counter()
    offers_by_district: Counter[str] = Counter()
    places_by_district: Counter[str] = Counter()
    without_capacity = 0
    for kind, district, capacity, _provider in offers:
        offers_by_kind[kind] += 1
        offers_by_district[district or NO_DISTRICT] += 1
        if capacity is None:
            without_capacity += 1
        else:
            places_by_kind[kind] += capacity
            places_by_district[district or NO_DISTRICT] += capacity
    participants, by_district_group = _participants(year)
    leavers, not_yet, outcomes_by_group, outcomes_by_district = _leavers(year, today)
    districts = list(District.objects.order_by("official_key").values_list("name", flat=True))
    used_districts = {d for d, _ in by_district_group} | set(offers_by_district)
    used_districts |= {d for d, _ in outcomes_by_district}
    if NO_DISTRICT in used_districts:
        districts.append(NO_DISTRICT)
    groups = dict(TargetGroup.objects.order_by("code").values_list("code", "label"))
    groups[NO_GROUP] = ""
    return YearFigures(
        year=year,
        as_of=today,
        districts=districts,
        groups=groups,
        providers=len({provider for *_rest, provider in offers}),
        offers_by_kind=offers_by_kind,
        places_by_kind=places_by_kind,
        offers_by_district=offers_by_district,
        places_by_district=places_by_district,
        offers_without_capacity=without_capacity,
        participants=participants,
        participants_by_district_group=by_district_group,
        leavers=leavers,
        leavers_not_yet_observable=not_yet,
        outcomes_by_group=outcomes_by_group,
        outcomes_by_district=outcomes_by_district,
        funding_by_funder_kind=_funding(year),
        decisions=decisions_of_year(year),
    )
