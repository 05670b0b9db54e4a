"""A case worker concludes an agreement in a real Chromium by clicking and typing: from
the person page to "Vereinbarung schließen", rows on both sides (one more added with
"Weitere Zeile"), owners and due dates; the agreement page, an item marked done, the
agreement on the person page with "überfällig", and the PDF downloaded and read as the
person will read it. Screenshots of the form and the agreement page at 1280 and 320 px
and of the PDF's first page land in var/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pypdfium2 as pdfium
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from playwright.sync_api import expect

from doconnect.core.models import AuditEvent
from doconnect.people.agreements.models import Agreement
from doconnect.people.models import Person
from tests.browser import log_in, serious_violations
from tests.conftest import City, make_person

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fixed_today")]  # 23.11.2026

T = TypeVar("T")
SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"
WIDE = {"width": 1280, "height": 900}
NARROW = {"width": 320, "height": 800}


@pytest.fixture
def client_of_the_jobcenter(
    transactional_db: None, city: City, case_worker: User, provider_staff: User, settings: Any
) -> Person:
    """Made before Playwright starts its event loop (see tests/browser_fixtures.py)."""
    settings.DEMO_MODE = True
    case_worker.first_name, case_worker.last_name = "Jana", "Berater"
    case_worker.save()
    person = make_person(
        city, given_name="Lina", family_name="Wegweiser", consent_orgs=[city.jobcenter]
    )
    Person.objects.filter(pk=person.pk).update(
        strengths=["zuverlässig", "handwerkliches Geschick"],
        support_needs=["Kinderbetreuung", "Mobilität"],
    )
    return person


def _db(read: Callable[[], T]) -> T:
    """A database read while Playwright's event loop runs: Django refuses ORM calls in
    an async context, so it runs in a thread of its own (with its own connection)."""

    def run() -> T:
        try:
            return read()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def _shots(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("1280", WIDE), ("320", NARROW)):
        page.set_viewport_size(size)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(WIDE)


def _row(page: Any, side: str, number: int) -> Any:
    return page.get_by_role("group", name=side).get_by_role("group", name=f"Punkt {number}")


def test_a_case_worker_concludes_an_agreement_by_clicking_and_takes_the_pdf_home(
    live_server: Any, client_of_the_jobcenter: Person, page: Any, axe_path: Path, tmp_path: Path
) -> None:
    person = client_of_the_jobcenter
    base = live_server.url
    page.set_default_timeout(15_000)
    log_in(page, base, "case_worker")
    page.goto(f"{base}/persons/{person.public_id}/")

    page.get_by_role("link", name="Vereinbarung schließen").click()
    page.wait_for_url(f"{base}/persons/{person.public_id}/agreements/new/")
    expect(page.get_by_text("zuverlässig, handwerkliches Geschick")).to_be_visible()

    page.get_by_label("Titel").fill("Kooperationsplan Ausbildung")
    page.get_by_label("Geschlossen am").fill("2026-10-01")
    page.get_by_label("Gemeinsame Überprüfung am").fill("2027-01-15")

    mine = "Das tue ich"
    _row(page, mine, 1).get_by_label("Was die Person tut").fill(
        "Ich bewerbe mich auf drei Ausbildungsplätze im Monat."
    )
    _row(page, mine, 1).get_by_label("Bis wann").fill("2026-10-31")  # passed by today
    _row(page, mine, 2).get_by_label("Was die Person tut").fill("Ich kläre die Kinderbetreuung.")
    _row(page, mine, 2).get_by_label("Bis wann").fill("2026-12-15")
    # A fourth row: "Weitere Zeile" adds it in the page, without a round trip.
    page.get_by_role("button", name="Weitere Zeile – Das tue ich").click()
    fourth = _row(page, mine, 4)
    assert fourth.get_by_label("Was die Person tut").evaluate("e => e === document.activeElement")
    fourth.get_by_label("Was die Person tut").fill("Ich gehe zum Berufsberatungstermin.")
    fourth.get_by_label("Bis wann").fill("2026-12-01")

    ours = "Das sichern wir zu"
    _row(page, ours, 1).get_by_label("Was zugesichert wird").fill(
        "Wir übernehmen die Fahrtkosten zu Vorstellungsgesprächen."
    )
    _row(page, ours, 1).get_by_label("Zuständige Fachkraft (freiwillig)").select_option(
        label="Jana Berater"
    )
    _row(page, ours, 1).get_by_label("Bis wann").fill("2026-12-31")
    _row(page, ours, 2).get_by_label("Was zugesichert wird").fill(
        "Der Träger hält einen Platz im Bewerbungstraining frei."
    )
    _row(page, ours, 2).get_by_label("Zuständige Stelle").select_option(label="Träger A")
    _row(page, ours, 2).get_by_label("Bis wann").fill("2026-11-30")

    found = serious_violations(page, axe_path)
    _shots(page, "agreement-form")
    page.get_by_role("button", name="Vereinbarung schließen").click()

    page.wait_for_url(re.compile(rf"/persons/{person.public_id}/agreements/\d+/$"))
    expect(page.get_by_text("Die Vereinbarung ist geschlossen.")).to_be_visible()
    expect(page.get_by_role("heading", name="Kooperationsplan Ausbildung")).to_be_visible()
    expect(page.get_by_text("Zuständig: Träger A")).to_be_visible()
    expect(page.get_by_text("Zuständig: Jobcenter (Jana Berater)")).to_be_visible()
    assert page.get_by_text("überfällig", exact=True).count() == 1  # the first row, 31.10.
    agreement = _db(Agreement.objects.get)
    assert _db(agreement.items.count) == 5  # three person rows written, two guarantees
    found += serious_violations(page, axe_path)
    _shots(page, "agreement-page")

    # The institution's guarantee due 31.12. is done early: mark it so.
    item = page.locator("li.agreement-item", has_text="Fahrtkosten")
    item.get_by_text("Status oder Frist ändern").click()
    item.get_by_label("Status").select_option(label="erledigt")
    item.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Der Punkt ist geändert.")).to_be_visible()
    assert _db(lambda: agreement.items.get(text__contains="Fahrtkosten").status) == "done"

    # Back on the person page: the agreement with its overdue item.
    page.get_by_role("link", name=f"Zurück zu {person.public_id}").click()
    section = page.locator("section#agreements")
    assert section.get_by_role("link", name="Kooperationsplan Ausbildung").is_visible()
    assert section.get_by_text("1 Punkt überfällig").is_visible()
    assert section.get_by_text("Ich gehe zum Berufsberatungstermin.").is_visible()
    section.screenshot(path=str(SCREENSHOTS / "agreement-person-section-1280.png"))

    # The PDF, as the person takes it home.
    section.get_by_role("link", name="Kooperationsplan Ausbildung").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Als PDF für die Person herunterladen").click()
    download = download_info.value
    assert download.suggested_filename == f"vereinbarung-{person.public_id}-{agreement.pk}.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    document = pdfium.PdfDocument(saved.read_bytes())
    text = re.sub(
        r"\s+",
        " ",
        " ".join(document[i].get_textpage().get_text_range() for i in range(len(document))),
    )
    for expected in (
        "Kooperationsplan Ausbildung",
        "Unsere Vereinbarung: Lina Wegweiser und Jobcenter",
        "Ich bewerbe mich auf drei Ausbildungsplätze im Monat.",
        "Noch offen, die Frist ist vorbei",
        "Dafür steht ein: Jobcenter (Jana Berater). Bis 31. Dezember 2026. Erledigt.",
        "Dafür steht ein: Träger A. Bis 30. November 2026. Noch offen.",
        "Das können Sie gut zuverlässig, handwerkliches Geschick",
        "Dabei bekommen Sie Unterstützung Kinderbetreuung, Mobilität",
        "Am 15. Januar 2027 sprechen wir gemeinsam darüber",
        "Jana Berater, Jobcenter",
    ):
        assert expected in text, expected
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    document[0].render(scale=1.5).to_pil().save(SCREENSHOTS / "agreement-pdf-page-1.png")
    exports = AuditEvent.objects.filter(action="export", view="web.agreement_pdf")
    assert _db(exports.count) == 1

    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)


def test_without_javascript_weitere_zeile_adds_a_row_and_keeps_the_typing(
    live_server: Any, client_of_the_jobcenter: Person, browser: Any
) -> None:
    person = client_of_the_jobcenter
    context = browser.new_context(java_script_enabled=False, locale="de-DE", viewport=WIDE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server.url, "case_worker")
    page.goto(f"{live_server.url}/persons/{person.public_id}/agreements/new/")

    _row(page, "Das sichern wir zu", 1).get_by_label("Was zugesichert wird").fill("Fahrtkosten")
    page.get_by_role("button", name="Weitere Zeile – Das sichern wir zu").click()

    assert _row(page, "Das sichern wir zu", 4).is_visible()
    assert _row(page, "Das sichern wir zu", 1).get_by_label(
        "Was zugesichert wird"
    ).input_value() == ("Fahrtkosten")
    assert not _db(Agreement.objects.exists)
    context.close()
