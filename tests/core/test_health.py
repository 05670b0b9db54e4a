"""/healthz: database, worker and queue, JSON, for anybody, without personal data.
(503 with the database down, against the real server: test_serve.py.)"""

from __future__ import annotations

import json

from django.test import Client

from tests.conftest import City, make_person


def test_healthz_reports_database_worker_and_queue_without_sign_in(city: City) -> None:
    make_person(city, given_name="Zofia", family_name="Quellenberg")
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    report = json.loads(response.content)
    assert report["status"] == "ok"
    assert report["database"]["ok"] is True
    worker = report["worker"]
    assert worker["alive"] is False  # no worker runs in this test
    assert worker["queue_depth"] == 0
    assert "Quellenberg" not in response.content.decode()


def test_healthz_answers_get_only(db: None) -> None:
    assert Client().post("/healthz").status_code != 200
