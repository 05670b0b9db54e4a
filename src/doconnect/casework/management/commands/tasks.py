"""``doconnect tasks digest``: mail each user who asked for it the list of what is due
today and overdue (run daily, e.g. from cron, like ``doconnect referrals remind``)."""

from __future__ import annotations

import datetime as dt
import logging

from doconnect.casework.digest import digests_send
from doconnect.core.management.daily import DailyCommand

log = logging.getLogger(__name__)

EPILOG = """\
actions:
  digest  mails every active user who switched on the daily digest (on the settings
          page of the task page, /tasks/settings/) and has an e-mail address a plain-text
          list of what is due today and what is overdue: pseudonyms, dates and links
          to the platform (DOCONNECT_SITE_URL) only, never a name or a note, in the
          language the user chose. Once per user and day: running it again the same
          day mails nobody twice. Users with nothing due get no mail.

examples:
  doconnect tasks digest
  doconnect tasks digest --today 2026-11-23
"""


class Command(DailyCommand):
    help = "Tasks: mail the daily digest of what is due to the users who asked for it."
    epilog = EPILOG
    jobs = {"digest": "mail today's digest (once per user and day)"}

    def run(self, action: str, today: dt.date) -> None:
        digests = digests_send(today=today)
        for username, count in digests.sent:
            line = f"digest: {username}: {count} task{'s' if count != 1 else ''}"
            log.info(line)
            self.stdout.write(line)
        for username in digests.already_sent:
            self.stdout.write(f"already sent today: {username}")
        self.stdout.write(
            f"{len(digests.sent)} digest{'s' if len(digests.sent) != 1 else ''} mailed for "
            f"{today.isoformat()}, {len(digests.nothing_due)} with nothing due, "
            f"{len(digests.already_sent)} already sent today."
        )
