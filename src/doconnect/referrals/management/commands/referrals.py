"""``doconnect referrals``: expire referrals that providers left unanswered, and remind
providers before that (run both daily, e.g. from cron)."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone

from doconnect.core.management.daily import DailyCommand
from doconnect.referrals.notifications import send_reminders
from doconnect.referrals.services import answer_deadline, referrals_expire, referrals_remind

log = logging.getLogger(__name__)

EPILOG = """\
actions:
  expire  every sent referral unanswered for more than DOCONNECT_REFERRAL_ANSWER_DAYS
          days (default 14) becomes "expired"; the step is recorded with the platform
          as its actor.
  remind  lists the sent referrals whose answer period ends within
          DOCONNECT_REFERRAL_REMINDER_DAYS days (default 3), one line each for the
          offer's provider, mails the list to the provider's staff (pseudonyms only)
          and marks them reminded: nobody is reminded twice.

examples:
  doconnect referrals remind
  doconnect referrals expire --today 2026-11-23
"""


class Command(DailyCommand):
    help = "Referrals: expire unanswered ones, remind providers before they expire."
    epilog = EPILOG
    jobs = {
        "expire": "expire sent referrals left unanswered",
        "remind": "remind providers of referrals about to expire",
    }

    def run(self, action: str, today: dt.date) -> None:
        if action == "expire":
            expired = referrals_expire(today=today)
            for referral in expired:
                self.stdout.write(
                    f"expired: referral {referral.pk} to {referral.offer.external_id}"
                )
            self.stdout.write(
                f"{len(expired)} referral{'s' if len(expired) != 1 else ''} expired "
                f"(answer period {settings.REFERRAL_ANSWER_DAYS} days)."
            )
            return
        reminded = referrals_remind(today=today)
        for referral in reminded:
            sent_on = timezone.localdate(referral.sent_at) if referral.sent_at else today
            line = (
                f"reminder: {referral.offer.provider.name} — referral {referral.pk} of "
                f"{referral.person.public_id} to {referral.offer.external_id} "
                f"({referral.offer.title}), sent {sent_on.isoformat()}, answer by "
                f"{answer_deadline(sent_on).isoformat()}"
            )
            log.info(line)
            self.stdout.write(line)
        mailed = send_reminders(reminded)
        self.stdout.write(
            f"{len(reminded)} reminder{'s' if len(reminded) != 1 else ''} "
            f"({settings.REFERRAL_REMINDER_DAYS} days before the answer period ends), "
            f"{mailed} mail{'s' if mailed != 1 else ''} to provider staff."
        )
