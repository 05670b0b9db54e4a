"""Forms of the coordinator's transparency page: publishing needs an explicit
confirmation, withdrawing a reason."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PublishForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "Ich habe die Vorschau geprüft. Der Bericht wird so, wie er ist, öffentlich "
            "und ohne Anmeldung lesbar."
        ),
        required=True,
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Grund der Rücknahme"),
        help_text=_("Wird mit der Rücknahme gespeichert."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("Der Bericht soll von den öffentlichen Seiten genommen werden."), required=True
    )
