"""The forms of the data-subject requests page and of the data-protection officer's
audit log: they parse and check what was typed; ``people.privacy`` and ``core.audit``
decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from doconnect.core.audit import AuditFilter
from doconnect.core.forms import KernForm


class PersonLookupForm(KernForm):
    person = forms.CharField(
        label=_("Pseudonym"),
        max_length=20,
        help_text=_("Das Pseudonym der Person, z. B. P-7K2M9QXA (steht auf der Personenseite)."),
    )

    def clean_person(self) -> str:
        return str(self.cleaned_data["person"]).strip().upper()


class ErasureForm(KernForm):
    """Erasure needs a reason (it goes into the audit trail) and the pseudonym typed
    again: the confirmation step, so no click by mistake destroys a file."""

    reason = forms.CharField(
        label=_("Grund der Löschung"),
        max_length=100,
        help_text=_("Steht im Zugriffsprotokoll, z. B. „Antrag der Person vom 3. 12.“."),
    )
    confirm = forms.CharField(
        label=_("Zur Bestätigung das Pseudonym eingeben"),
        max_length=20,
    )

    def __init__(self, *args: Any, public_id: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.public_id = public_id

    def clean_confirm(self) -> str:
        typed = str(self.cleaned_data["confirm"]).strip().upper()
        if typed != self.public_id:
            raise forms.ValidationError(
                _("Das Pseudonym stimmt nicht mit %(public_id)s überein."),
                params={"public_id": self.public_id},
            )
        return typed


class AuditFilterForm(KernForm):
    user = forms.CharField(label=_("Benutzer"), max_length=150, required=False)
    person = forms.CharField(label=_("Pseudonym"), max_length=20, required=False)
    since = forms.DateField(label=_("von"), required=False)
    until = forms.DateField(label=_("bis"), required=False)

    @staticmethod
    def empty_criteria() -> AuditFilter:
        return AuditFilter()

    def criteria(self) -> AuditFilter:
        """The filter as typed; call after ``is_valid``."""
        data = self.cleaned_data
        return AuditFilter(
            user=data.get("user") or "",
            person=(data.get("person") or "").strip().upper(),
            since=data.get("since"),
            until=data.get("until"),
        )
