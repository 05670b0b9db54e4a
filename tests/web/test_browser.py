"""A real Chromium against the live server: a case worker logs in, sees the name of a
person who consented to the Jobcenter, and gets the 404 page for a person who did not."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from doconnect.people.models import Person
from tests.browser import log_in
from tests.conftest import City, make_person

pytestmark = pytest.mark.browser


@pytest.fixture
def persons(transactional_db: None, city: City, case_worker: User) -> tuple[Person, Person]:
    """Made *before* Playwright starts its event loop, so the test body needs no ORM
    (and Django's async-safety check stays on)."""
    consented = make_person(
        city, given_name="Lina", family_name="Browserfeld", consent_orgs=[city.jobcenter]
    )
    hidden = make_person(
        city, given_name="Otto", family_name="Geheimweg", consent_orgs=[city.provider_b]
    )
    return consented, hidden


def test_a_case_worker_sees_a_consented_persons_name_and_a_404_for_anybody_else(
    live_server: Any, persons: tuple[Person, Person], page: Any
) -> None:
    consented, hidden = persons

    log_in(page, live_server.url, "case_worker")

    response = page.goto(f"{live_server.url}/persons/{consented.public_id}/")
    assert response is not None and response.status == 200
    assert "Browserfeld" in page.content()
    # The name is the heading, the pseudonym beside it.
    heading = page.get_by_role("heading", level=1)
    assert "Browserfeld" in heading.inner_text() and consented.public_id in heading.inner_text()

    response = page.goto(f"{live_server.url}/persons/{hidden.public_id}/")
    assert response is not None and response.status == 404
    assert "Nicht gefunden" in page.content()
    assert "Geheimweg" not in page.content()
