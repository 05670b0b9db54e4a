"""Each offer's answer figures: how many referrals were sent, how many the provider
answered, the response rate and the median answer time — offers that never answer
become visible."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from doconnect.referrals.models import Referral, ReferralStatus
from doconnect.referrals.selectors import answer_statistics
from tests.conftest import City, make_person

SENT = timezone.make_aware(dt.datetime(2026, 10, 1, 9, 0))


def _referral(
    city: City, status: str, *, offer: str = "a", answer_hours: float | None = None
) -> None:
    Referral.objects.create(
        person=make_person(city),
        offer=city.offer_a if offer == "a" else city.offer_b,
        status=status,
        sent_at=SENT,
        answered_at=SENT + dt.timedelta(hours=answer_hours) if answer_hours is not None else None,
    )


def test_the_figures_per_offer_count_sent_answered_expired_and_waiting(city: City) -> None:
    _referral(city, "accepted", answer_hours=10)
    _referral(city, "declined", answer_hours=50)
    _referral(city, "started", answer_hours=30)
    _referral(city, "expired")
    _referral(city, "sent")
    _referral(city, "cancelled")  # withdrawn by the city before an answer
    _referral(city, "expired", offer="b")
    _referral(city, "expired", offer="b")
    Referral.objects.create(person=make_person(city), offer=city.offer_b, status="proposed")
    with CaptureQueriesContext(connection) as queries:
        stats = answer_statistics()
    assert len(queries) == 1
    a, b = stats[city.offer_a.pk], stats[city.offer_b.pk]
    assert (a.sent, a.answered, a.expired, a.waiting) == (6, 3, 1, 1)
    assert a.response_rate == pytest.approx(3 / 4)
    assert a.median_answer_hours == pytest.approx(30)
    assert a.median_answer_days == pytest.approx(1.25)
    assert (b.sent, b.answered, b.expired, b.response_rate, b.median_answer_hours) == (
        2,
        0,
        2,
        0.0,
        None,
    )


def test_the_figures_can_be_asked_for_some_offers_and_offers_without_referrals_are_left_out(
    city: City,
) -> None:
    _referral(city, "accepted", answer_hours=4)
    _referral(city, ReferralStatus.SENT, offer="b")
    assert set(answer_statistics([city.offer_a.pk])) == {city.offer_a.pk}
    only_waiting = answer_statistics([city.offer_b.pk])[city.offer_b.pk]
    assert (only_waiting.waiting, only_waiting.response_rate) == (1, None)
    Referral.objects.all().delete()
    assert answer_statistics() == {}
