from __future__ import annotations

import numpy as np
import pytest

from doconnect.allocation.engine import files
from doconnect.allocation.engine.files import assignments_csv, read_problem
from doconnect.allocation.engine.optimal import solve
from doconnect.allocation.engine.problem import AllocationProblem
from doconnect.files.importing import ImportFailed

NAMES = ("P.csv", "O.csv", "C.csv")
PERSONS = b"person_id,priority\np1,2\np2,1\np3,3\n"
PLACES = b"place_id,capacity\nx,1\ny,2\n"
CANDIDATES = b"person_id,place_id,cost\np1,x,4\np1,y,2\np2,x,0\np3,y,7\n"


def read(persons: bytes = PERSONS, places: bytes = PLACES, candidates: bytes = CANDIDATES):
    return read_problem(persons, places, candidates, files=NAMES)


def same(a: AllocationProblem, b: AllocationProblem) -> bool:
    return (
        list(a.person_ids) == list(b.person_ids)
        and list(a.place_ids) == list(b.place_ids)
        and a.priority.tolist() == b.priority.tolist()
        and a.capacity.tolist() == b.capacity.tolist()
        and a.pair_person.tolist() == b.pair_person.tolist()
        and a.pair_place.tolist() == b.pair_place.tolist()
        and a.pair_cost.tolist() == b.pair_cost.tolist()
    )


def test_a_clean_file_set_is_read() -> None:
    problem = read()

    assert list(problem.person_ids) == ["p1", "p2", "p3"]
    assert problem.priority.tolist() == [2, 1, 3]
    assert problem.capacity.tolist() == [1, 2]
    assert problem.pair_person.tolist() == [0, 0, 1, 2]
    assert problem.pair_place.tolist() == [0, 1, 0, 1]
    assert problem.pair_cost.tolist() == [4, 2, 0, 7]


@pytest.mark.parametrize(
    "variant",
    [
        lambda b: b.replace(b",", b";"),  # German Excel
        lambda b: b.replace(b"\n", b"\r\n"),  # Windows line ends
        lambda b: b"\xef\xbb\xbf" + b,  # byte order mark
        lambda b: b.replace(b",", b" , "),  # spaces around values
        lambda b: b.replace(b"\n", b"\n\n"),  # blank lines
        lambda b: b.rstrip(b"\n"),  # no final line end
        lambda b: b"".join(
            b",".join(b'"' + value + b'"' for value in line.split(b",")) + b"\n"
            for line in b.splitlines()
        ),
    ],
    ids=["semicolons", "crlf", "bom", "spaces", "blank-lines", "no-final-newline", "quotes"],
)
def test_every_shape_of_the_same_data_reads_the_same(variant) -> None:
    messy = read(variant(PERSONS), variant(PLACES), variant(CANDIDATES))

    assert same(messy, read())


def test_quoted_values_and_reordered_columns() -> None:
    candidates = b'cost,place_id,person_id\n"4",x,p1\n2,"y",p1\n0,x,"p2"\n7,y,p3\n'

    assert same(read(candidates=candidates), read())


def test_chunk_boundaries_do_not_matter(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    persons = b"person_id,priority\n" + b"".join(
        f"person-{i},{w}\n".encode() for i, w in enumerate(rng.integers(1, 9, 300))
    )
    places = b"place_id,capacity\n" + b"".join(f"o{j},{j % 4}\n".encode() for j in range(40))
    pairs = sorted({(int(i), int(j)) for i, j in rng.integers(0, [300, 40], (2_000, 2))})
    rows = [f"person-{i},o{j},{(i * j) % 17}\n" for i, j in pairs]
    rows[100] = rows[100].replace(",", " , ")  # one irregular chunk among regular ones
    candidates = b"person_id,place_id,cost\n" + "".join(rows).encode()
    whole = read(persons, places, candidates)

    monkeypatch.setattr(files, "CHUNK_BYTES", 97)
    chunked = read(persons, places, candidates)

    assert same(chunked, whole)
    assert chunked.pair_count == len(pairs)


def problems_of(**kwargs: bytes) -> list[str]:
    with pytest.raises(ImportFailed) as failed:
        read(**kwargs)
    return [str(p) for p in failed.value.problems]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (
            {"candidates": CANDIDATES + b"p9,x,1\n"},
            ["C.csv:6: person_id: unknown person id 'p9'"],
        ),
        (
            {"candidates": CANDIDATES + b"p1,z,1\n"},
            ["C.csv:6: place_id: unknown place id 'z'"],
        ),
        ({"candidates": CANDIDATES + b"p2,y,-1\n"}, ["C.csv:6: cost: must be at least 0, got -1"]),
        ({"places": PLACES + b"z,-2\n"}, ["O.csv:4: capacity: must be at least 0, got -2"]),
        ({"persons": PERSONS + b"p4,0\n"}, ["P.csv:5: priority: must be at least 1, got 0"]),
        (
            {"candidates": CANDIDATES + b"p1,x,9\n"},
            ["C.csv:6: place_id: duplicate pair ('p1', 'x') (first on line 2)"],
        ),
        (
            {"persons": PERSONS + b"p2,5\n"},
            ["P.csv:5: person_id: duplicate person_id 'p2' (first on line 3)"],
        ),
        (
            {"places": PLACES + b"x,5\n"},
            ["O.csv:4: place_id: duplicate place_id 'x' (first on line 2)"],
        ),
        ({"candidates": CANDIDATES + b"p3,x,1.5\n"}, ["C.csv:6: cost: not an integer: '1.5'"]),
        ({"persons": PERSONS + b"p4,high\n"}, ["P.csv:5: priority: not an integer: 'high'"]),
        ({"candidates": CANDIDATES + b"p3,x,1_0\n"}, ["C.csv:6: cost: not an integer: '1_0'"]),
        (
            {"candidates": CANDIDATES + b"p3,x,99999999999999999999\n"},
            ["C.csv:6: cost: too large: 99999999999999999999 (at most 1,000,000,000)"],
        ),
        ({"candidates": CANDIDATES + b"p3,x\n"}, ["C.csv:6: row: expected 3 columns, found 2"]),
        ({"persons": PERSONS + b",1\n"}, ["P.csv:5: person_id: empty person id"]),
        (
            {"candidates": b"person_id,cost\np1,1\n"},
            ["C.csv:1: header: missing column(s): place_id (expected: person_id,place_id,cost)"],
        ),
        (
            {"places": b"place_id,capacity,colour\nx,1,red\n"},
            ["O.csv:1: header: unexpected column(s): 'colour' (expected: place_id,capacity)"],
        ),
        ({"persons": b""}, ["P.csv:1: header: the file is empty"]),
        (
            {"candidates": CANDIDATES + b"p1,\xff,1\n"},
            ["C.csv:6: row: not valid UTF-8 (byte 0xff); save as UTF-8"],
        ),
    ],
)
def test_bad_files_name_file_line_and_field(kwargs: dict[str, bytes], expected: list[str]) -> None:
    assert problems_of(**kwargs) == expected


def test_problems_of_all_files_are_listed_together() -> None:
    found = problems_of(
        persons=PERSONS + b"p4,0\n",
        places=PLACES + b"z,x\n",
        candidates=CANDIDATES + b"p2,y,-4\np8,x,1\n",
    )

    assert found == [
        "C.csv:6: cost: must be at least 0, got -4",
        "C.csv:7: person_id: unknown person id 'p8'",
        "O.csv:4: capacity: not an integer: 'x'",
        "P.csv:5: priority: must be at least 1, got 0",
    ]


def test_a_file_full_of_errors_lists_the_first_thousand(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "LISTED_PROBLEMS", 5)
    candidates = b"person_id,place_id,cost\n" + b"p9,x,1\n" * 12

    found = problems_of(candidates=candidates)

    assert len(found) == 6
    assert found[0] == "C.csv:2: person_id: unknown person id 'p9'"
    assert found[-1] == "C.csv:6: … 7 more problems here"


def test_the_output_lists_assigned_persons_in_input_order() -> None:
    allocation = solve(read())

    # p1 gives way to x for p2 (cost 0): all three placed, weight 6, cost 9.
    assert assignments_csv(allocation) == "person_id,place_id,cost\np1,y,2\np2,x,0\np3,y,7\n"
