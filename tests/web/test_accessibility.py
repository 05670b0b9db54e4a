"""axe-core (from npm, node_modules/axe-core) in a real Chromium on the main pages: the
login page as an anonymous visitor; the dashboard, the person list, a person page with
its biography chart, the pathways page, the offer catalogue and an offer page, the
provider and district pages as a case worker; the offer edit form as a coordinator; all
in demo mode (with the banner), after the charts are drawn. Any violation of
impact "serious" or "critical" fails the test, with the rule ids and the elements."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from doconnect.people.models import Person
from doconnect.people.services import spell_create
from tests.browser import log_in, serious_violations
from tests.conftest import City, make_person

pytestmark = pytest.mark.browser


@pytest.fixture
def person(
    transactional_db: None, city: City, case_worker: User, coordinator: User, settings: Any
) -> Person:
    """Made before Playwright starts its event loop (see tests/browser_fixtures.py)."""
    settings.DEMO_MODE = True
    person = make_person(
        city, given_name="Lina", family_name="Axeprüfung", consent_orgs=[city.jobcenter]
    )
    spell_create(person=person, state="school", start=dt.date(2015, 8, 1), end=dt.date(2021, 7, 31))
    spell_create(
        person=person, state="offer", start=dt.date(2026, 9, 1), end=None, offer_id=city.offer_a.pk
    )
    return person


def test_the_main_pages_have_no_serious_or_critical_axe_violations(
    live_server: Any, person: Person, page: Any, axe_path: Path
) -> None:
    found: list[str] = []

    page.goto(f"{live_server.url}/login/")
    found += serious_violations(page, axe_path)

    page.get_by_label("Benutzername").fill("case_worker")
    page.get_by_label("Passwort").fill("correct horse battery 1")
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"{live_server.url}/")
    assert "Synthetische Demodaten" in page.content()

    for path in (
        "/",
        "/persons/",
        f"/persons/{person.public_id}/",
        "/pathways/",
        "/offers/",
        "/offers/o-a/",
        "/providers/",
        "/providers/p-a/",
        "/districts/",
        "/districts/05913004/",
        "/referrals/",
        "/labour-market/",
        "/labour-market/occupations/",
        "/labour-market/potentials/",
        "/labour-market/employers/",
    ):
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")  # charts drawn before axe looks
        found += serious_violations(page, axe_path)

    # the edit form, as a coordinator (the case worker may not edit)
    log_in(page, live_server.url, "coordinator")
    response = page.goto(f"{live_server.url}/offers/o-a/edit/")
    assert response is not None and response.status == 200
    found += serious_violations(page, axe_path)

    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
