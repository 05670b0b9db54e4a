"""Who takes part in an offer on a day: one definition for free places, participant
lists and the "persons in active support" figures."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

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


def in_active_support(persons: QuerySet[Person], day: dt.date) -> QuerySet[Person]:
    """Those of ``persons`` who take part in an offer on ``day`` (a running spell with
    an offer, or a started referral)."""
    return persons.filter(
        Q(pk__in=taking_part_spells(day).values("person_id"))
        | Q(pk__in=started_referrals().values("person_id"))
    )
