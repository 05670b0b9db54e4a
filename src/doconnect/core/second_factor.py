"""The second factor of password sign-in: who needs one, and the user's TOTP device
(django-otp's ``TOTPDevice``: RFC 6238 codes from an authenticator app, with its own
throttling of wrong codes).

Who: every role that can see names (coordinators, case workers, provider staff, see
``people/access_rules.py``) and the administration and Django-admin staff, who can give
themselves those roles. Analysts see no names and sign in with the password alone.
Users signed in through the identity provider are not asked: the provider owns their
second factor. ``settings.TOTP_REQUIRED`` off (development and demo only) asks nobody."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, User
from django_otp.plugins.otp_totp.models import TOTPDevice

from doconnect.core.models import Role
from doconnect.core.viewers import Viewer

ROLES_NEEDING_SECOND_FACTOR = (
    Role.COORDINATOR,
    Role.CASE_WORKER,
    Role.PROVIDER_STAFF,
    Role.ADMIN,
    Role.DPO,
)
DEVICE_NAME = "do-connect"


def needs_second_factor(viewer: Viewer, user: AbstractBaseUser) -> bool:
    if not settings.TOTP_REQUIRED:
        return False
    staff = bool(getattr(user, "is_staff", False) or getattr(user, "is_superuser", False))
    return staff or viewer.has_role(*ROLES_NEEDING_SECOND_FACTOR)


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def enrolment_device(user: User) -> TOTPDevice:
    """The unconfirmed device being set up (the same one across reloads of the page, so
    the QR code stays the same until a code confirms it)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def device_confirm(device: TOTPDevice) -> None:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user_id=device.user_id, confirmed=False).delete()
