"""One check for every pure engine: its modules import in a fresh interpreter in which
Django cannot be imported at all."""

from __future__ import annotations

import subprocess
import sys


def imports_without_django(*modules: str) -> str:
    """Import ``modules`` with Django blocked; the error output, empty when they did."""
    code = (
        "import sys; sys.modules['django'] = None\n"
        f"import {', '.join(modules)}\n"
        "assert not any(m.startswith('django.') for m in sys.modules), 'django imported'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return done.stderr if done.returncode else ""
