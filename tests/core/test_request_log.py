"""The request log: one JSON line per request without personal data."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import City, logged_in, make_person


class Lines(logging.Handler):
    """The lines as the configured JSON formatter writes them."""

    def __init__(self, formatter: logging.Formatter) -> None:
        super().__init__()
        self.setFormatter(formatter)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def request_lines() -> Iterator[list[str]]:
    logger = logging.getLogger("doconnect.requests")
    configured = logger.handlers[0]  # settings.LOGGING "requests"
    assert configured.formatter is not None
    handler = Lines(configured.formatter)
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


def test_a_request_is_one_json_line_without_query_string_or_names(
    city: City, case_worker: User, request_lines: list[str]
) -> None:
    make_person(city, given_name="Zofia", family_name="Quellenberg", consent_orgs=[city.jobcenter])
    client = logged_in(case_worker)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/persons/?q=Quellenberg")
    assert response.status_code == 200
    assert b"Quellenberg" in response.content  # the page shows the name; the log must not
    assert len(request_lines) == 1
    line = json.loads(request_lines[0])
    assert set(line) == {
        "time",
        "message",
        "method",
        "path",
        "status",
        "duration_ms",
        "cpu_ms",
        "queries",
        "db_ms",
        "user_id",
    }
    assert line["method"] == "GET"
    assert line["path"] == "/persons/"
    assert line["status"] == 200
    assert line["user_id"] == case_worker.pk
    assert line["duration_ms"] > 0
    # The page's own work and its waiting for the database, each within the whole.
    assert 0 < line["cpu_ms"] <= line["duration_ms"] + 1
    assert line["queries"] == len(queries) > 0
    assert 0 < line["db_ms"] < line["duration_ms"]
    assert "Quellenberg" not in request_lines[0]
    assert "case_worker" not in request_lines[0]  # the username neither


def test_an_anonymous_request_is_logged_without_user(db: None, request_lines: list[str]) -> None:
    assert Client().get("/persons/").status_code == 302
    line = json.loads(request_lines[0])
    assert (line["path"], line["status"], line["user_id"]) == ("/persons/", 302, None)


def test_healthz_is_not_logged(db: None, request_lines: list[str]) -> None:
    assert Client().get("/healthz").status_code == 200
    assert request_lines == []
