"""Reads for the task list: reviews due and overdue items of the viewer's own
organisations, for persons the viewer still sees."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User

from doconnect.core.viewers import viewer_for
from doconnect.people.agreements.models import Agreement
from doconnect.people.agreements.selectors import agreement_reviews_due, overdue_agreement_items
from tests.conftest import City, make_person, participant
from tests.people.agreements.helpers import both_sides, conclude

pytestmark = pytest.mark.usefixtures("fixed_today")
TODAY = dt.date(2026, 11, 23)


def test_reviews_due_are_the_viewers_own_agreements_in_force_earliest_first(
    city: City, case_worker: User, coordinator: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter, city.city])
    later = conclude(case_worker, person, review_on=dt.date(2026, 11, 30))
    due = conclude(case_worker, person, review_on=dt.date(2026, 11, 20))
    conclude(case_worker, person, review_on=dt.date(2027, 1, 1))  # not yet
    closed = conclude(case_worker, person, review_on=dt.date(2026, 11, 1))
    Agreement.objects.filter(pk=closed.pk).update(status="closed")
    conclude(
        coordinator,
        person,
        organisation="city",
        items=both_sides("city"),
        review_on=dt.date(2026, 11, 2),
    )  # the city's, not the Jobcenter's

    reviews = agreement_reviews_due(viewer_for(case_worker), until=dt.date(2026, 11, 30))

    assert [a.pk for a in reviews] == [due.pk, later.pk]


def test_overdue_items_are_those_the_viewers_organisation_guarantees_or_wrote(
    city: City, case_worker: User, provider_staff: User
) -> None:
    person = participant(city, city.offer_a, [city.jobcenter, city.provider_a])
    agreement = conclude(case_worker, person, items=both_sides("p-a", due=dt.date(2026, 11, 1)))

    of_the_jobcenter = list(overdue_agreement_items(viewer_for(case_worker), today=TODAY))
    of_the_provider = list(overdue_agreement_items(viewer_for(provider_staff), today=TODAY))

    assert {i.side for i in of_the_jobcenter} == {"person", "institution"}
    assert [(i.side, i.agreement_id) for i in of_the_provider] == [("institution", agreement.pk)]
    assert of_the_provider[0].agreement.person.public_id == person.public_id


def test_nothing_is_due_for_a_person_the_viewer_no_longer_sees(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    conclude(
        case_worker,
        person,
        items=both_sides(due=dt.date(2026, 10, 20)),
        review_on=dt.date(2026, 11, 1),
    )
    person.consents.update(valid_until=dt.date(2026, 11, 10))  # ended since
    viewer = viewer_for(case_worker)
    assert not overdue_agreement_items(viewer, today=TODAY).exists()
    assert not agreement_reviews_due(viewer, until=TODAY).exists()
