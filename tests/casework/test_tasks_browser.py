"""A case worker's follow-up, by clicking in Chromium: on a person's page she sets a
follow-up for today (the case-work form), then finds it on the task page and counted in
the navigation; the task links back to the person's follow-ups. The task page and the
settings page have no serious or critical axe-core findings; screenshots at 1280 and
320 px go to var/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from playwright.sync_api import expect

from doconnect.people.models import Person
from tests.browser import log_in, serious_violations
from tests.casework.task_helpers import commitment, days, sent_referral, today
from tests.conftest import City, make_person

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(django_settings.VAR_DIR) / "screenshots"


def _shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def day(
    transactional_db: None, city: City, case_worker: User, coordinator: User, settings: Any
) -> Person:
    """Made before Playwright starts its event loop (see tests/browser_fixtures.py): a
    client of the Jobcenter, a referral the case worker sent two weeks ago (its answer
    is due today), a consent running out and a conference commitment of the Jobcenter."""
    settings.DEMO_MODE = True
    person = make_person(
        city, given_name="Lina", family_name="Wegweiser", consent_orgs=[city.jobcenter]
    )
    sent_referral(case_worker, person, city.offer_a, sent_days_ago=14)
    make_person(
        city,
        given_name="Tom",
        family_name="Frist",
        consent_orgs=[city.jobcenter],
        valid_until=days(9),
    )
    commitment(city.jobcenter, city.city, due_on=days(4))
    return person


def _nav_count(page: Any) -> str:
    return " ".join(_nav_tasks(page).inner_text().split())


def _nav_tasks(page: Any) -> Any:
    return page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name=re.compile(r"^Aufgaben")
    )


def test_a_follow_up_set_today_shows_on_the_task_page_and_in_the_count(
    live_server: Any, day: Person, page: Any, axe_path: Path
) -> None:
    base = live_server.url
    log_in(page, base, "case_worker")
    assert _nav_count(page) == "Aufgaben 1 fällig"  # the referral

    page.goto(f"{base}/persons/{day.public_id}/")
    page.get_by_text("Wiedervorlage setzen").click()
    form = page.locator("#follow-up-form")
    form.get_by_label("Wiedervorlage am").fill(today().isoformat())
    form.get_by_label("Anlass").fill("Bewerbungsmappe durchsehen")
    form.get_by_role("button", name="Wiedervorlage speichern").click()
    page.wait_for_url(re.compile(rf"/persons/{day.public_id}/"))
    expect(page.get_by_text("Die Wiedervorlage ist gesetzt.")).to_be_visible()
    assert _nav_count(page) == "Aufgaben 2 fällig"

    _nav_tasks(page).click()
    page.wait_for_url(f"{base}/tasks/")
    today_section = page.locator("section", has=page.locator("#tasks-today"))
    task = today_section.locator("li[data-kind=follow_up]")
    assert task.count() == 1
    assert "Bewerbungsmappe durchsehen" in task.inner_text()
    assert f"Lina Wegweiser ({day.public_id})" in task.inner_text()
    assert (
        today_section.locator(
            "li[data-kind=referral_answer], li[data-kind=referral_waiting]"
        ).count()
        == 1
    )
    assert page.locator("#tasks-this_week, #tasks-later").count() >= 1  # consent, commitment
    assert not serious_violations(page, axe_path)
    _shot(page, "tasks-case-worker-1280")
    page.set_viewport_size({"width": 320, "height": 800})
    _shot(page, "tasks-case-worker-320")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Only follow-ups, then back to where the work is done.
    page.get_by_text("Nach Art filtern").click()
    page.get_by_label("Wiedervorlage", exact=True).check()
    page.get_by_role("button", name="Filtern").click()
    page.wait_for_url(re.compile(r"/tasks/\?kind=follow_up"))
    assert page.locator("li[data-kind]").count() == 1
    page.get_by_role("link", name="Wiedervorlage", exact=True).click()
    page.wait_for_url(re.compile(rf"/persons/{day.public_id}/follow-ups/#follow-up-\d+"))
    expect(page.get_by_text("Bewerbungsmappe durchsehen").first).to_be_visible()


def test_the_settings_page_switches_the_digest_on_and_shows_the_calendar_address_once(
    live_server: Any, day: Person, page: Any, axe_path: Path
) -> None:
    base = live_server.url
    log_in(page, base, "case_worker")
    page.goto(f"{base}/tasks/")
    page.get_by_role("link", name="Einstellungen: tägliche E-Mail und Kalender").click()
    page.wait_for_url(f"{base}/tasks/settings/")
    page.get_by_role("checkbox", name="Tägliche Übersicht per E-Mail").check()
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Die Einstellungen sind gespeichert.")).to_be_visible()
    assert page.get_by_role("checkbox", name="Tägliche Übersicht per E-Mail").is_checked()
    page.get_by_role("button", name="Kalenderadresse erstellen").click()
    address = page.get_by_label("Kalenderadresse").input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:8000/calendar/cal_[\w-]+\.ics", address)
    assert not serious_violations(page, axe_path)
    _shot(page, "task-settings-1280")
    page.set_viewport_size({"width": 320, "height": 800})
    _shot(page, "task-settings-320")
    # The address works (under the test server's own host) until it is revoked.
    path = address.removeprefix("http://127.0.0.1:8000")
    assert page.request.get(f"{base}{path}").status == 200
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/tasks/settings/")
    page.get_by_role("button", name="Kalenderadresse widerrufen").click()
    expect(page.get_by_text("Die Kalenderadresse ist widerrufen.")).to_be_visible()
    assert page.request.get(f"{base}{path}").status == 404
