"""Forms of the conference pages: filters (GET) and the coordinator's forms that run a
session (POST). They parse and validate; the services in ``forum.services`` write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from doconnect.core.forms import KernForm, district_choice
from doconnect.core.models import District, Organisation, OrganisationKind, TargetGroup
from doconnect.forum.analyses import TIE_KINDS
from doconnect.forum.engine.drawing import MILIEU, SPRING
from doconnect.forum.models import (
    AgendaItem,
    CommitmentStatus,
    ConferenceDecision,
    ConferenceSession,
    PolicyField,
    SessionKind,
    WorkingGroup,
)
from doconnect.offers.models import Offer

TIE_KIND_LABELS = {
    "shared_offer": _("gemeinsames Angebot"),
    "referral": _("Zuweisungen"),
    "agreement": _("Zusagen"),
    "session": _("gemeinsame Sitzungen"),
}


def organisation_choice(label: Any, *, required: bool = True) -> Any:
    return forms.ModelChoiceField(
        label=label,
        queryset=Organisation.objects.exclude(kind=OrganisationKind.EMPLOYER)
        .only("pk", "name", "external_id")
        .order_by("name"),
        to_field_name="external_id",
        required=required,
        empty_label=_("– bitte wählen –") if required else _("niemand Bestimmtes"),
    )


class ActorFilterForm(KernForm):
    kind = forms.ChoiceField(
        label=_("Art"), choices=[("", _("alle")), *OrganisationKind.choices], required=False
    )
    policy_field = forms.ChoiceField(
        label=_("Politikfeld"), choices=[("", _("alle")), *PolicyField.choices], required=False
    )
    district = district_choice()


class SessionForm(KernForm):
    title = forms.CharField(label=_("Titel"), max_length=300)
    kind = forms.ChoiceField(label=_("Art"), choices=SessionKind.choices)
    working_group = forms.ModelChoiceField(
        label=_("Arbeitsgruppe"),
        queryset=WorkingGroup.objects.order_by("name"),
        required=False,
        empty_label=_("– keine (Plenum) –"),
        help_text=_("Nur für Sitzungen einer Arbeitsgruppe."),
    )
    date = forms.DateField(label=_("Datum"))
    place = forms.CharField(label=_("Ort"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == SessionKind.WORKING_GROUP and not data.get("working_group"):
            self.add_error("working_group", _("Bitte die Arbeitsgruppe wählen."))
        return data


class AgendaItemForm(KernForm):
    title = forms.CharField(label=_("Titel des Tagesordnungspunkts"), max_length=300)
    body = forms.CharField(
        label=_("Erläuterung"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Markdown: **fett**, *kursiv*, Listen mit -, Links [Text](https://…)."),
    )


class DocumentForm(KernForm):
    title = forms.CharField(label=_("Titel der Unterlage"), max_length=300)
    url = forms.URLField(
        label=_("Adresse (Link)"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Nur http- und https-Adressen."),
    )
    text = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_url(self) -> str:
        url: str = self.cleaned_data.get("url") or ""
        if url and not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError(_("Nur http- und https-Adressen."))
        return url

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("url") and not data.get("text") and not self.errors:
            self.add_error("url", _("Bitte eine Adresse oder einen Text angeben."))
        return data


class ParticipantForm(KernForm):
    organisation = organisation_choice(_("Organisation"))
    representative = forms.CharField(
        label=_("Vertreten durch"),
        max_length=200,
        required=False,
        help_text=_("Name und Funktion der Vertretung (Amtsträger:innen)."),
    )


class MinutesForm(KernForm):
    body = forms.CharField(
        label=_("Protokoll"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Markdown. Mit dem Erfassen gilt die Sitzung als durchgeführt."),
    )
    approve = forms.BooleanField(
        label=_("Protokoll ist genehmigt (danach nicht mehr änderbar)"), required=False
    )


class DecisionForm(KernForm):
    agenda_item = forms.ModelChoiceField(
        label=_("Tagesordnungspunkt"),
        queryset=AgendaItem.objects.none(),
        required=False,
        empty_label=_("– ohne –"),
    )
    text = forms.CharField(
        label=_("Beschluss"), widget=forms.Textarea(attrs={"rows": 4}), help_text=_("Markdown.")
    )
    public = forms.BooleanField(
        label=_("im öffentlichen Beschlussprotokoll zeigen"), required=False
    )

    def __init__(self, *args: Any, session: ConferenceSession, **kwargs: Any) -> None:
        super().__init__(*args, prefix="decision", **kwargs)
        field = self.fields["agenda_item"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = AgendaItem.objects.filter(session=session)


class DecisionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(_("Beschluss %(n)s: %(text)s") % {"n": obj.pk, "text": obj.text[:60]})


class CommitmentForm(KernForm):
    decision = DecisionChoiceField(label=_("Beschluss"), queryset=ConferenceDecision.objects.none())
    owner = organisation_choice(_("Verantwortliche Organisation"))
    to_whom = organisation_choice(_("Zugesagt gegenüber"), required=False)
    what = forms.CharField(label=_("Zusage"), widget=forms.Textarea(attrs={"rows": 3}))
    due_on = forms.DateField(label=_("Fällig am"))
    offers = forms.ModelMultipleChoiceField(
        label=_("Betroffene Angebote"),
        queryset=Offer.objects.only("pk", "title", "external_id").order_by("title"),
        to_field_name="external_id",
        required=False,
    )
    districts = forms.ModelMultipleChoiceField(
        label=_("Stadtbezirke"),
        queryset=District.objects.only("pk", "name", "official_key").order_by("official_key"),
        to_field_name="official_key",
        required=False,
    )
    target_groups = forms.ModelMultipleChoiceField(
        label=_("Zielgruppen"),
        queryset=TargetGroup.objects.order_by("label"),
        to_field_name="code",
        required=False,
    )
    public = forms.BooleanField(
        label=_("öffentlich (nur bei öffentlichem Beschluss)"), required=False
    )

    def __init__(self, *args: Any, session: ConferenceSession, **kwargs: Any) -> None:
        super().__init__(*args, prefix="commitment", **kwargs)
        field = self.fields["decision"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = ConferenceDecision.objects.filter(session=session)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        owner, to_whom = data.get("owner"), data.get("to_whom")
        if owner is not None and to_whom is not None and owner.pk == to_whom.pk:
            self.add_error("to_whom", _("Eine Zusage gilt einer anderen Organisation."))
        return data


class CommitmentStatusForm(KernForm):
    status = forms.ChoiceField(label=_("Neuer Status"), choices=CommitmentStatus.choices)
    reason = forms.CharField(
        label=_("Begründung"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Nötig für „verspätet“ und „aufgegeben“."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("status") in (CommitmentStatus.LATE, CommitmentStatus.DROPPED)
            and not (data.get("reason") or "").strip()
        ):
            self.add_error(
                "reason", _("Für „verspätet“ und „aufgegeben“ ist eine Begründung nötig.")
            )
        return data


class PublishForm(KernForm):
    public = forms.BooleanField(required=False)


class BoardFilterForm(KernForm):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("alle")), *CommitmentStatus.choices], required=False
    )
    owner = forms.ModelChoiceField(
        label=_("Verantwortlich"),
        queryset=Organisation.objects.filter(commitments__isnull=False)
        .distinct()
        .only("pk", "name", "external_id")
        .order_by("name"),
        to_field_name="external_id",
        required=False,
        empty_label=_("alle"),
    )


class NetworkFilterForm(KernForm):
    actor_kinds = forms.MultipleChoiceField(
        label=_("Arten von Akteuren"),
        choices=OrganisationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Keine Auswahl: alle."),
    )
    tie_kinds = forms.MultipleChoiceField(
        label=_("Arten von Verbindungen"),
        choices=[(code, TIE_KIND_LABELS[code]) for code in TIE_KINDS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Keine Auswahl: alle."),
    )
    layout = forms.ChoiceField(
        label=_("Anordnung"),
        choices=[
            (MILIEU, _("nach Art der Akteure (öffentliche Stellen in der Mitte)")),
            (SPRING, _("nach Nähe (eng verbundene Akteure liegen beieinander)")),
        ],
        initial=MILIEU,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "Nach Art der Akteure: Linien quer durch den Kreis verbinden verschiedene Arten "
            "von Akteuren."
        ),
    )

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        # Filtering without choosing a layout keeps the default, and shows it chosen.
        if data is not None and not data.get("layout"):
            data = data.copy()
            data["layout"] = MILIEU
        super().__init__(data, *args, **kwargs)
