"""The site frame: grouped navigation showing only what a role may use, the current page
marked, the signed-in user's name, role and organisation in the header, a refusal page
naming who may use the page, a 403 logged as one line; in Chromium the menu button at
320 px and wide tables scrolling in their own labelled region."""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from doconnect.core.logs import ShortRefusals
from tests.browser import log_in
from tests.conftest import City, logged_in

BASE = Path(settings.BASE_DIR) / "web" / "templates" / "web" / "base.html"


def _nav(html: str) -> str:
    return html[html.index('<nav class="site-nav"') : html.index("</nav>")]


def test_the_coordinator_sees_every_group_with_the_current_page_marked(
    coordinator: User,
) -> None:
    html = logged_in(coordinator).get("/offers/").content.decode()
    nav = _nav(html)
    for group in ("Fälle", "Angebote", "Analysen", "Politik", "Öffentlich"):
        assert f">{group}</p>" in nav
    for label in ("Personen", "Zuteilung", "Szenarien", "Transparenz", "Konferenz"):
        assert f">{label}</a>" in nav or f">{label} <" in nav
    assert re.search(r'href="/offers/" aria-current="page">Angebote<', nav)
    assert nav.count('aria-current="page"') == 1


def test_provider_staff_are_not_led_to_pages_they_may_not_use(provider_staff: User) -> None:
    client = logged_in(provider_staff)
    nav = _nav(client.get("/").content.decode())
    for path in ("/allocation/", "/scenarios/", "/transparency/", "/transitions/"):
        assert f'href="{path}"' not in nav
        assert client.get(path).status_code == 403
    for path in ("/persons/", "/referrals/", "/offers/", "/pathways/"):
        assert f'href="{path}"' in nav


def test_an_admin_without_person_rights_gets_no_case_links(platform_admin: User) -> None:
    nav = _nav(logged_in(platform_admin).get("/").content.decode())
    assert 'href="/persons/"' not in nav and ">Fälle<" not in nav


def test_a_visitor_sees_only_the_public_pages(db: None) -> None:
    nav = _nav(Client().get("/public/").content.decode())
    assert re.findall(r'href="([^"]+)"', nav) == ["/", "/public/"]


def test_the_header_names_the_user_with_role_and_organisation(
    city: City, case_worker: User
) -> None:
    case_worker.first_name, case_worker.last_name = "Cara", "Fallberg"
    case_worker.save()
    html = logged_in(case_worker).get("/").content.decode()
    header = html[html.index("<header>") : html.index("</header>")]
    assert "Cara Fallberg" in header
    assert "Fallberatung, Jobcenter" in header


def test_the_refusal_page_says_which_roles_may_use_the_page(provider_staff: User) -> None:
    response = logged_in(provider_staff).get("/scenarios/")
    assert response.status_code == 403
    assert "Diese Seite nutzen: Koordination (Beschäftigungsförderung), Analyse." in (
        response.content.decode()
    )
    english = logged_in(provider_staff, "en").get("/scenarios/").content.decode()
    assert "Who may use this page:" in english


def test_the_menu_button_is_hidden_until_the_script_shows_it(coordinator: User) -> None:
    nav = _nav(logged_in(coordinator).get("/").content.decode())
    button = re.search(r"<button[^>]*site-nav__toggle[^>]*>", nav)
    assert button is not None
    assert 'aria-expanded="false"' in button.group(0)
    assert 'aria-controls="site-menu"' in button.group(0)
    assert " hidden" in button.group(0)  # without JavaScript: the list, no dead button
    assert 'id="site-menu"' in nav


def test_the_frame_has_no_inline_style_or_script() -> None:
    # what reaches the browser: without the template's comments
    source = re.sub(
        r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", "", BASE.read_text(), flags=re.S
    )
    assert "<style" not in source and 'style="' not in source
    assert not re.search(r"<script(?![^>]*\bsrc=)", source)


def test_a_refusal_is_logged_as_one_line_without_traceback() -> None:
    try:
        raise PermissionError("no")
    except PermissionError:
        exc_info = sys.exc_info()
    refused = logging.LogRecord("django.request", logging.WARNING, "", 0, "Forbidden", (), exc_info)
    refused.status_code = 403
    broken = logging.LogRecord("django.request", logging.ERROR, "", 0, "Error", (), exc_info)
    broken.status_code = 500
    assert ShortRefusals().filter(refused) and refused.exc_info is None
    assert ShortRefusals().filter(broken) and broken.exc_info is not None
    # Django's own logger has no handler of its own, so nothing is printed twice.
    assert logging.getLogger("django").handlers == []
    assert any(
        isinstance(f, ShortRefusals) for h in logging.getLogger().handlers for f in h.filters
    )


@pytest.mark.browser
def test_at_320_px_the_menu_folds_and_tables_scroll_in_their_own_region(
    transactional_db: None, coordinator: User, live_server: Any, browser: Any
) -> None:
    base = live_server.url
    page = browser.new_page(locale="de-DE", viewport={"width": 320, "height": 800})
    log_in(page, base, "coordinator")
    page.goto(f"{base}/offers/")
    menu = page.get_by_role("button", name="Menü")
    assert menu.is_visible()
    assert page.locator("#site-menu").is_hidden()
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    assert nav.get_by_role("link", name="Angebote").get_attribute("aria-current") == "page"
    page.keyboard.press("Escape")
    assert page.locator("#site-menu").is_hidden()
    region = page.locator("main [role=region]:has(table)").first
    assert region.get_attribute("tabindex") == "0"
    assert region.get_attribute("aria-label")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1280, "height": 800})
    assert menu.is_hidden() and page.locator("#site-menu").is_visible()
