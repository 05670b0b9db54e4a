"""The production server (`doconnect serve`, gunicorn) started for real on loopback:
behind a reverse proxy the forwarded protocol counts only from a trusted proxy address,
and /healthz answers from the server without a host name or https.

The server listens on 127.0.0.1; 127.0.0.1 is the trusted proxy, and a client that
connects from 127.0.0.2 (also loopback) is somebody else."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from doconnect.core.static_files import source_files
from tests.workers import database_url_of_test

START_SECONDS = 180  # a cold Django start on a busy machine
HOST = "arbeit.example.org"
UNTRUSTED = "127.0.0.2"


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def get(
        self, path: str, headers: dict[str, str] | None = None, source: str = "127.0.0.1"
    ) -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=60, source_address=(source, 0)
        )
        conn.request("GET", path, headers={"Host": HOST, **(headers or {})})
        response = conn.getresponse()
        response.read()
        conn.close()
        return response


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(tmp_path: Path, database_url: str, **env: str) -> Server:
    """``doconnect serve`` as production runs it: DEBUG off, https redirect and HSTS on.
    The static files count as collected (a manifest naming every source, dated after all):
    these tests ask pages without static files, and a real collection takes minutes."""
    static = tmp_path / "static"
    static.mkdir(parents=True)
    manifest = static / "staticfiles.json"
    paths = {name: name for name, _ in source_files()}
    manifest.write_text(json.dumps({"paths": paths, "version": "1.1", "hash": ""}))
    tomorrow = time.time() + 86400  # newer than sources other work may touch meanwhile
    os.utime(manifest, (tomorrow, tomorrow))
    port = _free_port()
    log = tmp_path / "serve.log"
    environment = {
        **os.environ,
        "DOCONNECT_DEBUG": "0",
        "DOCONNECT_DATABASE_URL": database_url,
        "DOCONNECT_VAR_DIR": str(tmp_path),
        "DOCONNECT_ALLOWED_HOSTS": HOST,
        "DOCONNECT_SSL_REDIRECT": "1",
        "DOCONNECT_TRUSTED_PROXIES": "127.0.0.1/32",
        "DOCONNECT_WEB_WORKERS": "1",
        **env,
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)  # the production settings
    process = subprocess.Popen(
        [sys.executable, "-m", "doconnect", "serve", "--port", str(port)],
        env=environment,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    server = Server(port, process, log)
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"doconnect serve ended: {log.read_text()}")
        try:
            server.get("/healthz")
            return server
        except OSError:
            time.sleep(0.2)
    process.kill()
    pytest.fail(f"doconnect serve did not answer within {START_SECONDS} s: {log.read_text()}")


@pytest.fixture
def server(db: None, tmp_path: Path) -> Iterator[Server]:
    running = start_server(tmp_path, database_url_of_test())
    yield running
    running.process.terminate()
    running.process.wait(timeout=60)


# A page without static files that passes Django's security middleware.
PAGE = "/api/openapi.json"


def test_a_trusted_proxy_saying_https_gets_the_page_with_hsts_and_no_redirect(
    server: Server,
) -> None:
    response = server.get(PAGE, {"X-Forwarded-Proto": "https"})
    assert response.status == 200
    assert "max-age=31536000" in (response.getheader("Strict-Transport-Security") or "")


def test_plain_http_from_the_proxy_is_redirected_to_https(server: Server) -> None:
    response = server.get(PAGE)
    assert response.status == 301
    assert response.getheader("Location") == f"https://{HOST}{PAGE}"


def test_an_untrusted_address_saying_https_is_not_believed(server: Server) -> None:
    response = server.get(PAGE, {"X-Forwarded-Proto": "https"}, source=UNTRUSTED)
    assert response.status == 301
    assert response.getheader("Location") == f"https://{HOST}{PAGE}"
    assert response.getheader("Strict-Transport-Security") is None


def test_healthz_answers_without_host_name_https_or_sign_in(server: Server) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    conn.request("GET", "/healthz")  # Host: 127.0.0.1:PORT, not an allowed host
    response = conn.getresponse()
    report = json.loads(response.read())
    assert response.status == 200
    assert response.getheader("Content-Type") == "application/json"
    assert report["status"] == "ok"
    assert report["database"]["ok"] is True


def test_healthz_says_503_when_the_database_is_down(tmp_path: Path) -> None:
    # A PostgreSQL address where nothing listens: the port stays taken (bound, not
    # listening) so the server cannot be given the same one.
    nothing = socket.socket()
    nothing.bind(("127.0.0.1", 0))
    port = nothing.getsockname()[1]
    down = start_server(tmp_path, f"postgresql://doconnect@127.0.0.1:{port}/doconnect")
    try:
        conn = http.client.HTTPConnection("127.0.0.1", down.port, timeout=60)
        conn.request("GET", "/healthz")
        response = conn.getresponse()
        report = json.loads(response.read())
    finally:
        down.process.terminate()
        down.process.wait(timeout=60)
        nothing.close()
    assert response.status == 503
    assert report == {"status": "fail", "database": {"ok": False, "vendor": "postgresql"}}


def test_the_server_runs_gunicorn_workers(server: Server) -> None:
    log = server.log.read_text()
    assert "Starting gunicorn" in log
    assert "Using worker: gthread" in log
