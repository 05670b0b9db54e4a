"""Case-work personas on top of the shared small city (tests/conftest.py):

- ``case_worker`` (Jobcenter) and her colleague ``jobcenter_colleague``,
- ``provider_staff`` of provider A, whose participant ``shared_person`` also consented
  to the Jobcenter: the one person both organisations work on, each on its own.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from doconnect.casework.models import CaseNote
from doconnect.casework.services import note_create_as
from doconnect.core.models import Membership, Role
from doconnect.core.viewers import viewer_for
from doconnect.people.models import Person
from tests.conftest import City, make_person, participant


@pytest.fixture
def jobcenter_colleague(city: City) -> User:
    user = User.objects.create_user(
        username="colleague",
        password="correct horse battery 1",
        first_name="Kim",
        last_name="Kollegin",
    )
    Membership.objects.create(user=user, organisation=city.jobcenter, role=Role.CASE_WORKER)
    return user


@pytest.fixture
def client_of_jobcenter(city: City) -> Person:
    """A person who consented to the Jobcenter only."""
    return make_person(
        city, given_name="Jana", family_name="Jobcenter", consent_orgs=[city.jobcenter]
    )


@pytest.fixture
def shared_person(city: City) -> Person:
    """A participant of provider A who consented to the Jobcenter and provider A."""
    return participant(city, city.offer_a, [city.jobcenter, city.provider_a], given_name="Sam")


def today() -> dt.date:
    return timezone.localdate()


def write_note(user: User, person: Person, text: str = "Erstgespräch geführt.") -> CaseNote:
    return note_create_as(
        viewer_for(user),
        public_id=person.public_id,
        conversation_on=today(),
        purpose="counselling",
        text=text,
        view="tests",
    )
