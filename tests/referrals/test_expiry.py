"""Referrals a provider leaves unanswered expire after the answer period
(``DOCONNECT_REFERRAL_ANSWER_DAYS``, default 14); the provider is reminded
``DOCONNECT_REFERRAL_REMINDER_DAYS`` (3) days before, once."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from doconnect.referrals.models import Referral, ReferralEvent, ReferralStatus
from doconnect.referrals.services import (
    referral_accept,
    referrals_due_for_reminder,
    referrals_expire,
    referrals_remind,
)
from tests.conftest import TODAY, City, make_person


def _sent_days_ago(city: City, days: int, status: str = ReferralStatus.SENT) -> Referral:
    sent = timezone.make_aware(dt.datetime.combine(TODAY - dt.timedelta(days=days), dt.time(10)))
    return Referral.objects.create(
        person=make_person(city), offer=city.offer_a, status=status, sent_at=sent
    )


def test_a_referral_unanswered_for_more_than_14_days_expires_with_the_platform_as_actor(
    city: City,
) -> None:
    overdue = _sent_days_ago(city, 15)
    last_day = _sent_days_ago(city, 14)
    expired = referrals_expire(today=TODAY)
    assert [r.pk for r in expired] == [overdue.pk]
    assert Referral.objects.get(pk=overdue.pk).status == ReferralStatus.EXPIRED
    assert Referral.objects.get(pk=last_day.pk).status == ReferralStatus.SENT
    event = ReferralEvent.objects.get(referral=overdue)
    assert (event.from_status, event.to_status, event.actor_id) == ("sent", "expired", None)
    assert "Keine Antwort" in event.note
    assert referrals_expire(today=TODAY) == []


def test_answered_and_withdrawn_referrals_never_expire(city: City) -> None:
    for status in ("accepted", "declined", "cancelled", "proposed"):
        _sent_days_ago(city, 40, status=status)
    assert referrals_expire(today=TODAY) == []


@override_settings(REFERRAL_ANSWER_DAYS=5)
def test_the_answer_period_is_configurable(city: City) -> None:
    referral = _sent_days_ago(city, 6)
    assert [r.pk for r in referrals_expire(today=TODAY)] == [referral.pk]


def test_an_expired_referral_can_no_longer_be_accepted(city: City, provider_staff: User) -> None:
    from django.core.exceptions import ValidationError

    referral = _sent_days_ago(city, 20)
    referrals_expire(today=TODAY)
    with pytest.raises(ValidationError):
        referral_accept(referral=referral, actor=provider_staff)


def test_the_provider_is_reminded_three_days_before_the_period_ends_and_only_once(
    city: City,
) -> None:
    too_early = _sent_days_ago(city, 10)
    first_day = _sent_days_ago(city, 11)
    last_day = _sent_days_ago(city, 14)
    _overdue = _sent_days_ago(city, 15)
    _answered = _sent_days_ago(city, 12, status=ReferralStatus.ACCEPTED)
    assert set(referrals_due_for_reminder(TODAY).values_list("pk", flat=True)) == {
        first_day.pk,
        last_day.pk,
    }
    reminded = referrals_remind(today=TODAY)
    assert {r.pk for r in reminded} == {first_day.pk, last_day.pk}
    assert Referral.objects.get(pk=first_day.pk).reminded_at is not None
    assert Referral.objects.get(pk=too_early.pk).reminded_at is None
    assert list(referrals_remind(today=TODAY)) == []
    assert [r.pk for r in referrals_remind(today=TODAY + dt.timedelta(days=1))] == [too_early.pk]


def test_the_command_reminds_then_expires_and_says_what_it_did(city: City) -> None:
    referral = _sent_days_ago(city, 12)
    out = StringIO()
    call_command("referrals", "remind", "--today", TODAY.isoformat(), stdout=out)
    text = out.getvalue()
    assert f"referral {referral.pk} of {referral.person.public_id} to o-a" in text
    assert "Träger A" in text
    assert "answer by 2026-11-25" in text
    assert "1 reminder " in text
    out = StringIO()
    call_command("referrals", "remind", "--today", TODAY.isoformat(), stdout=out)
    assert "0 reminders" in out.getvalue()
    out = StringIO()
    later = (TODAY + dt.timedelta(days=3)).isoformat()
    call_command("referrals", "expire", "--today", later, stdout=out)
    assert f"expired: referral {referral.pk} to o-a" in out.getvalue()
    assert "1 referral expired" in out.getvalue()
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.EXPIRED


def test_the_reminder_is_mailed_to_the_providers_staff_with_pseudonyms_only(
    city: City, provider_staff: User, other_provider_staff: User, mailoutbox: list[Any]
) -> None:
    provider_staff.email = "team@traeger-a.example"
    provider_staff.save()
    other_provider_staff.email = "team@traeger-b.example"
    other_provider_staff.save()
    referral = _sent_days_ago(city, 12)
    out = StringIO()

    call_command("referrals", "remind", "--today", TODAY.isoformat(), stdout=out)

    assert [mail.to for mail in mailoutbox] == [["team@traeger-a.example"]]
    body = mailoutbox[0].body
    assert referral.person.public_id in body and "Werkstatt A" in body
    assert "Antwort bis 25.11.2026" in body
    assert "Alex" not in body and "Beispiel" not in body  # no name leaves the platform
    assert "1 mail to provider staff" in out.getvalue()
