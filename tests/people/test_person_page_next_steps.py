"""The person page's next steps come from the shared ground: the page never waits for
a new analysis — it says when the one it shows was computed while the worker computes
the next — and it costs the same number of queries however large the file and the
city."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User

from doconnect.casework.services import note_create_as
from doconnect.core.jobs import job_execute
from doconnect.core.models import Job, JobStatus
from doconnect.core.viewers import viewer_for
from doconnect.offers.models import FollowOn, Offer
from doconnect.pathways.next_steps import GROUND_JOB
from doconnect.people.models import Person, Spell
from doconnect.referrals.models import Referral
from tests.conftest import City, count_queries, logged_in, make_person

AS_OF = 'id="next-steps-as-of"'


@pytest.fixture(autouse=True)
def rebuilt_at_every_change(settings: Any) -> None:
    """These tests follow each change to its rebuild; the interval between rebuilds
    (``DOCONNECT_KEPT_REBUILD_MINUTES``) has tests of its own."""
    settings.KEPT_REBUILD_MINUTES = 0


def left_offer(city: City, offer: Offer, name: str) -> Person:
    person = make_person(city, given_name=name)
    Spell.objects.create(
        person=person,
        state="offer",
        start=dt.date(2025, 1, 1),
        end=dt.date(2025, 3, 31),
        offer=offer,
    )
    return person


@pytest.fixture
def jana(transactional_db: None, city: City) -> Person:
    FollowOn.objects.create(from_offer=city.offer_a, to_offer=city.offer_b)
    FollowOn.objects.create(from_offer=city.offer_b, destination="employment")
    return make_person(city, given_name="Jana", consent_orgs=[city.jobcenter])


def run_the_worker() -> None:
    for job in Job.objects.filter(kind=GROUND_JOB, status=JobStatus.QUEUED):
        assert job_execute(job.pk).status == JobStatus.DONE


def test_after_a_new_spell_the_page_says_from_when_its_next_steps_are_until_the_worker_ran(
    jana: Person, city: City, case_worker: User
) -> None:
    client = logged_in(case_worker)
    url = f"/persons/{jana.public_id}/"
    first = client.get(url).content.decode()
    assert "Kurs B" in first  # o-b is one of her next steps
    assert AS_OF not in first

    left_offer(city, city.offer_b, "Lea")
    meanwhile = client.get(url).content.decode()
    assert AS_OF in meanwhile
    assert "eine neuere Auswertung wird im Hintergrund berechnet" in meanwhile
    assert Job.objects.filter(kind=GROUND_JOB, status=JobStatus.QUEUED).count() == 1

    run_the_worker()
    assert AS_OF not in client.get(url).content.decode()


def test_the_person_page_costs_the_same_queries_for_a_large_file_in_a_large_city(
    jana: Person, city: City, case_worker: User
) -> None:
    client = logged_in(case_worker)
    url = f"/persons/{jana.public_id}/"
    client.get(url)  # stores the ground
    small = count_queries(client, url)

    # Her file grows: spells in both offers, referrals, notes.
    for offer in (city.offer_a, city.offer_b):
        Spell.objects.create(
            person=jana,
            state="offer",
            start=dt.date(2024, 1, 1),
            end=dt.date(2024, 2, 1),
            offer=offer,
        )
        Referral.objects.create(person=jana, offer=offer, status="proposed")
    for text in ("Erstgespräch", "Rückruf", "Unterlagen"):
        note_create_as(
            viewer_for(case_worker),
            public_id=jana.public_id,
            conversation_on=dt.date(2026, 11, 2),
            purpose="counselling",
            text=text,
            view="tests",
        )
    # The city grows: more offers, follow-ons and leavers.
    for i in range(4):
        extra = Offer.objects.create(
            external_id=f"o-x{i}",
            provider=city.provider_b,
            title=f"Kurs X{i}",
            kind="training",
            capacity=5,
        )
        FollowOn.objects.create(from_offer=extra, destination="employment")
        left_offer(city, extra, f"X{i}")
        left_offer(city, city.offer_b, f"B{i}")
    client.get(url)  # queues the next ground
    run_the_worker()
    client.get(url)
    assert count_queries(client, url) == small
