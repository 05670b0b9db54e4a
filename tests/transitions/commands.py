"""``doconnect sequences …`` as the tests call it: through Django's ``call_command``,
its output as text."""

from __future__ import annotations

import io

from django.core.management import call_command


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("sequences", *args, stdout=out)
    return out.getvalue()
