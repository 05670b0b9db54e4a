"""A real ``doconnect worker`` process on the test database: for the tests that prove the
worker path (killed and started again, a page following its job, the daily schedule)
and for the browser tests that watch a job's progress. The data must be committed
(``transactional_db``) for the worker to see it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from doconnect.core.models import WorkerProcess

START_SECONDS = 90  # a cold Django start on a busy machine


def database_url_of_test() -> str:
    """The URL of the database this test runs on, for another process."""
    conf = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{conf['NAME']}"
    user = quote(conf.get("USER") or "")
    password = f":{quote(conf['PASSWORD'])}" if conf.get("PASSWORD") else ""
    host = conf.get("HOST") or "127.0.0.1"
    port = f":{conf['PORT']}" if conf.get("PORT") else ""
    return f"postgresql://{user}{password}@{host}{port}/{conf['NAME']}"


@dataclass
class RunningWorker:
    process: subprocess.Popen[bytes]
    log: Path
    worker_id: str = ""
    stopped: bool = field(default=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as when the machine or the OOM killer ends it."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self.stopped = True

    def freeze(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> int:
        """SIGTERM, as systemd stops it: the running job is finished first."""
        if not self.stopped:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
            self.stopped = True
        return self.process.returncode


def start_worker(*, stale_seconds: int = 3, daily_at: str = "off", **env: str) -> RunningWorker:
    """Start ``doconnect worker`` on the test database with production settings (DEBUG
    off) and a heartbeat every second; returns once its heartbeat row is there."""
    environment = {
        **os.environ,
        "DOCONNECT_DATABASE_URL": database_url_of_test(),
        "DOCONNECT_DEBUG": "0",
        "DOCONNECT_WORKER_HEARTBEAT_SECONDS": "1",
        "DOCONNECT_WORKER_STALE_SECONDS": str(stale_seconds),
        "DOCONNECT_WORKER_DAILY_AT": daily_at,
        "DOCONNECT_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        **env,
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)  # the production settings, not the tests'
    log = Path(tempfile.mkstemp(prefix="doconnect-worker-", suffix=".log")[1])
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "doconnect", "worker", "--interval", "0.2"],
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    worker = RunningWorker(process=process, log=log)
    deadline = time.monotonic() + START_SECONDS
    while True:
        row = WorkerProcess.objects.filter(pid=process.pid, stopped_at__isnull=True).first()
        if row is not None:
            worker.worker_id = row.worker_id
            return worker
        if process.poll() is not None:
            pytest.fail(f"the worker ended at its start:\n{worker.output()}")
        if time.monotonic() > deadline:
            worker.stop()
            pytest.fail(f"the worker did not start within {START_SECONDS} s:\n{worker.output()}")
        time.sleep(0.1)


def wait_for(condition: Callable[[], bool], what: str, *, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds} s in vain for {what}")
        time.sleep(0.05)


@pytest.fixture
def worker(transactional_db: None) -> Iterator[RunningWorker]:
    """One running worker for the test, stopped afterwards."""
    running = start_worker()
    yield running
    running.stop()
