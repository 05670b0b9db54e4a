"""Forms of the allocation pages: the scope of a run, the outcome filter, and the
priority weights."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from doconnect.allocation.selectors import PLACED, UNPLACED
from doconnect.allocation.services import Scope
from doconnect.core.forms import (
    KernForm,
    district_choice,
    kern_widget_classes,
    target_group_choice,
)
from doconnect.core.models import TargetGroup
from doconnect.core.vocabulary import data_label
from doconnect.offers.models import OfferKind

MAX_WEIGHT = 1000


class AllocationScopeForm(KernForm):
    district = district_choice(to_field_name="name")
    target_group = target_group_choice()
    kinds = forms.MultipleChoiceField(
        label=_("Angebotsarten"),
        choices=OfferKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Keine Auswahl: alle Arten."),
    )

    def scope(self) -> Scope:
        data = self.cleaned_data
        return Scope(
            district=data["district"].name if data.get("district") else "",
            target_group=data["target_group"].code if data.get("target_group") else "",
            kinds=tuple(data.get("kinds") or ()),
        )


class OutcomeFilterForm(KernForm):
    placed = forms.ChoiceField(
        label=_("Ergebnis"),
        choices=[("", _("alle")), (PLACED, _("mit Platz")), (UNPLACED, _("ohne Platz"))],
        required=False,
    )
    district = forms.ChoiceField(label=_("Stadtbezirk"), required=False)
    target_group = target_group_choice()

    def __init__(self, *args: Any, districts: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["district"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("alle"))] + [(name, name or _("unbekannt")) for name in districts]


def _weight_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=0, max_value=MAX_WEIGHT, required=False, initial=0
    )


class PriorityWeightsForm(KernForm):
    """One weight per target group and per support need; the priority of a waiting
    person is 1 plus the weights of their groups and needs."""

    note = forms.CharField(
        label=_("Begründung"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Warum diese Gewichte? Die Begründung steht mit Ihrem Namen im Verlauf."),
    )

    def __init__(
        self,
        *args: Any,
        target_groups: Iterable[TargetGroup],
        support_needs: Iterable[str],
        current: Mapping[str, Mapping[str, int]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        current = current or {}
        self.group_names: list[tuple[str, str]] = []
        self.need_names: list[tuple[str, str]] = []
        note = self.fields.pop("note")
        for i, group in enumerate(target_groups):
            name = f"group_{i}"
            self.fields[name] = _weight_field(group.display_label)
            self.fields[name].initial = current.get("target_groups", {}).get(group.code, 0)
            self.group_names.append((name, group.code))
        for i, need in enumerate(support_needs):
            name = f"need_{i}"
            self.fields[name] = _weight_field(data_label(need))
            self.fields[name].initial = current.get("support_needs", {}).get(need, 0)
            self.need_names.append((name, need))
        self.fields["note"] = note
        kern_widget_classes(self)  # the fields added here need the KERN classes too

    def group_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _code in self.group_names]

    def need_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _code in self.need_names]

    def weights(self) -> tuple[dict[str, int], dict[str, int]]:
        data = self.cleaned_data
        groups = {code: data.get(name) or 0 for name, code in self.group_names}
        needs = {need: data.get(name) or 0 for name, need in self.need_names}
        return groups, needs


class BulkConfirmForm(KernForm):
    """The confirmation of a bulk step: how many proposals the coordinator saw. A
    different number now means the proposals changed meanwhile (the service refuses)."""

    expected = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
