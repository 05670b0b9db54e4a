"""Forms of the person pages: they parse and validate input, nothing more."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from doconnect.core.models import District, Organisation, OrganisationKind, TargetGroup
from doconnect.offers.models import Destination
from doconnect.pathways.engine import GOAL_DESTINATIONS
from doconnect.people.models import ConsentPurpose, LegalBranch


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Pseudonym oder Name"),
        required=False,
        max_length=100,
        help_text=_("Namen finden nur Personen, deren Namen Sie sehen dürfen."),
    )
    district = forms.ModelChoiceField(
        label=_("Stadtbezirk"),
        queryset=District.objects.order_by("official_key"),
        required=False,
        empty_label=_("alle"),
    )
    legal_branch = forms.ChoiceField(
        label=_("Rechtskreis"),
        choices=[("", _("alle")), *LegalBranch.choices],
        required=False,
    )


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Zweck"), choices=ConsentPurpose.choices)
    organisations = forms.ModelMultipleChoiceField(
        label=_("Berechtigte Organisationen"),
        queryset=Organisation.objects.exclude(kind=OrganisationKind.EMPLOYER).order_by("name"),
        to_field_name="external_id",
    )
    valid_from = forms.DateField(
        label=_("Gültig ab"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=_("Gültig bis"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("Das Ende liegt vor dem Beginn."))
        return data


class PathwaysFilterForm(forms.Form):
    """Filters of the pathways page (GET). A district keeps the offers in it and the
    city-wide ones; a target group keeps the offers for it and those open to all."""

    district = forms.ModelChoiceField(
        label=_("Stadtbezirk"),
        queryset=District.objects.order_by("official_key"),
        to_field_name="name",
        required=False,
        empty_label=_("alle"),
    )
    target_group = forms.ModelChoiceField(
        label=_("Zielgruppe"),
        queryset=TargetGroup.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("alle"),
    )


class NextStepsGoalForm(forms.Form):
    """The goal a person's next steps should lead to (GET); empty: any goal."""

    goal = forms.ChoiceField(
        label=_("Ziel"),
        choices=[("", _("jedes Ziel"))]
        + [(value, label) for value, label in Destination.choices if value in GOAL_DESTINATIONS],
        required=False,
    )
