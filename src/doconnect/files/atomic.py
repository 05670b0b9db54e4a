"""Writing output files all or nothing (no Django import: the pure engines use it too).

Each file goes to a temporary file beside it first; only when every one is written in
full are they renamed into place. A failure on the way leaves the old files untouched
and no temporary file behind."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import BinaryIO

# What to write: text (UTF-8, line ends as given), bytes, or a function writing to the
# open binary file (e.g. ``numpy.save``).
Content = str | bytes | Callable[[BinaryIO], object]


def _beside(target: str) -> tuple[int, str]:
    """A new hidden file beside ``target``, open for writing, as ``tempfile.mkstemp``
    makes it (a random name, created exclusively, mode 0600): without importing
    ``tempfile`` (shutil, random, the compression modules), about 4 ms of the start-up
    of a file command such as ``doconnect sequences`` (issue #21)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    while True:
        folder, base = os.path.split(target)
        name = os.path.join(folder, f".{base}.{os.urandom(6).hex()}.tmp")
        try:
            return os.open(name, flags, 0o600), name
        except FileExistsError:  # taken already: another name
            continue


def write_atomically(outputs: Sequence[tuple[str | os.PathLike[str], Content]]) -> None:
    # str paths, not pathlib: its import costs a file command's start-up (issue #21)
    temporary: list[tuple[str, str]] = []
    try:
        for path, content in outputs:
            target = os.fspath(path)
            handle, name = _beside(target)
            temporary.append((name, target))
            with os.fdopen(handle, "wb") as out:
                if isinstance(content, str):
                    out.write(content.encode("utf-8"))
                elif isinstance(content, bytes):
                    out.write(content)
                else:
                    content(out)
        for name, target in temporary:
            os.replace(name, target)
    finally:
        for name, _target in temporary:
            if os.path.exists(name):
                os.unlink(name)
