"""The forms of registering a person and of the duplicates queue: they parse and validate
input, the services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from doconnect.core.forms import KernForm, district_choice, target_groups_choice
from doconnect.core.models import Organisation, OrganisationKind
from doconnect.people.models import (
    ConsentPurpose,
    Gender,
    LegalBranch,
    SchoolQualification,
    VocationalQualification,
)
from doconnect.people.registration import NewPerson


class RegistrationForm(KernForm):
    """Person aufnehmen: the person, the address, the support facts and the first
    consent. Field names are ``NewPerson``'s, so a service refusal lands on its field."""

    given_name = forms.CharField(label=_("Vorname"), max_length=100)
    family_name = forms.CharField(label=_("Nachname"), max_length=100)
    birth_date = forms.DateField(
        label=_("Geburtsdatum"),
        help_text=_("Nötig für die Prüfung, ob die Person schon erfasst ist."),
    )
    gender = forms.ChoiceField(
        label=_("Geschlecht"), choices=Gender.choices, initial=Gender.UNSPECIFIED
    )
    street = forms.CharField(label=_("Straße und Hausnummer"), max_length=200, required=False)
    postcode = forms.CharField(
        label=_("Postleitzahl"),
        max_length=5,
        required=False,
        validators=[RegexValidator(r"^\d{5}$", _("Eine Postleitzahl hat fünf Ziffern."))],
    )
    district = district_choice(empty_label=_("nicht bekannt"))
    email = forms.EmailField(label=_("E-Mail"), required=False)
    phone = forms.CharField(label=_("Telefon"), max_length=40, required=False)
    legal_branch = forms.ChoiceField(
        label=_("Rechtskreis"), choices=LegalBranch.choices, initial=LegalBranch.NONE
    )
    school_qualification = forms.ChoiceField(
        label=_("Schulabschluss"),
        choices=SchoolQualification.choices,
        initial=SchoolQualification.UNKNOWN,
    )
    vocational_qualification = forms.ChoiceField(
        label=_("Berufsabschluss"),
        choices=VocationalQualification.choices,
        initial=VocationalQualification.UNKNOWN,
    )
    target_groups = target_groups_choice()
    consent_purpose = forms.MultipleChoiceField(
        label=_("Zwecke"),
        choices=ConsentPurpose.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Die Daten werden nur für die angekreuzten Zwecke geöffnet."),
    )
    consent_organisations = forms.ModelMultipleChoiceField(
        label=_("Berechtigte Organisationen"),
        queryset=Organisation.objects.exclude(kind=OrganisationKind.EMPLOYER).order_by("name"),
        to_field_name="external_id",
        help_text=_("Mehrere mit Strg (Mac: ⌘) auswählen."),
    )
    consent_valid_from = forms.DateField(label=_("Gültig ab"))
    consent_valid_until = forms.DateField(
        label=_("Gültig bis"),
        required=False,
        help_text=_("Leer lassen: gilt bis zum Widerruf."),
    )

    # The parts of the form, each a fieldset with its legend.
    SECTIONS: ClassVar[tuple[tuple[Any, tuple[str, ...]], ...]] = (
        (_("Person"), ("given_name", "family_name", "birth_date", "gender")),
        (_("Anschrift und Kontakt"), ("street", "postcode", "district", "email", "phone")),
        (
            _("Förderung"),
            ("legal_branch", "school_qualification", "vocational_qualification", "target_groups"),
        ),
        (
            _("Erste Einwilligung"),
            (
                "consent_purpose",
                "consent_organisations",
                "consent_valid_from",
                "consent_valid_until",
            ),
        ),
    )

    def sections(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(legend, [self[name] for name in names]) for legend, names in self.SECTIONS]

    def new_person(self) -> NewPerson:
        data = self.cleaned_data
        district = data.get("district")
        return NewPerson(
            given_name=data["given_name"],
            family_name=data["family_name"],
            birth_date=data["birth_date"],
            gender=data["gender"],
            street=data["street"],
            postcode=data["postcode"],
            district=district.official_key if district is not None else "",
            email=data["email"],
            phone=data["phone"],
            legal_branch=data["legal_branch"],
            school_qualification=data["school_qualification"],
            vocational_qualification=data["vocational_qualification"],
            target_groups=tuple(g.code for g in data["target_groups"]),
            consent_purpose=" ".join(data["consent_purpose"]),
            consent_organisations=tuple(o.external_id for o in data["consent_organisations"]),
            consent_valid_from=data["consent_valid_from"],
            consent_valid_until=data["consent_valid_until"],
        )

    @classmethod
    def blank(cls, *, today: dt.date, organisation_keys: list[str]) -> RegistrationForm:
        """A new form: the consent from today, for the user's own organisations."""
        return cls(
            initial={"consent_valid_from": today, "consent_organisations": organisation_keys}
        )


class MergeForm(KernForm):
    """Which of the pair's two records stays."""

    keep = forms.ChoiceField(label=_("Diese Akte behalten"), widget=forms.RadioSelect)

    def __init__(
        self, *args: Any, choices: list[tuple[str, str]], prefix: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, prefix=prefix, **kwargs)
        field = self.fields["keep"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        if choices and "keep" not in self.initial:
            self.initial["keep"] = choices[0][0]
