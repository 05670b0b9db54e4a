from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

PERSONS = "person_id,priority\nanna,3\nben,1\ncem,1\ndana,2\n"
PLACES = "place_id,capacity\ncourse,1\nworkshop,1\nclosed,0\n"
# Greedy (input order, cheapest first): anna takes the workshop, ben the course, dana
# stays out. The optimum places anna in the course and dana in the workshop.
CANDIDATES = (
    "person_id,place_id,cost\n"
    "anna,course,3\nanna,workshop,1\n"
    "ben,course,0\n"
    "dana,workshop,2\n"
    "cem,closed,0\n"
)


def write_files(folder: Path, **changes: str) -> dict[str, str]:
    texts = {"persons": PERSONS, "places": PLACES, "candidates": CANDIDATES, **changes}
    paths = {}
    for name, text in texts.items():
        path = folder / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        paths[name] = str(path)
    return paths


def allocate(folder: Path, **changes: str) -> tuple[str, str]:
    paths = write_files(folder, **changes)
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "allocate",
        persons=paths["persons"],
        places=paths["places"],
        candidates=paths["candidates"],
        out=str(folder / "A.csv"),
        summary=str(folder / "S.json"),
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def test_the_command_writes_assignments_and_summary(tmp_path: Path) -> None:
    out, err = allocate(tmp_path)

    assert (tmp_path / "A.csv").read_text() == (
        "person_id,place_id,cost\nanna,course,3\ndana,workshop,2\n"
    )
    summary = json.loads((tmp_path / "S.json").read_text())
    assert {k: summary[k] for k in ("assigned", "weighted_assigned", "total_cost")} == {
        "assigned": 2,
        "weighted_assigned": 5,
        "total_cost": 5,
    }
    assert summary["unassigned"] == 2
    assert summary["unassigned_by_reason"] == {"no_candidate": 1, "capacity_taken": 1}
    assert summary["greedy"] == {
        "assigned": 2,
        "weighted_assigned": 4,
        "total_cost": 1,
        "unassigned": 2,
    }
    assert "2 of 4 persons placed" in out
    for phase in ("reading", "building", "solving", "writing"):
        assert phase in err
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "A.csv",
        "S.json",
        "candidates.csv",
        "persons.csv",
        "places.csv",
    ]


def test_verbosity_zero_prints_no_progress(tmp_path: Path) -> None:
    paths = write_files(tmp_path)
    err = io.StringIO()

    call_command(
        "allocate",
        **paths,
        out=str(tmp_path / "A.csv"),
        verbosity=0,
        stderr=err,
        stdout=io.StringIO(),
    )

    assert err.getvalue() == ""
    assert (tmp_path / "A.csv").exists()
    assert not (tmp_path / "S.json").exists()


BAD_FILES = [
    (
        "candidates",
        CANDIDATES + "zoe,course,1\n",
        "candidates.csv:7: person_id: unknown person id 'zoe'",
    ),
    (
        "candidates",
        CANDIDATES + "ben,gym,1\n",
        "candidates.csv:7: place_id: unknown place id 'gym'",
    ),
    (
        "candidates",
        CANDIDATES + "ben,workshop,-2\n",
        "candidates.csv:7: cost: must be at least 0, got -2",
    ),
    ("places", PLACES + "gym,-1\n", "places.csv:5: capacity: must be at least 0, got -1"),
    (
        "candidates",
        CANDIDATES + "ben,course,5\n",
        "candidates.csv:7: place_id: duplicate pair ('ben', 'course') (first on line 4)",
    ),
    (
        "persons",
        PERSONS + "ben,2\n",
        "persons.csv:6: person_id: duplicate person_id 'ben' (first on line 3)",
    ),
    (
        "places",
        PLACES + "course,4\n",
        "places.csv:5: place_id: duplicate place_id 'course' (first on line 2)",
    ),
    (
        "candidates",
        "person_id,place_id\nanna,course\n",
        "candidates.csv:1: header: missing column(s): cost",
    ),
    ("persons", "person_id\nanna\n", "persons.csv:1: header: missing column(s): priority"),
    ("persons", PERSONS + "emil,2.5\n", "persons.csv:6: priority: not an integer: '2.5'"),
    (
        "candidates",
        CANDIDATES + "ben,workshop,cheap\n",
        "candidates.csv:7: cost: not an integer: 'cheap'",
    ),
    ("persons", PERSONS + "emil,0\n", "persons.csv:6: priority: must be at least 1, got 0"),
    ("candidates", CANDIDATES + "ben\n", "candidates.csv:7: row: expected 3 columns, found 1"),
]


@pytest.mark.parametrize(
    ("which", "text", "problem"), BAD_FILES, ids=[f"{w}-{i}" for i, (w, *_) in enumerate(BAD_FILES)]
)
def test_a_bad_file_writes_nothing_and_names_file_and_line(
    tmp_path: Path, which: str, text: str, problem: str
) -> None:
    before = {"A.csv": "earlier result\n"}
    (tmp_path / "A.csv").write_text(before["A.csv"])

    with pytest.raises(CommandError) as failed:
        allocate(tmp_path, **{which: text})

    message = str(failed.value)
    assert message.startswith("nothing written, 1 problem:")
    assert problem in message
    assert str(tmp_path / f"{which}.csv") in message
    # Nothing written: the earlier output untouched, no summary, no temporary files.
    assert (tmp_path / "A.csv").read_text() == before["A.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "A.csv",
        "candidates.csv",
        "persons.csv",
        "places.csv",
    ]


def test_several_problems_are_all_listed(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="nothing written, 3 problems") as failed:
        allocate(
            tmp_path,
            persons=PERSONS + "emil,0\n",
            candidates=CANDIDATES + "zoe,course,1\nben,workshop,-1\n",
        )

    assert str(failed.value).count("\n") == 3
    assert not (tmp_path / "A.csv").exists()


def test_an_unreadable_file_writes_nothing(tmp_path: Path) -> None:
    paths = write_files(tmp_path)
    paths["places"] = str(tmp_path / "missing.csv")

    with pytest.raises(CommandError, match=r"missing\.csv"):
        call_command("allocate", **paths, out=str(tmp_path / "A.csv"), stderr=io.StringIO())

    assert not (tmp_path / "A.csv").exists()


def test_an_output_folder_that_does_not_exist_is_refused_first(tmp_path: Path) -> None:
    paths = write_files(tmp_path)

    with pytest.raises(CommandError, match="does not exist"):
        call_command("allocate", **paths, out=str(tmp_path / "no" / "A.csv"))


def test_without_files_the_database_mode_needs_a_coordinator() -> None:
    with pytest.raises(CommandError, match="--as USERNAME"):
        call_command("allocate")


def test_file_mode_needs_every_file(tmp_path: Path) -> None:
    paths = write_files(tmp_path)

    with pytest.raises(CommandError, match="--candidates, --out"):
        call_command("allocate", persons=paths["persons"], places=paths["places"])
