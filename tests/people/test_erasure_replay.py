"""An erasure (DSGVO Art. 17) reaches an old backup: back up, erase, restore the old
backup (the person is back), replay the erasure log — the person is gone again, with
an audit event; a second replay changes nothing. On SQLite and PostgreSQL, the restore
and the replay in processes of their own as an operator would run them."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from doconnect.core.models import AuditAction, AuditEvent
from doconnect.people.models import Person
from tests.conftest import City, make_person
from tests.core.test_backup import doconnect, fresh_database  # noqa: F401 (a fixture)


def rows(url: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Rows of the restored database, read through a plain driver."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            return conn.execute(sql.replace("%s", "?"), params).fetchall()
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def test_a_person_erased_after_the_backup_is_gone_again_after_restore_and_replay(
    transactional_db: None,
    city: City,
    coordinator: User,
    fresh_database: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    kept = make_person(city, given_name="Bleibt", consent_orgs=[city.city])
    erased = make_person(city, family_name="Gelöschte", consent_orgs=[city.city])
    backup, log = tmp_path / "city.backup", tmp_path / "erasures.csv"
    call_command("backup", out=backup)

    call_command(
        "privacy", "erase", erased.public_id, "--as", coordinator.username, "--reason", "Antrag"
    )
    call_command("privacy", "erasures", "--out", str(log))
    assert log.read_text().splitlines()[0] == "person,erased_at"
    assert erased.public_id in log.read_text() and "Gelöschte" not in log.read_text()

    restored = doconnect(fresh_database, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    details = "SELECT count(*) FROM people_personaldetails WHERE family_name = %s"
    assert rows(fresh_database, details, "Gelöschte") == [(1,)]  # the old backup has her

    replay = doconnect(
        fresh_database, "privacy", "replay-erasures", str(log), "--as", coordinator.username
    )
    assert replay.returncode == 0, replay.stderr
    assert "1 erased again, 0 not in this database" in replay.stdout
    assert rows(fresh_database, details, "Gelöschte") == [(0,)]
    persons = "SELECT public_id FROM people_person ORDER BY public_id"
    assert rows(fresh_database, persons) == [(kept.public_id,)]
    trail = rows(
        fresh_database,
        "SELECT actor_username, purpose FROM core_auditevent "
        "WHERE action = %s AND person_public_id = %s",
        AuditAction.ERASE,
        erased.public_id,
    )
    assert len(trail) == 1 and trail[0][0] == coordinator.username
    assert trail[0][1].startswith("art17 replay 20")

    again = doconnect(
        fresh_database, "privacy", "replay-erasures", str(log), "--as", coordinator.username
    )
    assert again.returncode == 0, again.stderr
    assert "0 erased again, 1 not in this database" in again.stdout


def test_only_a_coordinator_replays_erasures(
    db: None, city: City, case_worker: User, tmp_path: Path
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    log = tmp_path / "erasures.csv"
    log.write_text(f"person,erased_at\n{person.public_id},2026-11-30T10:00:00+01:00\n")
    with pytest.raises(CommandError, match="Only a coordinator may replay erasures"):
        call_command("privacy", "replay-erasures", str(log), "--as", case_worker.username)
    assert Person.objects.filter(pk=person.pk).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.ERASE).exists()


def test_a_broken_erasure_log_names_file_line_and_field_and_erases_nobody(
    db: None, city: City, coordinator: User, tmp_path: Path
) -> None:
    person = make_person(city, consent_orgs=[city.city])
    log = tmp_path / "erasures.csv"
    log.write_text(
        "person,erased_at\n"
        f"{person.public_id},2026-11-30T10:00:00+01:00\n"
        "Anna Muster,2026-11-30T10:00:00+01:00\n"
        "P-12345678,gestern\n"
    )
    with pytest.raises(CommandError) as refused:
        call_command("privacy", "replay-erasures", str(log), "--as", coordinator.username)
    assert f"{log}:3: person: not a pseudonym: 'ANNA MUSTER'" in str(refused.value)
    assert f"{log}:4: erased_at: not a time (ISO 8601): 'gestern'" in str(refused.value)
    assert Person.objects.filter(pk=person.pk).exists()
