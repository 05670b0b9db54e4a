"""Writing output files all or nothing (no Django import: the pure engines use it too).

Each file goes to a temporary file beside it first; only when every one is written in
full are they renamed into place. A failure on the way leaves the old files untouched
and no temporary file behind."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

# What to write: text (UTF-8, line ends as given), bytes, or a function writing to the
# open binary file (e.g. ``numpy.save``).
Content = str | bytes | Callable[[BinaryIO], object]


def write_atomically(outputs: Sequence[tuple[str | Path, Content]]) -> None:
    temporary: list[tuple[str, Path]] = []
    try:
        for path, content in outputs:
            target = Path(path)
            handle, name = tempfile.mkstemp(
                dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
            )
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
