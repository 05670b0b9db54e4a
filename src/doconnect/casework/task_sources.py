"""Where a user's tasks come from: one source per kind of work, each a query of the rows
that are *this* user's to do and due by a given day, under the access rules.

Every source answers with a queryset, so the task page, ``GET /api/tasks``, the digest
and the navigation's count all ask the same question; the page turns the rows into
``tasks.Task``s, the navigation only counts them (one query for all sources together).

Whose task a row is:

- follow-ups and appointments: the worker named on them (``casework_scope``: only while
  the worker may still do case work on the person there);
- agreement reviews, overdue items of the person's own in an agreement and consents
  running out: the organisation's. They go to the person's responsible worker in that
  organisation ("Meine Fälle"), or to every case-work member there while nobody is
  responsible. An overdue item the institution guarantees goes to its named worker,
  else the same way to the guaranteeing organisation;
- referrals waiting for an answer: every staff member of the offer's provider (as the
  referral inbox); referrals the city sent: the user who sent them, while they still
  see the person (a coordinator always, if need be pseudonymously);
- conference commitments: every member of the owning organisation (as the forum's
  reminders).

The other rows about a person count only while the user sees that person with personal
data through the organisation concerned (a valid consent covering it; for provider
staff also a referral or participation) — the case-work rule. A referral to the
provider's own offer is the exception, as in the inbox: it must be answered even
without consent, and then shows no pseudonym."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import DateField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils import timezone

from doconnect.casework.access import PURPOSE, casework_memberships, casework_scope
from doconnect.casework.models import Appointment, AppointmentStatus, FollowUp, Responsibility
from doconnect.core.models import Role
from doconnect.core.roles import MembershipRole
from doconnect.core.viewers import Viewer
from doconnect.forum.access import READ_ROLES as FORUM_ROLES
from doconnect.forum.models import FINAL_STATUSES, Commitment
from doconnect.people.access import consents_opening, visible_persons
from doconnect.people.agreements.models import Agreement, AgreementItem, ItemSide
from doconnect.people.agreements.selectors import agreement_reviews_due, overdue_agreement_items
from doconnect.people.models import Consent
from doconnect.referrals.models import Referral, ReferralEvent, ReferralStatus

# The window of the task page: what is overdue and what comes due in the next two
# weeks. Two weeks is how far a case worker plans appointments ahead, the answer period
# of a referral (DOCONNECT_REFERRAL_ANSWER_DAYS, so every waiting referral is in view)
# and how early the conference reminds a commitment's owner (DOCONNECT_FORUM_REMINDER_DAYS).
WINDOW_DAYS = 14
# A consent is shown a month before it runs out: renewing it needs a conversation with
# the person, which needs an appointment first.
CONSENT_LEAD_DAYS = 30


@dataclass(frozen=True)
class Window:
    """Which due dates count: up to ``until`` (inclusive) and, with ``since``, not
    before it; ``today`` decides what is overdue and who sees whom."""

    today: dt.date
    until: dt.date
    since: dt.date | None = None


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _date_range(field: str, window: Window) -> Q:
    condition = Q(**{f"{field}__lte": window.until})
    if window.since is not None:
        condition &= Q(**{f"{field}__gte": window.since})
    return condition


def _alone(viewer: Viewer, organisation_id: int, role: str) -> Viewer:
    """The viewer as if they worked only in this one organisation."""
    return Viewer(
        user_id=viewer.user_id,
        username=viewer.username,
        memberships=(MembershipRole(organisation_id, role),),
        organisation_keys={organisation_id: viewer.organisation_keys.get(organisation_id, "")},
    )


def _through_organisation(
    viewer: Viewer, window: Window, *, person: str, organisation: str, responsible: bool = True
) -> Q:
    """Rows about a person and one of the viewer's organisations that the viewer, in that
    organisation, sees with personal data — the case-work rule of ``casework_scope`` for
    a model whose person and organisation lie at other paths —; with ``responsible``
    only where the viewer is the person's responsible worker there, or nobody is.

    Per membership: a coordinator needs a valid consent covering the organisation (they
    see everybody pseudonymously); for a case worker or provider staff, the persons they
    see at all through this one membership are exactly those (consent, and for a
    provider also a referral or participation). Each condition is a subquery of its
    own, not correlated, so the database computes it once."""
    scope = Q(pk__in=[])
    for membership in casework_memberships(viewer):
        org = membership.organisation_id
        persons = (
            consents_opening(PURPOSE, window.today).filter(organisations=org).values("person_id")
            if membership.role == Role.COORDINATOR
            else visible_persons(
                _alone(viewer, org, membership.role), purpose=PURPOSE, today=window.today
            ).values("pk")
        )
        here = Q(**{organisation: org, f"{person}__in": persons})
        if responsible:
            others = (
                Responsibility.objects.filter(organisation_id=org)
                .exclude(worker_id=viewer.user_id)
                .values("person_id")
            )
            here &= ~Q(**{f"{person}__in": others})
        scope |= here
    return scope


# -- the sources --------------------------------------------------------------------------
def follow_ups(viewer: Viewer, window: Window) -> QuerySet[FollowUp]:
    """Open follow-ups (Wiedervorlagen) set for this user."""
    if viewer.user_id is None:
        return FollowUp.objects.none()
    return FollowUp.objects.filter(
        casework_scope(viewer, today=window.today),
        _date_range("due_on", window),
        worker_id=viewer.user_id,
        done_at__isnull=True,
    )


def appointments(viewer: Viewer, window: Window) -> QuerySet[Appointment]:
    """This user's planned appointments (Termine): the coming ones, and past ones still
    "geplant" — whether they took place is yet to be recorded."""
    if viewer.user_id is None:
        return Appointment.objects.none()
    condition = Q(starts_at__lt=_day_start(window.until + dt.timedelta(days=1)))
    if window.since is not None:
        condition &= Q(starts_at__gte=_day_start(window.since))
    return Appointment.objects.filter(
        casework_scope(viewer, today=window.today),
        condition,
        worker_id=viewer.user_id,
        status=AppointmentStatus.PLANNED,
    )


def agreement_reviews(viewer: Viewer, window: Window) -> QuerySet[Agreement]:
    """Agreements in force of the user's organisations whose review date comes
    (``people.agreements``' own selector, narrowed to persons the user may work on
    there and to the responsible worker)."""
    reviews = agreement_reviews_due(viewer, until=window.until).filter(
        _through_organisation(viewer, window, person="person_id", organisation="organisation_id")
    )
    if window.since is not None:
        reviews = reviews.filter(review_on__gte=window.since)
    return reviews


def agreement_items(viewer: Viewer, window: Window) -> QuerySet[AgreementItem]:
    """Overdue items (``people.agreements``' selector): the guarantees of the user's
    organisations — the user's own where a worker is named —, and the person's own
    commitments in the agreements of the user's organisations, which the worker
    follows up."""
    if viewer.user_id is None:
        return AgreementItem.objects.none()
    person, owner = "agreement__person_id", "owner_organisation_id"
    guarantee = Q(side=ItemSide.INSTITUTION) & (
        Q(owner_user_id=viewer.user_id)
        & _through_organisation(
            viewer, window, person=person, organisation=owner, responsible=False
        )
        | Q(owner_user__isnull=True)
        & _through_organisation(viewer, window, person=person, organisation=owner)
    )
    commitment = Q(side=ItemSide.PERSON) & _through_organisation(
        viewer, window, person=person, organisation="agreement__organisation_id"
    )
    return overdue_agreement_items(viewer, today=window.today).filter(
        guarantee | commitment, _date_range("due_on", window)
    )


def _answer_by(window: Window) -> Q:
    """Sent referrals whose last day to answer lies in the window."""
    answer_days = dt.timedelta(days=settings.REFERRAL_ANSWER_DAYS)
    condition = Q(sent_at__date__lte=window.until - answer_days)
    if window.since is not None:
        condition &= Q(sent_at__date__gte=window.since - answer_days)
    return condition


def referral_answers(viewer: Viewer, window: Window) -> QuerySet[Referral]:
    """Referrals sent to the offers of the user's provider, waiting for its answer
    (they expire at the end of the answer period)."""
    provider_orgs = viewer.orgs_with(Role.PROVIDER_STAFF)
    if not provider_orgs:
        return Referral.objects.none()
    return Referral.objects.filter(
        _answer_by(window),
        status=ReferralStatus.SENT,
        offer__provider_id__in=provider_orgs,
    )


def referrals_waiting(viewer: Viewer, window: Window) -> QuerySet[Referral]:
    """Referrals this coordinator or case worker sent that still wait for the
    provider's answer: when the answer period ends, the person needs another offer."""
    if viewer.user_id is None or not viewer.has_role(Role.COORDINATOR, Role.CASE_WORKER):
        return Referral.objects.none()
    sent_by_me = Exists(
        ReferralEvent.objects.filter(
            referral_id=OuterRef("pk"), to_status=ReferralStatus.SENT, actor_id=viewer.user_id
        )
    )
    referrals = Referral.objects.filter(sent_by_me, _answer_by(window), status=ReferralStatus.SENT)
    if not viewer.has_role(Role.COORDINATOR):
        referrals = referrals.filter(
            person_id__in=visible_persons(viewer, purpose=PURPOSE, today=window.today).values("pk")
        )
    return referrals


def consents_expiring(viewer: Viewer, window: Window) -> QuerySet[Consent]:
    """Valid consents covering one of the user's organisations that run out soon, where
    no later consent for that organisation follows on (one that starts by the day after
    and runs longer: then nothing is to be done)."""
    follow_on = Consent.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=OuterRef(OuterRef("valid_until"))),
        person_id=OuterRef(OuterRef("person_id")),
        organisations=OuterRef("organisation_id"),
        withdrawn_at__isnull=True,
        valid_from__lte=ExpressionWrapper(
            OuterRef(OuterRef("valid_until")) + dt.timedelta(days=1), output_field=DateField()
        ),
    )
    coverage = Consent.organisations.through._default_manager.filter(
        _through_organisation(
            viewer, window, person="consent__person_id", organisation="organisation_id"
        ),
        ~Q(Exists(follow_on)),
        consent_id=OuterRef("pk"),
    )
    return (
        Consent.objects.valid_on(window.today)
        .filter(_date_range("valid_until", window))
        .filter(Exists(coverage))
    )


def commitments(viewer: Viewer, window: Window) -> QuerySet[Commitment]:
    """Conference commitments (Zusagen) the user's organisation owns, not yet done or
    dropped."""
    owners = viewer.orgs_with(*FORUM_ROLES)
    if not owners:
        return Commitment.objects.none()
    return Commitment.objects.filter(_date_range("due_on", window), owner_id__in=owners).exclude(
        status__in=FINAL_STATUSES
    )
