"""Forms of the decision pages: they parse and validate input, nothing more."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from doconnect.core.forms import KernForm, kern_widget_classes, target_groups_choice
from doconnect.decisions.engine.table import CriterionRow, OptionRow
from doconnect.decisions.from_scenarios import (
    STANDARD_CRITERIA,
    CriterionSpec,
    coverage_criterion,
)
from doconnect.decisions.models import REASONS_MIN_LENGTH, Direction

MAX_WEIGHT = Decimal(1000)
MAX_RESULT_BYTES = 5_000_000


class DecisionForm(KernForm):
    title = forms.CharField(label=_("Titel"), max_length=200)
    question = forms.CharField(
        label=_("Frage"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Was ist zu entscheiden? Ein Satz, den auch die Öffentlichkeit versteht."),
    )
    context = forms.CharField(
        label=_("Hintergrund"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Einfacher Text: was war der Anlass, was ist bekannt?"),
    )
    standard = forms.MultipleChoiceField(
        label=_("Kriterien aus Szenarien"),
        choices=[(c.code, c.label) for c in STANDARD_CRITERIA],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Weitere Kriterien lassen sich danach anlegen. Jedes beginnt mit Gewicht 1."),
    )
    coverage = target_groups_choice(_("Abdeckung dieser Zielgruppen"))

    def criteria(self) -> list[CriterionSpec]:
        chosen = set(self.cleaned_data.get("standard") or ())
        groups = [coverage_criterion(g.code, g.label) for g in self.cleaned_data["coverage"]]
        return groups + [c for c in STANDARD_CRITERIA if c.code in chosen]


def _weight_field(label: str, initial: Decimal) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal(0),
        max_value=MAX_WEIGHT,
        max_digits=8,
        decimal_places=2,
        initial=initial,
        widget=forms.NumberInput(attrs={"step": "0.1", "min": "0"}),
    )


class WeightsForm(KernForm):
    """One weight per criterion, named ``w-<position>``."""

    def __init__(self, *args: Any, criteria: Sequence[CriterionRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.codes: list[tuple[str, str]] = []
        for i, c in enumerate(criteria):
            name = f"w-{i}"
            self.fields[name] = _weight_field(c.label, c.weight)
            self.codes.append((name, c.code))
        kern_widget_classes(self)

    def weights(self) -> dict[str, Decimal]:
        return {code: self.cleaned_data[name] for name, code in self.codes}


class OptionForm(KernForm):
    """An option by hand (a value per criterion) or from a scenario result file."""

    label = forms.CharField(label=_("Bezeichnung"), max_length=200)
    description = forms.CharField(
        label=_("Beschreibung"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    result = forms.FileField(
        label=_("Szenario-Ergebnis (JSON)"),
        required=False,
        help_text=_(
            "Die Ausgabe von „doconnect scenario run … --format json“. Mit Datei kommen die "
            "Werte aus dem Ergebnis; Felder unten bleiben dann leer."
        ),
    )

    def __init__(
        self,
        *args: Any,
        criteria: Sequence[CriterionRow],
        option: OptionRow | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.codes: list[tuple[str, str]] = []
        if option is not None:  # editing values only
            for name in ("label", "description", "result"):
                del self.fields[name]
        for i, c in enumerate(criteria):
            name = f"v-{i}"
            direction = Direction(c.direction).label
            self.fields[name] = forms.FloatField(
                label=f"{c.label} ({direction})",
                required=False,
                initial=option.values.get(c.code) if option else None,
            )
            self.codes.append((name, c.code))
        kern_widget_classes(self)

    def value_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _code in self.codes]

    def clean_result(self) -> dict[str, Any] | None:
        upload = self.cleaned_data.get("result")
        if not upload:
            return None
        if upload.size > MAX_RESULT_BYTES:
            raise ValidationError(_("Die Datei ist zu groß."))
        try:
            data = json.loads(upload.read().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValidationError(
                _("%(file)s ist kein gültiges JSON: %(problem)s")
                % {"file": upload.name, "problem": exc}
            ) from exc
        if not isinstance(data, dict):
            raise ValidationError(_("Erwartet wird ein JSON-Objekt."))
        return data

    def values(self) -> dict[str, float]:
        return {
            code: self.cleaned_data[name]
            for name, code in self.codes
            if self.cleaned_data.get(name) is not None
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "result" in self.fields and not data.get("result"):
            for name, _code in self.codes:
                if name in data and data[name] is None:
                    self.add_error(name, _("Bitte einen Wert eintragen."))
        return data


class CriterionForm(KernForm):
    code = forms.SlugField(
        label=_("Kennung"),
        max_length=100,
        help_text=_("Kurz, ohne Leerzeichen, z. B. „wohnortnaehe“."),
    )
    label = forms.CharField(label=_("Bezeichnung"), max_length=200)
    direction = forms.ChoiceField(label=_("Richtung"), choices=Direction.choices)
    weight = forms.DecimalField(
        label=_("Gewicht"),
        min_value=Decimal(0),
        max_value=MAX_WEIGHT,
        max_digits=8,
        decimal_places=2,
        initial=Decimal(1),
    )
    explanation = forms.CharField(
        label=_("Erläuterung"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class RecordForm(KernForm):
    chosen = forms.TypedChoiceField(
        label=_("Gewählte Option"), coerce=int, widget=forms.RadioSelect
    )
    reasons = forms.CharField(
        label=_("Begründung"),
        min_length=REASONS_MIN_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Warum diese Option? Die Begründung wird mit der Entscheidung veröffentlicht."),
    )
    deviation_reason = forms.CharField(
        label=_("Warum nicht die Option mit der höchsten Punktzahl?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Nur nötig, wenn Sie nicht die bestbewertete Option wählen."),
    )

    def __init__(
        self, *args: Any, options: Sequence[tuple[int, str]], best: int | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["chosen"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = list(options)
        field.initial = best
        self.best = best

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = data.get("chosen")
        reason = (data.get("deviation_reason") or "").strip()
        if chosen is not None and chosen != self.best and len(reason) < REASONS_MIN_LENGTH:
            self.add_error(
                "deviation_reason",
                _(
                    "Sie wählen nicht die bestbewertete Option: bitte begründen Sie das "
                    "(mindestens %(count)d Zeichen)."
                )
                % {"count": REASONS_MIN_LENGTH},
            )
        return data


class WithdrawForm(KernForm):
    reason = forms.CharField(
        label=_("Grund des Rückzugs"),
        min_length=REASONS_MIN_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
