from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

LONG = (
    "district;group;count;note\n"
    "Eving;youth;2;a\n"
    "Eving;older;10;b\n"
    "Mengede;youth;10;\n"
    "Mengede;older;10;\n"
    "\n"
    "Hombruch;youth;7;\n"
    "Hombruch;older;0;\n"
    "Mengede;older;5;\n"
)


def disclose(folder: Path, text: str, **options: object) -> str:
    source = folder / "in.csv"
    source.write_text(text, encoding="utf-8")
    out = io.StringIO()
    arguments = {"rows": "district", "cols": "group", "value": "count", **options}
    call_command("disclose", str(source), out=str(folder / "out.csv"), stdout=out, **arguments)
    return out.getvalue()


def test_the_round_trip_writes_cells_stars_and_totals(tmp_path: Path) -> None:
    printed = disclose(tmp_path, LONG)

    # Eving's 2 is hidden with the cheapest rectangle: Hombruch (7 and a zero counting 1)
    # costs less than Mengede (10 and 15); Mengede's two lines are summed.
    assert (tmp_path / "out.csv").read_text(encoding="utf-8") == (
        "district,youth,older,total\n"
        "Eving,*,*,12\n"
        "Mengede,10,15,25\n"
        "Hombruch,*,*,7\n"
        "total,19,25,44\n"
    )
    assert "4 suppressed (1 primary, 3 secondary)" in printed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]


def test_commas_a_bom_and_the_threshold(tmp_path: Path) -> None:
    text = "\ufeffdistrict,group,count\nA,x,5\nA,y,6\nB,x,7\nB,y,8\n"

    disclose(tmp_path, text)
    assert (tmp_path / "out.csv").read_text().splitlines()[1] == "A,5,6,11"

    printed = disclose(tmp_path, text, threshold=6)
    assert (tmp_path / "out.csv").read_text().splitlines()[1:3] == ["A,*,*,11", "B,*,*,15"]
    assert "(1 primary, 3 secondary), threshold 6" in printed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "in.csv:1: the file is empty"),
        ("district;group;count\n", "in.csv:1: no data lines"),
        ("district;group;n\nA;x;1\n", "in.csv:1: header: missing column(s): count (--value)"),
        ("district;group;count\nA;x;1.5\n", "in.csv:2: count: '1.5' is not a whole number"),
        ("district;group;count\nA;x;\n", "in.csv:2: count: '' is not a whole number"),
        ("district;group;count\nA;x;3\nB;y;-2\n", "in.csv:3: count: -2 is negative"),
        ("district;group;count\nA;x;3;9\n", "in.csv:2: 4 fields, the header has 3"),
        ("district;group;count\n;x;3\n", "in.csv:2: district: empty label"),
        ("district;group;count\ntotal;x;3\n", "in.csv:2: district: the label 'total'"),
    ],
)
def test_bad_files_write_nothing(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(CommandError) as caught:
        disclose(tmp_path, text)

    assert message in str(caught.value)
    assert "nothing written" in str(caught.value)
    assert not (tmp_path / "out.csv").exists()


def test_every_problem_is_listed(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as caught:
        disclose(tmp_path, "district;group;count\nA;x;x\nB;y;-1\n")

    assert "2 problems" in str(caught.value)


def test_an_unprotectable_table_and_bad_options(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="totals reveal"):
        disclose(tmp_path, "district;group;count\nA;x;2\nA;y;30\n")
    assert not (tmp_path / "out.csv").exists()
    with pytest.raises(CommandError, match="threshold must be at least 1"):
        disclose(tmp_path, LONG, threshold=0)
    with pytest.raises(CommandError, match="no such file"):
        call_command(
            "disclose", str(tmp_path / "missing.csv"), rows="a", cols="b", value="c", out="x"
        )
    with pytest.raises(CommandError, match="does not exist"):
        (tmp_path / "in.csv").write_text(LONG)
        call_command(
            "disclose",
            str(tmp_path / "in.csv"),
            rows="district",
            cols="group",
            value="count",
            out=str(tmp_path / "nope" / "out.csv"),
        )


def test_an_existing_output_is_replaced_whole(tmp_path: Path) -> None:
    (tmp_path / "out.csv").write_text("old\n")
    with pytest.raises(CommandError):
        disclose(tmp_path, "district;group;count\nA;x;-1\n")
    assert (tmp_path / "out.csv").read_text() == "old\n"

    disclose(tmp_path, LONG)
    assert (tmp_path / "out.csv").read_text().startswith("district,youth,older,total\n")
