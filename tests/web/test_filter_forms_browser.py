"""The filter forms of the lists filled as a person does, in Chromium (issue #17: every
form clicked, with the page it leads to): a choice made in the form's first list, the
button pressed, and the page comes back with the choice in its address and still
chosen — the offer catalogue, the labour-market pages and the provider's inbox."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from tests.browser import log_in
from tests.conftest import City

pytestmark = pytest.mark.browser


@pytest.fixture
def filter_city(
    transactional_db: None,
    city: City,
    coordinator: User,
    provider_staff: User,
    settings: Any,
) -> City:
    """Made before Playwright starts its event loop."""
    settings.DEMO_MODE = True
    return city


def _choose_last_and_submit(page: Any, button: str) -> None:
    """In the form of ``button``, choose the last entry of its first list and press it."""
    form = page.locator("main form", has=page.get_by_role("button", name=button)).first
    choice = form.locator("select").first
    name = choice.get_attribute("name")
    choice.select_option(index=choice.locator("option").count() - 1)
    chosen = choice.input_value()
    form.get_by_role("button", name=button).click()
    page.wait_for_url(f"**{name}={chosen}**")
    page.wait_for_load_state("networkidle")
    assert page.locator(f"main form select[name='{name}']").first.input_value() == chosen


def test_the_lists_filter_by_the_choice_made_in_their_forms(
    live_server: Any, filter_city: City, browser: Any
) -> None:
    base = live_server.url
    page = browser.new_page(locale="de-DE", viewport={"width": 1280, "height": 900})
    log_in(page, base, "coordinator")
    for path, button in (
        ("/offers/", "Filtern"),
        ("/labour-market/", "Anzeigen"),
        ("/labour-market/occupations/", "Anzeigen"),
        ("/labour-market/employers/", "Anzeigen"),
    ):
        assert page.goto(base + path).ok, path
        assert page.locator("main form select").count(), f"{path}: no list to choose from"
        _choose_last_and_submit(page, button)

    # the potentials have a reference day only: typed, it comes back in the address
    page.goto(f"{base}/labour-market/potentials/")
    page.get_by_role("textbox", name="Stichtag").fill("2026-06-30")
    page.get_by_role("button", name="Anzeigen").click()
    page.wait_for_url("**as_of=2026-06-30**")
    assert page.get_by_role("textbox", name="Stichtag").input_value() == "2026-06-30"

    staff = browser.new_page(locale="de-DE", viewport={"width": 1280, "height": 900})
    log_in(staff, base, "provider_staff")
    staff.goto(f"{base}/referrals/")
    _choose_last_and_submit(staff, "Filtern")
