"""A case worker's morning in a real Chromium, by clicking: the persons list, "Meine
Fälle", sorted by the next due date, the most urgent person opened, and two actions of
the action bar (a follow-up set in the form it opens on the page, the phone number
changed on its own page). Screenshots of the list and the person page at 1280 and
320 px in German and English; at 320 px the page never gets wider than the screen
(wide tables scroll inside their own region); axe-core finds nothing serious."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import expect

from doconnect.casework.services import (
    appointment_create_as,
    follow_up_create_as,
    responsibility_set_as,
)
from doconnect.core.models import Membership, Role
from doconnect.core.viewers import viewer_for
from doconnect.people.models import Person
from doconnect.people.services import spell_create
from tests.browser import log_in, serious_violations, settled
from tests.conftest import City, make_person

pytestmark = pytest.mark.browser

SHOTS = Path(settings.VAR_DIR) / "screenshots"
WIDE = {"width": 1280, "height": 900}
NARROW = {"width": 320, "height": 720}


@dataclass
class Morning:
    dora: Person  # the case worker's, a follow-up overdue since yesterday
    anna: Person  # the case worker's, a follow-up in five days
    ben: Person  # the colleague's, an appointment the day after tomorrow
    cleo: Person  # nobody's


@pytest.fixture
def morning(transactional_db: None, city: City, case_worker: User, settings: Any) -> Morning:
    """Made before Playwright starts its event loop."""
    settings.DEMO_MODE = True
    today = timezone.localdate()
    colleague = User.objects.create_user(
        username="colleague", password="x", first_name="Kim", last_name="Kollegin"
    )
    Membership.objects.create(user=colleague, organisation=city.jobcenter, role=Role.CASE_WORKER)
    jc = [city.jobcenter]
    dora = make_person(city, given_name="Dora", family_name="Dringend", consent_orgs=jc)
    anna = make_person(city, given_name="Anna", family_name="Arndt", consent_orgs=jc)
    ben = make_person(city, given_name="Ben", family_name="Bauer", consent_orgs=jc)
    cleo = make_person(city, given_name="Cleo", family_name="Conrad", consent_orgs=jc)
    for person, state in ((dora, "unemployed"), (anna, "unemployed"), (ben, "employment")):
        spell_create(person=person, state=state, start=dt.date(2026, 1, 1), end=None)
    me, other = viewer_for(case_worker), viewer_for(colleague)
    for person in (dora, anna):
        responsibility_set_as(me, public_id=person.public_id, view="tests")
    responsibility_set_as(other, public_id=ben.public_id, view="tests")
    follow_up_create_as(
        me,
        public_id=dora.public_id,
        due_on=today - dt.timedelta(days=1),
        reason="Nachweise anfordern",
        view="tests",
        today=today - dt.timedelta(days=7),
    )
    follow_up_create_as(
        me,
        public_id=anna.public_id,
        due_on=today + dt.timedelta(days=5),
        reason="Bewerbungen",
        view="tests",
    )
    appointment_create_as(
        other,
        public_id=ben.public_id,
        starts_at=timezone.make_aware(
            dt.datetime.combine(today + dt.timedelta(days=2), dt.time(9))
        ),
        subject="Gespräch",
        view="tests",
    )
    return Morning(dora, anna, ben, cleo)


def _fits(page: Any) -> bool:
    """Nothing sticks out of the screen: the page itself does not scroll sideways."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def _shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size in (WIDE, NARROW):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"{name}-{size['width']}.png"), full_page=True)
        if size is NARROW:
            assert _fits(page), f"{name} is wider than 320 px"
    page.set_viewport_size(WIDE)
    settled(page)


def _rows(page: Any) -> list[str]:
    return [
        re.sub(r"\s+", "", text)
        for text in page.locator("#person-results tbody tr td:first-child").all_inner_texts()
    ]


def test_a_case_worker_sorts_her_cases_by_due_date_and_acts_from_the_person_page(
    live_server: Any, morning: Morning, page: Any, axe_path: Path
) -> None:
    base = live_server.url
    page.set_default_timeout(15_000)
    found: list[str] = []
    log_in(page, base, "case_worker")
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Personen"
    ).click()
    page.wait_for_url(f"{base}/persons/")
    assert len(_rows(page)) == 4

    # "Meine Fälle": the results change in place (htmx), the address with them.
    page.get_by_label("Nur meine Fälle").check()
    page.wait_for_url(re.compile(r"mine=on"))
    page.wait_for_function("document.querySelectorAll('#person-results tbody tr').length === 2")
    assert sorted(_rows(page)) == sorted([morning.dora.public_id, morning.anna.public_id])

    # Sorted by the next due date: the overdue follow-up first.
    page.get_by_role("link", name="Nächste Fälligkeit").click()
    page.wait_for_url(re.compile(r"sort=due"))
    header = page.locator("th[aria-sort]")
    header.wait_for()
    assert "Nächste Fälligkeit" in header.inner_text()
    assert header.get_attribute("aria-sort") == "ascending"
    assert _rows(page) == [morning.dora.public_id, morning.anna.public_id]
    assert "überfällig" in page.locator("#person-results tbody tr").first.inner_text()
    # A filter changed afterwards keeps the order (it rides along with the form).
    page.get_by_label("Personen je Seite").select_option("50")
    page.wait_for_url(re.compile(r"per_page=50"))
    assert "sort=due" in page.url and "mine=on" in page.url
    assert _rows(page) == [morning.dora.public_id, morning.anna.public_id]
    found += serious_violations(page, axe_path)
    _shoot(page, "person-list")

    # The most urgent person: her name is the heading, the actions right under it.
    page.get_by_role("link", name=morning.dora.public_id).click()
    page.wait_for_url(f"{base}/persons/{morning.dora.public_id}/")
    assert "Dora Dringend" in page.get_by_role("heading", level=1).inner_text()
    actions = page.get_by_role("navigation", name="Aktionen zu dieser Person")
    assert actions.get_by_role("link").all_inner_texts() == [
        "Gesprächsvermerk",
        "Wiedervorlage",
        "Termin",
        "Vereinbarung",
        "Zuweisung",
        "Abschnitt erfassen",
        "Angaben ändern",
    ]
    overview = page.locator("section", has=page.locator("#overview-heading"))
    assert "Wiedervorlage" in overview.inner_text() and "überfällig" in overview.inner_text()

    # Action 1: "Wiedervorlage" opens the form on the page, the cursor in its first field.
    actions.get_by_role("link", name="Wiedervorlage").click()
    form = page.locator("#follow-up-form")
    assert form.get_attribute("open") is not None
    next_week = timezone.localdate() + dt.timedelta(days=7)
    form.get_by_label("Wiedervorlage am").fill(next_week.isoformat())
    form.get_by_label("Anlass").fill("Zusage des Trägers nachfragen")
    form.get_by_role("button", name="Wiedervorlage speichern").click()
    page.wait_for_url(f"{base}/persons/{morning.dora.public_id}/#follow-ups")
    follow_ups = page.locator("#follow-ups")
    assert follow_ups.get_by_text("Zusage des Trägers nachfragen").is_visible()

    # Action 2: "Angaben ändern" on its own page, then back to the person.
    page.get_by_role("navigation", name="Aktionen zu dieser Person").get_by_role(
        "link", name="Angaben ändern"
    ).click()
    page.wait_for_url(f"{base}/persons/{morning.dora.public_id}/edit/")
    page.get_by_label("Telefon").fill("0231 112233")
    page.get_by_role("button", name="Angaben speichern").click()
    page.wait_for_url(f"{base}/persons/{morning.dora.public_id}/#personal-heading")
    expect(page.get_by_text("Die Angaben sind gespeichert.")).to_be_visible()
    personal = page.locator("section", has=page.locator("#personal-heading"))
    assert "0231 112233" in personal.inner_text()

    # The jump links lead to the sections; the access log speaks in words.
    page.get_by_role("navigation", name="Auf dieser Seite").get_by_role(
        "link", name="Wer hat diese Person angesehen?"
    ).click()
    page.wait_for_url(re.compile(r"#audit-heading$"))
    log = page.locator("section", has=page.locator("#audit-heading")).inner_text()
    assert "Personenseite angesehen" in log and "Angaben geändert" in log
    assert "Jobcenter" in log and "Beratung und Begleitung" in log  # the route's purpose
    found += serious_violations(page, axe_path)
    page.goto(f"{base}/persons/{morning.dora.public_id}/")
    _shoot(page, "person-page")

    # The same in English.
    page.get_by_label("Sprache").select_option("en")
    page.get_by_role("button", name="Wechseln").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("navigation", name="Actions on this person")).to_be_visible()
    expect(page.get_by_role("heading", name="Where things stand")).to_be_visible()
    _shoot(page, "person-page-en")
    page.goto(f"{base}/persons/?mine=on&sort=due")
    expect(page.get_by_role("link", name="Next due")).to_be_visible()
    assert _rows(page) == [morning.dora.public_id, morning.anna.public_id]
    found += serious_violations(page, axe_path)
    _shoot(page, "person-list-en")

    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
