"""``doconnect sequences`` through ``call_command``: summary, distances, typology, and
every bad input exits with a message naming file, line and column."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from django.core.management import CommandError

from doconnect.transitions.engine import plain
from doconnect.transitions.engine.data import read_wide_csv
from doconnect.transitions.engine.distances import distance_matrix
from tests.transitions.commands import run
from tests.transitions.engine import peer

GOOD = "id,w,m1,m2,m3\np1,1,A,B,B\np2,3,B,B,A\np3,1,A,A,A\n"


def write(tmp_path: Path, text: str, name: str = "s.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_summary_prints_states_rates_and_distribution_as_json(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)

    result = json.loads(
        run("summary", str(path), "--id", "id", "--columns", "m1:m3", "--format", "json")
    )
    assert result["states"] == ["A", "B"]
    assert result["n"] == 3
    assert result["state_distribution"] == [[2 / 3, 1 / 3], [1 / 3, 2 / 3], [2 / 3, 1 / 3]]
    assert result["transition_rates"] == [[2 / 3, 1 / 3], [1 / 3, 2 / 3]]


def test_summary_uses_weights_and_the_given_state_order(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)

    result = json.loads(
        run("summary", str(path), "--id", "id", "--columns", "m1:m3", "--states", "B,A",
            "--weights", "w", "--format", "json")
    )  # fmt: skip
    assert result["states"] == ["B", "A"]
    assert result["state_distribution"][0] == [0.6, 0.4]


def test_distances_are_written_in_file_order_as_npy_and_csv(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    common = [str(path), "--id", "id", "--columns", "m1:m3"]

    run("distances", *common, "--method", "HAM", "--out", str(tmp_path / "D.npy"))
    run("distances", *common, "--method", "OM", "--sm", "CONSTANT", "--indel", "1",
        "--out", str(tmp_path / "D.csv"))  # fmt: skip
    assert np.load(tmp_path / "D.npy").tolist() == [[0, 2, 2], [2, 0, 2], [2, 2, 0]]
    assert np.loadtxt(tmp_path / "D.csv", delimiter=",")[0, 1] == 2.0


def test_typology_writes_the_type_of_each_id(tmp_path: Path) -> None:
    path = write(tmp_path, "id,m1,m2,m3\na,A,A,A\nb,A,A,B\nc,B,B,B\nd,B,B,A\n")

    run("typology", str(path), "--id", "id", "--columns", "m1:m3", "--method", "HAM",
        "--k", "2", "--out", str(tmp_path / "T.csv"))  # fmt: skip
    assert (tmp_path / "T.csv").read_text() == "id,type\na,1\nb,1\nc,2\nd,2\n"


@pytest.mark.parametrize(
    ("text", "extra", "message"),
    [
        (GOOD, ["--columns", "m1:m7"], "s.csv:1: column 'm7' is not in the header"),
        (GOOD, ["--columns", "m3:m1"], "comes after"),
        (GOOD, ["--columns", "m1:m3", "--states", "A,C"], "s.csv:2: column 'm2': state 'B'"),
        ("", ["--columns", "m1:m3"], "s.csv: the file is empty"),
        ("id,m1,m2,m3\np1,A,B,B\np2,A,B\n", ["--columns", "m1:m3"], "s.csv:3: 3 fields"),
    ],
)
def test_bad_input_exits_with_a_clear_message_and_writes_nothing(
    tmp_path: Path, text: str, extra: list[str], message: str
) -> None:
    path = write(tmp_path, text)
    out = tmp_path / "D.npy"

    for action in (["summary"], ["distances", "--out", str(out)]):
        with pytest.raises(CommandError, match=message):
            run(action[0], str(path), "--id", "id", *extra, *action[1:])
    assert list(tmp_path.iterdir()) == [path]


@pytest.mark.filterwarnings("ignore:'where' used without 'out':UserWarning")
def test_pairfam_imports_and_summarises() -> None:
    """sequenzo's pairfam_activity_by_month (1,027 persons, 264 months, activity codes
    1-8, weight40), read from the installed package, summarised by the command; the
    figures equal sequenzo's own."""
    sequenzo = pytest.importorskip("sequenzo")
    from sequenzo.visualization import compute_transition_matrix

    with peer.dataset("pairfam_activity_by_month") as path:
        if path is None:
            pytest.skip("the installed sequenzo does not ship pairfam_activity_by_month")
        frame = pd.read_csv(path)
        months = [c for c in frame.columns if c.isdigit()]
        result = json.loads(
            run("summary", str(path), "--id", "id", "--columns", f"{months[0]}:{months[-1]}",
                "--weights", "weight40", "--format", "json")
        )  # fmt: skip

    values = sorted(pd.unique(frame[months].to_numpy().ravel()).tolist())
    assert result["n"] == len(frame) == 1027
    assert result["states"] == [str(v) for v in values]
    shares = np.array(result["state_distribution"])
    rates = np.array(result["transition_rates"])
    assert shares.shape == (len(months), len(values)) == (264, 8)
    np.testing.assert_allclose(shares.sum(axis=1), 1, rtol=0, atol=1e-9)
    assert all(abs(s - 1) < 1e-9 or s == 0 for s in rates.sum(axis=1))

    data = peer.sequence_data(frame, months, values, frame["weight40"].to_numpy(dtype=np.float64))
    with peer.quiet():
        theirs = sequenzo.get_cross_sectional_entropy(data, return_format="dict", round_decimals=17)
        their_rates = compute_transition_matrix(data)
    np.testing.assert_allclose(
        shares, theirs["Frequencies"].to_numpy(dtype=np.float64).T, rtol=0, atol=1e-9
    )
    np.testing.assert_allclose(rates, their_rates, rtol=0, atol=1e-9)


def plain_copy(mvad_csv: Path, tmp_path: Path) -> Path:
    """mvad without quotes (and without its other columns): a plain file (``engine.plain``)."""
    seqs = read_wide_csv(mvad_csv, "id", "Jul.93:Jun.99")
    lines = ["id," + ",".join(f"m{t + 1}" for t in range(seqs.periods))]
    for person, row in zip(seqs.ids, seqs.codes.tolist(), strict=True):
        lines.append(person + "," + ",".join(seqs.states[code] for code in row))
    path = tmp_path / "plain.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("quoted", [False, True])
@pytest.mark.parametrize("sm", [[], ["--sm", "CONSTANT"], ["--sm", "TRATE"]])
def test_hamming_files_are_the_bytes_numpy_save_writes_of_the_engines_matrix(
    mvad_csv: Path, tmp_path: Path, sm: list[str], quoted: bool
) -> None:
    path = mvad_csv if quoted else plain_copy(mvad_csv, tmp_path)
    columns = "Jul.93:Jun.99" if quoted else "m1:m72"
    out = tmp_path / "D.npy"

    run("distances", str(path), "--id", "id", "--columns", columns, "--method", "HAM", *sm,
        "--out", str(out))  # fmt: skip

    seqs = read_wide_csv(path, "id", columns)
    expected = distance_matrix(seqs, "HAM", sm[1] if sm else None)  # type: ignore[arg-type]
    saved = io.BytesIO()
    np.save(saved, expected)
    assert (plain.read_plain(str(path), "id", columns, None) is None) == quoted
    assert np.array_equal(np.load(out), expected)
    assert out.read_bytes() == saved.getvalue()
