"""What the task tests set up, each through the service a user's click would call:
follow-ups, appointments, agreements, referrals, consents and conference commitments
due on a given day."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.utils import timezone

from doconnect.casework.models import Appointment, FollowUp
from doconnect.casework.services import appointment_create_as, follow_up_create_as
from doconnect.casework.tasks import Task, tasks_for
from doconnect.core.models import Organisation
from doconnect.core.viewers import viewer_for
from doconnect.forum.models import Commitment
from doconnect.forum.services import commitment_create, decision_record, session_create
from doconnect.offers.models import Offer
from doconnect.people.agreements.models import Agreement
from doconnect.people.agreements.services import ItemInput, agreement_create_as
from doconnect.people.models import Person
from doconnect.referrals.models import Referral
from doconnect.referrals.services import referral_create, referral_send


def today() -> dt.date:
    return timezone.localdate()


def days(n: int) -> dt.date:
    return today() + dt.timedelta(days=n)


def follow_up(
    user: User,
    person: Person,
    *,
    due_on: dt.date,
    reason: str = "Bewerbung nachfragen",
    **kw: object,
) -> FollowUp:
    """A follow-up set by ``user`` (for themselves unless ``worker`` says otherwise); one
    in the past is set as if on its day."""
    return follow_up_create_as(
        viewer_for(user),
        public_id=person.public_id,
        due_on=due_on,
        reason=reason,
        view="tests",
        today=min(due_on, today()),
        **kw,  # type: ignore[arg-type]
    )


def appointment(
    user: User,
    person: Person,
    *,
    on: dt.date,
    at: dt.time = dt.time(10, 30),
    subject: str = "Bewerbungstraining",
    place: str = "Raum 2.14",
    **kw: object,
) -> Appointment:
    starts_at = timezone.make_aware(dt.datetime.combine(on, at))
    return appointment_create_as(
        viewer_for(user),
        public_id=person.public_id,
        starts_at=starts_at,
        subject=subject,
        place=place,
        view="tests",
        today=min(on, today()),
        **kw,  # type: ignore[arg-type]
    )


def agreement(
    user: User,
    person: Person,
    organisation: Organisation,
    *,
    review_on: dt.date,
    concluded_on: dt.date | None = None,
    person_item_due: dt.date | None = None,
    guarantor: Organisation | None = None,
    guarantee_due: dt.date | None = None,
    guarantee_worker: str = "",
) -> Agreement:
    """An agreement of ``organisation`` with one item on each side."""
    concluded = concluded_on or min(review_on, today()) - dt.timedelta(days=60)
    return agreement_create_as(
        viewer_for(user),
        public_id=person.public_id,
        organisation=organisation.external_id,
        title="Kooperationsplan",
        concluded_on=concluded,
        review_on=review_on,
        items=[
            ItemInput(
                side="person", text="Drei Bewerbungen schreiben", due_on=person_item_due or days(30)
            ),
            ItemInput(
                side="institution",
                text="Bewerbungskosten erstatten",
                due_on=guarantee_due or days(30),
                owner_organisation=(guarantor or organisation).external_id,
                owner_user=guarantee_worker,
            ),
        ],
        view="tests",
    )


def sent_referral(by: User, person: Person, offer: Offer, *, sent_days_ago: int = 0) -> Referral:
    referral = referral_create(person=person, offer=offer, created_by_id=by.pk)
    referral = referral_send(referral=referral, actor=by)
    if sent_days_ago:
        Referral.objects.filter(pk=referral.pk).update(
            sent_at=timezone.now() - dt.timedelta(days=sent_days_ago)
        )
        referral.refresh_from_db()
    return referral


def commitment(owner: Organisation, convener: Organisation, *, due_on: dt.date) -> Commitment:
    session = session_create(
        title="Arbeitspolitikkonferenz", kind="plenary", date=days(-30), convener=convener
    )
    decision = decision_record(session=session, text="Mehr Plätze für Jugendliche.")
    return commitment_create(
        decision=decision, owner=owner, what="Zehn Plätze im Werkstattjahr schaffen", due_on=due_on
    )


def tasks_of(user: User, **kw: object) -> list[Task]:
    return tasks_for(viewer_for(user), **kw)  # type: ignore[arg-type]


def keys_of(user: User, **kw: object) -> set[str]:
    return {task.key for task in tasks_of(user, **kw)}
