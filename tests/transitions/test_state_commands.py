"""The state's commands as an analyst types them, without a secret key, DEBUG or a
database: ``doconnect demo --state`` writes the dataset, ``doconnect transitions figures``
reads it — the same figures as the engine's function."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from doconnect.transitions.engine.aggregates import transition_figures
from tests.commands import doconnect


def test_a_state_is_written_and_its_figures_read_without_secret_or_database(
    tmp_path: Path,
) -> None:
    made = doconnect(
        "demo", "--state", "--scale", "0.02", "--seed", "3", "--out", "state", tmp_path=tmp_path
    )
    assert made.returncode == 0, made.stderr
    assert "1,500 persons" in made.stdout and "53 districts" in made.stdout
    figured = doconnect(
        "transitions", "figures", "state", "--year", "2023", "--months", "24",
        "--today", "2026-11-30", "--out", "figures.json", tmp_path=tmp_path,
    )  # fmt: skip
    assert figured.returncode == 0, figured.stderr
    assert "figures.json: figures of 53 districts" in figured.stdout
    figures = json.loads((tmp_path / "figures.json").read_text(encoding="utf-8"))
    expected = transition_figures(
        tmp_path / "state", year=2023, months=24, today=dt.date(2026, 11, 30)
    )
    assert figures == json.loads(json.dumps(expected.as_dict()))
    assert sum(d["persons"] for d in figures["districts"]) > 1_000


def test_the_state_refuses_what_it_cannot_do(tmp_path: Path) -> None:
    no_out = doconnect("demo", "--state", "--scale", "0.01", tmp_path=tmp_path)
    assert no_out.returncode != 0 and "--state writes files: give --out DIR" in no_out.stderr
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "keep.txt").write_text("x")
    taken = doconnect("demo", "--state", "--scale", "0.01", "--out", "mine", tmp_path=tmp_path)
    assert taken.returncode != 0 and "exists and is not a spells dataset" in taken.stderr
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["keep.txt"]


def test_the_figures_command_refuses_bad_calls_before_writing(tmp_path: Path) -> None:
    out = tmp_path / "f.json"
    with pytest.raises(CommandError, match="--engine dask needs --scheduler"):
        call_command("transitions", "figures", str(tmp_path), "--year", "2024",
                     "--engine", "dask", "--out", str(out))  # fmt: skip
    with pytest.raises(CommandError, match="--months: 12 to 72, not 80"):
        call_command("transitions", "figures", str(tmp_path), "--year", "2024",
                     "--months", "80", "--out", str(out))  # fmt: skip
    with pytest.raises(CommandError, match="not a spells dataset"):
        call_command("transitions", "figures", str(tmp_path), "--year", "2024",
                     "--out", str(out))  # fmt: skip
    with pytest.raises(CommandError, match="--scheduler: cannot reach the Dask scheduler"):
        call_command("transitions", "figures", str(tmp_path), "--year", "2024",
                     "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9",
                     "--out", str(out))  # fmt: skip
    assert not out.exists()
