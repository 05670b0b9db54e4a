"""Changing one offer (offers.services.offer_update): held to the catalogue import's
rules, all or nothing, and only the fields that really change are written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from doconnect.core.models import TargetGroup
from doconnect.offers.models import FollowOn, FundingLine, Offer
from doconnect.offers.selectors import catalogue_export
from doconnect.offers.services import offer_update
from tests.conftest import City


def test_a_coordinator_changes_title_capacity_period_and_target_groups(
    city: City, coordinator: User
) -> None:
    changed = offer_update(
        offer=city.offer_a,
        changed_by=coordinator,
        title="Werkstatt A (neu)",
        capacity=12,
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 12, 31),
        target_groups=[city.youth],
        legal_branches=["SGB II"],
        district=None,
    )
    assert changed == [
        "title",
        "district",
        "target_groups",
        "legal_branches",
        "capacity",
        "start",
        "end",
    ]
    offer = Offer.objects.get(pk=city.offer_a.pk)
    assert (offer.title, offer.capacity, offer.district) == ("Werkstatt A (neu)", 12, None)
    assert list(offer.target_groups.all()) == [city.youth]
    assert offer.legal_branches == ["SGB II"]
    assert city.offer_a.title == "Werkstatt A (neu)"  # the caller's object is refreshed


def test_an_end_before_the_start_is_refused_and_nothing_changes(
    city: City, coordinator: User
) -> None:
    before = catalogue_export()
    with pytest.raises(ValidationError) as refused:
        offer_update(
            offer=city.offer_a,
            changed_by=coordinator,
            title="Nicht gespeichert",
            start=dt.date(2026, 6, 1),
            end=dt.date(2026, 5, 1),
        )
    assert set(refused.value.message_dict) == {"end"}
    assert "before start" in refused.value.message_dict["end"][0]
    assert catalogue_export() == before


def test_a_maximum_age_below_the_minimum_age_is_refused_on_max_age(
    city: City, coordinator: User
) -> None:
    with pytest.raises(ValidationError) as refused:
        offer_update(offer=city.offer_a, changed_by=coordinator, min_age=25, max_age=18)
    assert set(refused.value.message_dict) == {"max_age"}
    assert Offer.objects.get(pk=city.offer_a.pk).min_age is None


def test_the_catalogue_rules_apply_to_every_field_at_once(city: City, coordinator: User) -> None:
    with pytest.raises(ValidationError) as refused:
        offer_update(
            offer=city.offer_a,
            changed_by=coordinator,
            title=" ",
            kind="picnic",
            status="paused",
            legal_branches=["SGB XII"],
            max_age=300,
        )
    assert set(refused.value.message_dict) == {
        "title",
        "kind",
        "status",
        "legal_branches",
        "max_age",
    }


def test_an_unchanged_offer_is_not_written_and_keeps_its_updated_at(
    city: City, coordinator: User
) -> None:
    stamp = Offer.objects.get(pk=city.offer_a.pk).updated_at
    assert offer_update(offer=city.offer_a, changed_by=coordinator, title="Werkstatt A") == []
    assert Offer.objects.get(pk=city.offer_a.pk).updated_at == stamp


def test_funding_and_follow_ons_stay_as_they_are(city: City, coordinator: User) -> None:
    FundingLine.objects.create(
        offer=city.offer_a,
        funder="city",
        amount_eur=1000,
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 12, 31),
    )
    FollowOn.objects.create(from_offer=city.offer_a, to_offer=city.offer_b)
    offer_update(offer=city.offer_a, changed_by=coordinator, status="suspended")
    assert FundingLine.objects.filter(offer=city.offer_a).count() == 1
    assert FollowOn.objects.filter(from_offer=city.offer_a, to_offer=city.offer_b).exists()
    assert Offer.objects.get(pk=city.offer_a.pk).status == "suspended"


def test_a_field_that_is_not_editable_is_refused(city: City, coordinator: User) -> None:
    with pytest.raises(ValidationError):
        offer_update(offer=city.offer_a, changed_by=coordinator, provider=city.provider_b)  # type: ignore[call-arg]
    assert Offer.objects.get(pk=city.offer_a.pk).provider == city.provider_a


def test_target_groups_can_be_emptied_to_open_the_offer_to_all(
    city: City, coordinator: User
) -> None:
    city.offer_a.target_groups.add(city.youth)
    TargetGroup.objects.create(code="other", label="Andere")
    assert offer_update(offer=city.offer_a, changed_by=coordinator, target_groups=[]) == [
        "target_groups"
    ]
    assert not Offer.objects.get(pk=city.offer_a.pk).target_groups.exists()


def test_occupations_are_changed_sorted_and_kept_as_edited(city: City, coordinator: User) -> None:
    changed = offer_update(
        offer=city.offer_a, changed_by=coordinator, occupations=["51312", "51311"]
    )
    assert changed == ["occupations"]
    offer = Offer.objects.get(pk=city.offer_a.pk)
    assert offer.occupations == ["51311", "51312"]
    assert "occupations" in offer.locally_edited  # a BA re-import leaves them alone


@pytest.mark.parametrize("codes", [["5131"], ["51315"], ["51312", "51312"], ["abcde"]])
def test_an_occupation_that_is_no_five_digit_kldb_code_is_refused(
    city: City, coordinator: User, codes: list[str]
) -> None:
    with pytest.raises(ValidationError) as refused:
        offer_update(offer=city.offer_a, changed_by=coordinator, occupations=codes)
    assert list(refused.value.message_dict) == ["occupations"]
    assert Offer.objects.get(pk=city.offer_a.pk).occupations == []
