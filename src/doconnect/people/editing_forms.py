"""Forms of the editing pages (personal details, spells): they parse input into the
services' values; the rules (what is valid, who may) are the services'."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from doconnect.core.forms import KernForm, district_choice, target_groups_choice
from doconnect.core.models import Organisation, OrganisationKind
from doconnect.offers.models import Offer
from doconnect.people.details_actions import DetailChanges
from doconnect.people.models import (
    PERSONAL_FIELDS,
    Gender,
    LegalBranch,
    Person,
    PersonalDetails,
    SchoolQualification,
    Spell,
    SpellState,
    VocationalQualification,
)
from doconnect.people.spell_actions import SpellChanges


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _keep_only(form: forms.BaseForm, names: Iterable[str]) -> None:
    allowed = set(names)
    for name in list(form.fields):
        if name not in allowed:
            del form.fields[name]


class PersonalDetailsForm(KernForm):
    """Names, birth date, contact and address (``fields``: the ones the viewer may
    change; provider staff get the contact fields only)."""

    given_name = forms.CharField(label=_("Vorname"), max_length=100)
    family_name = forms.CharField(label=_("Nachname"), max_length=100)
    birth_date = forms.DateField(label=_("Geburtsdatum"), required=False)
    email = forms.CharField(
        label=_("E-Mail"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Telefon"), required=False, max_length=40, widget=forms.TextInput({"type": "tel"})
    )
    street = forms.CharField(label=_("Straße und Hausnummer"), required=False, max_length=200)
    postcode = forms.CharField(
        label=_("Postleitzahl"),
        required=False,
        max_length=10,
        widget=forms.TextInput({"inputmode": "numeric"}),
    )
    address_district = district_choice(empty_label=_("unbekannt"))

    def __init__(self, *args: Any, fields: Iterable[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["address_district"].label = _("Wohnbezirk laut Adresse")
        _keep_only(self, fields)

    @staticmethod
    def initial_for(details: PersonalDetails | None) -> dict[str, Any]:
        if details is None:
            return {}
        return {name: getattr(details, name) for name in PERSONAL_FIELDS}

    def changes(self) -> DetailChanges:
        data = self.cleaned_data
        changes: dict[str, Any] = {name: data[name] for name in self.fields}
        if "address_district" in changes:
            district = changes["address_district"]
            changes["address_district"] = district.official_key if district else None
        return cast(DetailChanges, changes)


class PersonRecordForm(KernForm):
    """The pseudonymous record: what statistics and the analyses count."""

    gender = forms.ChoiceField(label=_("Geschlecht"), choices=Gender.choices)
    district = district_choice(empty_label=_("unbekannt"))
    legal_branch = forms.ChoiceField(label=_("Rechtskreis"), choices=LegalBranch.choices)
    school_qualification = forms.ChoiceField(
        label=_("Schulabschluss"), choices=SchoolQualification.choices
    )
    vocational_qualification = forms.ChoiceField(
        label=_("Berufsabschluss"), choices=VocationalQualification.choices
    )
    target_groups = target_groups_choice()
    strengths = forms.CharField(
        label=_("Stärken"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Eine Angabe je Zeile, in Worten der Person; nie eine Bewertung."),
    )
    support_needs = forms.CharField(
        label=_("Unterstützungsbedarfe"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Eine Angabe je Zeile."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].label = _("Stadtbezirk")
        self.fields["district"].help_text = _(
            "Folgt dem Wohnbezirk laut Adresse, solange beide gleich sind."
        )

    @staticmethod
    def initial_for(person: Person) -> dict[str, Any]:
        return {
            "gender": person.gender,
            "district": person.district,
            "legal_branch": person.legal_branch,
            "school_qualification": person.school_qualification,
            "vocational_qualification": person.vocational_qualification,
            "target_groups": list(person.target_groups.all()),
            "strengths": "\n".join(person.strengths),
            "support_needs": "\n".join(person.support_needs),
        }

    def changes(self) -> DetailChanges:
        data = self.cleaned_data
        district = data["district"]
        return DetailChanges(
            gender=data["gender"],
            # Sent as given: a district the user left alone must not count as "set".
            district=district.official_key if district else None,
            legal_branch=data["legal_branch"],
            school_qualification=data["school_qualification"],
            vocational_qualification=data["vocational_qualification"],
            target_groups=[g.code for g in data["target_groups"]],
            strengths=_lines(data["strengths"]),
            support_needs=_lines(data["support_needs"]),
        )


def _offer_choices(offers: Iterable[Offer]) -> list[Any]:
    """Offers grouped by provider, so a long catalogue stays findable."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for offer in offers:
        groups.setdefault(offer.provider.name, []).append((offer.external_id, offer.title))
    return [("", _("kein Angebot")), *groups.items()]


class SpellForm(KernForm):
    """One spell: state, dates, who reports it, the offer and the occupation. Provider
    staff choose among their own organisations and offers only."""

    state = forms.ChoiceField(label=_("Status"), choices=SpellState.choices)
    start = forms.DateField(label=_("Beginn"))
    end = forms.DateField(
        label=_("Ende"),
        required=False,
        help_text=_("Leer lassen, solange der Abschnitt läuft. Das Ende zählt mit."),
    )
    source_organisation = forms.ChoiceField(label=_("Gemeldet von"), required=False)
    offer = forms.ChoiceField(label=_("Angebot"), required=False)
    kldb = forms.CharField(
        label=_("Beruf (KldB 2010)"),
        required=False,
        max_length=5,
        widget=forms.TextInput({"inputmode": "numeric"}),
        help_text=_(
            "Fünfstelliger Schlüssel der Berufsgattung, bei Arbeitslosigkeit der gesuchte "
            "Beruf; leer, wenn unbekannt."
        ),
    )

    def __init__(
        self, *args: Any, own_organisations: Iterable[int] | None = None, **kwargs: Any
    ) -> None:
        """``own_organisations``: for provider staff, the organisations they may name."""
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.exclude(kind=OrganisationKind.EMPLOYER)
        offers = Offer.objects.select_related("provider").only(
            "external_id", "title", "provider__name"
        )
        if own_organisations is not None:
            own = list(own_organisations)
            organisations = organisations.filter(pk__in=own)
            offers = offers.filter(provider_id__in=own)
        self.fields["source_organisation"].choices = [  # type: ignore[attr-defined]
            ("", _("keine Angabe")),
            *organisations.order_by("name").values_list("external_id", "name"),
        ]
        self.fields["offer"].choices = _offer_choices(  # type: ignore[attr-defined]
            offers.order_by("provider__name", "title")
        )

    @staticmethod
    def initial_for(spell: Spell) -> dict[str, Any]:
        return {
            "state": spell.state,
            "start": spell.start,
            "end": spell.end,
            "source_organisation": spell.source_organisation.external_id
            if spell.source_organisation
            else "",
            "offer": spell.offer.external_id if spell.offer else "",
            "kldb": spell.kldb,
        }

    def changes(self) -> SpellChanges:
        data = self.cleaned_data
        return SpellChanges(
            state=data["state"],
            start=data["start"],
            end=data["end"],
            source_organisation=data["source_organisation"] or None,
            offer=data["offer"] or None,
            kldb=data["kldb"],
        )


class SpellEndForm(KernForm):
    end = forms.DateField(
        label=_("Letzter Tag"),
        help_text=_("Der Abschnitt endet mit diesem Tag (er zählt mit)."),
    )

    @staticmethod
    def initial_for(today: dt.date) -> dict[str, Any]:
        return {"end": today}
