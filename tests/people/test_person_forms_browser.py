"""The smaller forms of a person's page filled as a case worker does, in Chromium (issue
#17: every form clicked and typed, with the page it leads to): goal and wishes, a
consent given, extended and withdrawn, the next steps for another goal, an appointment
held, a follow-up done, a note corrected and a running spell ended."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from doconnect.people.models import Person
from doconnect.people.services import spell_create
from tests.browser import log_in
from tests.conftest import TODAY, City, make_person

pytestmark = pytest.mark.browser


@pytest.fixture
def kim(
    transactional_db: None, city: City, case_worker: User, fixed_today: None, settings: Any
) -> Person:
    """Made before Playwright starts its event loop: a person who consented to the
    Jobcenter, unemployed since spring."""
    settings.DEMO_MODE = True
    person = make_person(city, given_name="Kim", consent_orgs=[city.jobcenter])
    spell_create(person=person, state="unemployed", start=dt.date(2026, 3, 1), end=None)
    return person


def _section(page: Any, heading: str) -> Any:
    return page.locator("section", has=page.get_by_role("heading", name=heading, exact=True))


def test_a_case_worker_fills_the_small_forms_of_a_person_page_by_typing(
    live_server: Any, kim: Person, page: Any
) -> None:
    base, pid = live_server.url, kim.public_id
    log_in(page, base, "case_worker")
    page.goto(f"{base}/persons/{pid}/")

    # goal and wishes, as the person says them
    page.get_by_text("Ziel und Wünsche erfassen").click()
    page.get_by_label("Ziel der Person").select_option(index=1)
    goal = page.get_by_label("Ziel der Person").evaluate("s => s.selectedOptions[0].text")
    page.get_by_label("Erster Wunsch").select_option(index=1)
    page.get_by_role("button", name="Ziel und Wünsche speichern").click()
    page.wait_for_url(f"{base}/persons/{pid}/**")
    assert goal in page.locator("main").inner_text()

    # a second consent, for one purpose, the Jobcenter's and the city's; extended; withdrawn
    consents = _section(page, "Einwilligungen")
    rows = consents.locator("tbody tr")
    before = rows.count()
    page.get_by_text("Einwilligung erfassen").click()
    page.locator("#consent-form input[type=checkbox]").first.check()
    page.get_by_label("Berechtigte Organisationen").select_option(label=["Jobcenter", "Stadt"])
    page.get_by_label("Gültig ab").fill(TODAY.isoformat())
    page.locator("#consent-form").get_by_role("button", name="Speichern").click()
    page.wait_for_load_state()
    assert rows.count() == before + 1
    added = rows.filter(has_text="Stadt").first
    added.get_by_text("Verlängern").click()
    added.get_by_label("Neues Ende").fill("2027-12-31")
    added.get_by_role("button", name="Verlängerung speichern").click()
    page.wait_for_load_state()
    assert "31.12.2027" in rows.filter(has_text="Stadt").first.inner_text()
    rows.filter(has_text="Stadt").first.get_by_role("button", name="Widerruf erfassen").click()
    page.wait_for_load_state()
    withdrawn = rows.filter(has_text="Stadt").first.inner_text()
    assert TODAY.strftime("%d.%m.%Y") in withdrawn

    # the next steps towards another goal (the page's own filter)
    steps = _section(page, "Nächste Schritte")
    steps.locator("select").first.select_option(index=1)
    steps.get_by_role("button", name="Anzeigen").click()
    page.wait_for_url("**goal=**")

    # an appointment, then held; a follow-up, then done
    page.goto(f"{base}/persons/{pid}/")
    page.get_by_text("Termin eintragen").click()
    page.get_by_label("Datum", exact=True).fill(TODAY.isoformat())
    page.get_by_label("Uhrzeit").fill("10:30")
    page.get_by_label("Thema").fill("Bewerbungsmappe durchsehen")
    page.get_by_role("button", name="Termin speichern").click()
    page.get_by_role("button", name="Hat stattgefunden – Bewerbungsmappe durchsehen").click()
    page.wait_for_load_state()
    expect(page.get_by_text("stattgefunden", exact=False).first).to_be_visible()
    page.get_by_text("Wiedervorlage setzen").click()
    page.get_by_label("Wiedervorlage am").fill(TODAY.isoformat())
    page.get_by_role("textbox", name="Anlass", exact=True).fill("Rückmeldung des Betriebs")
    page.get_by_role("button", name="Wiedervorlage speichern").click()
    page.get_by_role("button", name="Erledigt – Rückmeldung des Betriebs").click()
    # done, it leaves the person page's open list; the follow-ups page keeps it
    page.get_by_role("button", name="Erledigt – Rückmeldung des Betriebs").wait_for(
        state="detached"
    )
    page.goto(f"{base}/persons/{pid}/follow-ups/")
    page.get_by_role("button", name="Wieder öffnen – Rückmeldung des Betriebs").wait_for()
    page.goto(f"{base}/persons/{pid}/")

    # a note, corrected on the same day: the first version stays readable
    page.get_by_text("Gesprächsvermerk schreiben").click()
    notes = page.locator("#notes")
    notes.get_by_label("Gesprächsdatum").fill(TODAY.isoformat())
    notes.get_by_label("Anlass").select_option(index=1)
    notes.get_by_label("Vermerk").fill("Termin beim Betrieb am Montg.")
    notes.get_by_role("button", name="Vermerk speichern").click()
    correction = page.locator("#notes details", has=page.locator("summary", has_text="Korrigieren"))
    correction.first.locator("summary").click()
    correction.first.get_by_label("Vermerk").fill("Termin beim Betrieb am Montag.")
    correction.first.get_by_role("button", name="Korrektur speichern").click()
    page.wait_for_load_state()
    assert "Termin beim Betrieb am Montag." in page.locator("#notes").inner_text()
    expect(page.locator("#notes").get_by_text("Frühere Fassung").first).to_be_visible()

    # the unemployment ends: the spell's "beenden" link, the last day typed
    page.get_by_role("link", name="beenden").first.click()
    page.get_by_label("Letzter Tag").fill(TODAY.isoformat())
    page.get_by_role("button", name="Abschnitt beenden").click()
    page.wait_for_url(f"{base}/persons/{pid}/**")
    assert page.get_by_role("link", name="beenden").count() == 0
    page.screenshot(path="var/screenshots/person-forms-de-1280.png", full_page=True)


def test_the_casework_pages_take_a_note_a_follow_up_an_appointment_and_a_responsibility(
    live_server: Any, kim: Person, page: Any
) -> None:
    base, pid = live_server.url, kim.public_id
    log_in(page, base, "case_worker")

    page.goto(f"{base}/persons/{pid}/notes/")
    page.get_by_role("textbox", name="Gesprächsdatum").fill(TODAY.isoformat())
    page.get_by_role("combobox", name="Anlass").select_option(index=1)
    page.get_by_role("textbox", name="Vermerk").fill("Kim bringt die Zeugnisse nächste Woche mit.")
    page.get_by_role("button", name="Vermerk speichern").click()
    page.get_by_role("paragraph").filter(has_text="Kim bringt die Zeugnisse").wait_for()

    page.goto(f"{base}/persons/{pid}/follow-ups/")
    follow_up = page.get_by_role("form", name="Wiedervorlage setzen")
    follow_up.get_by_label("Wiedervorlage am").fill(TODAY.isoformat())
    follow_up.get_by_label("Anlass").fill("Zeugnisse da?")
    follow_up.get_by_role("button", name="Wiedervorlage speichern").click()
    page.get_by_text("Zeugnisse da?").first.wait_for()
    page.goto(f"{base}/persons/{pid}/follow-ups/")
    appointment = page.get_by_role("form", name="Termin eintragen")
    appointment.get_by_label("Datum", exact=True).fill(TODAY.isoformat())
    appointment.get_by_label("Uhrzeit").fill("09:00")
    appointment.get_by_label("Thema").fill("Zeugnisse kopieren")
    appointment.get_by_role("button", name="Termin speichern").click()
    page.get_by_text("Zeugnisse kopieren").first.wait_for()

    page.goto(f"{base}/persons/{pid}/responsible/")
    worker = page.get_by_role("combobox").last
    worker.select_option(index=worker.locator("option").count() - 1)
    page.get_by_role("button", name="Zuständigkeit speichern").click()
    page.wait_for_load_state()
    assert page.get_by_text("Noch niemand ist zuständig.").count() == 0
