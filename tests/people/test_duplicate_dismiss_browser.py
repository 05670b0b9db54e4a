"""Issue #17: a coordinator dismisses a pair from the duplicate queue in Chromium — two
different persons with near-identical names — by pressing "Keine Dublette"; the queue
that follows says so, the pair is gone, the other pair stays, and both records keep
their own pseudonym. Screenshots at 1280 and 320 px, German and English."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from playwright.sync_api import expect

from doconnect.people.models import DuplicateCandidate, Person
from tests.browser import log_in, serious_violations, shoot_both_widths
from tests.conftest import City
from tests.people.registering import existing

pytestmark = pytest.mark.browser

SHOTS = Path(django_settings.VAR_DIR) / "screenshots"


def _pair(first: Person, second: Person, found_by: User) -> DuplicateCandidate:
    return DuplicateCandidate.objects.create(
        first=first,
        second=second,
        reason="similar_name",
        score=92,
        found_by=found_by,
        found_in="web.person_register",
        shown_to_finder=True,
    )


@pytest.fixture
def two_pairs(
    transactional_db: None, city: City, case_worker: User, coordinator: User, settings: Any
) -> tuple[DuplicateCandidate, DuplicateCandidate]:
    """Alexandra Müller and Alexandra Möller (two persons), and Jonas Kern registered
    twice. Made before Playwright starts."""
    settings.DEMO_MODE = True
    orgs = [city.jobcenter, city.city]
    mueller = existing(city, consent_orgs=orgs)
    moeller = existing(city, "Alexandra", "Möller", consent_orgs=orgs)
    jonas = existing(city, "Jonas", "Kern", consent_orgs=orgs)
    again = existing(city, "Jonas", "Kerm", consent_orgs=orgs)
    return _pair(mueller, moeller, case_worker), _pair(jonas, again, case_worker)


def test_a_coordinator_dismisses_a_pair_of_two_different_persons(
    live_server: Any,
    two_pairs: tuple[DuplicateCandidate, DuplicateCandidate],
    page: Any,
    axe_path: Path,
) -> None:
    different, same = two_pairs
    one, other = different.first.public_id, different.second.public_id
    base = live_server.url
    log_in(page, base, "coordinator")
    page.get_by_role("link", name="Personen", exact=True).click()
    page.get_by_role("link", name="Mögliche Dubletten").click()
    assert page.get_by_role("status").filter(has_text="offene Paare").inner_text() == (
        "2 offene Paare"
    )
    pair = page.get_by_role("article", name=f"{one} und {other}")
    assert "Alexandra Müller" in pair.inner_text() and "Alexandra Möller" in pair.inner_text()
    found = serious_violations(page, axe_path)

    pair.get_by_role("button", name="Keine Dublette").click()
    page.get_by_text("Das Paar ist als zwei verschiedene Personen vermerkt.").wait_for()
    assert page.get_by_role("status").filter(has_text="offenes Paar").inner_text() == (
        "1 offenes Paar"
    )
    assert page.get_by_role("article", name=f"{one} und {other}").count() == 0
    kept = f"{same.first.public_id} und {same.second.public_id}"
    expect(page.get_by_role("article", name=kept)).to_be_visible()
    found += serious_violations(page, axe_path)
    shoot_both_widths(page, SHOTS / "person-duplicate-dismissed-de")

    # both stay persons of their own
    for public_id, name in ((one, "Alexandra Müller"), (other, "Alexandra Möller")):
        page.goto(f"{base}/persons/{public_id}/")
        page.wait_for_url(f"{base}/persons/{public_id}/")
        assert name in page.inner_text("main")

    page.context.add_cookies(
        [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base}]
    )
    page.goto(f"{base}/persons/duplicates/")
    assert page.get_by_role("status").filter(has_text="open pair").inner_text() == "1 open pair"
    assert page.get_by_role("button", name="Not a duplicate").count() == 1
    shoot_both_widths(page, SHOTS / "person-duplicate-dismissed-en")
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
