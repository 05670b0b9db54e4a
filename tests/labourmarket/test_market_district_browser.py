"""Issue #17: the labour-market district page's indicator form filled in Chromium. The
test city gets its figures the way a city does — a statistics file through
``doconnect import statistics`` — and a coordinator goes from the city's page to
Eving, chooses "Arbeitsuchende" for the map and presses "Anzeigen": the map's table
then compares the districts by job seekers, Eving's own figures unchanged beside it.
Screenshots at 1280 and 320 px, German and English."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.management import call_command
from playwright.sync_api import expect

from doconnect.labourmarket.models import Statistic
from tests.browser import log_in, serious_violations, shoot_both_widths
from tests.conftest import City

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fixed_today")]  # 23.11.2026

SHOTS = Path(django_settings.VAR_DIR) / "screenshots"
MONTHS = [f"2025-{m:02d}" for m in (11, 12)] + [f"2026-{m:02d}" for m in range(1, 11)]


def _statistics_file(path: Path) -> Path:
    """A year of the BA's figures for the city and its two districts, in the long
    format; in October 2026 Eving has 311 unemployed and 611 job seekers, Hörde 211
    and 411."""
    lines = ["region,period,indicator,value"]
    for i, month in enumerate(MONTHS):
        lines += [
            f"Dortmund,{month},unemployed,{1000 + i}",
            f"Dortmund,{month},job_seekers,{2000 + i}",
            f"Eving,{month},unemployed,{300 + i}",
            f"Eving,{month},job_seekers,{600 + i}",
            f"Hörde,{month},unemployed,{200 + i}",
            f"Hörde,{month},job_seekers,{400 + i}",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def market_city(
    transactional_db: None, city: City, coordinator: User, settings: Any, tmp_path: Path
) -> City:
    """Made before Playwright starts its event loop."""
    settings.DEMO_MODE = True
    call_command("import", "statistics", str(_statistics_file(tmp_path / "ba-2026-10.csv")))
    assert Statistic.objects.filter(district=city.district).count() == 24  # linked by name
    return city


def _map_rows(page: Any) -> dict[str, str]:
    """The map table's rows: district → its figure."""
    table = page.locator(".market-map table")
    return {
        row.locator("th").inner_text(): row.locator("td").first.inner_text()
        for row in table.locator("tbody tr").all()
    }


def test_a_coordinator_compares_the_districts_by_another_indicator(
    live_server: Any, market_city: City, page: Any, axe_path: Path
) -> None:
    base = live_server.url
    log_in(page, base, "coordinator")
    page.get_by_role("link", name="Arbeitsmarkt", exact=True).click()
    page.locator(".market-map").get_by_role("link", name="Eving").first.click()
    page.wait_for_url(f"{base}/labour-market/districts/{market_city.district.official_key}/")
    expect(page.get_by_role("heading", name="Arbeitsmarkt: Eving", level=1)).to_be_visible()
    assert "Arbeitslose nach Stadtbezirk, Okt 2026" in page.inner_text(".market-map")
    assert _map_rows(page) == {"Eving": "311", "Hörde": "211"}
    found = serious_violations(page, axe_path)

    chosen = page.get_by_label("Kennzahl für Karte und Stadtbezirke")
    chosen.select_option(label="Arbeitsuchende")
    page.get_by_role("button", name="Anzeigen").click()
    page.wait_for_url("**?indicator=job_seekers")
    page.wait_for_load_state("networkidle")
    assert chosen.input_value() == "job_seekers"  # still chosen
    assert "Arbeitsuchende nach Stadtbezirk, Okt 2026" in page.inner_text(".market-map")
    assert _map_rows(page) == {"Eving": "611", "Hörde": "411"}
    expect(page.get_by_role("heading", name="Eving im Zeitverlauf")).to_be_visible()
    found += serious_violations(page, axe_path)
    shoot_both_widths(page, SHOTS / "market-district-de")

    page.context.add_cookies(
        [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base}]
    )
    page.reload()
    page.wait_for_load_state("networkidle")
    assert (
        page.get_by_label("Indicator for the map and the districts").input_value() == "job_seekers"
    )
    shoot_both_widths(page, SHOTS / "market-district-en")
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
