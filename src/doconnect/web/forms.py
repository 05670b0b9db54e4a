"""The site frame's own forms: the login and its second step, the code from the
authenticator app."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from doconnect.core.forms import kern_widget_classes


class LoginForm(AuthenticationForm):
    """Django's login form with the KERN classes on its fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kern_widget_classes(self)


class CodeForm(forms.Form):
    """The six-digit code of the authenticator app (TOTP); spaces are forgiven."""

    code = forms.CharField(
        label=_("Code aus der Authenticator-App"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kern_widget_classes(self)

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("Der Code hat sechs Ziffern."))
        return code
