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
TWO_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


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


def settled(page: Any) -> None:
    """Wait until Chromium has painted the page as it is laid out now (two animation
    frames). After a change of the viewport the browser routes a click by the last
    painted frame; on a loaded machine a click sent before the next paint can land where
    the button was at the other width and submit nothing."""
    page.evaluate(
        "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
    )


def shoot_both_widths(page: Any, path_stem: Path, *, width: int = 1280, height: int = 900) -> None:
    """Full-length screenshots ``<stem>-1280.png`` and ``<stem>-320.png`` (a small phone);
    the page is left at ``width`` and painted, ready for the next click."""
    path_stem.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=f"{path_stem}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 320, "height": 800})
    settled(page)
    page.screenshot(path=f"{path_stem}-320.png", full_page=True)
    page.set_viewport_size({"width": width, "height": height})
    settled(page)
