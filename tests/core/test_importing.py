"""The shared import error type: FILE:LINE: field: message, all problems or a capped list."""

from __future__ import annotations

import datetime as dt

import pytest

from doconnect.files.importing import (
    ImportFailed,
    ImportProblem,
    ImportResult,
    decode_utf8,
    parse_iso_date,
)


def test_a_problem_reads_file_line_field_message() -> None:
    problem = ImportProblem("offers.json", 14, "offers[2].follow_ons[1]", 'unknown offer "o-99"')
    assert str(problem) == 'offers.json:14: offers[2].follow_ons[1]: unknown offer "o-99"'


def test_a_problem_without_a_field_leaves_it_out() -> None:
    assert str(ImportProblem("a.csv", 3, "", "malformed")) == "a.csv:3: malformed"


def test_the_failure_lists_problems_in_file_order_and_keeps_the_order_within_a_line() -> None:
    failed = ImportFailed(
        [
            ImportProblem("f", 9, "b", "x"),
            ImportProblem("f", 2, "z", "first on line 2"),
            ImportProblem("f", 2, "a", "second on line 2"),
        ]
    )
    assert [(p.line, p.field) for p in failed.problems] == [(2, "z"), (2, "a"), (9, "b")]
    assert str(failed).splitlines()[0] == "f:2: z: first on line 2"


def test_a_long_list_is_cut_with_a_count_of_the_rest() -> None:
    failed = ImportFailed([ImportProblem("f", n, "x", "bad") for n in range(1, 8)])
    assert failed.format(limit=3).splitlines() == [
        "f:1: x: bad",
        "f:2: x: bad",
        "f:3: x: bad",
        "… and 4 more",
    ]
    assert len(failed.format().splitlines()) == 7


def test_the_result_summary_names_each_count() -> None:
    result = ImportResult("o.json", {"offers_created": 2, "follow_ons": 5})
    assert result.summary() == "o.json: imported (offers created: 2, follow ons: 5)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-31", dt.date(2026, 1, 31)),
        ("2026-02-30", None),
        ("20260131", None),
        ("2026-W05-1", None),
        ("31.01.2026", None),
        (" 2026-01-31", None),
    ],
)
def test_only_real_dates_written_yyyy_mm_dd_are_dates(text: str, expected: dt.date | None) -> None:
    assert parse_iso_date(text) == expected


def test_utf8_is_read_with_or_without_byte_order_mark() -> None:
    assert decode_utf8("Hörde".encode(), file="f") == "Hörde"
    assert decode_utf8(b"\xef\xbb\xbf" + "Hörde".encode(), file="f") == "Hörde"


def test_a_bad_byte_is_reported_on_its_line() -> None:
    with pytest.raises(ImportFailed) as excinfo:
        decode_utf8(b"one\ntwo\nH\xf6rde\n", file="f.csv")
    (problem,) = excinfo.value.problems
    assert (problem.file, problem.line) == ("f.csv", 3)
