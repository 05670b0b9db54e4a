"""Logging helpers the settings name in ``LOGGING``."""

from __future__ import annotations

import logging
import sys
from typing import Any


class ShortRefusals(logging.Filter):
    """A refusal (403) is an ordinary answer, not a fault: Django logs it with the
    exception's traceback, which fills the console for every refused click. Keep the
    line ("Forbidden (Permission denied): /path"), drop the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True


class StandardError(logging.StreamHandler[Any]):
    """Writes to whatever ``sys.stderr`` is when a record is written, not to the stream
    that was ``sys.stderr`` when logging was configured: a test runner, a development
    server's autoreloader or a daemoniser that swaps ``sys.stderr`` (and closes the old
    one) would otherwise leave the handler writing to a closed file."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass  # always the current sys.stderr
