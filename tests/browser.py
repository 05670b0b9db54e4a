"""What every browser test shares: how Chromium is started, how a persona logs in, and
how axe-core judges a page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PASSWORD = "correct horse battery 1"  # every persona's, see tests/conftest.py
AXE = Path(settings.BASE_DIR).parents[1] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}


def log_in(page: Any, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"{base}/")


def serious_violations(page: Any, axe_path: Path) -> list[str]:
    """axe-core's serious and critical findings on the page, one line each."""
    # Evaluated, not added as a <script> tag: the Content-Security-Policy refuses inline
    # scripts (DevTools evaluation is exempt).
    page.evaluate(axe_path.read_text())
    result = page.evaluate("async () => await axe.run(document)")
    return [
        f"{page.url}: {violation['id']} ({violation['impact']}) "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"])
        for violation in result["violations"]
        if violation["impact"] in BLOCKING
    ]
