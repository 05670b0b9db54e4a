"""``doconnect worker``: runs the queued jobs (allocation, scenario, cohort and report
runs) and, once a day, the daily commands — outside the web process, so a restart or a
deploy of the web server loses nothing. A thin wrapper around django-tasks' database
worker (``django_tasks_db``'s ``db_worker``) with our settings and a heartbeat."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandParser
from django_tasks_db.management.commands.db_worker import Worker

from doconnect.core import collector
from doconnect.core.management.formatting import ExampleCommand
from doconnect.core.schedule import daily_commands
from doconnect.core.worker import Heartbeat, jobs_recover, worker_register, worker_stopped

EPILOG = """\
Runs until stopped (Ctrl+C or SIGTERM: the running job is finished first; a second
signal ends it at once). Run one or more per installation (systemd unit or container
`worker`); on SQLite one is enough. A worker killed during a job is noticed by the
next one after DOCONNECT_WORKER_STALE_SECONDS (default 60): the job runs once more, and
if that is broken off too it fails with the reason.

examples:
  doconnect worker
  DOCONNECT_WORKER_DAILY_AT=05:30 doconnect worker
"""


class Command(ExampleCommand):
    help = (
        "Run the background worker: queued jobs and, daily from DOCONNECT_WORKER_DAILY_AT, "
        "the daily commands (reminders, expiry, digests)."
    )
    epilog = EPILOG

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="seconds to wait for a new job when the queue is empty (default 1)",
        )

    def handle(self, *args: Any, interval: float, **options: Any) -> None:
        me = worker_register()
        taken_over = jobs_recover(me=me.worker_id)
        daily_at = settings.WORKER_DAILY_AT
        self.stdout.write(
            f"worker {me.worker_id}: queue 'default'; "
            + (
                f"daily at {daily_at:%H:%M}: {', '.join(daily_commands())}"
                if daily_at
                else "no daily runs (DOCONNECT_WORKER_DAILY_AT=off)"
            )
            + f"; {len(taken_over)} job(s) of stopped workers taken over"
        )
        collector.settle()  # long runs build many objects: see core/collector.py
        heartbeat = Heartbeat(me.worker_id)
        heartbeat.start()
        heartbeat.tick()  # today's daily runs at once if their time has passed
        worker = Worker(
            queue_names=["default"],
            interval=interval,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=me.worker_id,
            excluded_queue_names=[],
        )
        worker.configure_signals()
        try:
            worker.run()
        finally:
            heartbeat.halt.set()
            worker_stopped(me.worker_id)
            self.stdout.write(f"worker {me.worker_id} stopped")
