"""Reads on referrals: how providers answer, and the rows of a referral table with the
steps the viewer may take."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from doconnect.core.viewers import Viewer
from doconnect.people.access import PersonRecord
from doconnect.referrals import services
from doconnect.referrals.access import city_actions
from doconnect.referrals.models import STEP_LABELS, Referral, ReferralStatus

# The labels of the step buttons and disclosures.
ACTION_LABELS = STEP_LABELS


@dataclass(frozen=True)
class AnswerStatistics:
    """How an offer's provider answers referrals.

    ``sent``: referrals ever sent to the offer; ``answered``: accepted or declined;
    ``expired``: left unanswered past the answer period; ``waiting``: sent and not
    answered yet (still within the period). ``response_rate`` is answered / (answered
    + expired) — the share answered of the referrals that had to be answered — None
    before any did; referrals the city cancelled before an answer count in neither.
    ``median_answer_hours``: median time from sending to the answer, None without
    answers."""

    offer_id: int
    sent: int
    answered: int
    expired: int
    waiting: int
    response_rate: float | None
    median_answer_hours: float | None

    @property
    def response_percent(self) -> int | None:
        rate = self.response_rate
        return None if rate is None else round(rate * 100)

    @property
    def median_answer_days(self) -> float | None:
        hours = self.median_answer_hours
        return None if hours is None else hours / 24


def answer_statistics(offer_ids: Iterable[int] | None = None) -> dict[int, AnswerStatistics]:
    """Answer figures per offer (only offers with at least one sent referral), from one
    query over the sent referrals (``sent_at`` set) — the median is taken in Python."""
    rows = Referral.objects.filter(sent_at__isnull=False)
    if offer_ids is not None:
        rows = rows.filter(offer_id__in=list(offer_ids))
    hours: dict[int, list[float]] = {}
    counts: dict[int, list[int]] = {}  # sent, answered, expired, waiting
    for offer_id, status, sent_at, answered_at in rows.order_by().values_list(
        "offer_id", "status", "sent_at", "answered_at"
    ):
        count = counts.setdefault(offer_id, [0, 0, 0, 0])
        count[0] += 1
        if answered_at is not None and sent_at is not None:
            count[1] += 1
            hours.setdefault(offer_id, []).append((answered_at - sent_at).total_seconds() / 3600)
        elif status == ReferralStatus.EXPIRED:
            count[2] += 1
        elif status == ReferralStatus.SENT:
            count[3] += 1
    result: dict[int, AnswerStatistics] = {}
    for offer_id, (sent, answered, expired, waiting) in counts.items():
        due = answered + expired
        times = hours.get(offer_id)
        result[offer_id] = AnswerStatistics(
            offer_id=offer_id,
            sent=sent,
            answered=answered,
            expired=expired,
            waiting=waiting,
            response_rate=answered / due if due else None,
            median_answer_hours=statistics.median(times) if times else None,
        )
    return result


@dataclass
class Action:
    name: str
    label: str
    open: bool = False  # a failed submission: the disclosure starts open
    fields: str = ""  # the form's fields as safe HTML, in a disclosure; "": a plain button


@dataclass
class Row:
    referral: Referral
    record: PersonRecord | None  # None: the viewer may not see the person
    deadline: dt.date | None = None
    overdue: bool = False
    due_soon: bool = False
    actions: list[Action] = field(default_factory=list)


def person_referral_rows(viewer: Viewer, referrals: list[Referral] | None) -> list[Row] | None:
    """The referrals table of a person's page (the caller has fetched the person
    through ``people.access``): the answer deadline of sent ones and the city's steps
    (send, cancel) for coordinators and case workers."""
    if referrals is None:
        return None
    rows = []
    for referral in referrals:
        row = Row(referral=referral, record=None)
        if referral.status == ReferralStatus.SENT and referral.sent_at is not None:
            row.deadline = services.answer_deadline(timezone.localdate(referral.sent_at))
            row.overdue = row.deadline < timezone.localdate()
        row.actions = [
            Action(name=name, label=str(ACTION_LABELS[name]))
            for name in city_actions(viewer, referral)
        ]
        rows.append(row)
    return rows
