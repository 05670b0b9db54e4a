"""The Django admin under the Content-Security-Policy (issue #20): a real Chromium
clicks through the administration as a person does — the index, lists with filters and
search, an offer with its inlines, the calendar and the autocomplete, the user form —
and the strict policy (script-src and style-src 'self', no 'unsafe-inline') reports no
violation, so the admin needs no exemption."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from tests.browser import log_in
from tests.conftest import City, logged_in
from tests.web.test_content_security_policy import RECORD, VIOLATIONS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        os.environ.get("DOCONNECT_TEST_DB") == "sqlite",
        reason="run on PostgreSQL only: the admin loads many static files at once, and "
        "SQLite's shared in-memory test database is not safe under the live server's "
        "concurrent request threads (it crashed the test process)",
    ),
]


@pytest.fixture
def administrator(transactional_db: None, city: City, platform_admin: User) -> User:
    """Staff with every permission. Made before Playwright starts its event loop."""
    platform_admin.is_staff = platform_admin.is_superuser = True
    platform_admin.save()
    return platform_admin


def test_the_admin_runs_without_a_single_policy_violation(
    live_server: Any, administrator: User, city: City, page: Any
) -> None:
    console: list[str] = []
    page.on(
        "console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None
    )
    page.add_init_script(RECORD)
    # The admin's first pages collect many static files; a loaded test machine needs time.
    page.set_default_timeout(90_000)
    found: list[str] = []

    def look(what: str) -> None:
        page.wait_for_load_state("networkidle")
        found.extend(f"{what}: {v}" for v in page.evaluate(VIOLATIONS))

    log_in(page, live_server.url, "platform_admin")
    page.goto(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", name="Website-Verwaltung")).to_be_visible()
    look("index")

    # The offers: a list with filters and search, then one offer with its inlines.
    page.goto(f"{live_server.url}/admin/offers/offer/")
    look("offer list")
    page.locator("#searchbar").fill(city.offer_a.title[:5])
    page.keyboard.press("Enter")
    page.wait_for_url("**q=*")
    expect(page.get_by_text(city.offer_a.title).first).to_be_visible()
    look("offer search")
    page.goto(f"{live_server.url}/admin/offers/offer/{city.offer_a.pk}/change/")
    look("offer form")
    # The inline's "add another" row, the autocomplete of the provider and the
    # two-pane target group picker are drawn by the admin's scripts.
    page.locator(".add-row a").first.click()
    page.locator(".select2-selection").first.click()
    page.keyboard.press("Escape")
    look("offer inlines and autocomplete")
    assert page.locator("#id_target_groups_from").count() == 1  # the picker was drawn

    # A form with dates: the calendar opens from its link.
    page.goto(f"{live_server.url}/admin/core/apitoken/")
    look("token list")
    page.goto(f"{live_server.url}/admin/auth/user/{administrator.pk}/change/")
    look("user form")
    page.locator("a[id^=calendarlink]").first.click()
    expect(page.locator(".calendarbox").first).to_be_visible()
    look("calendar")

    # The filters of the audit log.
    page.goto(f"{live_server.url}/admin/core/auditevent/")
    look("audit log")
    # The page an "add another" link opens in a popup.
    page.goto(f"{live_server.url}/admin/core/organisation/add/?_to_field=id&_popup=1")
    assert page.locator("input[name=_popup]").count() == 1
    look("popup")

    assert found == [] and console == [], "\n".join(found + console)


def test_the_admin_is_sent_the_same_strict_policy(administrator: User) -> None:
    """No exemption: the pages walked above were under the strict policy."""
    header = logged_in(administrator).get("/admin/")["Content-Security-Policy"]
    assert "script-src 'self'" in header and "style-src 'self'" in header
    assert "unsafe" not in header
