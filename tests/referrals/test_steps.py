"""The referral steps as the personas take them: the city sends and cancels, the
offer's provider answers, starts and closes, every step leaves an event with who and
when, and a closed referral writes the person's next state into the biography."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from doconnect.core.viewers import viewer_for
from doconnect.people.access import levels_for
from doconnect.people.access_rules import Level, Purpose
from doconnect.people.models import Spell
from doconnect.people.services import spell_create
from doconnect.referrals import services
from doconnect.referrals.models import DeclineReason, Referral, ReferralEvent, ReferralStatus
from doconnect.referrals.services import (
    referral_accept,
    referral_cancel,
    referral_complete,
    referral_create,
    referral_decline,
    referral_drop_out,
    referral_send,
    referral_start,
)
from doconnect.referrals.states import ALLOWED, STATES, STEPS, Side
from tests.conftest import City, make_person

ON = dt.date(2026, 11, 2)


def _proposed(city: City, author: User | None = None) -> Referral:
    return referral_create(
        person=make_person(city), offer=city.offer_a, created_by_id=author.pk if author else None
    )


def test_a_referral_runs_from_proposal_to_completion_and_every_step_says_who_and_when(
    city: City, case_worker: User, provider_staff: User
) -> None:
    before = timezone.now()
    referral = _proposed(city, case_worker)
    referral_send(referral=referral, actor=case_worker)
    referral_accept(referral=referral, actor=provider_staff)
    referral_start(referral=referral, actor=provider_staff)
    referral_complete(referral=referral, actor=provider_staff, next_state="employment", on=ON)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED
    events = list(ReferralEvent.objects.filter(referral=referral).order_by("at", "id"))
    assert [(e.from_status, e.to_status, e.actor_id) for e in events] == [
        ("", "proposed", case_worker.pk),
        ("proposed", "sent", case_worker.pk),
        ("sent", "accepted", provider_staff.pk),
        ("accepted", "started", provider_staff.pk),
        ("started", "completed", provider_staff.pk),
    ]
    assert all(before <= e.at <= timezone.now() for e in events)
    assert referral.sent_at == events[1].at
    assert referral.answered_at == events[2].at


def test_the_provider_declines_with_a_coded_reason_which_is_kept(
    city: City, coordinator: User, provider_staff: User
) -> None:
    referral = _proposed(city)
    referral_send(referral=referral, actor=coordinator)
    referral_decline(
        referral=referral,
        actor=provider_staff,
        reason=DeclineReason.PERSON_UNREACHABLE,
        note="dreimal angerufen",
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECLINED
    assert referral.decline_reason == "person_unreachable"
    assert referral.answered_at is not None
    event = referral.events.get(to_status="declined")
    assert (event.reason, event.note, event.actor_id) == (
        "person_unreachable",
        "dreimal angerufen",
        provider_staff.pk,
    )


def test_a_decline_without_a_known_reason_or_other_without_a_note_is_refused(
    city: City, coordinator: User, provider_staff: User
) -> None:
    referral = _proposed(city)
    referral_send(referral=referral, actor=coordinator)
    with pytest.raises(ValidationError):
        referral_decline(referral=referral, actor=provider_staff, reason="")
    with pytest.raises(ValidationError):
        referral_decline(referral=referral, actor=provider_staff, reason="bored")
    with pytest.raises(ValidationError, match="Grund"):
        referral_decline(referral=referral, actor=provider_staff, reason="other")
    referral_decline(referral=referral, actor=provider_staff, reason="other", note="Umzug")
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.DECLINED


def test_the_city_may_withdraw_an_accepted_referral_which_frees_the_place(
    city: City, coordinator: User, provider_staff: User
) -> None:
    referral = _proposed(city)
    referral_send(referral=referral, actor=coordinator)
    referral_accept(referral=referral, actor=provider_staff)
    referral_cancel(referral=referral, actor=coordinator, note="Person zieht um")
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.CANCELLED
    assert referral.events.get(to_status="cancelled").note == "Person zieht um"


# ------------------------------------------------------------------- the whole table

ACTIONS: dict[str, Callable[..., Referral]] = {
    "send": referral_send,
    "accept": referral_accept,
    "decline": lambda **kw: referral_decline(reason=DeclineReason.FULL, **kw),
    "start": referral_start,
    "complete": lambda **kw: referral_complete(next_state="unemployed", on=ON, **kw),
    "drop_out": lambda **kw: referral_drop_out(next_state="unemployed", on=ON, **kw),
    "cancel": referral_cancel,
    "expire": lambda *, referral, actor: services._transition(
        referral=referral, action="expire", actor=actor
    ),
}


@pytest.mark.parametrize(
    ("action", "status"), [(a, s) for a in STEPS for s in STATES], ids=lambda v: str(v)
)
def test_each_step_happens_exactly_from_the_states_the_table_allows(
    action: str,
    status: str,
    city: City,
    coordinator: User,
    provider_staff: User,
) -> None:
    actor = {Side.CITY: coordinator, Side.PROVIDER: provider_staff, Side.SYSTEM: None}[
        STEPS[action].side
    ]
    referral = Referral.objects.create(person=make_person(city), offer=city.offer_a, status=status)
    target = STEPS[action].target
    if (status, target) in ALLOWED:
        ACTIONS[action](referral=referral, actor=actor)
        assert Referral.objects.get(pk=referral.pk).status == target
        event = ReferralEvent.objects.get(referral=referral)
        assert (event.from_status, event.to_status) == (status, target)
        assert event.actor_id == (actor.pk if actor else None)
    else:
        with pytest.raises(ValidationError):
            ACTIONS[action](referral=referral, actor=actor)
        assert Referral.objects.get(pk=referral.pk).status == status
        assert not ReferralEvent.objects.filter(referral=referral).exists()


# ------------------------------------------------------------------ who may act

WHO: list[tuple[str, str, bool]] = [
    ("send", "coordinator", True),
    ("send", "case_worker", True),
    ("send", "provider_staff", False),
    ("send", "analyst", False),
    ("send", "outsider", False),
    ("cancel", "case_worker", True),
    ("cancel", "provider_staff", False),
    ("accept", "provider_staff", True),
    ("accept", "other_provider_staff", False),
    ("accept", "coordinator", False),
    ("accept", "case_worker", False),
    ("accept", "platform_admin", False),
    ("decline", "provider_staff", True),
    ("decline", "other_provider_staff", False),
    ("decline", "case_worker", False),
    ("start", "provider_staff", True),
    ("start", "coordinator", False),
    ("complete", "provider_staff", True),
    ("complete", "other_provider_staff", False),
    ("drop_out", "provider_staff", True),
    ("drop_out", "case_worker", False),
]
STATE_BEFORE = {
    "send": "proposed",
    "cancel": "sent",
    "accept": "sent",
    "decline": "sent",
    "start": "accepted",
    "complete": "started",
    "drop_out": "started",
}


@pytest.mark.parametrize(("action", "persona", "may"), WHO, ids=lambda v: str(v))
def test_only_the_side_of_a_step_may_take_it(
    action: str, persona: str, may: bool, city: City, request: pytest.FixtureRequest
) -> None:
    actor: User = request.getfixturevalue(persona)
    referral = Referral.objects.create(
        person=make_person(city), offer=city.offer_a, status=STATE_BEFORE[action]
    )
    if may:
        ACTIONS[action](referral=referral, actor=actor)
        assert Referral.objects.get(pk=referral.pk).status == STEPS[action].target
    else:
        with pytest.raises(PermissionDenied):
            ACTIONS[action](referral=referral, actor=actor)
        assert Referral.objects.get(pk=referral.pk).status == STATE_BEFORE[action]


def test_nobody_but_the_platform_lets_a_referral_expire(city: City, coordinator: User) -> None:
    referral = Referral.objects.create(person=make_person(city), offer=city.offer_a, status="sent")
    with pytest.raises(PermissionDenied):
        services._transition(referral=referral, action="expire", actor=coordinator)


def test_a_deactivated_provider_account_may_not_answer(city: City, provider_staff: User) -> None:
    provider_staff.is_active = False
    provider_staff.save()
    referral = Referral.objects.create(person=make_person(city), offer=city.offer_a, status="sent")
    with pytest.raises(PermissionDenied):
        referral_accept(referral=referral, actor=provider_staff)


# ---------------------------------------------------------- the next state as a spell


def _started(city: City) -> Referral:
    person = make_person(city)
    return Referral.objects.create(person=person, offer=city.offer_a, status="started")


def _biography(referral: Referral) -> list[tuple[str, dt.date, dt.date | None, int | None]]:
    return [
        (s.state, s.start, s.end, s.offer_id)
        for s in Spell.objects.filter(person_id=referral.person_id).order_by("start", "id")
    ]


def test_a_completion_ends_the_spell_at_the_offer_and_the_unemployment_and_begins_a_job(
    city: City, provider_staff: User
) -> None:
    referral = _started(city)
    person = referral.person
    spell_create(person=person, state="unemployed", start=dt.date(2026, 1, 1), end=None)
    spell_create(
        person=person,
        state="offer",
        start=dt.date(2026, 6, 1),
        end=None,
        offer_id=city.offer_a.pk,
    )
    referral_complete(referral=referral, actor=provider_staff, next_state="employment", on=ON)
    assert _biography(referral) == [
        ("unemployed", dt.date(2026, 1, 1), dt.date(2026, 11, 1), None),
        ("offer", dt.date(2026, 6, 1), dt.date(2026, 11, 1), city.offer_a.pk),
        ("employment", ON, None, None),
    ]


def test_a_drop_out_back_into_unemployment_keeps_the_running_unemployment(
    city: City, provider_staff: User
) -> None:
    referral = _started(city)
    spell_create(person=referral.person, state="unemployed", start=dt.date(2026, 1, 1), end=None)
    referral_drop_out(referral=referral, actor=provider_staff, next_state="unemployed", on=ON)
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.DROPPED_OUT
    assert _biography(referral) == [("unemployed", dt.date(2026, 1, 1), None, None)]


def test_without_a_spell_at_the_offer_the_participation_since_the_start_is_recorded(
    city: City, coordinator: User, provider_staff: User
) -> None:
    referral = _proposed(city)
    referral_send(referral=referral, actor=coordinator)
    referral_accept(referral=referral, actor=provider_staff)
    referral_start(referral=referral, actor=provider_staff)
    started_on = timezone.localdate()
    ReferralEvent.objects.filter(referral=referral, to_status="started").update(
        at=timezone.now() - dt.timedelta(days=30)
    )
    leaving = started_on + dt.timedelta(days=1)
    referral_drop_out(referral=referral, actor=provider_staff, next_state="inactive", on=leaving)
    assert _biography(referral) == [
        ("offer", started_on - dt.timedelta(days=30), started_on, city.offer_a.pk),
        ("inactive", leaving, None, None),
    ]


def test_a_next_state_the_biography_cannot_take_undoes_the_whole_step(
    city: City, provider_staff: User
) -> None:
    referral = _started(city)
    spell_create(person=referral.person, state="employment", start=dt.date(2026, 12, 1), end=None)
    with pytest.raises(ValidationError):
        referral_complete(referral=referral, actor=provider_staff, next_state="unemployed", on=ON)
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.STARTED
    assert not ReferralEvent.objects.filter(referral=referral).exists()
    with pytest.raises(ValidationError, match="Unbekannter Status"):
        referral_complete(referral=referral, actor=provider_staff, next_state="moon", on=ON)


# ------------------------------------------------------------------- access follows


@pytest.mark.parametrize(
    ("status", "level"),
    [
        ("dropped_out", Level.PERSONAL),
        ("completed", Level.PERSONAL),
        ("expired", Level.NONE),
        ("declined", Level.NONE),
        ("cancelled", Level.NONE),
    ],
)
def test_the_provider_keeps_the_file_of_a_person_who_took_part_but_not_of_an_unanswered_one(
    status: str, level: Level, city: City, provider_staff: User
) -> None:
    person = make_person(city, consent_orgs=[city.provider_a])
    Referral.objects.create(person=person, offer=city.offer_a, status=status)
    viewer = viewer_for(provider_staff)
    assert levels_for(viewer, [person.pk], purpose=Purpose.PLACEMENT)[person.pk] == level
