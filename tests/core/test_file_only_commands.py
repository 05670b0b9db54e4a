"""Commands that read and write files only (``sequences``, ``disclose``, ``allocate``
with files, ``pathways dead-ends --catalogue``, ``scenario run --catalogue``) run as
an analyst types them: without a secret key, without DEBUG and without a database —
the real command line in a subprocess, its database a path that cannot exist. Commands
that touch the database keep refusing without a secret. The catalogue modes read
nothing from the database (issue #18, item 4): a freshly migrated, empty one serves."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command

from tests.commands import doconnect
from tests.offers.catalogue_files import VALID

# A catalogue on its own: the follow-on to the database's o-a is gone; o-3's provider
# p-b is not declared in the file, which only an import would refuse.
OWN_CATALOGUE = VALID.replace('["o-2", "o-a", "destination:apprenticeship"]', '["o-2"]')

CUT = """{
  "name": "Kürzung 2027",
  "period": {"start": "2027-01-01", "end": "2027-12-31"},
  "changes": [{"type": "funding_change", "funder": "jobcenter", "percent": -50}],
  "bridge_budget_eur": 10000
}
"""

WIDE = (
    "id,m1,m2,m3,m4\n"
    "A,school,school,work,work\n"
    "B,school,work,work,work\n"
    "C,jobless,jobless,school,work\n"
)


def written(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_sequences_run_without_secret_or_database_and_without_the_web_stack(
    tmp_path: Path,
) -> None:
    file = written(tmp_path, "wide.csv", WIDE)
    common = ["--id", "id", "--columns", "m1:m4"]

    result = doconnect(
        "sequences", "distances", file, *common, "--method", "HAM", "--out", "d.npy",
        tmp_path=tmp_path, importtime=True,
    )  # fmt: skip
    summary = doconnect(
        "sequences", "summary", file, *common, "--format", "json", tmp_path=tmp_path
    )

    assert result.returncode == 0, result.stderr[-2000:]
    np.testing.assert_array_equal(np.load(tmp_path / "d.npy"), [[0, 1, 3], [1, 0, 3], [3, 3, 0]])
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines()}
    assert "doconnect.transitions.engine.buffers" in imported  # the compiled kernel
    assert not {"doconnect.web.urls", "doconnect.api.api", "django.contrib.admin"} & imported
    assert not {m for m in imported if m.split(".")[0] == "django"}  # not even Django
    assert "numba" not in imported  # nothing is compiled on a call
    # nor anything a plain file's Hamming distances do not need (start-up, issue #21)
    assert not {"tempfile", "concurrent.futures", "logging", "csv"} & imported
    assert summary.returncode == 0, summary.stderr
    assert json.loads(summary.stdout)["n"] == 3
    assert not Path("/nonexistent-doconnect-dir").exists()


@pytest.mark.parametrize("sm", [[], ["--sm", "CONSTANT"]])
def test_hamming_on_a_plain_file_does_not_import_numpy(tmp_path: Path, sm: list[str]) -> None:
    file = written(tmp_path, "wide.csv", WIDE.replace("B,school,work", "B,,work"))

    result = doconnect(
        "sequences", "distances", file, "--id", "id", "--columns", "m1:m4", "--method", "HAM",
        *sm, "--out", "d.npy", tmp_path=tmp_path, importtime=True,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr[-2000:]
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines()}
    assert "doconnect.transitions.engine.buffers" in imported  # the C kernel ran
    assert not {m for m in imported if m.split(".")[0] == "numpy"}  # issue #21
    cost = 2 if sm else 1  # sequenzo's: 1 without --sm, cval 2 with it; missing the same
    expected = cost * np.array([[0, 2, 3], [2, 0, 3], [3, 3, 0]])
    np.testing.assert_array_equal(np.load(tmp_path / "d.npy"), expected)


def test_sequences_without_django_refuse_and_answer_as_the_django_command(
    tmp_path: Path,
) -> None:
    file = written(tmp_path, "wide.csv", WIDE)
    common = ["distances", file, "--columns", "m1:m4", "--method", "HAM"]

    refused = doconnect("sequences", *common, "--id", "nope", "--out", "d.npy", tmp_path=tmp_path)
    bad_option = doconnect("sequences", *common, "--id", "id", "--indel", "x", "--out", "d.npy",
                           tmp_path=tmp_path)  # fmt: skip
    plain = doconnect("sequences", *common, "--id", "id", "--out", "plain.npy", tmp_path=tmp_path)
    # Django's own options go through Django's command: the same command, its parser.
    django = doconnect("sequences", "--traceback", *common, "--id", "id", "--out", "django.npy",
                       tmp_path=tmp_path)  # fmt: skip
    helped = doconnect("sequences", "--help", tmp_path=tmp_path)

    assert refused.returncode == 1
    assert refused.stderr.strip() == f"CommandError: {file}:1: no id column 'nope' in the header"
    assert bad_option.returncode == 1
    assert "CommandError: --indel: a positive number or auto, not 'x'" in bad_option.stderr
    assert not (tmp_path / "d.npy").exists()
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout == "3 x 3 distances written to plain.npy\n"
    assert django.returncode == 0, django.stderr
    assert django.stdout == plain.stdout.replace("plain", "django")
    assert (tmp_path / "plain.npy").read_bytes() == (tmp_path / "django.npy").read_bytes()
    assert helped.returncode == 0
    assert "--traceback" in helped.stdout and "distances" in helped.stdout


def test_disclose_runs_without_secret_or_database(tmp_path: Path) -> None:
    table = (
        "district;group;count\nEving;youth;2\nEving;older;10\nMengede;youth;10\nMengede;older;9\n"
    )
    source = written(tmp_path, "t.csv", table)

    result = doconnect(
        "disclose", source, "--rows", "district", "--cols", "group", "--value", "count",
        "--out", "out.csv", tmp_path=tmp_path,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert "*" in (tmp_path / "out.csv").read_text(encoding="utf-8")


def test_allocate_with_files_runs_without_secret_or_database(tmp_path: Path) -> None:
    persons = written(tmp_path, "p.csv", "person_id,priority\nanna,2\nben,1\n")
    places = written(tmp_path, "o.csv", "place_id,capacity\ncourse,1\n")
    candidates = written(
        tmp_path, "c.csv", "person_id,place_id,cost\nanna,course,1\nben,course,0\n"
    )

    result = doconnect(
        "allocate", "--persons", persons, "--places", places, "--candidates", candidates,
        "--out", "a.csv", tmp_path=tmp_path,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert "anna" in (tmp_path / "a.csv").read_text(encoding="utf-8")


def test_a_catalogue_file_is_analysed_without_secret_or_database(tmp_path: Path) -> None:
    catalogue = written(tmp_path, "offers.json", OWN_CATALOGUE)
    cut = written(tmp_path, "cut.json", CUT)

    dead_ends = doconnect(
        "pathways", "dead-ends", "--catalogue", catalogue, "--format", "json", tmp_path=tmp_path
    )
    scenario = doconnect(
        "scenario", "run", cut, "--catalogue", catalogue, "--format", "json", tmp_path=tmp_path
    )

    assert dead_ends.returncode == 0, dead_ends.stderr
    assert [d["offer"] for d in json.loads(dead_ends.stdout)["dead_ends"]] == ["o-3"]
    assert scenario.returncode == 0, scenario.stderr
    assert [o["offer"] for o in json.loads(scenario.stdout)["offers"]] == ["o-1", "o-2", "o-3"]


@pytest.mark.parametrize(
    "args",
    [
        ["pathways", "dead-ends"],
        ["pathways", "dead-ends", "--catalogue", "offers.json", "--with-database"],
        ["pathways", "dead-ends", "--catalogue=offers.json", "--with"],  # argparse's prefix
        ["scenario", "run", "cut.json"],
        ["allocate", "--as", "koordination", "--dry-run"],
        ["migrate"],
    ],
    ids=lambda args: " ".join(args),
)
def test_commands_that_touch_the_database_still_refuse_without_a_secret(
    tmp_path: Path, args: list[str]
) -> None:
    written(tmp_path, "offers.json", OWN_CATALOGUE)
    written(tmp_path, "cut.json", CUT)

    result = doconnect(*args, tmp_path=tmp_path)

    assert result.returncode == 2
    assert "configuration error: DOCONNECT_SECRET_KEY is missing" in result.stderr


def test_on_a_freshly_migrated_database_the_catalogue_modes_read_nothing_from_it(
    db: None, tmp_path: Path, django_assert_num_queries
) -> None:
    catalogue = written(tmp_path, "offers.json", OWN_CATALOGUE)
    cut = written(tmp_path, "cut.json", CUT)
    dead_ends, scenario = io.StringIO(), io.StringIO()

    with django_assert_num_queries(0):
        call_command("pathways", "dead-ends", "--catalogue", catalogue, "--format", "json",
                     stdout=dead_ends)  # fmt: skip
        call_command("scenario", "run", cut, "--catalogue", catalogue, "--format", "json",
                     stdout=scenario)  # fmt: skip

    report = json.loads(dead_ends.getvalue())
    assert report["source"] == catalogue
    assert {(g["district"], g["target_group"]) for g in report["gaps"]} >= {
        ("Eving", "youth_difficult_start")
    }
    result = json.loads(scenario.getvalue())
    assert result["summary"]["places_before"] == 12
