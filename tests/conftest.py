"""Shared fixtures: a small city with named personas.

- ``coordinator`` works for the city's employment office,
- ``case_worker`` for the Jobcenter,
- ``provider_staff`` for provider A (``other_provider_staff`` for provider B),
- ``analyst`` for city statistics,
- ``outsider`` is a logged-in user without any membership.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from doconnect.core import changes
from doconnect.core.models import District, Membership, Organisation, Role, TargetGroup
from doconnect.offers.models import FollowOn, Offer
from doconnect.people.models import ConsentPurpose, Person
from doconnect.people.services import consent_give, person_create, spell_create

# Browser and API-client fixtures for every domain's tests.
pytest_plugins = ["tests.browser_fixtures", "tests.apiclient", "tests.workers"]

IN_CI = bool(os.environ.get("CI"))
TODAY = dt.date(2026, 11, 23)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        reason = "runs on PostgreSQL only; DOCONNECT_TEST_DB=sqlite"
        for item in items:
            if "postgres_only" in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres_only: needs PostgreSQL features")


@pytest.fixture(autouse=True)
def _nothing_kept_from_another_test() -> None:
    # Each test starts with its own database content: nothing kept from the last one
    # (a dashboard figure may be used up to DOCONNECT_DASHBOARD_STALE_SECONDS after a
    # change, and a flushed database is such a change).
    changes.forget()


@pytest.fixture
def kept_clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The clock of ``core.changes``' stale windows, moved by the test: add seconds to
    its one element."""
    now = [5000.0]
    monkeypatch.setattr(changes.time, "monotonic", lambda: now[0])
    return now


@pytest.fixture(autouse=True)
def _site_language() -> Iterator[None]:
    """Every test starts in the site's language, as every request does: a request in
    English leaves English active in the thread, and the next test must not inherit it."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def chromium_path() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        if IN_CI:
            pytest.fail("Chromium is missing (apt-get install -y chromium); CI requires it")
        pytest.skip("Chromium not installed; `make test` installs it")
    return path


@dataclass
class City:
    district: District
    other_district: District
    city: Organisation
    jobcenter: Organisation
    provider_a: Organisation
    provider_b: Organisation
    statistics: Organisation
    youth: TargetGroup
    offer_a: Offer
    offer_b: Offer


@pytest.fixture
def city(db: None) -> City:
    eving = District.objects.create(name="Eving", official_key="05913004")
    hoerde = District.objects.create(name="Hörde", official_key="05913008")
    city_org = Organisation.objects.create(external_id="city", name="Stadt", kind="city")
    jobcenter = Organisation.objects.create(external_id="jc", name="Jobcenter", kind="jobcenter")
    provider_a = Organisation.objects.create(
        external_id="p-a", name="Träger A", kind="provider", district=eving
    )
    provider_b = Organisation.objects.create(
        external_id="p-b", name="Träger B", kind="provider", district=hoerde
    )
    statistics = Organisation.objects.create(
        external_id="stats", name="Statistikstelle", kind="city"
    )
    youth = TargetGroup.objects.create(code="youth_difficult_start", label="Jugendliche")
    offer_a = Offer.objects.create(
        external_id="o-a",
        provider=provider_a,
        title="Werkstatt A",
        kind="low_threshold",
        district=eving,
        capacity=10,
    )
    offer_b = Offer.objects.create(
        external_id="o-b",
        provider=provider_b,
        title="Kurs B",
        kind="qualification",
        district=hoerde,
        capacity=10,
    )
    return City(
        eving,
        hoerde,
        city_org,
        jobcenter,
        provider_a,
        provider_b,
        statistics,
        youth,
        offer_a,
        offer_b,
    )


def _user(username: str, org: Organisation | None, role: str | None) -> User:
    user = User.objects.create_user(username=username, password="correct horse battery 1")
    if org is not None and role is not None:
        Membership.objects.create(user=user, organisation=org, role=role)
    return user


@pytest.fixture
def coordinator(city: City) -> User:
    return _user("coordinator", city.city, Role.COORDINATOR)


@pytest.fixture
def case_worker(city: City) -> User:
    return _user("case_worker", city.jobcenter, Role.CASE_WORKER)


@pytest.fixture
def provider_staff(city: City) -> User:
    return _user("provider_staff", city.provider_a, Role.PROVIDER_STAFF)


@pytest.fixture
def other_provider_staff(city: City) -> User:
    return _user("other_provider_staff", city.provider_b, Role.PROVIDER_STAFF)


@pytest.fixture
def analyst(city: City) -> User:
    return _user("analyst", city.statistics, Role.ANALYST)


@pytest.fixture
def platform_admin(city: City) -> User:
    return _user("platform_admin", city.city, Role.ADMIN)


@pytest.fixture
def outsider(db: None) -> User:
    return _user("outsider", None, None)


def make_person(
    city: City,
    *,
    given_name: str = "Alex",
    family_name: str = "Beispiel",
    consent_orgs: list[Organisation] | None = None,
    valid_until: dt.date | None = None,
    purposes: tuple[str, ...] = tuple(ConsentPurpose.values),
) -> Person:
    """A person; with ``consent_orgs`` a consent covering them, for every purpose unless
    ``purposes`` names fewer (Zweckbindung: a route opens only under its own)."""
    person = person_create(
        gender="female",
        birth_date=dt.date(2004, 5, 17),
        district=city.district,
        given_name=given_name,
        family_name=family_name,
        legal_branch="SGB II",
        target_groups=[city.youth],
    )
    if consent_orgs:
        consent_give(
            person=person,
            purposes=purposes,
            organisations=consent_orgs,
            valid_from=dt.date(2026, 1, 1),
            valid_until=valid_until,
        )
    return person


def logged_in(user: User, language: str | None = None) -> Client:
    """A test client with ``user`` logged in (and a language cookie, if given)."""
    client = Client()
    client.force_login(user)
    if language is not None:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def participant(
    city: City, offer: Offer, consent_orgs: list[Organisation], *, given_name: str = "Alex"
) -> Person:
    """A person taking part in ``offer`` since a month, with consent for ``consent_orgs``."""
    person = make_person(city, given_name=given_name, consent_orgs=consent_orgs)
    spell_create(
        person=person,
        state="offer",
        start=TODAY - dt.timedelta(days=30),
        end=None,
        offer_id=offer.pk,
    )
    return person


def count_queries(client: Client, url: str) -> int:
    """The SQL queries of one successful GET."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.fixture
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The pages ask ``timezone.localdate()``; the test data are dated around TODAY."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    yield


def waiting(city: City, name: str, *, youth: bool = True) -> Person:
    person = make_person(city, given_name=name, family_name="Wartend")
    if not youth:
        person.target_groups.clear()
    spell_create(person=person, state="unemployed", start=dt.date(2025, 1, 1), end=None)
    return person


@pytest.fixture
def scarce(city: City) -> City:
    """For the allocation: offer A (Eving, 1 place) leads to employment; offer B is
    closed to newcomers."""
    Offer.objects.filter(pk=city.offer_a.pk).update(capacity=1)
    Offer.objects.filter(pk=city.offer_b.pk).update(capacity=0)
    FollowOn.objects.create(from_offer=city.offer_a, destination="employment")
    FollowOn.objects.create(from_offer=city.offer_b, destination="employment")
    return city
