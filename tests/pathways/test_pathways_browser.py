"""A coordinator in a real Chromium opens the pathways page: the dead ends come first,
the network is drawn (ELK, in the browser) with offer titles, and choosing another
district by clicking redraws it. Screenshots at 1280 and 320 px, German and English,
go to var/screenshots/pathways-*.png."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from doconnect.offers.models import FollowOn, Offer
from tests.browser import log_in, serious_violations
from tests.conftest import City

pytestmark = pytest.mark.browser

SCREENSHOTS = Path("var/screenshots")


@pytest.fixture
def landscape(transactional_db: None, city: City, coordinator: User) -> City:
    """Eving: Werkstatt A → Kurs B → employment. Hörde: Orientierung C, a dead end, and
    Bewerbungstraining Hörde → Kurs B."""
    FollowOn.objects.create(from_offer=city.offer_a, to_offer=city.offer_b)
    FollowOn.objects.create(from_offer=city.offer_b, destination="employment")
    Offer.objects.create(
        external_id="o-c",
        provider=city.provider_b,
        title="Orientierung C",
        kind="orientation",
        district=city.other_district,
    )
    training = Offer.objects.create(
        external_id="o-h",
        provider=city.provider_b,
        title="Bewerbungstraining Hörde",
        kind="low_threshold",
        district=city.other_district,
    )
    FollowOn.objects.create(from_offer=training, to_offer=city.offer_b)
    return city


def _drawn_titles(page: Any) -> list[str]:
    page.wait_for_selector("#pathways-network[data-drawn]")
    texts: list[str] = page.locator("#pathways-network svg text").all_text_contents()
    return texts


def test_a_coordinator_sees_dead_ends_first_and_redraws_the_network_by_choosing_a_district(
    live_server: Any, landscape: City, page: Any, axe_path: Path
) -> None:
    log_in(page, live_server.url, "coordinator")
    page.get_by_role("link", name="Übergänge", exact=True).click()
    page.wait_for_url(f"{live_server.url}/pathways/")
    # Only this page's messages (the dashboard before it has charts of its own).
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if message.type in ("error", "warning") else None
        ),
    )

    # What is wrong comes first: the first section is the dead ends.
    assert page.locator("main h2").first.inner_text() == "Sackgassen"
    assert page.get_by_label("Stadtbezirk").input_value() == "Eving"  # the default
    titles = _drawn_titles(page)
    assert "Werkstatt A" in titles and "Kurs B" in titles  # Kurs B: where it leads
    assert "Orientierung C" not in titles
    assert page.locator("#pathways-network a[data-offer='o-a']").count() == 1
    found = serious_violations(page, axe_path)

    page.get_by_label("Stadtbezirk").select_option(label="Hörde")
    page.get_by_role("button", name="Anzeigen").click()
    page.wait_for_url(re.compile(r".*/pathways/\?district=H%C3%B6rde.*"))
    titles = _drawn_titles(page)
    assert "Bewerbungstraining Hörde" in titles and "Orientierung C" in titles
    assert "Werkstatt A" not in titles
    assert "Sackgasse:" in titles  # the dead end says so in words, not only in colour
    dead_ends = page.get_by_role("table").first
    assert dead_ends.get_by_role("link", name="Orientierung C").is_visible()
    found += serious_violations(page, axe_path)

    # The same edges as a table, for screen readers and anybody without the drawing.
    page.get_by_text("Das Netz als Tabelle").click()
    table = page.get_by_role("region", name="Anschlüsse als Tabelle")
    assert "Bewerbungstraining Hörde" in table.inner_text()

    for language in ("de", "en"):
        page.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        )
        for width in (1280, 320):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{live_server.url}/pathways/?district=")
            _drawn_titles(page)
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.screenshot(
                path=str(SCREENSHOTS / f"pathways-{language}-{width}.png"), full_page=True
            )
    assert page.locator("main h2").first.inner_text() == "Dead ends"
    assert not problems, problems
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
