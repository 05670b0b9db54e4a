"""The server's warm-up: registered steps run once before the workers fork; a failing
step is logged and skipped, and no database connection is left open to be shared."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from django.db import connection

from doconnect.core import warmup


@pytest.fixture
def steps() -> Iterator[list[str]]:
    kept = list(warmup._steps)
    warmup._steps.clear()
    ran: list[str] = []
    yield ran
    warmup._steps[:] = kept


def test_every_registered_step_runs_once_in_order(steps: list[str]) -> None:
    def first() -> None:
        steps.append("first")

    def second() -> None:
        steps.append("second")

    warmup.on_start(first)
    warmup.on_start(second)
    warmup.on_start(first)  # registered twice (an app loaded twice): runs once
    warmup.warm()
    assert steps == ["first", "second"]


def test_a_failing_step_is_logged_and_the_others_still_run(
    steps: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> None:
        raise RuntimeError("no such table")

    def fine() -> None:
        steps.append("fine")

    warmup.on_start(broken)
    warmup.on_start(fine)
    with caplog.at_level(logging.ERROR, logger="doconnect.core.warmup"):
        warmup.warm()
    assert steps == ["fine"]
    assert "broken" in caplog.text and "no such table" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_the_warm_up_leaves_no_database_connection_for_a_forked_worker(
    steps: list[str],
) -> None:
    def reads() -> None:
        connection.ensure_connection()
        steps.append("read")

    warmup.on_start(reads)
    warmup.warm()
    assert steps == ["read"] and connection.connection is None
