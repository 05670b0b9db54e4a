"""Publishing and withdrawing: coordinators only; a snapshot never changes."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from doconnect.offers.models import Offer
from doconnect.transparency.models import PublishedReport
from doconnect.transparency.render import table_by_key
from doconnect.transparency.services import (
    PublishRefused,
    yearly_report_publish,
    yearly_report_withdraw,
)
from tests.conftest import City

pytestmark = pytest.mark.usefixtures("fixed_today")


def test_a_coordinator_publishes_a_snapshot_that_later_changes_do_not_touch(
    year_city: City, coordinator: User
) -> None:
    report = yearly_report_publish(year=2026, by=coordinator)
    assert report.published_by == coordinator
    assert report.title == "Arbeit und Beschäftigung in der Stadt: Jahresbericht 2026"
    Offer.objects.filter(pk=year_city.offer_a.pk).update(capacity=500)
    report.refresh_from_db()
    places = table_by_key(report.content, "offers_by_kind")
    assert places is not None and places["totals"]["cells"] == [None, 20]


@pytest.mark.parametrize(
    "who", ["case_worker", "provider_staff", "analyst", "platform_admin", "outsider"]
)
def test_only_coordinators_publish(
    year_city: City, who: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        yearly_report_publish(year=2026, by=user)
    assert not PublishedReport.objects.exists()


def test_a_year_is_published_once_until_withdrawn(year_city: City, coordinator: User) -> None:
    first = yearly_report_publish(year=2026, by=coordinator)
    with pytest.raises(PublishRefused):
        yearly_report_publish(year=2026, by=coordinator)
    yearly_report_withdraw(report=first, by=coordinator, reason="Zahlen korrigiert")
    first.refresh_from_db()
    assert first.withdrawn_at is not None and first.withdrawal_reason == "Zahlen korrigiert"
    second = yearly_report_publish(year=2026, by=coordinator)
    assert list(PublishedReport.objects.public()) == [second]


def test_the_database_refuses_two_public_reports_of_a_year(
    year_city: City, coordinator: User
) -> None:
    report = yearly_report_publish(year=2026, by=coordinator)
    with pytest.raises(IntegrityError), transaction.atomic():
        PublishedReport.objects.create(year=2026, title="x", content=report.content)


def test_withdrawing_needs_a_coordinator_and_a_reason(
    year_city: City, coordinator: User, analyst: User
) -> None:
    report = yearly_report_publish(year=2026, by=coordinator)
    with pytest.raises(PermissionDenied):
        yearly_report_withdraw(report=report, by=analyst, reason="weil")
    with pytest.raises(PublishRefused):
        yearly_report_withdraw(report=report, by=coordinator, reason="  ")
    report.refresh_from_db()
    assert report.is_public
