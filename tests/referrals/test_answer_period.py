"""Issue #17: a referral past its answer date cannot be accepted, even before the daily
expiry has marked it — refused by the one service the web and the API call, with the
date named, and the accept button and API action not offered at all."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from doconnect.referrals.models import Referral, ReferralStatus
from doconnect.referrals.services import referral_accept, referral_decline
from tests.apiclient import BearerClient
from tests.conftest import City, logged_in, make_person


def sent_days_ago(city: City, days: int) -> Referral:
    """A referral sent ``days`` ago, still waiting for the provider's answer."""
    day = timezone.localdate() - dt.timedelta(days=days)
    sent = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    return Referral.objects.create(
        person=make_person(city, consent_orgs=[city.provider_a]),
        offer=city.offer_a,
        status=ReferralStatus.SENT,
        sent_at=sent,
    )


def test_accepting_after_the_answer_date_is_refused_naming_the_date(
    city: City, provider_staff: User
) -> None:
    late = sent_days_ago(city, 15)  # the 14-day period ended yesterday
    with pytest.raises(ValidationError) as refused:
        referral_accept(referral=late, actor=provider_staff, today=timezone.localdate())
    assert refused.value.code == "expired"
    last_day = date_format(timezone.localdate() - dt.timedelta(days=1))
    assert f"endete am {last_day}" in refused.value.messages[0]
    late.refresh_from_db()
    assert late.status == ReferralStatus.SENT


def test_on_the_last_day_of_the_period_a_referral_can_still_be_accepted(
    city: City, provider_staff: User
) -> None:
    on_time = sent_days_ago(city, 14)
    referral_accept(referral=on_time, actor=provider_staff, today=timezone.localdate())
    on_time.refresh_from_db()
    assert on_time.status == ReferralStatus.ACCEPTED


def test_a_late_referral_may_still_be_declined(city: City, provider_staff: User) -> None:
    late = sent_days_ago(city, 20)
    referral_decline(referral=late, actor=provider_staff, reason="full")
    late.refresh_from_db()
    assert late.status == ReferralStatus.DECLINED


def test_the_inbox_offers_no_accept_button_for_a_late_referral(
    city: City, provider_staff: User
) -> None:
    late, on_time = sent_days_ago(city, 15), sent_days_ago(city, 3)
    body = logged_in(provider_staff).get("/referrals/").content.decode()
    late_row = body.split(f'id="referral-{late.pk}"')[1].split("</tr>")[0]
    on_time_row = body.split(f'id="referral-{on_time.pk}"')[1].split("</tr>")[0]
    assert f"/referrals/{late.pk}/accept/" not in late_row
    assert "annehmen geht nicht mehr" in late_row
    assert f"/referrals/{late.pk}/decline/" in late_row
    assert f"/referrals/{on_time.pk}/accept/" in on_time_row


def test_a_posted_accept_of_a_late_referral_says_why_and_changes_nothing(
    city: City, provider_staff: User
) -> None:
    late = sent_days_ago(city, 15)
    client = logged_in(provider_staff)
    response = client.post(f"/referrals/{late.pk}/accept/", {"next": "/referrals/"})
    assert response.status_code == 302
    page = client.get("/referrals/").content.decode()
    assert "kann nicht mehr angenommen werden" in page
    late.refresh_from_db()
    assert late.status == ReferralStatus.SENT


def test_the_api_lists_no_accept_and_refuses_one_with_code_expired(
    city: City, provider_staff: User, bearer: BearerClient
) -> None:
    late = sent_days_ago(city, 15)
    client = bearer(provider_staff)
    (item,) = client.get("/api/referrals").json()["items"]
    assert item["actions"] == ["decline"]
    response = client.post(
        f"/api/referrals/{late.pk}/accept", json.dumps({}), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "expired"
    assert "kann nicht mehr angenommen werden" in response.json()["detail"]["__all__"][0]
    late.refresh_from_db()
    assert late.status == ReferralStatus.SENT


def test_someone_elses_late_referral_is_not_found(
    city: City, other_provider_staff: User, bearer: BearerClient
) -> None:
    late = sent_days_ago(city, 15)
    response = bearer(other_provider_staff).post(
        f"/api/referrals/{late.pk}/accept", json.dumps({}), content_type="application/json"
    )
    assert response.status_code == 404
