"""The site frame's own form: the login."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.forms import AuthenticationForm

from doconnect.core.forms import kern_widget_classes


class LoginForm(AuthenticationForm):
    """Django's login form with the KERN classes on its fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kern_widget_classes(self)
