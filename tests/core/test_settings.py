"""Settings are secure by default: production refuses to start without a real secret."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from doconnect.envconf import ConfigurationError, envbool, envint, envlist, envstr

STRONG_KEY = "k3Y-" + "Zq8vR2mX9pL4wT7nB1cF6hJ0dS5gA3eU" * 2
MATCH_KEY = "m4T-" + "Hq2wE9rT5yU1iO7pA3sD8fG6hJ0kL4zX" * 2


def run_doconnect(
    *args: str, env: dict[str, str], tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DOCONNECT_")}
    clean.update(env)
    clean.setdefault("DOCONNECT_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    clean["DJANGO_SETTINGS_MODULE"] = "doconnect.settings"
    return subprocess.run(
        [sys.executable, "-m", "doconnect", *args],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = run_doconnect("check", env={}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "DOCONNECT_SECRET_KEY is missing" in result.stderr


@pytest.mark.parametrize(
    "key", ["dev-insecure-secret-key-do-not-use-in-production", "change-me", "django-insecure-abc"]
)
def test_production_refuses_a_well_known_secret_key(tmp_path: Path, key: str) -> None:
    result = run_doconnect("check", env={"DOCONNECT_SECRET_KEY": key}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "DOCONNECT_SECRET_KEY" in result.stderr


def test_production_refuses_a_short_secret_key(tmp_path: Path) -> None:
    result = run_doconnect("check", env={"DOCONNECT_SECRET_KEY": "short"}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_production_refuses_to_start_without_a_person_match_key(tmp_path: Path) -> None:
    result = run_doconnect("check", env={"DOCONNECT_SECRET_KEY": STRONG_KEY}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "DOCONNECT_PERSON_MATCH_KEY is missing" in result.stderr


@pytest.mark.parametrize(
    "key", ["dev-insecure-person-match-key-do-not-use-in-production", "changeme", STRONG_KEY]
)
def test_production_refuses_a_well_known_match_key_or_the_secret_key_again(
    tmp_path: Path, key: str
) -> None:
    result = run_doconnect(
        "check",
        env={"DOCONNECT_SECRET_KEY": STRONG_KEY, "DOCONNECT_PERSON_MATCH_KEY": key},
        tmp_path=tmp_path,
    )
    assert result.returncode != 0
    assert "DOCONNECT_PERSON_MATCH_KEY" in result.stderr


def test_production_refuses_a_short_match_key(tmp_path: Path) -> None:
    result = run_doconnect(
        "check",
        env={"DOCONNECT_SECRET_KEY": STRONG_KEY, "DOCONNECT_PERSON_MATCH_KEY": "short"},
        tmp_path=tmp_path,
    )
    assert result.returncode != 0
    assert "at least 32 characters" in result.stderr


def test_debug_mode_starts_without_a_secret_key(tmp_path: Path) -> None:
    result = run_doconnect("check", env={"DOCONNECT_DEBUG": "1"}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_reports_nothing_with_a_production_configuration(tmp_path: Path) -> None:
    key_file = tmp_path / "secret"
    key_file.write_text(STRONG_KEY + "\n")
    result = run_doconnect(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DOCONNECT_SECRET_KEY_FILE": str(key_file),
            "DOCONNECT_PERSON_MATCH_KEY": MATCH_KEY,
            "DOCONNECT_ALLOWED_HOSTS": "arbeit.example.org",
        },
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_an_unreadable_secret_file_names_the_variable(tmp_path: Path) -> None:
    result = run_doconnect(
        "check", env={"DOCONNECT_SECRET_KEY_FILE": str(tmp_path / "missing")}, tmp_path=tmp_path
    )
    assert result.returncode != 0
    assert "DOCONNECT_SECRET_KEY_FILE" in result.stderr


def test_help_explains_each_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "doconnect", "--help"], capture_output=True, text=True, check=True
    )
    for command in ("demo", "serve", "migrate", "import", "export", "createuser"):
        assert f"\n  {command} " in result.stdout


def test_envbool_refuses_a_value_it_cannot_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCONNECT_X", "perhaps")
    with pytest.raises(ConfigurationError, match="DOCONNECT_X"):
        envbool("DOCONNECT_X")


def test_envint_refuses_a_value_that_is_not_a_number(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCONNECT_X", "ten")
    with pytest.raises(ConfigurationError, match="whole number"):
        envint("DOCONNECT_X", 3)


def test_env_helpers_read_values_and_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DOCONNECT_FLAG", "yes")
    monkeypatch.setenv("DOCONNECT_HOSTS", "a.example, b.example ,")
    secret = tmp_path / "pw"
    secret.write_text("s3cret\n")
    monkeypatch.delenv("DOCONNECT_PW", raising=False)
    monkeypatch.setenv("DOCONNECT_PW_FILE", str(secret))
    assert envbool("DOCONNECT_FLAG") is True
    assert envlist("DOCONNECT_HOSTS", []) == ["a.example", "b.example"]
    assert envstr("DOCONNECT_PW") == "s3cret"
    assert envint("DOCONNECT_UNSET_NUMBER", 7) == 7
