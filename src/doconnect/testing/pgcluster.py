"""A throwaway PostgreSQL cluster from the machine's binaries, for tests and benchmarks.

Runs initdb into a temporary folder and starts the server on a free loopback port with
durability switched off (it is thrown away). PostgreSQL refuses to run as root, so as
root the server runs as the ``postgres`` system user.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SEARCH_DIRS = (
    "/usr/lib/postgresql/17/bin",
    "/usr/lib/postgresql/16/bin",
    "/usr/lib/postgresql/15/bin",
)


class PostgresUnavailable(RuntimeError):
    pass


def find_bindir() -> Path | None:
    env = os.environ.get("DOCONNECT_PG_BINDIR")
    candidates = [env] if env else []
    candidates += list(SEARCH_DIRS)
    for cand in candidates:
        if cand and (Path(cand) / "initdb").exists():
            return Path(cand)
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Cluster:
    bindir: Path
    datadir: Path
    port: int
    run_as: str | None

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _cmd(self, *args: str) -> list[str]:
        prefix = ["runuser", "-u", self.run_as, "--"] if self.run_as else []
        return [*prefix, *args]

    def stop(self) -> None:
        if self.datadir.exists():
            subprocess.run(
                self._cmd(
                    str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "stop"
                ),
                capture_output=True,
                check=False,
            )
            shutil.rmtree(self.datadir.parent, ignore_errors=True)


def start() -> Cluster:
    bindir = find_bindir()
    if bindir is None:
        raise PostgresUnavailable(
            "no PostgreSQL server binaries found (looked for initdb in "
            + ", ".join(SEARCH_DIRS)
            + " and on PATH); install postgresql or set "
            "DOCONNECT_PG_BINDIR"
        )
    run_as = "postgres" if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="doconnect-pg-"))
    datadir = root / "data"
    if run_as:
        shutil.chown(root, user=run_as)
        os.chmod(root, 0o700)
    cluster = Cluster(bindir=bindir, datadir=datadir, port=_free_port(), run_as=run_as)
    init = subprocess.run(
        cluster._cmd(
            str(bindir / "initdb"),
            "-D",
            str(datadir),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        ),
        capture_output=True,
        text=True,
        check=False,
    )
    if init.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise PostgresUnavailable(f"initdb failed: {init.stderr.strip() or init.stdout.strip()}")
    options = (
        f"-c listen_addresses=127.0.0.1 -c port={cluster.port} -c unix_socket_directories='' "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
        "-c max_connections=60 -c shared_buffers=256MB -c max_wal_size=4GB"
    )
    started = subprocess.run(
        cluster._cmd(
            str(bindir / "pg_ctl"),
            "-D",
            str(datadir),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "-l",
            str(root / "server.log"),
            "start",
        ),
        capture_output=True,
        text=True,
        check=False,
    )
    if started.returncode != 0:
        log = (root / "server.log").read_text() if (root / "server.log").exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        raise PostgresUnavailable(f"PostgreSQL did not start: {started.stderr.strip()} {log}")
    atexit.register(cluster.stop)
    return cluster
