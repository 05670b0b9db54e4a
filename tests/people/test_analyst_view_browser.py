"""An analyst's persons in a real Chromium (issue #20, item 3): the list shows age bands
and the coarsened record, a filter by district counts coarsened records, and a person's
page is the coarsened record alone — in German and English, at 1280 and 320 px, with
no serious axe finding. Screenshots: var/screenshots/analyst-view/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from doconnect.people.models import Person
from tests.browser import log_in, serious_violations
from tests.conftest import City, make_person

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots" / "analyst-view"
TEXTS = {
    "de": {"persons": "Personen", "record": "Statistischer Datensatz", "band": "Altersgruppe"},
    "en": {"persons": "Persons", "record": "Statistical record", "band": "Age band"},
}


@pytest.fixture
def six_and_six(transactional_db: None, city: City, analyst: User) -> City:
    """Six alike in one district, six alike in the other: every combination covers six.
    Made before Playwright starts its event loop (tests/browser_fixtures.py)."""
    for _ in range(6):
        make_person(city)
    for _ in range(6):
        moved = make_person(city)
        Person.objects.filter(pk=moved.pk).update(district=city.other_district)
    return city


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("width", [1280, 320])
def test_an_analyst_finds_a_person_and_sees_the_coarsened_record(
    live_server: Any, six_and_six: City, browser: Any, axe_path: Path, language: str, width: int
) -> None:
    city, words = six_and_six, TEXTS[language]
    page = browser.new_page(locale="de-DE", viewport={"width": width, "height": 900})
    page.set_default_timeout(15_000)
    base = live_server.url
    log_in(page, base, "analyst")
    if language == "en":
        page.get_by_label("Sprache").select_option("en")
        page.get_by_role("button", name="Wechseln").click()
        page.wait_for_load_state()
    page.goto(f"{base}/persons/")
    table = page.locator("table.person-table")
    assert table.get_by_role("columnheader", name=words["band"]).is_visible()
    assert table.locator("tbody tr").count() == 12
    # A district, as a user picks it: the htmx list counts the coarsened records.
    page.get_by_label("Stadtbezirk" if language == "de" else "District").select_option(
        label=city.other_district.name
    )
    expect = pytest.importorskip("playwright.sync_api").expect
    expect(table.locator("tbody tr")).to_have_count(6)
    assert page.get_by_role("status").inner_text().startswith("6")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"list-{language}-{width}.png"), full_page=True)

    first = table.locator("tbody tr a").first
    public_id = first.inner_text()
    first.click()
    page.wait_for_url(f"{base}/persons/{public_id}/")
    expect(page.get_by_role("heading", name=words["record"])).to_be_visible()
    record = page.locator(".kern-description-list").inner_text()
    assert city.other_district.name in record and "2004" not in record
    assert page.locator("#chart-biographie").count() == 0
    # Nothing scrolls sideways at 320 px.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=str(SCREENSHOTS / f"person-{language}-{width}.png"), full_page=True)
    assert serious_violations(page, axe_path) == []
    page.close()
