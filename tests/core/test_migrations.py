"""The models and the migration history agree, and a database made before the code moved
into one package per domain (issue #15) migrates without a data change."""

from __future__ import annotations

import hashlib
import lzma
import os
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

from django.core.management import call_command

# `doconnect migrate` + `doconnect demo --scale 0.01` run by the code of commit c90fe70,
# the last one before the per-domain layout; xz-compressed SQLite file.
BEFORE_LAYOUT = (
    Path(__file__).resolve().parents[1] / "samples" / "demo-city-before-layout.sqlite3.xz"
)


def test_the_models_and_the_migrations_agree(db: None) -> None:
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def _table_digests(path: Path) -> dict[str, tuple[int, str]]:
    """Row count and a digest of the sorted rows of every table."""
    with sqlite3.connect(path) as con:
        tables = [
            name
            for (name,) in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        digests = {}
        for table in tables:
            rows = sorted(repr(row) for row in con.execute(f'SELECT * FROM "{table}"'))
            digests[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return digests


def _doconnect(*args: str, database: Path) -> str:
    env = {
        **os.environ,
        "DOCONNECT_DEBUG": "1",
        "DOCONNECT_DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "doconnect.settings",
    }
    done = subprocess.run(
        [sys.executable, "-m", "doconnect", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_demo_database_from_before_the_layout_migrates_without_a_data_change(
    tmp_path: Path,
) -> None:
    database = tmp_path / "demo.sqlite3"
    database.write_bytes(lzma.decompress(BEFORE_LAYOUT.read_bytes()))
    before = _table_digests(database)
    assert before["people_person"][0] >= 50  # a real demo city, not an empty file

    plan = _doconnect("migrate", "--plan", database=database)
    assert "No planned migration operations." in plan

    _doconnect("migrate", database=database)
    assert _table_digests(database) == before

    # Every migration the old code recorded is one the new code knows, under the same
    # app label and name.
    shown = _doconnect("showmigrations", "--list", database=database)
    assert "[ ]" not in shown
    for label in ("allocations", "employers", "agreements", "people", "labourmarket"):
        assert f"\n{label}\n" in f"\n{shown}"
