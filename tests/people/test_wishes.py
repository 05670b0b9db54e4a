"""A person's stated goal and wished kinds of offer: recorded by the city's counsellors
who see the person, checked, audited; the next steps follow the stated goal."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError

from doconnect.core.models import AuditEvent
from doconnect.core.viewers import viewer_for
from doconnect.pathways.next_steps import person_facts
from doconnect.people.access import PersonNotFound
from doconnect.people.services import person_wishes_update
from doconnect.people.wishes_actions import person_wishes_update_as
from tests.conftest import City, make_person


def test_a_case_worker_records_the_wishes_of_a_person_in_their_caseload_and_it_is_audited(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])

    person_wishes_update_as(
        viewer_for(case_worker),
        public_id=person.public_id,
        goal="apprenticeship",
        preferred_offer_kinds=["vocational_preparation", "apprenticeship"],
        view="test",
    )

    person.refresh_from_db()
    assert person.goal == "apprenticeship"
    assert person.preferred_offer_kinds == ["vocational_preparation", "apprenticeship"]
    event = AuditEvent.objects.get(view="test")
    assert event.action == "change" and event.fields == ["goal", "preferred_offer_kinds"]


def test_a_person_outside_the_caseload_is_not_found_and_stays_unchanged(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.provider_b])

    with pytest.raises(PersonNotFound):
        person_wishes_update_as(
            viewer_for(case_worker),
            public_id=person.public_id,
            goal="employment",
            preferred_offer_kinds=[],
            view="test",
        )

    person.refresh_from_db()
    assert person.goal == "" and not AuditEvent.objects.exists()


def test_an_analyst_who_sees_the_person_may_not_record_wishes(city: City, analyst: User) -> None:
    person = make_person(city)

    with pytest.raises(PermissionDenied):
        person_wishes_update_as(
            viewer_for(analyst),
            public_id=person.public_id,
            goal="employment",
            preferred_offer_kinds=[],
            view="test",
        )


@pytest.mark.parametrize(
    ("goal", "kinds", "field"),
    [
        ("astronaut", [], "goal"),
        ("", ["space_travel"], "preferred_offer_kinds"),
        ("", ["counselling", "counselling"], "preferred_offer_kinds"),
        (
            "",
            ["counselling", "orientation", "qualification", "apprenticeship"],
            "preferred_offer_kinds",
        ),
    ],
)
def test_unknown_codes_repeated_or_too_many_kinds_are_refused_by_field(
    city: City, goal: str, kinds: list[str], field: str
) -> None:
    person = make_person(city)

    with pytest.raises(ValidationError) as refused:
        person_wishes_update(person=person, goal=goal, preferred_offer_kinds=kinds)

    assert field in refused.value.message_dict
    person.refresh_from_db()
    assert person.goal == "" and person.preferred_offer_kinds == []


def test_the_next_steps_aim_at_the_stated_goal_unless_another_is_asked_for(city: City) -> None:
    person = make_person(city)
    person_wishes_update(person=person, goal="self_employment", preferred_offer_kinds=[])

    assert person_facts(person).goal == "self_employment"
    assert person_facts(person, goal="employment").goal == "employment"
