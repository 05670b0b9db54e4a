"""Logging helpers the settings name in ``LOGGING``."""

from __future__ import annotations

import logging


class ShortRefusals(logging.Filter):
    """A refusal (403) is an ordinary answer, not a fault: Django logs it with the
    exception's traceback, which fills the console for every refused click. Keep the
    line ("Forbidden (Permission denied): /path"), drop the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
