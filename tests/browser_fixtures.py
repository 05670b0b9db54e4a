"""Browser fixtures for the web tests. Test data must be made *before* ``page`` or
``browser`` (list those fixtures first): Playwright's sync API runs an event loop, and
Django's async-safety check would refuse ORM calls made inside it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import AXE, CHROMIUM_ARGS
from tests.conftest import IN_CI


@pytest.fixture
def browser(chromium_path: str) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any) -> Any:
    """A German page (Accept-Language, as in the city) at a desktop size."""
    return browser.new_page(locale="de-DE", viewport={"width": 1280, "height": 900})


@pytest.fixture
def axe_path() -> Path:
    if not AXE.exists():
        if IN_CI:
            pytest.fail(f"{AXE} is missing (npm ci); CI requires it")
        pytest.skip("axe-core not installed; `make test` runs `npm ci`")
    return AXE
