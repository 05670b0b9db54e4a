"""``doconnect sequences typology … --clara`` through ``call_command``: the file holds one
row per sequence with the type CLARA gives, the same seed writes the same bytes, and
bad options exit with a message and write nothing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError

from doconnect.transitions.engine.clara import clara
from doconnect.transitions.engine.data import read_wide_csv
from tests.transitions.commands import run

SMALL = "id,m1,m2,m3\na,A,A,A\nb,A,A,B\nc,B,B,B\nd,B,B,A\ne,B,B,B\n"


def clara_args(path: Path, out: Path, seed: str) -> list[str]:
    return [
        "typology", str(path), "--id", "id", "--columns", "Jul.93:Jun.99", "--k", "4",
        "--clara", "--samples", "4", "--sample-size", "100", "--seed", seed, "--out", str(out),
    ]  # fmt: skip


def test_clara_writes_the_type_of_every_id_as_the_engine_gives_it(
    tmp_path: Path, mvad_csv: Path
) -> None:
    out = tmp_path / "T.csv"

    printed = run(*clara_args(mvad_csv, out, "3"))

    seqs = read_wide_csv(mvad_csv, id_column="id", columns="Jul.93:Jun.99")
    expected = clara(seqs, 4, samples=4, sample_size=100, seed=3, sm="TRATE")
    lines = out.read_text().splitlines()
    assert lines[0] == "id,type"
    rows = [line.split(",") for line in lines[1:]]
    assert [r[0] for r in rows] == list(seqs.ids)
    np.testing.assert_array_equal([int(r[1]) for r in rows], expected.typology.labels)
    assert "712 sequences in 4 types" in printed
    assert f"mean distance {expected.mean_distance:.4f}" in printed


def test_the_same_seed_writes_the_same_file_and_another_seed_may_not(
    tmp_path: Path, mvad_csv: Path
) -> None:
    run(*clara_args(mvad_csv, tmp_path / "a.csv", "5"))
    run(*clara_args(mvad_csv, tmp_path / "b.csv", "5"))
    other = run(*clara_args(mvad_csv, tmp_path / "c.csv", "6"))

    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert "best sample" in other


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--k", "2", "--clara", "--samples", "0"], "--samples: at least 1, not 0"),
        (["--k", "3", "--clara", "--sample-size", "2"], "--sample-size: at least --k"),
        (["--k", "2", "--samples", "3"], "--samples: only with --clara"),
        (["--k", "2", "--seed", "3"], "--seed: only with --clara"),
        (["--k", "5", "--clara", "--method", "HAM"], "s.csv: k must be between 1 and the dist"),
    ],
)
def test_bad_clara_options_exit_with_a_message_and_write_nothing(
    tmp_path: Path, extra: list[str], message: str
) -> None:
    path = tmp_path / "s.csv"
    path.write_text(SMALL.replace("e,B,B,B\n", "e,A,A,A\n"))
    out = tmp_path / "T.csv"

    with pytest.raises(CommandError, match=message):
        run("typology", str(path), "--id", "id", "--columns", "m1:m3", *extra, "--out", str(out))
    assert list(tmp_path.iterdir()) == [path]


def test_clara_on_a_small_file_puts_like_sequences_together(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text(SMALL)
    out = tmp_path / "T.csv"

    run("typology", str(path), "--id", "id", "--columns", "m1:m3", "--method", "HAM", "--k",
        "2", "--clara", "--samples", "3", "--sample-size", "20", "--out", str(out))  # fmt: skip

    assert out.read_text() == "id,type\na,1\nb,1\nc,2\nd,2\ne,2\n"
