"""Forms of the person pages: they parse and validate input, nothing more."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from doconnect.core.changes import cached
from doconnect.core.forms import KernForm, LongSelectMultiple, district_choice, target_group_choice
from doconnect.core.models import Organisation, OrganisationKind
from doconnect.offers.models import Destination, OfferKind
from doconnect.pathways.engine.inputs import GOAL_DESTINATIONS
from doconnect.people.models import (
    PERSON_GOALS,
    ConsentPurpose,
    Gender,
    LegalBranch,
    SpellState,
)

# How many persons a page of the list shows; the first is the default.
PAGE_SIZES = (25, 50, 100)


class PersonSearchForm(KernForm):
    """Search and filters of the person list (GET). The parameter names are part of
    the page's address: the dashboard links to ``?district=<official key>``,
    ``?target_group=<code>``, ``?state=<spell state>``, ``?support=active`` and so on."""

    q = forms.CharField(
        label=_("Pseudonym oder Name"),
        required=False,
        max_length=100,
        help_text=_("Namen finden nur Personen, deren Namen Sie sehen dürfen."),
    )
    # Removed by the view for viewers who do no case work (they have no cases).
    mine = forms.BooleanField(
        label=_("Nur meine Fälle"),
        required=False,
        help_text=_("Personen, für die Sie die zuständige Fachkraft sind."),
    )
    district = district_choice()
    target_group = target_group_choice()
    state = forms.ChoiceField(
        label=_("Aktueller Status"),
        choices=[("", _("alle")), *SpellState.choices],
        required=False,
        help_text=_("Eine Episode in diesem Status läuft heute."),
    )
    support = forms.ChoiceField(
        label=_("Unterstützung"),
        choices=[
            ("", _("alle")),
            ("active", _("in aktiver Unterstützung (heute in einem Angebot)")),
        ],
        required=False,
    )
    legal_branch = forms.ChoiceField(
        label=_("Rechtskreis"),
        choices=[("", _("alle")), *LegalBranch.choices],
        required=False,
    )
    age_band = forms.ChoiceField(
        label=_("Altersgruppe"),
        choices=[
            ("", _("alle")),
            ("u25", _("unter 25")),
            ("25-34", _("25 bis 34")),
            ("35-49", _("35 bis 49")),
            ("50-64", _("50 bis 64")),
            ("65+", _("65 und älter")),
        ],
        required=False,
        help_text=_("Berechnet aus dem Geburtsjahr: laufendes Jahr minus Geburtsjahr."),
    )
    gender = forms.ChoiceField(
        label=_("Geschlecht"),
        choices=[("", _("alle")), *Gender.choices],
        required=False,
    )
    per_page = forms.TypedChoiceField(
        label=_("Personen je Seite"),
        choices=[(str(n), str(n)) for n in PAGE_SIZES],
        coerce=int,
        required=False,
        empty_value=None,
    )


# Who a consent may name: the organisations of the city's network, not the employers of
# the labour-market register.
_CONSENT_ORGANISATIONS = (
    Organisation.objects.exclude(kind=OrganisationKind.EMPLOYER)
    .only("pk", "external_id", "name")
    .order_by("name")
)


class ConsentForm(KernForm):
    purposes = forms.MultipleChoiceField(
        label=_("Zwecke"),
        choices=ConsentPurpose.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Die Daten werden nur für die angekreuzten Zwecke geöffnet."),
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Berechtigte Organisationen"),
        queryset=_CONSENT_ORGANISATIONS,
        to_field_name="external_id",
        widget=LongSelectMultiple,
    )
    valid_from = forms.DateField(label=_("Gültig ab"))
    valid_until = forms.DateField(label=_("Gültig bis"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The select lists the organisations as kept while the table is unchanged (the
        # form is on every person page); what is sent is checked against the queryset.
        field = self.fields["organisations"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.widget.choices = cached(
            "people.consent-organisations",
            [Organisation],
            None,
            lambda: list(_CONSENT_ORGANISATIONS.values_list("external_id", "name")),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("Das Ende liegt vor dem Beginn."))
        return data


class ConsentExtendForm(KernForm):
    """The new end of one consent (its row on the person page); empty: until withdrawn."""

    valid_until = forms.DateField(
        label=_("Neues Ende"),
        required=False,
        help_text=_("Leer lassen: gilt bis zum Widerruf."),
    )

    def __init__(self, *args: Any, consent_id: int, **kwargs: Any) -> None:
        # One form per consent row: distinct ids keep labels and errors to their row.
        super().__init__(*args, auto_id=f"id_consent{consent_id}_%s", **kwargs)
        self.consent_id = consent_id


class PersonWishesForm(KernForm):
    """What the person said they want: a goal and up to three kinds of offer, most
    wished first (three selects, so the order is the person's, not the alphabet's)."""

    goal = forms.ChoiceField(
        label=_("Ziel der Person"),
        choices=[("", _("nicht genannt")), *list(PERSON_GOALS)],
        required=False,
    )
    wish_1 = forms.ChoiceField(label=_("Erster Wunsch"), required=False)
    wish_2 = forms.ChoiceField(label=_("Zweiter Wunsch"), required=False)
    wish_3 = forms.ChoiceField(label=_("Dritter Wunsch"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = [("", _("keiner")), *list(OfferKind.choices)]
        for name in ("wish_1", "wish_2", "wish_3"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = kinds

    @classmethod
    def for_person(cls, person: Any) -> PersonWishesForm:
        wishes = list(person.preferred_offer_kinds)[:3]
        initial = {"goal": person.goal}
        initial.update({f"wish_{i + 1}": kind for i, kind in enumerate(wishes)})
        return cls(initial=initial)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kinds = [data.get(f"wish_{i}") for i in (1, 2, 3)]
        chosen = [k for k in kinds if k]
        if len(set(chosen)) != len(chosen):
            raise ValidationError(_("Jede Angebotsart bitte nur einmal wählen."))
        data["preferred_offer_kinds"] = chosen
        return data

    def add_service_errors(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict") and "preferred_offer_kinds" in exc.error_dict:
            messages = exc.error_dict.pop("preferred_offer_kinds")
            self.add_error("wish_1", messages)
        super().add_service_errors(exc)


class NextStepsGoalForm(KernForm):
    """The goal a person's next steps should lead to (GET); empty: any goal."""

    goal = forms.ChoiceField(
        label=_("Ziel"),
        choices=[("", _("jedes Ziel"))]
        + [(value, label) for value, label in Destination.choices if value in GOAL_DESTINATIONS],
        required=False,
    )
