"""Reminders about commitments, by e-mail to the owner organisation's active members:
once when the due date is ``FORUM_REMINDER_DAYS`` days away or nearer (default 14), and
once when it has passed. Each reminder is stored (``CommitmentReminder``), so running
the job twice a day, or every day, never sends one twice for the same occasion; a new
due date is a new occasion.

Run daily: ``doconnect forum remind`` (or the background job ``forum_remind``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils.translation import gettext as _

from doconnect.core.models import Membership
from doconnect.forum.models import (
    RUNNING_STATUSES,
    Commitment,
    CommitmentReminder,
    ReminderOccasion,
)


def reminder_days() -> int:
    return int(settings.FORUM_REMINDER_DAYS)


@dataclass
class ReminderReport:
    today: dt.date
    days: int
    due_soon: list[Commitment] = field(default_factory=list)
    overdue: list[Commitment] = field(default_factory=list)
    mails: int = 0
    # Owner organisations reminded without any active member with an e-mail address.
    without_address: list[str] = field(default_factory=list)

    @property
    def reminded(self) -> int:
        return len(self.due_soon) + len(self.overdue)


def _occasion(commitment: Commitment, today: dt.date, days: int) -> str | None:
    if commitment.due_on < today:
        return ReminderOccasion.OVERDUE
    if commitment.due_on <= today + dt.timedelta(days=days):
        return ReminderOccasion.DUE_SOON
    return None


def _line(commitment: Commitment) -> str:
    return _("- %(what)s (fällig am %(due)s; Beschluss der Sitzung „%(session)s“)") % {
        "what": commitment.what,
        "due": commitment.due_on.strftime("%d.%m.%Y"),
        "session": commitment.decision.session.title,
    }


def _mail_body(due_soon: list[Commitment], overdue: list[Commitment], days: int) -> str:
    lines = [_("Guten Tag,"), ""]
    if overdue:
        lines += [
            _("diese Zusagen Ihrer Organisation aus der Arbeitspolitikkonferenz sind überfällig:"),
            "",
            *[_line(c) for c in overdue],
            "",
        ]
    if due_soon:
        lines += [
            _("diese Zusagen Ihrer Organisation sind in den nächsten %(days)d Tagen fällig:")
            % {"days": days},
            "",
            *[_line(c) for c in due_soon],
            "",
        ]
    lines.append(
        _(
            "Bitte tragen Sie den Stand in do-connect unter „Konferenz“ → „Zusagen“ ein "
            "(im Plan, erledigt, verspätet oder aufgegeben, mit Begründung)."
        )
    )
    return "\n".join(lines)


@transaction.atomic
def commitment_reminders_send(*, today: dt.date) -> ReminderReport:
    """Remind the owners of running commitments that are due within the reminder days
    or overdue, once per occasion; one mail per member address listing all of the
    organisation's commitments reminded today. Returns what was reminded and sent."""
    days = reminder_days()
    report = ReminderReport(today=today, days=days)
    horizon = today + dt.timedelta(days=days)
    candidates = (
        Commitment.objects.filter(status__in=RUNNING_STATUSES, due_on__lte=horizon)
        .select_related("decision__session", "owner")
        .order_by("owner_id", "due_on", "id")
    )
    sent = {
        (commitment_id, occasion, due_on)
        for commitment_id, occasion, due_on in CommitmentReminder.objects.filter(
            commitment__in=candidates
        ).values_list("commitment_id", "occasion", "due_on")
    }
    by_owner: dict[int, tuple[list[Commitment], list[Commitment]]] = defaultdict(lambda: ([], []))
    for commitment in candidates:
        occasion = _occasion(commitment, today, days)
        if occasion is None or (commitment.pk, occasion, commitment.due_on) in sent:
            continue
        soon, late = by_owner[commitment.owner_id]
        (late if occasion == ReminderOccasion.OVERDUE else soon).append(commitment)
    if not by_owner:
        return report
    addresses: dict[int, list[str]] = defaultdict(list)
    for org_id, email in (
        Membership.objects.filter(organisation_id__in=by_owner, user__is_active=True)
        .exclude(user__email="")
        .order_by("organisation_id", "user__email")
        .values_list("organisation_id", "user__email")
        .distinct()
    ):
        addresses[org_id].append(email)
    mails: list[EmailMessage] = []
    reminders: list[CommitmentReminder] = []
    for org_id, (soon, late) in by_owner.items():
        recipients = addresses.get(org_id, [])
        if not recipients:
            report.without_address.append((soon or late)[0].owner.external_id)
        subject = _("do-connect: %(count)d Zusagen aus der Arbeitspolitikkonferenz") % {
            "count": len(soon) + len(late)
        }
        body = _mail_body(soon, late, days)
        mails += [
            EmailMessage(
                subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[address]
            )
            for address in recipients
        ]
        for occasion, commitments in (
            (ReminderOccasion.DUE_SOON, soon),
            (ReminderOccasion.OVERDUE, late),
        ):
            reminders += [
                CommitmentReminder(
                    commitment=c,
                    occasion=occasion,
                    due_on=c.due_on,
                    sent_on=today,
                    recipients=len(recipients),
                )
                for c in commitments
            ]
        report.due_soon += soon
        report.overdue += late
    CommitmentReminder.objects.bulk_create(reminders)
    Commitment.objects.filter(pk__in=[r.commitment_id for r in reminders]).update(
        reminder_sent_on=today
    )
    if mails:
        # Sent last: a failure to send rolls the records back, so the next run tries again.
        report.mails = get_connection().send_messages(mails) or 0
    return report
