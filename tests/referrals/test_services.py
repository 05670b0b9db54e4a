"""referral_create: a proposal, no duplicates while one is open, only active offers."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from doconnect.referrals.models import Referral, ReferralStatus
from doconnect.referrals.services import referral_create
from tests.conftest import City, make_person


def test_a_referral_is_created_as_proposed_with_its_author(city: City, case_worker: User) -> None:
    person = make_person(city)
    referral = referral_create(person=person, offer=city.offer_a, created_by_id=case_worker.pk)
    assert referral.status == ReferralStatus.PROPOSED
    assert referral.created_by_id == case_worker.pk


def test_a_second_open_referral_for_the_same_person_and_offer_is_refused(city: City) -> None:
    person = make_person(city)
    referral_create(person=person, offer=city.offer_a, created_by_id=None)
    with pytest.raises(ValidationError, match="offene Zuweisung"):
        referral_create(person=person, offer=city.offer_a, created_by_id=None)
    assert Referral.objects.count() == 1
    referral_create(person=person, offer=city.offer_b, created_by_id=None)
    assert Referral.objects.count() == 2


def test_after_a_cancelled_referral_the_offer_can_be_proposed_again(city: City) -> None:
    person = make_person(city)
    first = referral_create(person=person, offer=city.offer_a, created_by_id=None)
    Referral.objects.filter(pk=first.pk).update(status=ReferralStatus.CANCELLED)
    referral_create(person=person, offer=city.offer_a, created_by_id=None)
    assert Referral.objects.count() == 2


def test_an_offer_that_is_not_active_cannot_be_proposed(city: City) -> None:
    person = make_person(city)
    city.offer_b.status = "suspended"
    city.offer_b.save()
    with pytest.raises(ValidationError, match="nicht aktiv"):
        referral_create(person=person, offer=city.offer_b, created_by_id=None)
    assert not Referral.objects.exists()
