"""The forms of the labour-market pages: the indicator of the map, and the options of
the occupations, potentials and employers pages (all GET, all optional)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from doconnect.core.forms import KernForm, district_choice
from doconnect.labourmarket.selectors import INDICATORS


class IndicatorForm(KernForm):
    indicator = forms.ChoiceField(
        label=gettext_lazy("Kennzahl für Karte und Stadtbezirke"),
        choices=[(str(i), i.label) for i in INDICATORS],
        required=False,
    )


LEVEL_CHOICES = [
    ("2", gettext_lazy("Berufshauptgruppe (2-stellig)")),
    ("3", gettext_lazy("Berufsgruppe (3-stellig)")),
    ("5", gettext_lazy("Berufsgattung (5-stellig)")),
    ("skill", gettext_lazy("Anforderungsniveau")),
]
SOURCE_CHOICES = [
    ("auto", gettext_lazy("automatisch (Statistik, sonst Episoden)")),
    ("statistics", gettext_lazy("Statistik der BA")),
    ("spells", gettext_lazy("Arbeitslosigkeitsepisoden der Personen")),
]


class OccupationsForm(KernForm):
    level = forms.ChoiceField(label=gettext_lazy("Ebene"), choices=LEVEL_CHOICES, required=False)
    as_of = forms.DateField(
        label=gettext_lazy("Stichtag"),
        required=False,
    )
    source = forms.ChoiceField(
        label=gettext_lazy("Arbeitsuchende aus"), choices=SOURCE_CHOICES, required=False
    )
    district = district_choice(empty_label=gettext_lazy("ganze Stadt"))


class AsOfForm(KernForm):
    as_of = forms.DateField(
        label=gettext_lazy("Stichtag"),
        required=False,
    )


class HiringForm(AsOfForm):
    district = district_choice(empty_label=gettext_lazy("ganze Stadt"))
