"""Backup and restore: a test city with an audit trail is backed up, restored into a
fresh database by `doconnect restore` in its own process, and every table — the audit
log included — has the same rows (count and content digest). On SQLite and on
PostgreSQL (a second database in the test cluster)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection

from doconnect.core.backup import database_digests, table_digests
from doconnect.core.models import AuditEvent
from tests.conftest import City, logged_in, make_person
from tests.workers import database_url_of_test


def doconnect(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DOCONNECT_DATABASE_URL": database_url}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-m", "doconnect", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


@pytest.fixture
def fresh_database(transactional_db: None, tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty database beside the test database."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"restored_{os.getpid()}"
    admin = database_url_of_test().rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def digests_of(url: str) -> dict[str, tuple[int, str]]:
    """Every table's count and digest, read through a plain driver connection (both
    sides alike: Django's connection converts types on reading)."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            return table_digests(conn, "sqlite")
    with psycopg.connect(url) as conn:
        return table_digests(conn, "postgresql")


@pytest.fixture
def city_with_history(transactional_db: None, city: City, case_worker: User) -> City:
    """Persons, consents and an audit trail: the case worker opened two persons' pages."""
    for name in ("Zofia", "Emre"):
        person = make_person(city, given_name=name, consent_orgs=[city.jobcenter])
        assert logged_in(case_worker).get(f"/persons/{person.public_id}/").status_code == 200
    assert AuditEvent.objects.count() >= 2
    return city


def test_backup_and_restore_give_identical_tables(
    city_with_history: City, fresh_database: str, tmp_path: Path
) -> None:
    backup = tmp_path / "city.backup"
    call_command("backup", out=backup)
    assert backup.stat().st_mode & 0o777 == 0o600  # personal data: the owner only
    before = digests_of(database_url_of_test())

    restored = doconnect(fresh_database, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert f"restored {backup}" in restored.stdout

    after = digests_of(fresh_database)
    assert after == before
    assert after["core_auditevent"][0] == AuditEvent.objects.count() > 0
    assert after["people_person"][0] == 2


def test_restore_refuses_a_database_that_is_not_empty(
    city_with_history: City, tmp_path: Path
) -> None:
    backup = tmp_path / "city.backup"
    call_command("backup", out=backup)
    before = database_digests()
    refused = doconnect(database_url_of_test(), "restore", str(backup))
    assert refused.returncode != 0
    assert "is not empty" in refused.stderr
    assert "a restore goes into an empty database only" in refused.stderr
    assert database_digests() == before  # left alone


def test_restore_refuses_a_file_that_is_no_backup(fresh_database: str, tmp_path: Path) -> None:
    wrong = tmp_path / "notes.txt"
    wrong.write_text("not a backup\n")
    refused = doconnect(fresh_database, "restore", str(wrong))
    assert refused.returncode != 0
    assert f"{wrong}: not a do-connect backup" in refused.stderr


def test_backup_does_not_overwrite_a_file(transactional_db: None, tmp_path: Path) -> None:
    existing = tmp_path / "old.backup"
    existing.write_text("yesterday")
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", out=existing)
    assert existing.read_text() == "yesterday"
