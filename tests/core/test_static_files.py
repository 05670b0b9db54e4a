"""`doconnect serve` collects the static files only when a source is newer than the
collected manifest (collecting hashes and compresses every file: minutes)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from django.test import override_settings

from doconnect.core.static_files import MANIFEST, source_files, static_files_current


def test_static_files_are_not_current_before_the_first_collection(tmp_path: Path) -> None:
    with override_settings(STATIC_ROOT=str(tmp_path)):
        assert static_files_current() is False


def _manifest(folder: Path, names: list[str]) -> Path:
    manifest = folder / MANIFEST
    manifest.write_text(json.dumps({"paths": {name: name for name in names}}))
    return manifest


def test_a_manifest_of_every_source_newer_than_all_is_current(tmp_path: Path) -> None:
    manifest = _manifest(tmp_path, [name for name, _ in source_files()])
    later = time.time() + 3600
    os.utime(manifest, (later, later))
    with override_settings(STATIC_ROOT=str(tmp_path)):
        assert static_files_current() is True


def test_a_source_missing_from_the_manifest_makes_it_stale(tmp_path: Path) -> None:
    names = [name for name, _ in source_files()]
    assert "kern/kern.min.css" in names  # the prefix of STATICFILES_DIRS
    manifest = _manifest(tmp_path, [n for n in names if n != "kern/kern.min.css"])
    later = time.time() + 3600
    os.utime(manifest, (later, later))  # added while a collection ran: older, but absent
    with override_settings(STATIC_ROOT=str(tmp_path)):
        assert static_files_current() is False


def test_a_source_changed_after_the_collection_makes_it_stale(tmp_path: Path) -> None:
    manifest = _manifest(tmp_path, [name for name, _ in source_files()])
    os.utime(manifest, (1, 1))  # collected in 1970: every source is newer
    with override_settings(STATIC_ROOT=str(tmp_path)):
        assert static_files_current() is False
