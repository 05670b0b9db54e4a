"""The filters of the pathways page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from doconnect.core.forms import KernForm, district_choice, target_group_choice
from doconnect.core.models import District, Organisation, OrganisationKind

STAGE_CHOICES = [
    ("", _("alle")),
    ("entries", _("Einstiege")),
    ("onward", _("weitere Angebote auf dem Weg zum Ziel")),
    ("dead_ends", _("Sackgassen")),
    ("closed", _("ausgesetzte und beendete Angebote")),
]


class PathwaysFilterForm(KernForm):
    """Filters of the pathways page (GET). A district keeps the offers in it and the
    city-wide ones; a provider its offers; a target group the offers for it and those
    open to all; a stage the offers of that stage (the drawing only: the lists are by
    their nature one stage). Without any filter in the address the first district is
    chosen, so that the first picture is readable; "ganze Stadt" is one choice away."""

    district = district_choice(to_field_name="name", empty_label=_("ganze Stadt"))
    provider = forms.ModelChoiceField(
        label=_("Träger"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.PROVIDER)
        .only("pk", "name", "external_id")
        .order_by("name"),
        to_field_name="external_id",
        required=False,
        empty_label=_("alle"),
    )
    target_group = target_group_choice()
    stage = forms.ChoiceField(label=_("Stufe im Netz"), choices=STAGE_CHOICES, required=False)

    def __init__(self, data: QueryDict, *args: Any, **kwargs: Any) -> None:
        if not any(name in data for name in ("district", "provider", "target_group", "stage")):
            data = data.copy()
            first = District.objects.order_by("official_key").values_list("name", flat=True)
            data["district"] = first.first() or ""
        super().__init__(data, *args, **kwargs)
