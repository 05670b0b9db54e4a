"""Backup and restore of the whole database (``doconnect backup`` / ``doconnect restore``).

- PostgreSQL: ``pg_dump`` in its custom format (compressed, one consistent snapshot
  while the platform runs), restored by ``pg_restore`` in a single transaction;
- SQLite: SQLite's online backup API (a consistent copy while the platform runs),
  restored the same way into a new file that replaces nothing.

A restore goes into an empty database only (no tables at all): restoring over live data
would mix two states of the same persons. Both directions are all-or-nothing: a backup
is written under a temporary name and renamed when complete; a failed restore leaves the
target database as empty as it was. Backups hold personal data: the file is created
readable by its owner only (docs/deployment.md says how to encrypt it and keep it
off the machine).

``table_digests`` is the proof: every table's row count and a digest of its content,
read through a plain DB-API connection, so a backup and its restore can be compared.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone

SQLITE_HEADER = b"SQLite format 3\x00"
PGDUMP_HEADER = b"PGDMP"
PG_SEARCH_DIRS = tuple(f"/usr/lib/postgresql/{v}/bin" for v in (17, 16, 15))


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Database:
    vendor: str  # "postgresql" or "sqlite"
    settings: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.settings["NAME"])


def current_database(alias: str = "default") -> Database:
    connection = connections[alias]
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"backups of a {vendor} database are not supported")
    return Database(vendor, dict(connection.settings_dict))


def default_backup_path(database: Database) -> Path:
    suffix = "dump" if database.vendor == "postgresql" else "sqlite3"
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"doconnect-{stamp}.{suffix}"


# PostgreSQL ----------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """``pg_dump`` or ``pg_restore``: from DOCONNECT_PG_BINDIR, the newest Debian
    PostgreSQL, or PATH (it must not be older than the server)."""
    folders = [settings.PG_BINDIR] if settings.PG_BINDIR else []
    for folder in [*folders, *PG_SEARCH_DIRS]:
        candidate = Path(folder) / name
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    raise BackupError(
        f"{name} not found (looked in DOCONNECT_PG_BINDIR, {', '.join(PG_SEARCH_DIRS)} and "
        "PATH): install the PostgreSQL client (apt-get install postgresql-client-15)"
    )


def _pg_args(db: Database) -> tuple[list[str], dict[str, str]]:
    s = db.settings
    args = ["--dbname", s["NAME"]]
    if s.get("HOST"):
        args += ["--host", str(s["HOST"])]
    if s.get("PORT"):
        args += ["--port", str(s["PORT"])]
    if s.get("USER"):
        args += ["--username", str(s["USER"])]
    env = dict(os.environ)
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])  # never on the command line (ps shows it)
    return args, env


def _run(args: list[str], env: dict[str, str] | None, what: str) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise BackupError(f"{what} failed: {(done.stderr or done.stdout).strip()}")


# Both ----------------------------------------------------------------------------------


@contextmanager
def _private_temporary(final: Path) -> Iterator[Path]:
    """A temporary file beside ``final``, readable by its owner only, renamed to
    ``final`` when the block completes and removed when it fails."""
    final.parent.mkdir(parents=True, exist_ok=True)
    temporary = final.with_name(f".{final.name}.partial")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    try:
        yield temporary
        os.replace(temporary, final)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def backup(out: Path | None = None, alias: str = "default") -> Path:
    """Write a backup of the database; its path."""
    db = current_database(alias)
    target = Path(out) if out else default_backup_path(db)
    if target.exists():
        raise BackupError(f"{target} exists already; choose another --out")
    with _private_temporary(target) as temporary:
        if db.vendor == "postgresql":
            args, env = _pg_args(db)
            _run(
                [
                    pg_tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    "--file",
                    str(temporary),
                    *args,
                ],
                env,
                "pg_dump",
            )
        else:
            source = sqlite3.connect(f"file:{db.name}?mode=ro", uri=True)
            destination = sqlite3.connect(temporary)
            try:
                source.backup(destination)
            finally:
                destination.close()
                source.close()
    return target


def _kind_of(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        raise BackupError(f"{path}: cannot be read: {exc.strerror}") from exc
    if head.startswith(PGDUMP_HEADER):
        return "postgresql"
    if head == SQLITE_HEADER:
        return "sqlite"
    raise BackupError(
        f"{path}: not a do-connect backup (neither a pg_dump custom-format file nor an "
        "SQLite database)"
    )


def existing_tables(alias: str = "default") -> list[str]:
    with connections[alias].cursor() as cursor:
        return sorted(connections[alias].introspection.table_names(cursor))


def restore(path: Path, alias: str = "default") -> dict[str, int]:
    """Restore ``path`` into the (empty) database; the row count of every table."""
    db = current_database(alias)
    kind = _kind_of(path)
    if kind != db.vendor:
        raise BackupError(
            f"{path} is a {kind} backup, but DOCONNECT_DATABASE_URL points at a "
            f"{db.vendor} database"
        )
    tables = existing_tables(alias)
    if tables:
        raise BackupError(
            f"the database {db.name} is not empty ({len(tables)} tables, e.g. {tables[0]}): "
            "a restore goes into an empty database only. Create a new one (PostgreSQL: "
            "createdb; SQLite: a new file name) and point DOCONNECT_DATABASE_URL at it."
        )
    connections[alias].close()
    if db.vendor == "postgresql":
        args, env = _pg_args(db)
        _run(
            [
                pg_tool("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                *args,
                str(path),
            ],
            env,
            "pg_restore",
        )
    else:
        # The empty file's journal, left by the check above, must not meet the new file.
        for suffix in ("-wal", "-shm"):
            Path(db.name + suffix).unlink(missing_ok=True)
        _restore_sqlite(path, Path(db.name))
    return {table: count for table, (count, _) in database_digests(alias).items()}


def _restore_sqlite(path: Path, target: Path) -> None:
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        problems = source.execute("PRAGMA quick_check").fetchone()[0]
        if problems != "ok":
            raise BackupError(f"{path}: the SQLite file is damaged: {problems}")
        with _private_temporary(target) as temporary:
            destination = sqlite3.connect(temporary)
            try:
                source.backup(destination)
            finally:
                destination.close()
    finally:
        source.close()


# Proof ---------------------------------------------------------------------------------


def table_digests(dbapi: Any, vendor: str) -> dict[str, tuple[int, str]]:
    """Every table's row count and SHA-256 over its rows (each row's values as text,
    rows sorted, so the physical order does not matter), from a DB-API connection."""
    cursor = dbapi.cursor()
    if vendor == "postgresql":
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
    else:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    tables = [row[0] for row in cursor.fetchall()]
    digests: dict[str, tuple[int, str]] = {}
    for table in tables:
        cursor.execute(f'SELECT * FROM "{table}"')
        rows = sorted(repr(tuple(row)) for row in cursor.fetchall())
        digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        digests[table] = (len(rows), digest)
    cursor.close()
    return digests


def database_digests(alias: str = "default") -> dict[str, tuple[int, str]]:
    connection = connections[alias]
    connection.ensure_connection()
    return table_digests(connection.connection, connection.vendor)
