from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve the web interface and the API with a production WSGI server (waitress)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on")
        parser.add_argument("--threads", type=int, default=8, help="worker threads")

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        from doconnect.wsgi import application

        if not settings.DEBUG:
            call_command("collectstatic", interactive=False, verbosity=0)
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(f"do-connect läuft auf {url}  (Strg+C beendet)")
        serve(
            application,
            host=options["host"],
            port=options["port"],
            threads=options["threads"],
            ident="do-connect",
        )
