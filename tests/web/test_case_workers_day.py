"""A case worker's whole day in do-connect, and a provider's, in a real Chromium, by
clicking and typing (issue #16): register a person (meeting the duplicate warning for a
near-identical name), the first consent with it, a spell, an agreement and its PDF, a
note, a follow-up that then shows on the task page, a referral sent; the provider's staff
on their own participant; and what each of them must not see. Screenshots of the main
steps at 1280 px go to var/screenshots/day-*.png."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import expect

from doconnect.offers.models import FollowOn
from doconnect.people.models import Person
from tests.browser import log_in, serious_violations
from tests.conftest import City, make_person, participant

pytestmark = pytest.mark.browser

SCREENSHOTS = Path("var/screenshots")


def _shoot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"day-{name}.png"), full_page=True)


def _section(page: Any, heading: str) -> Any:
    """The page's section under the heading ``heading`` (its own, not an enclosing one)."""
    return page.locator("section", has=page.get_by_role("heading", name=heading, exact=True)).last


def _main_nav(page: Any) -> Any:
    return page.get_by_role("navigation", name="Hauptnavigation")


@pytest.fixture
def known(transactional_db: None, city: City, case_worker: User) -> Person:
    """Made before Playwright starts: Alexandra Müller, already in the Jobcenter's files;
    Träger A's workshop leads on to Kurs B and from there into employment."""
    FollowOn.objects.create(from_offer=city.offer_a, to_offer=city.offer_b)
    FollowOn.objects.create(from_offer=city.offer_b, destination="employment")
    return make_person(
        city, given_name="Alexandra", family_name="Müller", consent_orgs=[city.jobcenter]
    )


def test_a_case_worker_does_a_whole_day_by_clicking(
    live_server: Any, known: Person, city: City, page: Any, axe_path: Path
) -> None:
    base = live_server.url
    today = timezone.localdate()
    found: list[str] = []
    log_in(page, base, "case_worker")

    # Morning: a young woman comes in for the first time.
    _main_nav(page).get_by_role("link", name="Personen", exact=True).click()
    page.get_by_role("link", name="Person aufnehmen").click()
    page.get_by_label("Vorname", exact=True).fill("Alexandra")
    page.get_by_label("Nachname", exact=True).fill("Müler")  # nearly the one on file
    page.get_by_label("Geburtsdatum").fill("2004-05-17")
    page.get_by_label("Geschlecht").select_option(label="weiblich")
    page.get_by_label("Straße und Hausnummer").fill("Evinger Straße 12")
    page.get_by_label("Postleitzahl").fill("44339")
    page.get_by_label("Stadtbezirk").select_option(label="Eving")
    page.get_by_label("Rechtskreis").select_option(label="SGB II (Grundsicherung)")
    page.get_by_label("Jugendliche").check()
    # She agrees to counselling and to being placed into offers (a referral needs it).
    page.get_by_role("checkbox", name="Beratung und Begleitung").check()
    page.get_by_role("checkbox", name="Vermittlung in Angebote und Arbeit").check()
    page.get_by_role("button", name="Person aufnehmen").click()

    # The duplicate warning names the record on file; she is someone else after all.
    warning = page.get_by_role("alert").filter(has_text="Mögliche Dublette")
    warning.wait_for()
    assert known.public_id in warning.inner_text()
    _shoot(page, "duplicate-warning")
    page.get_by_role("button", name="Trotzdem als neue Person aufnehmen").click()
    page.get_by_text("ist aufgenommen").wait_for()
    person = page.get_by_role("heading", level=1).inner_text()
    assert "Alexandra Müler" in person
    public_id = page.url.rstrip("/").rsplit("/", 1)[1]
    # The first consent came with the registration.
    consents = _section(page, "Einwilligungen")
    assert "Jobcenter" in consents.inner_text()
    assert "Beratung und Begleitung, Vermittlung in Angebote und Arbeit" in consents.inner_text()

    # Her biography so far: unemployed since spring.
    page.get_by_role("link", name="Abschnitt erfassen").first.click()
    page.get_by_label("Status").select_option(label="arbeitslos")
    page.get_by_label("Beginn").fill("2026-03-01")
    page.get_by_role("button", name="Abschnitt speichern").click()
    expect(page.get_by_text("Der Abschnitt ist erfasst.")).to_be_visible()

    # The agreement, both sides, and its PDF for her to take home.
    page.get_by_role("link", name="Vereinbarung schließen").first.click()
    page.get_by_label("Titel").fill("Kooperationsplan Einstieg")
    page.get_by_label("Geschlossen am").fill(today.isoformat())
    page.get_by_label("Gemeinsame Überprüfung am").fill((today + dt.timedelta(days=60)).isoformat())
    mine = page.get_by_role("group", name="Das tue ich").get_by_role("group", name="Punkt 1")
    mine.get_by_label("Was die Person tut").fill("Ich bewerbe mich auf drei Praktika.")
    mine.get_by_label("Bis wann").fill((today + dt.timedelta(days=30)).isoformat())
    ours = page.get_by_role("group", name="Das sichern wir zu").get_by_role("group", name="Punkt 1")
    ours.get_by_label("Was zugesichert wird").fill("Wir übernehmen die Fahrtkosten.")
    ours.get_by_label("Zuständige Stelle").select_option(label="Jobcenter")
    ours.get_by_label("Bis wann").fill((today + dt.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Vereinbarung schließen").click()
    expect(page.get_by_text("Die Vereinbarung ist geschlossen.")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Als PDF für die Person herunterladen").click()
    pdf = pypdfium2.PdfDocument(download_info.value.path())
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "Kooperationsplan Einstieg" in text and "Fahrtkosten" in text
    page.get_by_role("link", name=f"Zurück zu {public_id}").click()

    # The conversation on record, and a follow-up for today.
    notes = _section(page, "Gesprächsvermerke")
    notes.get_by_text("Gesprächsvermerk schreiben").click()
    notes.get_by_label("Gesprächsdatum").fill(today.isoformat())
    notes.get_by_label("Anlass").select_option(label="Beratungsgespräch")
    notes.get_by_label("Vermerk").fill("Erstgespräch: möchte in die Pflege, Praktikum zuerst.")
    notes.get_by_role("button", name="Vermerk speichern").click()
    expect(page.get_by_text("möchte in die Pflege").first).to_be_visible()
    follow_ups = _section(page, "Wiedervorlagen und Termine")
    follow_ups.get_by_text("Wiedervorlage setzen").click()
    follow_ups.get_by_label("Wiedervorlage am").fill(today.isoformat())
    follow_ups.get_by_label("Anlass").fill("Bewerbungen nachhalten")
    follow_ups.get_by_role("button", name="Wiedervorlage speichern").click()
    expect(page.get_by_text("Die Wiedervorlage ist gesetzt.")).to_be_visible()
    found += serious_violations(page, axe_path)
    _shoot(page, "person-page")

    # A referral to a next step, sent to the provider.
    page.get_by_role("button", name="Zuweisung vorschlagen").first.click()
    expect(page.get_by_text("vorgeschlagen").first).to_be_visible()
    referrals = _section(page, "Zuweisungen")
    referrals.get_by_role("button", name="Senden").first.click()
    page.get_by_text("ist gesendet").first.wait_for()
    assert "Werkstatt A" in _section(page, "Zuweisungen").inner_text()

    # Afternoon: the task page holds today's follow-up.
    _main_nav(page).get_by_role("link", name="Aufgaben").click()
    today_group = page.locator("section[aria-labelledby=tasks-today]")
    assert today_group.get_by_text("Bewerbungen nachhalten").is_visible()
    found += serious_violations(page, axe_path)
    _shoot(page, "tasks")
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)


@pytest.fixture
def participants(
    transactional_db: None, city: City, case_worker: User, provider_staff: User
) -> tuple[Person, Person]:
    """Made before Playwright starts: Jonas takes part in Träger A's workshop and agreed
    to both the provider and the Jobcenter, whose case worker wrote a note; Lea is the
    Jobcenter's only."""
    from doconnect.casework.services import note_create_as
    from doconnect.core.viewers import viewer_for

    jonas = participant(city, city.offer_a, [city.provider_a, city.jobcenter], given_name="Jonas")
    note_create_as(
        viewer_for(case_worker),
        public_id=jonas.public_id,
        conversation_on=timezone.localdate(),
        purpose="counselling",
        text="Vermerk des Jobcenters über Schulden",
        view="tests.day",
    )
    lea = make_person(city, given_name="Lea", consent_orgs=[city.jobcenter])
    return jonas, lea


def test_provider_staff_work_on_their_own_participant_and_see_nothing_else(
    live_server: Any, participants: tuple[Person, Person], page: Any, axe_path: Path
) -> None:
    jonas, lea = participants
    base = live_server.url
    today = timezone.localdate()
    log_in(page, base, "provider_staff")

    page.goto(f"{base}/persons/{jonas.public_id}/")
    assert "Jonas" in page.get_by_role("heading", level=1).inner_text()
    # The Jobcenter's note is not the provider's to read.
    assert "Schulden" not in page.inner_text("main")

    notes = _section(page, "Gesprächsvermerke")
    notes.get_by_text("Gesprächsvermerk schreiben").click()
    notes.get_by_label("Gesprächsdatum").fill(today.isoformat())
    notes.get_by_label("Anlass").select_option(label="Beratungsgespräch")
    notes.get_by_label("Vermerk").fill("Erste Woche in der Werkstatt gut angekommen.")
    notes.get_by_role("button", name="Vermerk speichern").click()
    expect(page.get_by_text("gut angekommen").first).to_be_visible()
    follow_ups = _section(page, "Wiedervorlagen und Termine")
    follow_ups.get_by_text("Wiedervorlage setzen").click()
    follow_ups.get_by_label("Wiedervorlage am").fill(today.isoformat())
    follow_ups.get_by_label("Anlass").fill("Anwesenheit prüfen")
    follow_ups.get_by_role("button", name="Wiedervorlage speichern").click()
    expect(page.get_by_text("Die Wiedervorlage ist gesetzt.")).to_be_visible()
    found = serious_violations(page, axe_path)
    _shoot(page, "provider-person-page")

    _main_nav(page).get_by_role("link", name="Aufgaben").click()
    expect(page.get_by_text("Anwesenheit prüfen")).to_be_visible()

    # A person without the provider's consent does not exist for the provider.
    response = page.goto(f"{base}/persons/{lea.public_id}/")
    assert response is not None and response.status == 404
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
