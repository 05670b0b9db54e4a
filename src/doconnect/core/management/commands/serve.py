"""``doconnect serve``: the web interface and the API in gunicorn, a process-based WSGI
server: one worker process per CPU core (``DOCONNECT_WEB_WORKERS``), each with a few
threads, so pages are served in parallel instead of queueing behind one process's GIL.
Static files come from WhiteNoise inside the app (hashed, gzip- and brotli-compressed,
cached for a year); they are collected at start only when they changed."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandParser
from django.db import connections

from doconnect.core import collector, warmup
from doconnect.core.management.formatting import ExampleCommand
from doconnect.core.static_files import static_files_current

EPILOG = """\
Behind a reverse proxy that ends TLS, set DOCONNECT_TRUSTED_PROXIES to its address(es):
only from there are X-Forwarded-Proto and X-Forwarded-For believed (see
docs/deployment.md). Stop with Ctrl+C or SIGTERM (running requests finish first).

examples:
  doconnect serve
  doconnect serve --host 0.0.0.0 --port 8000 --workers 4
  DOCONNECT_TRUSTED_PROXIES=10.0.0.5,10.0.1.0/24 doconnect serve
"""


def _options(host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    shm = Path("/dev/shm")  # noqa: S108 - gunicorn's worker heartbeat files, not data
    return {
        "bind": f"{host}:{port}" if ":" not in host else f"[{host}]:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": settings.WEB_TIMEOUT,
        "graceful_timeout": 30,
        # Idle connections are kept longer than a person pauses between clicks: a server
        # closing one just as the next request arrives on it answers with a reset (seen
        # under load with 5 s, when a busy worker noticed the request late).
        "keepalive": 30,
        # The same list as core.proxies.TrustedProxyMiddleware (empty: nobody).
        "forwarded_allow_ips": ",".join(settings.TRUSTED_PROXIES),
        # Django is imported once, before the workers fork: they start at once and
        # share the code's memory.
        "preload_app": True,
        # The request log is ours (core/request_log.py, JSON without query strings).
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "doconnect-web",
        "control_socket_disable": True,
        # Heartbeat files in memory, not on a possibly slow disk (containers).
        "worker_tmp_dir": str(shm) if shm.is_dir() else None,
    }


class Command(ExampleCommand):
    help = "Serve the web interface and the API (gunicorn, one worker process per core)."
    epilog = EPILOG

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on")
        parser.add_argument(
            "--workers",
            type=int,
            default=settings.WEB_WORKERS or os.cpu_count() or 1,
            help="worker processes (default DOCONNECT_WEB_WORKERS, or one per CPU core)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=settings.WEB_THREADS,
            help="threads per worker process (default DOCONNECT_WEB_THREADS, 4)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from gunicorn.app.base import BaseApplication

        if not settings.DEBUG and not static_files_current():
            self.stdout.write("Statische Dateien werden gesammelt und komprimiert …")
            call_command("collectstatic", interactive=False, verbosity=0)
        # No database connection of the master may be shared by the forked workers.
        connections.close_all()
        config = _options(options["host"], options["port"], options["workers"], options["threads"])

        class Server(BaseApplication):
            def load_config(self) -> None:
                for key, value in config.items():
                    self.cfg.set(key, value)

            def load(self) -> Any:
                from doconnect.wsgi import application

                # In the parent, before the workers fork: what every worker would load
                # on its own first request, then the collector settled over all of it.
                warmup.warm()
                collector.settle()
                return application

        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(
            f"do-connect läuft auf {url} mit {options['workers']} Prozessen "
            f"zu je {options['threads']} Threads (Strg+C beendet)"
        )
        self.stdout.flush()
        Server().run()
