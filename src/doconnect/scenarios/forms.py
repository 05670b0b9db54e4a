"""The form that states a funding scenario: the common case (one funder changes its
funding, some offers close, a bridge budget with weights per target group) in fields,
anything else as a scenario file. Both end in the same reader as the command's file."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from doconnect.core.forms import KernForm
from doconnect.core.models import TargetGroup
from doconnect.files.importing import ImportFailed
from doconnect.offers.models import Funder, Offer, OfferKind
from doconnect.scenarios.engine.spec import ScenarioSpec
from doconnect.scenarios.services import scenario_spec_read

MAX_FILE_BYTES = 2_000_000
MAX_WEIGHT = 10


def next_year(today: dt.date) -> tuple[dt.date, dt.date]:
    return dt.date(today.year + 1, 1, 1), dt.date(today.year + 1, 12, 31)


class ScenarioForm(KernForm):
    name = forms.CharField(label=_("Name des Szenarios"), max_length=200)
    description = forms.CharField(
        label=_("Beschreibung"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    start = forms.DateField(label=_("Beginn des Zeitraums"))
    end = forms.DateField(label=_("Ende des Zeitraums"))
    funders = forms.MultipleChoiceField(
        label=_("Geldgeber, deren Förderung sich ändert"),
        choices=Funder.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Bildungsgutscheine geben die Agentur für Arbeit (SGB III) und das Jobcenter "
            "(SGB II) nach denselben Regeln aus; eine Kürzung trifft oft beide."
        ),
    )
    percent = forms.IntegerField(
        label=_("Änderung in Prozent"),
        min_value=-100,
        max_value=1000,
        required=False,
        help_text=_("Negativ für eine Kürzung, z. B. −30; gilt für jeden gewählten Geldgeber."),
    )
    offer_kinds = forms.MultipleChoiceField(
        label=_("Nur für diese Angebotsarten"),
        choices=OfferKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Keine Auswahl: für alle Angebotsarten des Geldgebers."),
    )
    excluded_groups = forms.MultipleChoiceField(
        label=_("Die gewählten Geldgeber zahlen nicht mehr für diese Zielgruppen"),
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Eine neue Förderregel: Angebote (der gewählten Arten) verlieren den Anteil "
            "dieser Geldgeber, der auf die Zielgruppen entfällt."
        ),
    )
    close_offers = forms.CharField(
        label=_("Angebote, die schließen"),
        required=False,
        help_text=_("Kennungen, durch Komma oder Leerzeichen getrennt, z. B. o-00012."),
    )
    bridge_budget_eur = forms.IntegerField(
        label=_("Kommunales Brückenbudget (€)"), min_value=0, required=False, initial=0
    )
    viability_threshold = forms.IntegerField(
        label=_("Tragfähigkeitsschwelle (%)"),
        min_value=0,
        max_value=100,
        initial=70,
        help_text=_(
            "Ein Träger, dessen Förderung unter diesen Anteil seiner bisherigen fällt, "
            "gilt als nicht tragfähig; alle seine Angebote schließen."
        ),
    )
    file = forms.FileField(
        label=_("… oder eine Szenario-Datei (JSON)"),
        required=False,
        help_text=_("Ersetzt alle Felder oben; Format wie bei „doconnect scenario run“."),
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        start, end = next_year(today)
        self.fields["start"].initial = start
        self.fields["end"].initial = end
        self.groups = sorted(TargetGroup.labels().items())
        excluded = self.fields["excluded_groups"]
        assert isinstance(excluded, forms.MultipleChoiceField)
        excluded.choices = self.groups
        for code, label in self.groups:
            self.fields[f"weight_{code}"] = forms.IntegerField(
                label=_("Gewicht im Brückenbudget: %(group)s") % {"group": label},
                min_value=0,
                max_value=MAX_WEIGHT,
                initial=1,
                required=False,
            )
        self.spec: ScenarioSpec | None = None
        # The file field is optional, so the fields it replaces are optional too;
        # clean() asks for them when no file came.
        for name in ("name", "start", "end", "viability_threshold"):
            self.fields[name].required = False

    def weight_fields(self) -> list[Any]:
        return [self[f"weight_{code}"] for code, _label in self.groups]

    def _spec_dict(self, data: dict[str, Any]) -> dict[str, Any]:
        changes: list[dict[str, Any]] = []
        if data.get("percent") is not None:
            changes += [
                {
                    "type": "funding_change",
                    "funder": funder,
                    "percent": data["percent"],
                    "offer_kinds": list(data.get("offer_kinds") or []),
                }
                for funder in data.get("funders") or []
            ]
        if data.get("excluded_groups"):
            changes += [
                {
                    "type": "eligibility_change",
                    "funder": funder,
                    "offer_kinds": list(data.get("offer_kinds") or []),
                    "target_groups": list(data["excluded_groups"]),
                }
                for funder in data.get("funders") or []
            ]
        for offer in (data.get("close_offers") or "").replace(",", " ").split():
            changes.append({"type": "close_offer", "offer": offer})
        weights = {
            code: data[f"weight_{code}"]
            for code, _label in self.groups
            if data.get(f"weight_{code}") not in (None, 1)
        }
        return {
            "name": data["name"],
            "description": data.get("description") or "",
            "period": {"start": data["start"].isoformat(), "end": data["end"].isoformat()},
            "changes": changes,
            "bridge_budget_eur": data.get("bridge_budget_eur") or 0,
            "rules": {
                "viability_threshold": data["viability_threshold"] / 100,
                "bridge_weights": weights,
            },
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_FILE_BYTES:
                raise ValidationError(_("Die Datei ist zu groß (höchstens 2 MB)."))
            raw, file = upload.read(), upload.name
        else:
            for name in ("name", "start", "end", "viability_threshold"):
                if data.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, _("Bitte ausfüllen."))
            if (
                data.get("funders")
                and data.get("percent") is None
                and not data.get("excluded_groups")
            ):
                self.add_error("percent", _("Bitte die Änderung in Prozent angeben."))
            if data.get("excluded_groups") and not data.get("funders"):
                self.add_error("funders", _("Bitte die Geldgeber der neuen Regel wählen."))
            if self.errors:
                return data
            raw = json.dumps(self._spec_dict(data), ensure_ascii=False).encode()
            file = _("Formular")
        try:
            self.spec = scenario_spec_read(raw, file=str(file))
        except ImportFailed as exc:
            # A file's problems name its lines; the form's own JSON has none worth naming.
            raise ValidationError(
                [str(p) if upload is not None else f"{p.field}: {p.message}" for p in exc.problems]
            ) from exc
        return data

    def clean_close_offers(self) -> str:
        text = str(self.cleaned_data.get("close_offers") or "")
        ids = set(text.replace(",", " ").split())
        known = set(Offer.objects.filter(external_id__in=ids).values_list("external_id", flat=True))
        if ids - known:
            raise ValidationError(
                _("Unbekannte Angebote: %(ids)s") % {"ids": ", ".join(sorted(ids - known))}
            )
        return text
