"""Issue #17: the allocation's two other forms filled in Chromium as a coordinator does —
the priority weights typed in (first without a reason, which the page refuses next to
the field) and then shown on the allocation page; and the filter of a run's persons,
chosen from its lists, narrowing the table to the persons it names. Screenshots at 1280
and 320 px, German and English."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from playwright.sync_api import expect

from doconnect.allocation.models import AllocationRun
from doconnect.allocation.services import Scope, allocation_run
from doconnect.people.models import Person
from tests.browser import log_in, serious_violations, shoot_both_widths
from tests.conftest import TODAY, City, waiting

pytestmark = pytest.mark.browser

SHOTS = Path(django_settings.VAR_DIR) / "screenshots"


@pytest.fixture
def queue(
    transactional_db: None, scarce: City, coordinator: User, settings: Any
) -> tuple[Person, Person]:
    """Anna (no target group) and Ben (youth, needs child care) wait for the one place
    of Werkstatt A. Made before Playwright starts its event loop."""
    settings.DEMO_MODE = True
    anna = waiting(scarce, "Anna", youth=False)
    ben = waiting(scarce, "Ben")
    Person.objects.filter(pk=ben.pk).update(support_needs=["Kinderbetreuung"])
    return anna, ben


@pytest.fixture
def run(queue: tuple[Person, Person], coordinator: User) -> AllocationRun:
    return allocation_run(started_by=coordinator, scope=Scope(), day=TODAY, propose=False)


def _shoot(page: Any, name: str) -> None:
    shoot_both_widths(page, SHOTS / name)


def _in_english(page: Any, base: str) -> None:
    page.context.add_cookies(
        [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base}]
    )
    page.reload()


def test_a_coordinator_types_priority_weights_with_a_reason(
    live_server: Any, queue: tuple[Person, Person], page: Any, axe_path: Path
) -> None:
    base = live_server.url
    log_in(page, base, "coordinator")
    page.get_by_role("link", name="Zuteilung", exact=True).click()
    expect(page.get_by_text("Noch keine Gewichte festgelegt")).to_be_visible()
    page.get_by_role("link", name="Gewichte festlegen").click()
    page.wait_for_url(f"{base}/allocation/weights/")
    groups = page.get_by_role("group", name="Zielgruppen")
    needs = page.get_by_role("group", name="Unterstützungsbedarfe")
    groups.get_by_label("Jugendliche").fill("3")
    needs.get_by_label("Kinderbetreuung").fill("1")
    page.get_by_role("button", name="Gewichte festlegen").click()

    # no reason given: refused next to the field, the numbers typed are kept
    page.wait_for_url(f"{base}/allocation/weights/")
    reason = page.locator(".kern-form-input--error", has=page.get_by_label("Begründung"))
    assert "Dieses Feld ist zwingend erforderlich." in reason.inner_text()
    assert groups.get_by_label("Jugendliche").input_value() == "3"
    found = serious_violations(page, axe_path)
    _shoot(page, "allocation-weights-refused-de")

    page.get_by_label("Begründung").fill("Junge Menschen mit Kindern zuerst")
    page.get_by_role("button", name="Gewichte festlegen").click()
    page.wait_for_url(f"{base}/allocation/")
    assert page.get_by_text("Die Gewichte sind festgelegt und gelten ab dem nächsten Lauf.")
    assert "„Junge Menschen mit Kindern zuerst“" in page.inner_text("main")
    table = page.get_by_role("table", name="Gewichte (Priorität = 1 + Summe")
    assert [row.split("\t") for row in table.locator("tbody tr").all_inner_texts()] == [
        ["Jugendliche", "Zielgruppe", "3"],
        ["Kinderbetreuung", "Unterstützungsbedarf", "1"],
    ]
    found += serious_violations(page, axe_path)

    page.get_by_role("link", name="Gewichte festlegen").click()
    assert page.get_by_label("Jugendliche").input_value() == "3"  # the current ones
    _shoot(page, "allocation-weights-de")
    _in_english(page, base)
    assert page.get_by_label("Childcare").input_value() == "1"
    _shoot(page, "allocation-weights-en")
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)


def test_the_persons_of_a_run_are_filtered_by_what_is_chosen(
    live_server: Any,
    queue: tuple[Person, Person],
    run: AllocationRun,
    page: Any,
    axe_path: Path,
) -> None:
    base = live_server.url
    anna, ben = (person.public_id for person in queue)
    log_in(page, base, "coordinator")
    page.goto(f"{base}/allocation/runs/{run.pk}/")
    persons = page.get_by_role("table", name="Ergebnis je Person")
    assert page.get_by_role("status").filter(has_text="Personen").inner_text() == "2 Personen"

    page.get_by_label("Ergebnis", exact=True).select_option(label="mit Platz")
    page.get_by_role("button", name="Filtern").click()
    page.wait_for_url(f"{base}/allocation/runs/{run.pk}/?placed=placed&**")
    assert page.get_by_role("status").filter(has_text="Person").inner_text() == "1 Person"
    rows = persons.locator("tbody tr")
    assert rows.count() == 1 and "Werkstatt A" in rows.inner_text()
    placed = rows.locator("th").inner_text()
    assert page.get_by_label("Ergebnis", exact=True).input_value() == "placed"  # still chosen

    page.get_by_label("Ergebnis", exact=True).select_option(label="ohne Platz")
    page.get_by_label("Stadtbezirk", exact=True).select_option(label="Eving")
    page.get_by_role("button", name="Filtern").click()
    page.wait_for_url(f"{base}/allocation/runs/{run.pk}/?placed=unplaced&district=Eving**")
    assert rows.count() == 1 and "Werkstatt A" not in rows.inner_text()
    assert {placed, rows.locator("th").inner_text()} == {anna, ben}
    found = serious_violations(page, axe_path)
    _shoot(page, "allocation-run-filter-de")
    _in_english(page, base)
    assert page.get_by_label("Result", exact=True).input_value() == "unplaced"
    assert page.get_by_role("status").filter(has_text="person").inner_text() == "1 person"
    _shoot(page, "allocation-run-filter-en")
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
