"""Agreements for the tests, written through the service as a page or the API would."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User

from doconnect.core.viewers import viewer_for
from doconnect.people.agreements.models import Agreement
from doconnect.people.agreements.services import ItemInput, agreement_create_as
from doconnect.people.models import Person

CONCLUDED = dt.date(2026, 10, 1)
REVIEW = dt.date(2027, 1, 15)


def both_sides(owner: str = "jc", *, due: dt.date = dt.date(2026, 12, 15)) -> list[ItemInput]:
    """Two things the person does, one the Jobcenter (or ``owner``) guarantees."""
    return [
        ItemInput(side="person", text="Bewirbt sich auf vier Stellen im Monat.", due_on=due),
        ItemInput(side="person", text="Besucht den Deutschkurs bis B1.", due_on=REVIEW),
        ItemInput(
            side="institution",
            text="Übernimmt die Fahrtkosten zum Kurs.",
            due_on=due,
            owner_organisation=owner,
        ),
    ]


def conclude(
    user: User,
    person: Person,
    *,
    organisation: str = "jc",
    items: list[ItemInput] | None = None,
    title: str = "Kooperationsplan",
    concluded_on: dt.date = CONCLUDED,
    review_on: dt.date | None = REVIEW,
) -> Agreement:
    return agreement_create_as(
        viewer_for(user),
        public_id=person.public_id,
        organisation=organisation,
        title=title,
        concluded_on=concluded_on,
        review_on=review_on,
        items=items if items is not None else both_sides(organisation),
        view="tests",
    )
