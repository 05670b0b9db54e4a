"""``doconnect forum``: the conference's daily work from the command line."""

from __future__ import annotations

import datetime as dt

from doconnect.core.management.daily import DailyCommand
from doconnect.forum.reminders import commitment_reminders_send

EPILOG = """\
actions:
  remind  mails the active members of each owner organisation about its running
          (open or on-track) commitments that are due within FORUM_REMINDER_DAYS
          days (default 14), and once more when they are overdue. Each reminder is
          stored: nobody is reminded twice for the same occasion and due date.

examples:
  doconnect forum remind
  doconnect forum remind --today 2026-11-23
"""


class Command(DailyCommand):
    help = "Labour-policy conference: remind owners of commitments due soon or overdue."
    epilog = EPILOG
    jobs = {"remind": "remind owners of commitments due or overdue"}

    def run(self, action: str, today: dt.date) -> None:
        report = commitment_reminders_send(today=today)
        for label, commitments in (("due soon", report.due_soon), ("overdue", report.overdue)):
            for c in commitments:
                self.stdout.write(
                    f"{label}: commitment {c.pk} of {c.owner.external_id}, "
                    f"due {c.due_on.isoformat()}"
                )
        if report.without_address:
            self.stdout.write(
                "no member with an e-mail address (nobody mailed): "
                + ", ".join(sorted(report.without_address))
            )
        self.stdout.write(
            f"{report.reminded} commitment{'s' if report.reminded != 1 else ''} reminded "
            f"({report.days} days before the due date, and once overdue), "
            f"{report.mails} mail{'s' if report.mails != 1 else ''} sent."
        )
