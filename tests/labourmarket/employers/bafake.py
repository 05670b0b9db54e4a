"""A local stand-in for the BA's REST services: an ``http.server`` in a thread that
answers with scripted responses or simulates a Jobsuche search over many pages. The
tests never reach the real network."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Answer:
    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Asked:
    path: str
    params: dict[str, str]
    headers: dict[str, str]


def jobsuche_entry(n: int, postcode: str = "44339") -> dict[str, Any]:
    return {
        "refnr": f"10000-{n:010d}-S",
        "beruf": f"Beruf {n}",
        "arbeitgeber": f"Arbeitgeber {n % 7}",
        "arbeitsort": {"plz": postcode, "ort": "Dortmund"},
        "aktuelleVeroeffentlichungsdatum": "2026-11-20",
    }


def termin_entry(n: int, postcode: str = "44339") -> dict[str, Any]:
    """One date of a Weiterbildungs- or Ausbildungssuche answer."""
    return {
        "id": 500_000_000 + n,
        "angebot": {
            "id": 9_000_000 + n,
            "titel": f"Kurs {n}",
            "bildungsanbieter": {"id": 700_000 + n % 5, "name": f"Anbieter {n % 5}"},
        },
        "adresse": {"ortStrasse": {"plz": postcode, "name": "Dortmund"}},
        "foerderung": True,
        "teilnehmerMax": 12,
    }


class FakeBA:
    """``script`` answers come first, one per request; after them, with ``total`` set,
    the server plays a Jobsuche search finding that many vacancies (pages from 1), with
    ``offers_total`` set a Weiterbildungs- or Ausbildungssuche search (pages from 0)."""

    def __init__(self) -> None:
        self.script: list[Answer] = []
        self.asked: list[Asked] = []
        self.total: int | None = None
        self.offers_total: int | None = None
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                params = dict(urllib.parse.parse_qsl(url.query))
                with fake._lock:
                    fake.asked.append(
                        Asked(url.path, params, {k.lower(): v for k, v in self.headers.items()})
                    )
                    answer = fake.script.pop(0) if fake.script else fake._search(params)
                if answer.delay:
                    time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    if "Content-Length" not in answer.headers:
                        self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (time-out tests)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def _search(self, params: dict[str, str]) -> Answer:
        if self.offers_total is not None:
            return self._offers_search(params)
        if self.total is None:
            return Answer(404, b'{"message": "not scripted"}')
        page, size = int(params.get("page", "1")), int(params.get("size", "25"))
        if page * size > 10_000:  # what the real API does beyond its cap
            return Answer(400, b'{"message": "page * size > 10000"}')
        start = (page - 1) * size
        numbers = range(start + 1, min(start + size, self.total) + 1)
        body = {
            "stellenangebote": [jobsuche_entry(n) for n in numbers],
            "maxErgebnisse": str(self.total),
            "page": str(page),
            "size": str(size),
        }
        return Answer(200, json.dumps(body).encode())

    def _offers_search(self, params: dict[str, str]) -> Answer:
        assert self.offers_total is not None
        page, size = int(params.get("page", "0")), int(params.get("size", "20"))
        if (page + 1) * size > 10_000:
            return Answer(400, b'{"message": "beyond 10000 results"}')
        numbers = range(page * size + 1, min((page + 1) * size, self.offers_total) + 1)
        body = {
            "_embedded": {"termine": [termin_entry(n) for n in numbers]},
            "page": {
                "size": size,
                "totalElements": self.offers_total,
                "totalPages": -(-self.offers_total // size),
                "number": page,
            },
        }
        return Answer(200, json.dumps(body).encode())

    def __enter__(self) -> FakeBA:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def serve() -> Iterator[FakeBA]:
    with FakeBA() as fake:
        yield fake
