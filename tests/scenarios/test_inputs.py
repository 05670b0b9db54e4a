"""The scenario's inputs from the database: offers with funding and follow-ons, and the
demand as counts of waiting persons only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from doconnect.allocation.services import Scope, waiting_persons
from doconnect.offers.models import FollowOn, FundingLine
from doconnect.people.services import spell_create
from doconnect.referrals.services import referral_create, referral_send
from doconnect.scenarios.engine.baseline import DemandCell
from doconnect.scenarios.engine.baseline import FundingLine as EngineFunding
from doconnect.scenarios.inputs import (
    KINDS_FOR_GOAL,
    NO_TARGET_GROUP,
    demand_from_db,
    scenario_inputs_from_db,
)
from tests.conftest import City, waiting

TODAY = dt.date(2026, 11, 23)


def fund(city: City) -> None:
    FundingLine.objects.create(
        offer=city.offer_a,
        funder="city",
        amount_eur=Decimal("12000.50"),
        start=dt.date(2027, 1, 1),
        end=dt.date(2027, 12, 31),
    )
    FundingLine.objects.create(
        offer=city.offer_b,
        funder="federal_agency",
        amount_eur=Decimal("80000"),
        start=dt.date(2027, 1, 1),
        end=dt.date(2027, 12, 31),
    )
    FollowOn.objects.create(from_offer=city.offer_a, to_offer=city.offer_b)
    FollowOn.objects.create(from_offer=city.offer_b, destination="employment")


def test_offers_come_with_provider_funding_lines_and_follow_ons(city: City) -> None:
    fund(city)
    inputs = scenario_inputs_from_db(TODAY)
    offers = {o.id: o for o in inputs.offers}
    assert set(offers) == {"o-a", "o-b"}
    assert (offers["o-a"].provider, offers["o-a"].kind, offers["o-a"].district) == (
        "p-a",
        "low_threshold",
        "Eving",
    )
    assert offers["o-a"].capacity == 10
    assert offers["o-a"].funding == (
        EngineFunding("city", 12000.5, dt.date(2027, 1, 1), dt.date(2027, 12, 31)),
    )
    assert [link.reference for link in inputs.links] == ["o-b", "destination:employment"]
    assert inputs.districts == ("Eving", "Hörde")
    assert inputs.target_groups["youth_difficult_start"] == "Jugendliche"
    assert inputs.offer_kinds["further_training"] == "Weiterbildung"


def test_demand_counts_waiting_persons_by_group_district_and_the_kinds_they_need(
    city: City,
) -> None:
    # Young without a vocational qualification and no stated wish: the allocation's
    # default goal (apprenticeship) and the kinds serving it.
    waiting(city, "Ada")
    wishes = waiting(city, "Bea")
    wishes.preferred_offer_kinds = ["qualification", "further_training"]
    wishes.save()
    waiting(city, "Cem", youth=False)
    busy = waiting(city, "Dana")
    spell_create(
        person=busy, state="offer", start=dt.date(2026, 10, 1), end=None, offer_id=city.offer_a.pk
    )
    demand = demand_from_db(TODAY)
    youth = "youth_difficult_start"
    expected = [
        DemandCell(NO_TARGET_GROUP, "Eving", kind, 1) for kind in KINDS_FOR_GOAL["apprenticeship"]
    ] + [
        DemandCell(youth, "Eving", "apprenticeship", 1),
        DemandCell(youth, "Eving", "further_training", 1),
        DemandCell(youth, "Eving", "qualification", 1),
        DemandCell(youth, "Eving", "vocational_preparation", 1),
    ]
    assert sorted(demand, key=repr) == sorted(expected, key=repr)


def test_the_loader_runs_a_fixed_number_of_queries(city: City) -> None:
    fund(city)
    waiting(city, "Ada")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            scenario_inputs_from_db(TODAY)
        return len(captured)

    few = queries()
    for name in ("Bea", "Cem", "Dana", "Eli"):
        waiting(city, name)
    assert queries() == few


def test_persons_with_an_open_referral_still_count_as_demand_for_places(
    city: City, coordinator: User
) -> None:
    # Issue #17: an allocation run proposes a referral to every person it places; the
    # scenario's demand then fell to zero although nobody had got a place yet.
    proposed = waiting(city, "Ada")
    sent = waiting(city, "Bea")
    referral_create(person=proposed, offer=city.offer_a, created_by_id=coordinator.pk)
    referral_send(
        referral=referral_create(person=sent, offer=city.offer_b, created_by_id=coordinator.pk),
        actor=coordinator,
    )
    assert waiting_persons(TODAY, Scope()) == []  # the allocation does not propose twice
    persons_per_kind = {
        cell.offer_kind: cell.persons
        for cell in demand_from_db(TODAY)
        if cell.target_group == "youth_difficult_start"
    }
    assert persons_per_kind == {kind: 2 for kind in KINDS_FOR_GOAL["apprenticeship"]}
