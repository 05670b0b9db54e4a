"""The form of the transitions page: which cohort, how many months, how many types."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from doconnect.core.forms import KernForm, district_choice, target_group_choice
from doconnect.offers.models import Offer, OfferKind
from doconnect.transitions.cohorts import (
    MAX_MONTHS,
    MIN_MONTHS,
    REQUIRED,
    CohortKind,
    CohortSpec,
)

MIN_TYPES, MAX_TYPES = 2, 8
FIRST_YEAR, LAST_YEAR = 1990, 2100


class TransitionsForm(KernForm):
    kind = forms.ChoiceField(label=_("Kohorte"), choices=CohortKind.choices)
    year = forms.IntegerField(
        label=_("Jahr"),
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        required=False,
        help_text=_(
            "Schulabgänger:innen: Jahr des Schulendes; Stadtbezirk und Zielgruppe: "
            "Personen mit einer Episode in diesem Jahr; Angebote: Beginn in diesem Jahr "
            "(leer: alle Jahre)."
        ),
    )
    offer = forms.ModelChoiceField(
        label=_("Angebot"),
        queryset=Offer.objects.only("pk", "external_id", "title").order_by("title"),
        to_field_name="external_id",
        required=False,
        empty_label=_("bitte wählen"),
    )
    offer_kind = forms.ChoiceField(
        label=_("Angebotsart"),
        choices=[("", _("bitte wählen")), *OfferKind.choices],
        required=False,
    )
    district = district_choice(to_field_name="name")
    target_group = target_group_choice()
    months = forms.IntegerField(
        label=_("Monate"),
        min_value=MIN_MONTHS,
        max_value=MAX_MONTHS,
        initial=36,
        help_text=_("Wie viele Monate ab dem Startmonat der Kohorte gezeigt werden (12–72)."),
    )
    k = forms.IntegerField(
        label=_("Anzahl der Verlaufstypen"),
        min_value=MIN_TYPES,
        max_value=MAX_TYPES,
        initial=4,
        help_text=_("2 bis 8 Typen (Clusteranalyse der Verläufe)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].help_text = _(
            "Für die Kohorte „Stadtbezirk“ erforderlich, sonst eine zusätzliche Einschränkung."
        )
        self.fields["target_group"].help_text = _(
            "Für die Kohorte „Zielgruppe“ erforderlich, sonst eine zusätzliche Einschränkung."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = str(data.get("kind") or "")
        if kind in REQUIRED:
            for name in REQUIRED[kind]:
                if name in self.fields and not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Für diese Kohorte erforderlich."))
        return data

    def spec(self) -> CohortSpec:
        data = self.cleaned_data
        return CohortSpec(
            kind=data["kind"],
            year=data.get("year"),
            offer=data["offer"].external_id if data.get("offer") else "",
            offer_kind=data.get("offer_kind") or "",
            district=data["district"].name if data.get("district") else "",
            target_group=data["target_group"].code if data.get("target_group") else "",
        )
