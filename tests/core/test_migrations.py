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


BOOKKEEPING = ("auth_permission", "django_content_type", "sqlite_sequence")
PURPOSES = ("counselling", "placement", "case_conference", "monitoring")


def test_the_models_and_the_migrations_agree(db: None) -> None:
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def _table_digests(
    path: Path, columns: dict[str, list[str]] | None = None
) -> dict[str, tuple[int, str]]:
    """Row count and a digest of the sorted rows of every table (only ``columns`` of
    each table where given: later migrations may add columns and tables)."""
    with sqlite3.connect(path) as con:
        tables = columns or _columns(con)
        digests = {}
        for table, names in tables.items():
            if table == "django_migrations":
                continue
            listed = ", ".join(f'"{name}"' for name in names)
            rows = sorted(repr(row) for row in con.execute(f'SELECT {listed} FROM "{table}"'))
            digests[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return digests


def _columns(con: sqlite3.Connection) -> dict[str, list[str]]:
    tables = [
        name
        for (name,) in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        )
    ]
    return {
        table: [row[1] for row in con.execute(f'PRAGMA table_info("{table}")')] for table in tables
    }


def _applied(path: Path) -> set[tuple[str, str]]:
    with sqlite3.connect(path) as con:
        return set(con.execute("SELECT app, name FROM django_migrations"))


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
    with sqlite3.connect(database) as con:
        columns = _columns(con)
        statuses_before = dict(con.execute("SELECT id, status FROM agreements_agreementitem"))
        labels_before = dict(con.execute("SELECT id, label FROM core_targetgroup"))
        purposes_before = dict(con.execute("SELECT id, purpose FROM people_consent"))
    # #17 wrote the demo's one slash-spelled target group with the colon: checked below.
    columns["core_targetgroup"].remove("label")
    # #16 stopped storing "überfällig" (it is derived from the due date now): the one
    # intended data change, checked on its own below.
    columns["agreements_agreementitem"].remove("status")
    # #20 gave a consent several purposes (a column each): checked on its own below.
    columns["people_consent"].remove("purpose")
    before = _table_digests(database, columns)
    applied_before = _applied(database)
    assert before["people_person"][0] >= 50  # a real demo city, not an empty file

    # The new code knows every migration the old code applied, under the same app label
    # and name: it plans only migrations written since, none of the old ones again.
    plan = _doconnect("migrate", "--plan", database=database)
    for app, name in applied_before:
        assert f"{app}.{name}" not in plan

    _doconnect("migrate", database=database)
    after = _table_digests(database, columns)
    # Django's own bookkeeping grows with new models (content types, permissions).
    for table in BOOKKEEPING:
        assert after.pop(table)[0] >= before.pop(table)[0]
    assert after == before
    with sqlite3.connect(database) as con:
        statuses_after = dict(con.execute("SELECT id, status FROM agreements_agreementitem"))
    assert "late" in statuses_before.values()
    assert statuses_after == {
        pk: "open" if status == "late" else status for pk, status in statuses_before.items()
    }
    with sqlite3.connect(database) as con:
        labels_after = dict(con.execute("SELECT id, label FROM core_targetgroup"))
    assert "Schulabgänger/innen ohne Abschluss" in labels_before.values()
    assert labels_after == {
        pk: label.replace("Schulabgänger/innen", "Schulabgänger:innen")
        for pk, label in labels_before.items()
    }
    with sqlite3.connect(database) as con:
        purposes_after = {
            pk: [name for name, on in zip(PURPOSES, flags, strict=True) if on]
            for pk, *flags in con.execute(f"SELECT id, {', '.join(PURPOSES)} FROM people_consent")
        }
    assert purposes_before and purposes_after == {
        pk: [purpose] for pk, purpose in purposes_before.items()
    }
    assert applied_before <= _applied(database)
    shown = _doconnect("showmigrations", "--list", database=database)
    assert "[ ]" not in shown
    for label in ("allocations", "employers", "agreements", "people", "labourmarket"):
        assert f"\n{label}\n" in f"\n{shown}"
