"""Forms of the pathways page and of a person's next steps."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from doconnect.core.forms import KernForm, district_choice, target_group_choice
from doconnect.offers.models import Destination
from doconnect.pathways.engine.analysis import GOAL_DESTINATIONS


class PathwaysFilterForm(KernForm):
    """Filters of the pathways page (GET). A district keeps the offers in it and the
    city-wide ones; a target group keeps the offers for it and those open to all."""

    district = district_choice(to_field_name="name")
    target_group = target_group_choice()


class NextStepsGoalForm(KernForm):
    """The goal a person's next steps should lead to (GET); empty: any goal."""

    goal = forms.ChoiceField(
        label=_("Ziel"),
        choices=[("", _("jedes Ziel"))]
        + [(value, label) for value, label in Destination.choices if value in GOAL_DESTINATIONS],
        required=False,
    )
