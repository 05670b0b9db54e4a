"""The analyses' database side: ties from shared offers, referrals, agreements and
joint sessions, and programme facts from programmes and funding lines, fed to the
engines."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.contrib.auth.models import User
from django.utils import timezone

from doconnect.core.models import Organisation
from doconnect.forum.analyses import cooperation_network, network_inputs, overlap_report
from doconnect.forum.engine.network import Tie
from doconnect.forum.models import ActorProfile, Programme
from doconnect.offers.models import FundingLine
from doconnect.referrals.models import Referral
from tests.conftest import TODAY, City, make_person
from tests.forum.fixtures import Conference


def _pairs(kind: str, ties: list[Tie]) -> Counter[tuple[str, ...]]:
    return Counter(tuple(sorted((t.a, t.b))) for t in ties if t.kind == kind)


def test_ties_come_from_offers_referrals_agreements_and_sessions(
    conference: Conference, city: City, case_worker: User
) -> None:
    FundingLine.objects.create(
        offer=city.offer_a,
        funder="jobcenter",
        amount_eur=1000,
        start=dt.date(TODAY.year, 1, 1),
        end=dt.date(TODAY.year, 12, 31),
    )
    person = make_person(city)
    Referral.objects.create(
        person=person,
        offer=city.offer_b,
        status="sent",
        sent_at=timezone.now(),
        created_by=case_worker,
    )
    inputs = network_inputs(TODAY)
    assert _pairs("shared_offer", inputs.ties) == {("jc", "p-a"): 1}
    assert _pairs("referral", inputs.ties) == {("jc", "p-b"): 1}
    assert _pairs("agreement", inputs.ties) == {("city", "jc"): 1, ("jc", "p-a"): 1}
    assert _pairs("session", inputs.ties) == {
        ("city", "jc"): 1,
        ("city", "p-a"): 1,
        ("jc", "p-a"): 1,
    }


def test_a_referral_without_a_sender_comes_from_who_reported_the_persons_state(
    city: City,
) -> None:
    from doconnect.people.services import spell_create

    person = make_person(city)
    spell = spell_create(person=person, state="unemployed", start=dt.date(2026, 1, 1), end=None)
    type(spell).objects.filter(pk=spell.pk).update(source_organisation=city.jobcenter)
    Referral.objects.create(
        person=person, offer=city.offer_a, status="sent", sent_at=timezone.now()
    )
    assert _pairs("referral", network_inputs(TODAY).ties) == {("jc", "p-a"): 1}


def test_actors_with_a_profile_and_no_tie_are_isolated(conference: Conference) -> None:
    loner = Organisation.objects.create(external_id="ini", name="Initiative", kind="civic")
    ActorProfile.objects.create(organisation=loner, policy_fields=["social"])
    report = cooperation_network(today=TODAY)
    assert report.isolated == ("ini",)
    assert report.actor("jc").degree == 2
    filtered = cooperation_network(today=TODAY, tie_kinds=["agreement"])
    assert filtered.actor("city").degree == 1


def test_programmes_and_funding_lines_fill_the_overlap_matrix(city: City) -> None:
    programme = Programme.objects.create(
        actor=city.city,
        funder=city.city,
        title="Quartiersprogramm",
        offer_kinds=["low_threshold"],
        budget_eur=1000,
        places=10,
        start=dt.date(2026, 1, 1),
    )
    programme.target_groups.set([city.youth])
    city.offer_a.target_groups.set([city.youth])
    FundingLine.objects.create(
        offer=city.offer_a,
        funder="jobcenter",
        amount_eur=500,
        start=dt.date(TODAY.year, 1, 1),
        end=dt.date(TODAY.year, 12, 31),
    )
    report = overlap_report(today=TODAY)
    cell = report.cells[("youth_difficult_start", "low_threshold")]
    assert set(cell.funders) == {"Stadt", "Jobcenter"}
    assert cell.budget_eur == 1500 and cell.places == 20
    assert cell.status == "overlap"
    assert report.cells[("youth_difficult_start", "qualification")].status == "none"
