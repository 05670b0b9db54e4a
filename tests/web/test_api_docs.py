"""/api/docs shows the API with Swagger UI from the platform's own static files: nothing
is loaded from a third party."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from playwright.sync_api import expect

SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"


def test_the_api_docs_page_refers_only_to_the_platforms_own_files(db: None) -> None:
    body = Client().get("/api/docs").content.decode()
    sources = [s for s in re.findall(r'(?:src|href)="([^"]+)"', body) if not s.startswith("data:")]
    assert sources, body
    assert all(not urlsplit(source).netloc for source in sources), sources
    for source in sources:
        assert source.startswith(settings.STATIC_URL) or source.startswith("/static/"), source
        path = source.split("static/", 1)[1]
        assert finders.find(path), f"{path} is not among the static files (npm ci?)"


@pytest.mark.browser
def test_a_developer_reads_the_api_in_swagger_ui_without_any_outside_request(
    live_server: Any, page: Any
) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/api/docs")
    operation = page.get_by_text("/api/persons/{public_id}/next-steps").first
    operation.wait_for(timeout=15_000)
    expect(page.get_by_role("heading", name=re.compile("do-connect API"))).to_be_visible()
    own = urlsplit(live_server.url).netloc
    assert requested and all(urlsplit(url).netloc == own for url in requested), requested
    assert problems == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "api-docs-1280.png"))
    page.set_viewport_size({"width": 320, "height": 800})
    page.screenshot(path=str(SCREENSHOTS / "api-docs-320.png"))
