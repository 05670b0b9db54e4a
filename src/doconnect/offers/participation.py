"""Who takes part in an offer on a day, and who holds a booked place: one definition for
free places, bookings, participant lists and the "persons in active support" figures.

A place is occupied by a person taking part (a running spell with the offer, or a
started referral) or booked by an accepted referral that has not started yet; a person
counted once."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db.models import (
    Case,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Greatest

from doconnect.core.changes import kept_rows
from doconnect.offers.models import Offer
from doconnect.people.models import Person, Spell
from doconnect.referrals.models import Referral, ReferralStatus


def taking_part_spells(day: dt.date) -> QuerySet[Spell]:
    """Spells with an offer that run on ``day``."""
    return Spell.objects.filter(
        Q(end__isnull=True) | Q(end__gte=day), offer__isnull=False, start__lte=day
    )


def started_referrals() -> QuerySet[Referral]:
    """Referrals whose person has started the offer (and may not have a spell yet)."""
    return Referral.objects.filter(status=ReferralStatus.STARTED)


def booked_referrals() -> QuerySet[Referral]:
    """Referrals the provider accepted and the person has not started yet: each holds a
    place."""
    return Referral.objects.filter(status=ReferralStatus.ACCEPTED)


def in_active_support(
    persons: QuerySet[Person], day: dt.date, **offer_filter: Any
) -> QuerySet[Person]:
    """Those of ``persons`` who take part in an offer on ``day`` (a running spell with
    an offer, or a started referral), optionally only in offers matching
    ``offer_filter`` on the spell or referral (``offer_id=…``,
    ``offer__provider_id=…``)."""
    return persons.filter(
        Q(pk__in=taking_part_spells(day).filter(**offer_filter).values("person_id"))
        | Q(pk__in=started_referrals().filter(**offer_filter).values("person_id"))
    )


class CountOf(Subquery):
    """``(SELECT COUNT(*) FROM (<subquery>))``: a correlated count that stays one
    expression, so it can be annotated, summed and grouped in the outer query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()


def taking_part_count(
    day: dt.date, offer_lookup: str, persons: QuerySet[Person] | None = None
) -> CombinedExpression:
    """How many persons (of ``persons``, default everybody) take part on ``day`` in an
    offer whose ``offer_lookup`` (e.g. ``"offer_id"``, ``"offer__provider_id"``) equals
    the outer row's pk; a person counted once.

    Counted from the spells and referrals alone (persons with a running spell, plus
    those with a started referral and no such spell), never by scanning persons per
    row: the correlated parts use the (offer, …) indexes."""
    spells = taking_part_spells(day).filter(**{offer_lookup: OuterRef("pk")})
    referrals = started_referrals().filter(**{offer_lookup: OuterRef("pk")})
    if persons is not None:
        spells = spells.filter(person_id__in=persons.values("pk"))
        referrals = referrals.filter(person_id__in=persons.values("pk"))
    spell_too = taking_part_spells(day).filter(
        person_id=OuterRef("person_id"), **{offer_lookup: OuterRef(OuterRef("pk"))}
    )
    with_spell = CountOf(spells.order_by().values("person_id").distinct())
    referral_only = CountOf(
        referrals.filter(~Exists(spell_too)).order_by().values("person_id").distinct()
    )
    return with_spell + referral_only


def taking_part_pairs(
    day: dt.date, offer_lookup: str, persons: QuerySet[Person] | None = None
) -> list[QuerySet[Any]]:
    """The two queries behind ``taking_part_counts``: (value of ``offer_lookup``,
    person) pairs from running spells and from started referrals."""
    spells = taking_part_spells(day)
    referrals = started_referrals()
    if persons is not None:
        spells = spells.filter(person_id__in=persons.values("pk"))
        referrals = referrals.filter(person_id__in=persons.values("pk"))
    return [
        rows.order_by().values_list(offer_lookup, "person_id").distinct()
        for rows in (spells, referrals)
    ]


def count_pairs(*results: Iterable[tuple[int, int]]) -> Counter[int]:
    """Persons per key from the results of ``taking_part_pairs`` (a person once per key)."""
    pairs: set[tuple[int, int]] = set()
    for rows in results:
        pairs.update(rows)
    return Counter(key for key, _person in pairs)


def taking_part_counts(
    day: dt.date, offer_lookup: str, persons: QuerySet[Person] | None = None
) -> Counter[int]:
    """The figures of ``taking_part_count`` for every value of ``offer_lookup`` at once
    (e.g. per provider): persons (of ``persons``) with a running spell with an offer or
    a started referral, a person counted once per value. Two queries whose rows are
    pairs, for pages that list every provider: one correlated count per row is slow on
    SQLite (the person filter is evaluated again for each row). The pairs are kept
    while none of the tables their SQL reads changed (``core.changes.kept_rows``: one
    query for the counters when nothing changed)."""
    return count_pairs(*kept_rows(taking_part_pairs(day, offer_lookup, persons)))


def booked_count(day: dt.date, offer_lookup: str = "offer_id") -> CountOf:
    """How many persons hold a booked place (an accepted referral) on ``day`` in the
    offer whose ``offer_lookup`` equals the outer row's pk, not counting those already
    taking part there (they occupy their place once)."""
    outer = OuterRef(OuterRef("pk"))
    spell_too = taking_part_spells(day).filter(
        person_id=OuterRef("person_id"), **{offer_lookup: outer}
    )
    started_too = started_referrals().filter(
        person_id=OuterRef("person_id"), **{offer_lookup: outer}
    )
    return CountOf(
        booked_referrals()
        .filter(**{offer_lookup: OuterRef("pk")})
        .filter(~Exists(spell_too), ~Exists(started_too))
        .order_by()
        .values("person_id")
        .distinct()
    )


def occupied_places(offer_id: int, day: dt.date) -> int:
    """Places of one offer occupied on ``day``: persons taking part plus booked places
    (one query). The booking check in ``referrals.services.referral_accept``."""
    row = (
        Offer.objects.filter(pk=offer_id)
        .annotate(taking_part=taking_part_count(day, "offer_id"), booked=booked_count(day))
        .values_list("taking_part", "booked")
        .first()
    )
    return 0 if row is None else int(row[0]) + int(row[1])


def with_free_places(offers: QuerySet[Offer], day: dt.date) -> QuerySet[Offer]:
    """Offers annotated with ``participants`` (everybody taking part on ``day``),
    ``booked`` (accepted referrals not started yet) and ``free_places`` (capacity minus
    participants and bookings, never below 0; None when the capacity is unknown): the
    figures of ``pathways_services.free_places_from_db`` as an annotation, so lists can
    filter, sum and page on them in the database."""
    return offers.annotate(
        participants=taking_part_count(day, "offer_id"),
        booked=booked_count(day),
        # Explicit None for an unknown capacity: PostgreSQL's GREATEST skips NULLs.
        free_places=Case(
            When(
                capacity__isnull=False,
                then=Greatest(
                    ExpressionWrapper(
                        F("capacity") - F("participants") - F("booked"),
                        output_field=IntegerField(),
                    ),
                    Value(0),
                ),
            ),
            default=None,
            output_field=IntegerField(),
        ),
    )
