"""Issue #17: a case worker closes an agreement in Chromium by clicking — from the person
page to the agreement, "Vereinbarung abschließen" pressed, and the page that follows
says so: status "abgeschlossen", no close button any more, its items no longer
changeable. Screenshots at 1280 and 320 px, German and English."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from playwright.sync_api import expect

from doconnect.people.agreements.models import Agreement
from doconnect.people.models import Person
from tests.browser import log_in, serious_violations, shoot_both_widths
from tests.conftest import City, make_person
from tests.people.agreements.helpers import conclude

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fixed_today")]  # 23.11.2026

SHOTS = Path(django_settings.VAR_DIR) / "screenshots"


@pytest.fixture
def agreement(
    transactional_db: None, city: City, case_worker: User, settings: Any
) -> tuple[Person, Agreement]:
    """Lina's cooperation plan with the Jobcenter. Made before Playwright starts."""
    settings.DEMO_MODE = True
    person = make_person(
        city, given_name="Lina", family_name="Wegweiser", consent_orgs=[city.jobcenter]
    )
    return person, conclude(case_worker, person)


def test_a_case_worker_closes_an_agreement_from_the_person_page(
    live_server: Any, agreement: tuple[Person, Agreement], page: Any, axe_path: Path
) -> None:
    person, plan = agreement
    base = live_server.url
    log_in(page, base, "case_worker")
    page.goto(f"{base}/persons/{person.public_id}/")
    page.get_by_role("link", name="Kooperationsplan").first.click()
    page.wait_for_url(f"{base}/persons/{person.public_id}/agreements/{plan.pk}/")
    status = page.locator(".kern-description-list-item", has_text="Status")
    assert "gültig" in status.inner_text()
    changes_before = page.locator("form[action*='/items/']").count()
    assert changes_before  # items can be marked while it runs
    found = serious_violations(page, axe_path)

    page.get_by_role("button", name="Vereinbarung abschließen").click()
    page.wait_for_url(f"{base}/persons/{person.public_id}/agreements/{plan.pk}/")
    expect(page.get_by_text("Die Vereinbarung ist abgeschlossen.")).to_be_visible()
    assert "abgeschlossen" in status.inner_text()
    assert page.get_by_role("button", name="Vereinbarung abschließen").count() == 0
    assert page.locator("form[action*='/items/']").count() == 0
    found += serious_violations(page, axe_path)
    shoot_both_widths(page, SHOTS / "agreement-closed-de")

    page.context.add_cookies(
        [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base}]
    )
    page.reload()
    assert (
        "completed" in page.locator(".kern-description-list-item", has_text="Status").inner_text()
    )
    shoot_both_widths(page, SHOTS / "agreement-closed-en")
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
