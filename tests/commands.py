"""The real ``doconnect`` command line in a subprocess, as an analyst runs a file-only
command: no DOCONNECT_ variable (no secret key, no DEBUG), a database that cannot exist.
Shared by the tests of the file-only commands of every domain."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

NO_DATABASE = "sqlite:////nonexistent-doconnect-dir/never/db.sqlite3"


def doconnect(
    *args: str, tmp_path: Path, importtime: bool = False
) -> subprocess.CompletedProcess[str]:
    """``doconnect ARGS`` with no DOCONNECT_ variable but a database that cannot exist."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCONNECT_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["DOCONNECT_DATABASE_URL"] = NO_DATABASE
    python = [sys.executable, "-X", "importtime"] if importtime else [sys.executable]
    return subprocess.run(
        [*python, "-m", "doconnect", *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
