"""A user's own settings: the daily digest (opt-in), the language of their mails and the
secret address of their calendar feed. One function per rule, used by the settings page,
the digest command and the feed.

The calendar secret is handled like an API token: only its sha256 hash is stored, the
secret itself is returned once by ``calendar_token_create`` for the page to show, and
making a new one or revoking it makes the old address answer 404 at once."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from doconnect.core.models import UserPreference

CALENDAR_TOKEN_PREFIX = "cal_"  # noqa: S105 (a marker, not a secret)
_SHOWN_PREFIX_LENGTH = 10  # "cal_" and six characters: enough to recognise, not to guess


def preference_of(user_id: int) -> UserPreference:
    """The user's settings; a user who never saved any gets the defaults (unsaved, so
    reading a page never writes)."""
    found = UserPreference.objects.filter(user_id=user_id).first()
    return found if found is not None else UserPreference(user_id=user_id)


def preference_update(*, user: User, digest: bool, language: str) -> UserPreference:
    """Switch the daily digest on or off and choose the language of the user's mails."""
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationError({"language": f"Unknown language {language!r}."})
    preference, _created = UserPreference.objects.update_or_create(
        user=user, defaults={"digest": digest, "language": language}
    )
    return preference


@transaction.atomic
def calendar_token_create(*, user: User) -> str:
    """A new secret for the user's calendar address, replacing any earlier one (whose
    address stops working). Returns the secret; it is stored nowhere."""
    raw = CALENDAR_TOKEN_PREFIX + secrets.token_urlsafe(32)
    UserPreference.objects.update_or_create(
        user=user,
        defaults={
            "calendar_token_hash": UserPreference.hash(raw),
            "calendar_token_prefix": raw[:_SHOWN_PREFIX_LENGTH],
            "calendar_token_created_at": timezone.now(),
        },
    )
    return raw


def calendar_token_revoke(*, user: User) -> None:
    """The calendar address stops working; revoking twice changes nothing."""
    UserPreference.objects.filter(user=user).update(
        calendar_token_hash=None, calendar_token_prefix="", calendar_token_created_at=None
    )


def calendar_token_user(raw: str) -> User | None:
    """The active user whose calendar address holds this secret, or None for an unknown,
    revoked or malformed secret and for a deactivated user."""
    if not raw.startswith(CALENDAR_TOKEN_PREFIX):
        return None
    preference = (
        UserPreference.objects.select_related("user")
        .filter(calendar_token_hash=UserPreference.hash(raw))
        .first()
    )
    if preference is None or not preference.user.is_active:
        return None
    return preference.user


def digest_claim(*, user_id: int, day: dt.date) -> bool:
    """Mark today's digest of this user as sent, once: True for the first caller of the
    day, False for every later one (also when two runs overlap, the update is atomic).
    Call it inside the transaction that sends the mail, so a failed send leaves the day
    unclaimed for the next run."""
    claimed = (
        UserPreference.objects.filter(user_id=user_id, digest=True)
        .exclude(digest_sent_on=day)
        .update(digest_sent_on=day)
    )
    return claimed == 1
