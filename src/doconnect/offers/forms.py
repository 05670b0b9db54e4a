"""Forms of the offer pages: the catalogue's filters and the offer edit form. They parse
input; the rules an offer must keep live in ``offers.services.offer_update`` (the
catalogue import's rules), whose errors the edit form shows next to the fields."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from doconnect.core.forms import (
    KernForm,
    district_choice,
    target_group_choice,
    target_groups_choice,
)
from doconnect.offers.models import Funder, Offer, OfferKind, OfferStatus
from doconnect.offers.selectors import catalogue_vocabulary
from doconnect.offers.services import OfferChanges
from doconnect.people.models import LegalBranch

ALL_STATUSES = "all"


class OfferFilterForm(KernForm):
    """Filters of the offer catalogue (GET). The parameter names are part of the
    interface: the dashboard links to ``?free=1``, ``?district=<official key>`` and
    ``?target_group=<code>``."""

    q = forms.CharField(label=_("Titel oder Kennung"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Art"), choices=[("", _("alle")), *OfferKind.choices], required=False
    )
    district = district_choice()
    target_group = target_group_choice()
    funder = forms.ChoiceField(
        label=_("Geldgeber"), choices=[("", _("alle")), *Funder.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[*OfferStatus.choices, (ALL_STATUSES, _("alle"))],
        required=False,
    )
    free = forms.BooleanField(label=_("nur mit freien Plätzen heute"), required=False)

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> OfferFilterForm:
        """Bound to the query string; without a status the catalogue shows active
        offers (what a user looks for), and the form says so."""
        data = {key: query.get(key) for key in query}
        data.setdefault("status", OfferStatus.ACTIVE)
        return cls(data)


def _legal_branch_choices() -> list[tuple[str, str]]:
    labels = dict(LegalBranch.choices)
    return [(code, str(labels.get(code, code))) for code in catalogue_vocabulary().legal_branches]


class OccupationCodesField(forms.CharField):
    """KldB 2010 codes as typed: separated by commas, semicolons or spaces, parsed into a
    list in the order given. Whether they are codes at all is the service's rule."""

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [code for code in re.split(r"[\s,;]+", text) if code]

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value


class OfferEditForm(KernForm):
    """The offer's own fields. Cross-field rules (end before start, maximum age below
    minimum age, …) are the service's; ``add_service_errors`` puts them here."""

    title = forms.CharField(label=_("Titel"), max_length=300)
    description = forms.CharField(
        label=_("Beschreibung"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    kind = forms.ChoiceField(label=_("Art"), choices=OfferKind.choices)
    occupations = OccupationCodesField(
        label=_("Berufe (KldB 2010)"),
        required=False,
        help_text=_(
            "Fünfstellige Schlüssel der Berufe, für die das Angebot qualifiziert, durch "
            "Komma getrennt, z. B. 51312, 51311. Leer: für keinen bestimmten Beruf."
        ),
    )
    district = district_choice(empty_label=_("stadtweit"))
    target_groups = target_groups_choice(help_text=_("Keine Auswahl: offen für alle."))
    min_age = forms.IntegerField(label=_("Mindestalter"), required=False, min_value=0)
    max_age = forms.IntegerField(label=_("Höchstalter"), required=False, min_value=0)
    legal_branches = forms.MultipleChoiceField(
        label=_("Rechtskreise"),
        choices=_legal_branch_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Keine Auswahl: unabhängig vom Rechtskreis."),
    )
    other_rules = forms.CharField(
        label=_("Weitere Zugangsregeln"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    capacity = forms.IntegerField(
        label=_("Plätze"), required=False, min_value=0, help_text=_("Leer, wenn unbekannt.")
    )
    start = forms.DateField(label=_("Beginn"), required=False)
    end = forms.DateField(label=_("Ende"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=OfferStatus.choices)

    # What the page says next to a field the service refused. The service speaks the
    # catalogue import's words (English, for files and the API); the page speaks German.
    SERVICE_ERRORS: ClassVar[Mapping[str, Any]] = {
        "title": _("Bitte einen Titel mit höchstens 300 Zeichen angeben."),
        "kind": _("Diese Art gibt es nicht."),
        "occupations": _(
            "Bitte jeden Beruf einmal als fünfstelligen KldB-2010-Schlüssel angeben; die "
            "letzte Ziffer (Anforderungsniveau) ist 1, 2, 3 oder 4."
        ),
        "district": _("Diesen Stadtbezirk gibt es nicht."),
        "target_groups": _("Diese Zielgruppen sind nicht zulässig."),
        "min_age": _("Das Mindestalter ist nicht zulässig."),
        "max_age": _(
            "Das Höchstalter darf nicht unter dem Mindestalter liegen und höchstens 120 sein."
        ),
        "legal_branches": _("Diese Rechtskreise sind nicht zulässig."),
        "capacity": _("Die Zahl der Plätze ist nicht zulässig."),
        "start": _("Der Beginn ist nicht zulässig."),
        "end": _("Das Ende darf nicht vor dem Beginn liegen."),
        "status": _("Diesen Status gibt es nicht."),
    }

    @classmethod
    def initial_for(cls, offer: Offer) -> dict[str, Any]:
        return {
            "title": offer.title,
            "description": offer.description,
            "kind": offer.kind,
            "occupations": list(offer.occupations or []),
            "district": offer.district,
            "target_groups": list(offer.target_groups.all()),
            "min_age": offer.min_age,
            "max_age": offer.max_age,
            "legal_branches": list(offer.legal_branches or []),
            "other_rules": offer.other_rules,
            "capacity": offer.capacity,
            "start": offer.start,
            "end": offer.end,
            "status": offer.status,
        }

    def changes(self) -> OfferChanges:
        """The cleaned form as the service's changes (call after ``is_valid``)."""
        data = self.cleaned_data
        return OfferChanges(
            title=data["title"],
            description=data["description"],
            kind=data["kind"],
            occupations=list(data["occupations"]),
            district=data["district"],
            target_groups=list(data["target_groups"]),
            min_age=data["min_age"],
            max_age=data["max_age"],
            legal_branches=list(data["legal_branches"]),
            other_rules=data["other_rules"],
            capacity=data["capacity"],
            start=data["start"],
            end=data["end"],
            status=data["status"],
        )
