"""A small year of the test city, with figures that can be checked by hand.

2026: six youth from Eving take part in offer A (January to March) and leave it; from
April four work and two are unemployed. Five persons from Hörde without a target group
take part in offer B since February (still running). 2025: five youth from Hörde take
part in offer B (March to December); from January 2026 three work, two have no spell.
Funding: the city gives offer A 120,000 € for 2026; the ESF gives offer B 60,000 € for
July 2025 to June 2026."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from doconnect.offers.models import FundingLine
from doconnect.people.models import Person
from doconnect.people.services import spell_create
from tests.conftest import City, make_person


def _person(city: City, name: str, *, hoerde: bool, youth: bool) -> Person:
    person = make_person(city, given_name=name)
    if hoerde:
        Person.objects.filter(pk=person.pk).update(district=city.other_district)
    if not youth:
        person.target_groups.clear()
    return person


@pytest.fixture
def year_city(city: City) -> City:
    for i in range(6):
        person = _person(city, f"Eving{i}", hoerde=False, youth=True)
        spell_create(
            person=person,
            state="offer",
            start=dt.date(2026, 1, 1),
            end=dt.date(2026, 3, 31),
            offer_id=city.offer_a.pk,
        )
        spell_create(
            person=person,
            state="employment" if i < 4 else "unemployed",
            start=dt.date(2026, 4, 1),
            end=None,
        )
    for i in range(5):
        person = _person(city, f"Hoerde{i}", hoerde=True, youth=False)
        spell_create(
            person=person,
            state="offer",
            start=dt.date(2026, 2, 1),
            end=None,
            offer_id=city.offer_b.pk,
        )
    for i in range(5):
        person = _person(city, f"Frueher{i}", hoerde=True, youth=True)
        spell_create(
            person=person,
            state="offer",
            start=dt.date(2025, 3, 1),
            end=dt.date(2025, 12, 31),
            offer_id=city.offer_b.pk,
        )
        if i < 3:
            spell_create(person=person, state="employment", start=dt.date(2026, 1, 1), end=None)
    FundingLine.objects.create(
        offer=city.offer_a,
        funder="city",
        amount_eur=Decimal("120000"),
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 12, 31),
    )
    FundingLine.objects.create(
        offer=city.offer_b,
        funder="esf",
        amount_eur=Decimal("60000"),
        start=dt.date(2025, 7, 1),
        end=dt.date(2026, 6, 30),
    )
    return city
