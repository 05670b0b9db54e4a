"""Output files written all or nothing (``files.atomic``): the new files replace the old
ones only when every one is written; a failure leaves the old files and no temporary
file behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from doconnect.files.atomic import write_atomically


def test_every_file_is_written_in_place_with_the_owners_permissions_only(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("old")

    write_atomically([(tmp_path / "a.txt", "new"), (tmp_path / "b.bin", b"\x00\x01")])

    assert (tmp_path / "a.txt").read_text() == "new"
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    assert (tmp_path / "b.bin").stat().st_mode & 0o777 == 0o600  # as tempfile.mkstemp made it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.bin"]


def test_a_failing_file_leaves_the_old_files_and_no_temporary_file(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("old")

    def broken(out: object) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically([(tmp_path / "a.txt", "new"), (tmp_path / "b.txt", broken)])

    assert (tmp_path / "a.txt").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]
