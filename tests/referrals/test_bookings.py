"""Accepting a referral books a place: persons taking part plus booked places never
exceed the offer's capacity, not even when 200 providers' clicks arrive at once."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from doconnect.offers.models import Offer
from doconnect.offers.participation import occupied_places, with_free_places
from doconnect.pathways.services import free_places_from_db
from doconnect.people.models import Person
from doconnect.people.services import spell_create
from doconnect.referrals.models import Referral, ReferralStatus
from doconnect.referrals.services import referral_accept, referral_cancel, referral_start
from tests.conftest import City, make_person


def _sent(city: City, offer: Offer | None = None) -> Referral:
    return Referral.objects.create(
        person=make_person(city), offer=offer or city.offer_a, status=ReferralStatus.SENT
    )


def test_an_accepted_referral_holds_a_place_until_it_starts_and_counts_once_after(
    city: City, provider_staff: User
) -> None:
    today = timezone.localdate()
    referral = _sent(city)
    assert occupied_places(city.offer_a.pk, today) == 0
    referral_accept(referral=referral, actor=provider_staff)
    assert occupied_places(city.offer_a.pk, today) == 1
    offer = with_free_places(Offer.objects.filter(pk=city.offer_a.pk), today).get()
    assert (offer.participants, offer.booked, offer.free_places) == (0, 1, 9)
    assert free_places_from_db(today)["o-a"] == 9
    referral_start(referral=referral, actor=provider_staff)
    offer = with_free_places(Offer.objects.filter(pk=city.offer_a.pk), today).get()
    assert (offer.participants, offer.booked, offer.free_places) == (1, 0, 9)


def test_a_person_with_a_running_spell_and_a_booking_occupies_one_place(city: City) -> None:
    today = timezone.localdate()
    person = make_person(city)
    spell_create(
        person=person,
        state="offer",
        start=today - dt.timedelta(days=5),
        end=None,
        offer_id=city.offer_a.pk,
    )
    Referral.objects.create(person=person, offer=city.offer_a, status=ReferralStatus.ACCEPTED)
    assert occupied_places(city.offer_a.pk, today) == 1
    assert free_places_from_db(today)["o-a"] == 9


def test_the_provider_cannot_accept_when_the_offer_is_full(
    city: City, coordinator: User, provider_staff: User
) -> None:
    city.offer_a.capacity = 2
    city.offer_a.save()
    today = timezone.localdate()
    taking_part = make_person(city)
    spell_create(
        person=taking_part,
        state="offer",
        start=today - dt.timedelta(days=5),
        end=None,
        offer_id=city.offer_a.pk,
    )
    first, second = _sent(city), _sent(city)
    referral_accept(referral=first, actor=provider_staff)
    with pytest.raises(ValidationError, match="ausgebucht") as refused:
        referral_accept(referral=second, actor=provider_staff)
    assert refused.value.code == "full"
    assert Referral.objects.get(pk=second.pk).status == ReferralStatus.SENT
    assert not second.events.exists()
    referral_cancel(referral=first, actor=coordinator)
    referral_accept(referral=second, actor=provider_staff)
    assert Referral.objects.get(pk=second.pk).status == ReferralStatus.ACCEPTED


def test_an_offer_without_a_known_capacity_is_never_full(city: City, provider_staff: User) -> None:
    city.offer_a.capacity = None
    city.offer_a.save()
    for _ in range(3):
        referral_accept(referral=_sent(city), actor=provider_staff)
    assert Referral.objects.filter(status=ReferralStatus.ACCEPTED).count() == 3


def test_an_offer_with_no_places_refuses_the_first_accept(city: City, provider_staff: User) -> None:
    city.offer_a.capacity = 0
    city.offer_a.save()
    with pytest.raises(ValidationError, match="ausgebucht"):
        referral_accept(referral=_sent(city), actor=provider_staff)


PLACES = 50
ACCEPTS = 200


@pytest.mark.postgres_only
@pytest.mark.slow
def test_200_concurrent_accepts_at_an_offer_with_50_places_book_exactly_50(
    transactional_db: None, city: City, provider_staff: User
) -> None:
    city.offer_a.capacity = PLACES
    city.offer_a.save()
    persons = Person.objects.bulk_create(
        Person(gender="female", birth_year=2000, district=city.district) for _ in range(ACCEPTS)
    )
    referrals = Referral.objects.bulk_create(
        Referral(person=p, offer=city.offer_a, status=ReferralStatus.SENT) for p in persons
    )

    def accept(referral: Referral) -> str:
        try:
            referral_accept(referral=referral, actor=provider_staff)
            return "booked"
        except ValidationError as exc:
            return str(exc.code)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(accept, referrals))

    assert answers.count("booked") == PLACES
    assert answers.count("full") == ACCEPTS - PLACES
    assert Referral.objects.filter(status=ReferralStatus.ACCEPTED).count() == PLACES
    assert occupied_places(city.offer_a.pk, timezone.localdate()) == PLACES
