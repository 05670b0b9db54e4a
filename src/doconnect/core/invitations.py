"""The set-password mail of a user who has no password yet (imported by
``doconnect import users``): Django's password-reset machinery — its one-time token,
which stops working once a password is set, after ``PASSWORD_RESET_TIMEOUT`` or when
the user signs in — with do-connect's own words and page (``/password/set/…``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.contrib.auth.models import User
from django.utils import translation

from doconnect.core.forms import kern_widget_classes

SUBJECT_TEMPLATE = "core/password_set_subject.txt"
BODY_TEMPLATE = "core/password_set_email.txt"


class _OneUserMail(PasswordResetForm):
    """Django's reset mail, addressed to one known user: its own user lookup skips
    users without a usable password, who are exactly the ones invited here."""

    def __init__(self, user: User) -> None:
        super().__init__({"email": user.email})
        self.user = user

    def get_users(self, email: str) -> Iterator[Any]:
        yield self.user


def password_mail_send(users: Iterable[User]) -> int:
    """Mail each active user with an address a link to set their password, through the
    mail backend of the settings; returns how many were sent. The link starts with
    ``DOCONNECT_SITE_URL``."""
    site = urlsplit(settings.SITE_URL)
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for user in users:
            if not user.email or not user.is_active:
                continue
            mail = _OneUserMail(user)
            if not mail.is_valid():
                continue
            mail.save(
                domain_override=site.netloc,
                use_https=site.scheme == "https",
                subject_template_name=SUBJECT_TEMPLATE,
                email_template_name=BODY_TEMPLATE,
                extra_email_context={"site_url": settings.SITE_URL},
            )
            sent += 1
    return sent


class PasswordSetForm(SetPasswordForm):
    """The new password twice, checked by the configured validators, in KERN's markup."""

    template_name_div = "web/forms/kern_div.html"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kern_widget_classes(self)
        for field in self.fields.values():
            if isinstance(field.widget, forms.PasswordInput):
                field.widget.attrs["autocomplete"] = "new-password"
