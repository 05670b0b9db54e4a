"""What a server process loads once, before its web workers fork, so that every worker
shares it instead of each loading it on its first request: a domain registers a step
(``on_start``, from its ``AppConfig.ready``); ``doconnect serve`` runs them (``warm``).

At scale 20 the next steps' ground took 4–7 s to unpickle on a worker's first person
page, in every worker and under load (issue #19)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.db import connections

logger = logging.getLogger(__name__)

_steps: list[Callable[[], None]] = []


def on_start(step: Callable[[], None]) -> Callable[[], None]:
    """Run ``step`` when a server process starts (once per registration)."""
    if step not in _steps:
        _steps.append(step)
    return step


def warm() -> None:
    """Run every registered step. A step that fails is logged and skipped: the worker
    then loads the same on its first request, as without warming (an empty database,
    say, before ``migrate``). The database connections are closed afterwards: a forked
    worker must not share its parent's."""
    try:
        for step in _steps:
            started = time.perf_counter()
            try:
                step()
            except Exception:
                logger.exception("warm-up step %s failed; skipped", step.__qualname__)
            else:
                logger.info(
                    "warm-up step %s took %.1f s",
                    step.__qualname__,
                    time.perf_counter() - started,
                )
    finally:
        connections.close_all()
