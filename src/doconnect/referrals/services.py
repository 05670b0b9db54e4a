"""Writes on referrals. The caller has already fetched the person through
``people.access`` (the access check is the caller's duty); these services check the
rest: the step itself (``transitions``), who takes it, and for an accept that a place is
free.

Every step goes through ``_transition``: it locks the referral, checks the table and the
actor's side, sets the status and writes one ``ReferralEvent``."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from doconnect.core.models import Membership, Role
from doconnect.offers.models import Offer, OfferStatus
from doconnect.offers.participation import occupied_places
from doconnect.people.biography import SIDE_STATES
from doconnect.people.models import Person, Spell, SpellState
from doconnect.people.services import spell_create
from doconnect.referrals import states as transitions
from doconnect.referrals.models import (
    STEP_LABELS,
    DeclineReason,
    Referral,
    ReferralEvent,
    ReferralStatus,
)
from doconnect.referrals.states import Side, TransitionRefused

log = logging.getLogger(__name__)

# A referral in one of these states is still open: a second one for the same person and
# offer would be a duplicate.
OPEN_STATUSES = (
    ReferralStatus.PROPOSED,
    ReferralStatus.SENT,
    ReferralStatus.ACCEPTED,
    ReferralStatus.STARTED,
)

CITY_ROLES = (Role.COORDINATOR, Role.CASE_WORKER)


@transaction.atomic
def referral_create(*, person: Person, offer: Offer, created_by_id: int | None) -> Referral:
    """Propose ``offer`` for ``person`` (status "proposed"). Refuses an offer that is not
    active and a second open referral for the same person and offer (ValidationError).
    The person's row is locked, so two simultaneous proposals cannot both pass."""
    Person.objects.select_for_update().filter(pk=person.pk).first()
    if offer.status != OfferStatus.ACTIVE:
        raise ValidationError(
            _("Das Angebot %(offer)s ist nicht aktiv.") % {"offer": offer.external_id}
        )
    if Referral.objects.filter(person=person, offer=offer, status__in=OPEN_STATUSES).exists():
        raise ValidationError(
            _("Für %(offer)s gibt es schon eine offene Zuweisung.") % {"offer": offer.external_id}
        )
    referral = Referral.objects.create(
        person=person,
        offer=offer,
        status=ReferralStatus.PROPOSED,
        created_by_id=created_by_id,
    )
    ReferralEvent.objects.create(
        referral=referral,
        from_status="",
        to_status=ReferralStatus.PROPOSED,
        at=referral.created_at,
        actor_id=created_by_id,
    )
    return referral


# --------------------------------------------------------------------------- the steps


def _sides_of(actor: AbstractBaseUser | None, offer: Offer) -> set[Side]:
    """For which sides ``actor`` may act on a referral to ``offer``: the platform (no
    actor), the city (a coordinator or case worker), the offer's provider (its staff);
    none for anybody else. One query."""
    if actor is None:
        return {Side.SYSTEM}
    if not actor.is_active:
        return set()
    roles = set(
        Membership.objects.filter(user_id=actor.pk)
        .filter(
            Q(role__in=CITY_ROLES) | Q(role=Role.PROVIDER_STAFF, organisation=offer.provider_id)
        )
        .values_list("role", flat=True)
    )
    sides = set()
    if roles & set(CITY_ROLES):
        sides.add(Side.CITY)
    if Role.PROVIDER_STAFF in roles:
        sides.add(Side.PROVIDER)
    return sides


def _transition(
    *,
    referral: Referral,
    action: str,
    actor: AbstractBaseUser | None,
    reason: str = "",
    note: str = "",
    at: dt.datetime | None = None,
) -> Referral:
    """Take ``action`` on ``referral``: lock its row, check the table and the actor's
    side, set the new status and write the event. ValidationError for a step the table
    does not allow from the current state (or without a required reason),
    PermissionDenied for an actor who does not act for the step's side. Updates and
    returns ``referral``. Call inside a transaction."""
    locked = Referral.objects.select_for_update().select_related("offer").get(pk=referral.pk)
    step = transitions.STEPS[action]
    if step.side not in _sides_of(actor, locked.offer):
        raise PermissionDenied(
            _("Diesen Schritt („%(action)s“) darf nur %(side)s gehen.")
            % {"action": STEP_LABELS.get(action, action), "side": _side_label(step.side)}
        )
    try:
        target = transitions.check(action, locked.status, step.side, reason=reason)
    except TransitionRefused as exc:
        if exc.code == "reason":
            raise ValidationError(
                {"reason": _("Bitte einen Grund angeben.")}, code="reason"
            ) from exc
        raise ValidationError(
            _("Eine Zuweisung im Status „%(status)s“ kann nicht %(action)s werden.")
            % {"status": locked.get_status_display(), "action": _action_label(action)},
            code="state",
        ) from exc
    now = at or timezone.now()
    event = ReferralEvent.objects.create(
        referral=locked,
        from_status=locked.status,
        to_status=target,
        at=now,
        actor_id=actor.pk if actor is not None else None,
        reason=reason,
        note=note,
    )
    fields = ["status", "updated_at"]
    locked.status = target
    if target == ReferralStatus.SENT:
        locked.sent_at = now
        fields.append("sent_at")
    if target in (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED):
        locked.answered_at = now
        fields.append("answered_at")
    if target == ReferralStatus.DECLINED:
        locked.decline_reason = reason
        fields.append("decline_reason")
    locked.save(update_fields=fields)
    log.info("referral %s: %s -> %s by %s", locked.pk, event.from_status, target, actor)
    for field in [*fields, "status"]:
        setattr(referral, field, getattr(locked, field))
    return referral


def _side_label(side: Side) -> str:
    return {
        Side.CITY: _("die Stadt (Koordination, Fallberatung)"),
        Side.PROVIDER: _("der Träger des Angebots"),
        Side.SYSTEM: _("die Plattform"),
    }[side]


def _action_label(action: str) -> str:
    return {
        "send": _("gesendet"),
        "accept": _("angenommen"),
        "decline": _("abgelehnt"),
        "expire": _("als abgelaufen markiert"),
        "start": _("begonnen"),
        "complete": _("abgeschlossen"),
        "drop_out": _("abgebrochen"),
        "cancel": _("storniert"),
    }[action]


@transaction.atomic
def referral_send(*, referral: Referral, actor: AbstractBaseUser, note: str = "") -> Referral:
    """The city sends a proposed referral to the offer's provider; the answer period
    starts (``settings.REFERRAL_ANSWER_DAYS``)."""
    return _transition(referral=referral, action="send", actor=actor, note=note)


@transaction.atomic
def referral_accept(
    *,
    referral: Referral,
    actor: AbstractBaseUser,
    note: str = "",
    today: dt.date | None = None,
) -> Referral:
    """The provider accepts a sent referral and so books a place. Refuses with a
    ValidationError (code ``full``) when the offer's places are all occupied (persons
    taking part plus booked places, ``offers.participation``); an unknown capacity is
    unlimited. The offer's row is locked first, so concurrent accepts queue up and
    never overbook."""
    offer = Offer.objects.select_for_update().get(pk=referral.offer_id)
    day = today or timezone.localdate()
    # Check the step before counting: a wrong actor or state is answered as such.
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    may_answer = Side.PROVIDER in _sides_of(actor, offer) and locked.status == ReferralStatus.SENT
    if may_answer and answer_period_over(locked, day):
        assert locked.sent_at is not None
        raise ValidationError(
            _(
                "Die Antwortfrist für die Zuweisung zu %(offer)s endete am %(day)s; sie "
                "kann nicht mehr angenommen werden. Die Stadt kann die Person neu zuweisen."
            )
            % {
                "offer": offer.title,
                "day": date_format(answer_deadline(timezone.localtime(locked.sent_at).date())),
            },
            code="expired",
        )
    full = offer.capacity is not None and occupied_places(offer.pk, day) >= offer.capacity
    if may_answer and full:
        raise ValidationError(
            ngettext(
                "Das Angebot %(offer)s ist ausgebucht (%(capacity)d Platz).",
                "Das Angebot %(offer)s ist ausgebucht (%(capacity)d Plätze).",
                offer.capacity or 0,
            )
            % {"offer": offer.title, "capacity": offer.capacity},
            code="full",
        )
    return _transition(referral=referral, action="accept", actor=actor, note=note)


@transaction.atomic
def referral_decline(
    *, referral: Referral, actor: AbstractBaseUser, reason: str, note: str = ""
) -> Referral:
    """The provider declines a sent referral with a coded reason (``DeclineReason``);
    "other" needs a note saying what."""
    if reason not in DeclineReason.values:
        raise ValidationError({"reason": _("Unbekannter Ablehnungsgrund: %s") % reason})
    if reason == DeclineReason.OTHER and not note.strip():
        raise ValidationError({"note": _("Bei „anderer Grund“ bitte den Grund nennen.")})
    return _transition(referral=referral, action="decline", actor=actor, reason=reason, note=note)


@transaction.atomic
def referral_start(*, referral: Referral, actor: AbstractBaseUser, note: str = "") -> Referral:
    """The person has begun the offer: the booked place becomes participation."""
    return _transition(referral=referral, action="start", actor=actor, note=note)


@transaction.atomic
def referral_complete(
    *,
    referral: Referral,
    actor: AbstractBaseUser,
    next_state: str,
    on: dt.date,
    note: str = "",
) -> Referral:
    """The person completed the offer; ``next_state`` (a ``SpellState``) begins ``on``
    and is recorded in the biography (see ``_record_next_state``)."""
    _transition(referral=referral, action="complete", actor=actor, note=note)
    _record_next_state(referral=referral, next_state=next_state, on=on)
    return referral


@transaction.atomic
def referral_drop_out(
    *,
    referral: Referral,
    actor: AbstractBaseUser,
    next_state: str,
    on: dt.date,
    note: str = "",
) -> Referral:
    """The person left the offer early; ``next_state`` begins ``on`` and is recorded in
    the biography like after a completion."""
    _transition(referral=referral, action="drop_out", actor=actor, note=note)
    _record_next_state(referral=referral, next_state=next_state, on=on)
    return referral


@transaction.atomic
def referral_cancel(*, referral: Referral, actor: AbstractBaseUser, note: str = "") -> Referral:
    """The city withdraws a proposed, sent or accepted referral (a booked place is
    freed)."""
    return _transition(referral=referral, action="cancel", actor=actor, note=note)


def _record_next_state(*, referral: Referral, next_state: str, on: dt.date) -> Spell:
    """Write the biography after the offer: the participation ends the day before
    ``on`` (the running spell at the offer is ended; without one, the participation
    since the start step is recorded as an "offer" spell), running main states that
    would overlap the next state end then too (``people.biography``: only side states
    may overlap), and ``next_state`` begins ``on`` as an open spell — unless a spell in
    that state already runs on, which then simply continues. ValidationError when the
    biography cannot take it (e.g. a spell that begins on or after ``on``)."""
    if next_state not in SpellState.values:
        raise ValidationError({"next_state": _("Unbekannter Status: %s") % next_state})
    person = Person.objects.select_for_update().get(pk=referral.person_id)
    last_day = on - dt.timedelta(days=1)
    running = list(
        Spell.objects.filter(person=person, start__lt=on).filter(
            Q(end__isnull=True) | Q(end__gte=on)
        )
    )
    at_offer = [s for s in running if s.offer_id == referral.offer_id]
    for spell in at_offer:
        spell.end = last_day
        spell.save(update_fields=["end"])
    if not at_offer:
        started = (
            ReferralEvent.objects.filter(referral=referral, to_status=ReferralStatus.STARTED)
            .values_list("at", flat=True)
            .first()
        )
        begun = timezone.localdate(started) if started else None
        if begun is not None and begun <= last_day:
            Spell.objects.create(
                person=person,
                state=SpellState.OFFER,
                start=begun,
                end=last_day,
                offer_id=referral.offer_id,
            )
    others = [s for s in running if s.offer_id != referral.offer_id]
    continuing = next((s for s in others if s.state == next_state and s.end is None), None)
    if continuing is not None:
        return continuing
    if next_state not in SIDE_STATES:
        for spell in others:
            if spell.state not in SIDE_STATES:
                spell.end = last_day
                spell.save(update_fields=["end"])
    return spell_create(
        person=person,
        state=next_state,
        start=on,
        end=None,
        offer_id=None,
    )


# --------------------------------------------------------------------- expiry, reminders


def answer_deadline(sent_on: dt.date) -> dt.date:
    """The last day a provider may answer a referral sent on ``sent_on``."""
    return sent_on + dt.timedelta(days=settings.REFERRAL_ANSWER_DAYS)


def answer_period_over(referral: Referral, today: dt.date) -> bool:
    """A sent referral whose answer period ended before ``today``: it can no longer be
    accepted, even before ``referrals_expire`` has marked it (the one rule for the
    accept step and for the buttons and API actions that offer it)."""
    return (
        referral.status == ReferralStatus.SENT
        and referral.sent_at is not None
        and answer_deadline(timezone.localtime(referral.sent_at).date()) < today
    )


def referrals_overdue(today: dt.date) -> QuerySet[Referral]:
    """Sent referrals whose answer period ended before ``today``."""
    last_sent_day = today - dt.timedelta(days=settings.REFERRAL_ANSWER_DAYS + 1)
    return Referral.objects.filter(status=ReferralStatus.SENT, sent_at__date__lte=last_sent_day)


def referrals_due_for_reminder(today: dt.date) -> QuerySet[Referral]:
    """Sent referrals whose answer period ends within ``REFERRAL_REMINDER_DAYS`` days
    of ``today`` (and has not ended yet), not reminded before."""
    answer_days = settings.REFERRAL_ANSWER_DAYS
    remind_days = min(settings.REFERRAL_REMINDER_DAYS, answer_days)
    return Referral.objects.filter(
        status=ReferralStatus.SENT,
        reminded_at__isnull=True,
        sent_at__date__lte=today - dt.timedelta(days=answer_days - remind_days),
        sent_at__date__gte=today - dt.timedelta(days=answer_days),
    )


def referrals_expire(*, today: dt.date | None = None) -> list[Referral]:
    """Expire every sent referral left unanswered past its answer period: one step
    each (actor None, the platform), each in its own transaction so a referral
    answered meanwhile is skipped rather than failing the run. Returns the expired."""
    day = today or timezone.localdate()
    expired: list[Referral] = []
    for referral in referrals_overdue(day).select_related("offer").order_by("sent_at", "pk"):
        try:
            with transaction.atomic():
                _transition(
                    referral=referral,
                    action="expire",
                    actor=None,
                    note=_("Keine Antwort bis %(day)s.")
                    % {"day": date_format(answer_deadline(timezone.localdate(referral.sent_at)))}
                    if referral.sent_at
                    else "",
                )
        except ValidationError:
            continue  # answered or withdrawn since it was selected
        expired.append(referral)
    return expired


@transaction.atomic
def referrals_remind(*, today: dt.date | None = None) -> Sequence[Referral]:
    """Mark the referrals due for a reminder as reminded (``reminded_at``) and return
    them, with offer and provider, for the caller to notify. Nobody is reminded twice:
    the rows are locked and marked in one transaction."""
    day = today or timezone.localdate()
    due = list(
        referrals_due_for_reminder(day)
        .select_for_update(of=("self",))
        .select_related("offer", "offer__provider", "person")
        .order_by("sent_at", "pk")
    )
    now = timezone.now()
    Referral.objects.filter(pk__in=[r.pk for r in due]).update(reminded_at=now)
    for referral in due:
        referral.reminded_at = now
    return due
