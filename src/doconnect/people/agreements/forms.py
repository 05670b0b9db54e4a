"""The agreement form ("Vereinbarung schließen"): the agreement itself, and a row set
per side ("Das tue ich", "Das sichern wir zu") that grows by a row at a time, with
JavaScript in place or, without it, by posting the form back with one row more and
every value kept. Every rule is the service's: the fields here only parse (dates,
choices) and the service's errors come back next to the field they name."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.forms.formsets import BaseFormSet, formset_factory
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from doconnect.core.forms import KernForm
from doconnect.core.models import Membership, Organisation
from doconnect.core.viewers import Viewer
from doconnect.people.agreements.access import AGREEMENT_ROLES, agreement_organisations
from doconnect.people.agreements.models import GUARANTOR_KINDS, ItemSide, ItemStatus
from doconnect.people.agreements.services import ItemInput

ROWS_AT_START = 3
ROWS_MAX = 20
REVIEW_AFTER_DAYS = 91  # a quarter: the usual review of a Kooperationsplan
# What makes a row count (the owner select always has a value).
FILLED_BY = ("text", "due_on", "owner_user")


def _date(label: Any, help_text: Any = "") -> forms.DateField:
    return forms.DateField(label=label, help_text=help_text, required=False)


class AgreementForm(KernForm):
    title = forms.CharField(
        label=_("Titel"),
        help_text=_("Zum Beispiel „Kooperationsplan“ oder „Vereinbarung Übergang Schule–Beruf“."),
        max_length=200,
        required=False,
    )
    organisation = forms.ChoiceField(label=_("Vereinbarung der Stelle"), required=False)
    concluded_on = _date(_("Geschlossen am"))
    review_on = _date(
        _("Gemeinsame Überprüfung am"),
        _("An diesem Tag schauen Sie gemeinsam, wie es läuft, und passen die Punkte an."),
    )

    def __init__(self, *args: Any, organisations: Iterable[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(o.external_id, o.name) for o in organisations]

    @classmethod
    def first_time(cls, organisations: list[Organisation], today: dt.date) -> AgreementForm:
        return cls(
            organisations=organisations,
            initial={
                "concluded_on": today,
                "review_on": today + dt.timedelta(days=REVIEW_AFTER_DAYS),
                "organisation": organisations[0].external_id if organisations else "",
            },
        )


class PersonItemForm(KernForm):
    """A row of "Das tue ich": the person owns it."""

    side = ItemSide.PERSON
    text = forms.CharField(
        label=_("Was die Person tut"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    due_on = _date(_("Bis wann"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.pop("owner_choices", None)
        kwargs.pop("user_choices", None)
        super().__init__(*args, **kwargs)

    def item(self) -> ItemInput:
        data = self.cleaned_data
        return ItemInput(side=self.side, text=data.get("text", ""), due_on=data.get("due_on"))


class InstitutionItemForm(KernForm):
    """A row of "Das sichern wir zu": an organisation guarantees it, optionally a
    worker there sees to it."""

    side = ItemSide.INSTITUTION
    text = forms.CharField(
        label=_("Was zugesichert wird"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    owner_organisation = forms.ChoiceField(label=_("Zuständige Stelle"), required=False)
    owner_user = forms.ChoiceField(label=_("Zuständige Fachkraft (freiwillig)"), required=False)
    due_on = _date(_("Bis wann"))

    def __init__(
        self,
        *args: Any,
        owner_choices: list[Any] | None = None,
        user_choices: list[Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        owners, users = self.fields["owner_organisation"], self.fields["owner_user"]
        assert isinstance(owners, forms.ChoiceField) and isinstance(users, forms.ChoiceField)
        owners.choices = owner_choices or []
        users.choices = [("", _("– keine Angabe –")), *(user_choices or [])]

    def item(self) -> ItemInput:
        data = self.cleaned_data
        return ItemInput(
            side=self.side,
            text=data.get("text", ""),
            due_on=data.get("due_on"),
            owner_organisation=data.get("owner_organisation", ""),
            owner_user=data.get("owner_user", ""),
        )


class ItemRows(BaseFormSet):
    """The rows of one side. Without JavaScript, "Weitere Zeile" posts the form back
    and ``with_one_more`` shows it again with one more row and every value kept
    (nothing is saved, and untouched rows raise no errors)."""

    def filled(self) -> list[Any]:
        """The rows the user wrote something in: a text, a date or a worker. A row
        with nothing but its preset owner is an empty row and does not count."""
        return [
            f
            for f in self.forms
            if any(str(f.data.get(f.add_prefix(name), "")).strip() for name in FILLED_BY)
        ]


def one_more_row(data: QueryDict, prefix: str) -> QueryDict:
    """The posted data with one more row on the side ``prefix`` (at most ROWS_MAX)."""
    more = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        total = int(more.get(key) or 0)
    except ValueError:
        total = ROWS_AT_START
    more[key] = str(min(total + 1, ROWS_MAX))
    return more


PersonItems = cast(
    type[ItemRows],
    formset_factory(
        PersonItemForm, formset=ItemRows, extra=ROWS_AT_START, max_num=ROWS_MAX, validate_max=True
    ),
)
InstitutionItems = cast(
    type[ItemRows],
    formset_factory(
        InstitutionItemForm,
        formset=ItemRows,
        extra=ROWS_AT_START,
        max_num=ROWS_MAX,
        validate_max=True,
    ),
)


def owner_choices() -> list[Any]:
    """The guarantors, grouped by kind (city, Jobcenter, agency, providers)."""
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    labels: dict[str, str] = {}
    organisations = Organisation.objects.filter(kind__in=GUARANTOR_KINDS).order_by("name")
    for organisation in organisations:
        groups[organisation.kind].append((organisation.external_id, organisation.name))
        labels[organisation.kind] = str(organisation.get_kind_display())
    return [(labels[kind], groups[kind]) for kind in GUARANTOR_KINDS if kind in groups]


def colleague_choices(viewer: Viewer) -> list[Any]:
    """Workers of the viewer's own organisations, grouped by organisation."""
    memberships = (
        Membership.objects.filter(
            organisation_id__in=agreement_organisations(viewer),
            role__in=AGREEMENT_ROLES,
            user__is_active=True,
        )
        .select_related("user", "organisation")
        .order_by("organisation__name", "user__last_name", "user__username")
    )
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    seen: set[tuple[str, str]] = set()
    for m in memberships:
        key = (m.organisation.name, m.user.get_username())
        if key not in seen:
            seen.add(key)
            groups[m.organisation.name].append(
                (m.user.get_username(), m.user.get_full_name() or m.user.get_username())
            )
    return list(groups.items())


def item_rows(
    viewer: Viewer, organisations: list[Organisation], data: QueryDict | None = None
) -> dict[str, ItemRows]:
    """Both sides' rows (by side: "person", "institution"); the institutions' rows
    start with the viewer's own organisation as the owner."""
    default_owner = organisations[0].external_id if organisations else ""
    institution_kwargs = {
        "owner_choices": owner_choices(),
        "user_choices": colleague_choices(viewer),
        "initial": {"owner_organisation": default_owner},
    }
    rows: dict[str, ItemRows] = {
        ItemSide.PERSON.value: PersonItems(data, prefix=ItemSide.PERSON.value),
        ItemSide.INSTITUTION.value: InstitutionItems(
            data, prefix=ItemSide.INSTITUTION.value, form_kwargs=institution_kwargs
        ),
    }
    return rows


def writable_organisations(viewer: Viewer) -> list[Organisation]:
    return list(Organisation.objects.filter(pk__in=agreement_organisations(viewer)))


class ItemChangeForm(KernForm):
    """An item's status and due date on the agreement page."""

    status = forms.ChoiceField(label=_("Status"), choices=ItemStatus.choices)
    due_on = forms.DateField(label=_("Fällig am"), required=False)
