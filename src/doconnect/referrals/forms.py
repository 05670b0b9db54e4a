"""Forms of the referral inbox: the offer filter and one form per step. The API's
``POST /api/referrals/{id}/{action}`` validates its JSON body with the same step forms,
so a missing reason or a bad date is refused the same way in both."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from doconnect.core.forms import KernForm
from doconnect.offers.models import Offer
from doconnect.people.models import SpellState
from doconnect.referrals.models import DeclineReason


class ReferralFilterForm(KernForm):
    """The inbox filter (GET): one of the offers the viewer's referrals go to."""

    offer = forms.ModelChoiceField(
        label=_("Angebot"),
        queryset=Offer.objects.none(),
        to_field_name="external_id",
        required=False,
        empty_label=_("alle"),
    )

    def __init__(self, *args: Any, offers: QuerySet[Offer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["offer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = offers.only("pk", "external_id", "title").order_by("title", "pk")


class StepForm(KernForm):
    """A step without anything to fill in (send, accept, start, cancel): an optional
    note for the trail."""

    note = forms.CharField(label=_("Notiz"), required=False, max_length=2000)

    def __init__(self, *args: Any, referral_id: int | None = None, **kwargs: Any) -> None:
        # One form per row: distinct ids keep labels and errors to their row.
        if referral_id is not None:
            kwargs.setdefault("auto_id", f"id_r{referral_id}_{self.action}_%s")
        super().__init__(*args, **kwargs)
        self.referral_id = referral_id

    action = "step"

    def service_arguments(self) -> dict[str, Any]:
        """The keyword arguments for the step's service besides referral and actor."""
        return {"note": self.cleaned_data.get("note", "")}


class DeclineForm(StepForm):
    """Decline with a coded reason; "anderer Grund" needs a note saying what."""

    action = "decline"
    reason = forms.ChoiceField(
        label=_("Grund"),
        choices=[("", _("bitte wählen")), *DeclineReason.choices],
    )
    note = forms.CharField(
        label=_("Notiz"),
        required=False,
        max_length=2000,
        help_text=_("Bei „anderer Grund“ erforderlich."),
    )
    field_order = ["reason", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reason") == DeclineReason.OTHER and not data.get("note", "").strip():
            self.add_error("note", _("Bei „anderer Grund“ bitte den Grund nennen."))
        return data

    def service_arguments(self) -> dict[str, Any]:
        return {"reason": self.cleaned_data["reason"], "note": self.cleaned_data["note"]}


class OutcomeForm(StepForm):
    """Complete or drop out: what the person does next, from which day (written into
    the biography)."""

    action = "complete"
    next_state = forms.ChoiceField(
        label=_("Danach"),
        choices=[("", _("bitte wählen")), *SpellState.choices],
        help_text=_("Was die Person ab dem Datum tut; wird in die Biographie übernommen."),
    )
    on = forms.DateField(label=_("ab"))
    field_order = ["next_state", "on", "note"]

    def service_arguments(self) -> dict[str, Any]:
        return {
            "next_state": self.cleaned_data["next_state"],
            "on": self.cleaned_data["on"],
            "note": self.cleaned_data["note"],
        }


class DropOutForm(OutcomeForm):
    action = "drop_out"


def step_form_class(action: str) -> type[StepForm]:
    """The form that parses ``action``'s input."""
    return {"decline": DeclineForm, "complete": OutcomeForm, "drop_out": DropOutForm}.get(
        action, StepForm
    )
