"""The editing pages of a person's file: "Angaben ändern" (personal details and the
pseudonymous record) and the biography's "Abschnitt erfassen", "korrigieren" and
"beenden". Thin: who may is asked first (``editing_access``: 404 for a person the viewer
does not see, 403 for a role without the right), before anything is read or shown; the
services do the rest. A saved form goes back to the person page with a message; a
refused one comes again with the errors next to the fields (400), nothing saved."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from doconnect.charts.chart import Chart, RowAction
from doconnect.core.forms import KernForm
from doconnect.core.models import Role
from doconnect.core.viewers import Viewer, request_viewer
from doconnect.people.access import (
    PersonNotFound,
    PersonRecord,
    access_person,
    levels_for,
)
from doconnect.people.access_rules import Level, Purpose
from doconnect.people.details_actions import editable_fields, person_details_update_as
from doconnect.people.editing_access import EditScope, edit_scope_for, person_for_editing
from doconnect.people.editing_forms import (
    PersonalDetailsForm,
    PersonRecordForm,
    SpellEndForm,
    SpellForm,
)
from doconnect.people.models import Person, Spell
from doconnect.people.page_writes import write_from_form
from doconnect.people.selectors import biography
from doconnect.people.spell_actions import (
    may_change_spell,
    spell_correct_as,
    spell_end_as,
    spell_for_change,
    spell_record_as,
)

# Zweckbindung: changing a file is counselling work, as the person page is.
PURPOSE = Purpose.COUNSELLING

GET_AND_POST = require_http_methods(["GET", "POST"])


def _scope_or_refuse(viewer: Viewer, public_id: str) -> EditScope:
    """Before anything is read: 404 for a person the viewer does not see, 403 (the
    service's PermissionDenied) for a viewer who may change nothing."""
    try:
        return person_for_editing(viewer, public_id)[2]
    except PersonNotFound:
        raise Http404 from None


def _read(viewer: Viewer, public_id: str, view: str, reads: list[str] | None) -> PersonRecord:
    """Showing the form is a read of the person, audited like the person page."""
    try:
        return access_person(viewer, public_id, view=view, purpose=PURPOSE, reads=reads)
    except PersonNotFound:
        raise Http404 from None


def _service_errors(forms: list[KernForm], exc: ValidationError) -> None:
    """A service's refusal onto whichever form has the field; the rest on the first."""
    if not hasattr(exc, "error_dict"):
        forms[0].add_service_errors(exc)
        return
    for name, problems in exc.message_dict.items():
        target = next((f for f in forms if name in f.fields), forms[0])
        target.add_service_errors(ValidationError({name: problems}))


def _back_to_person(viewer: Viewer, person_pk: int, public_id: str, anchor: str) -> HttpResponse:
    """To the person page; to the list when the change ended the viewer's own access
    (a provider that took the spell linking the person out of its own offer)."""
    if levels_for(viewer, [person_pk], purpose=PURPOSE)[person_pk] is Level.NONE:
        return redirect("web:person_list")
    return redirect(reverse("web:person_detail", args=[public_id]) + anchor)


# --- personal details -----------------------------------------------------------------


@login_required
@GET_AND_POST
def person_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    """ "Angaben ändern": coordinators and case workers all fields, provider staff on
    their own participants the contact data."""
    viewer = request_viewer(request)
    scope = _scope_or_refuse(viewer, public_id)
    fields = editable_fields(scope)
    data = request.POST if request.method == "POST" else None
    record = None
    if data is None:
        record = _read(viewer, public_id, "web.person_edit", None)
        forms = _details_forms(scope, fields, data, record)
    else:
        forms = _details_forms(scope, fields, data, None)
        if all(form.is_valid() for form in forms):
            changes: dict[str, object] = {}
            for form in forms:
                changes.update(form.changes())  # type: ignore[attr-defined]
            try:
                changed = person_details_update_as(
                    viewer,
                    public_id=public_id,
                    view="web.person_edit",
                    **changes,  # type: ignore[arg-type]
                )
            except PersonNotFound:
                raise Http404 from None
            except ValidationError as exc:
                _service_errors(forms, exc)
            else:
                if changed:
                    messages.success(request, _("Die Angaben sind gespeichert."))
                else:
                    messages.info(request, _("Es gab keine Änderungen zu speichern."))
                return redirect(
                    reverse("web:person_detail", args=[public_id]) + "#personal-heading"
                )
        record = _read(viewer, public_id, "web.person_edit", None)
    personal_form, record_form = forms[0], forms[1] if len(forms) > 1 else None
    return render(
        request,
        "people/person_edit.html",
        {
            "person": record.person,
            "record": record,
            "personal_form": personal_form,
            "record_form": record_form,
            "contact_only": scope is EditScope.OWN,
        },
        status=400 if data is not None else 200,
    )


def _details_forms(
    scope: EditScope,
    fields: tuple[str, ...],
    data: object,
    record: PersonRecord | None,
) -> list[KernForm]:
    """The personal details form (and, for the whole file, the record's form), bound
    to the posted data or filled from the record."""
    if data is not None:
        personal: KernForm = PersonalDetailsForm(data, fields=fields)
        return [personal, PersonRecordForm(data)] if scope is EditScope.ALL else [personal]
    assert record is not None
    personal = PersonalDetailsForm(
        fields=fields, initial=PersonalDetailsForm.initial_for(record.personal)
    )
    if scope is not EditScope.ALL:
        return [personal]
    return [personal, PersonRecordForm(initial=PersonRecordForm.initial_for(record.person))]


# --- spells ---------------------------------------------------------------------------


def _spell_form(viewer: Viewer, scope: EditScope, *args: object, **kwargs: object) -> SpellForm:
    own = viewer.orgs_with(Role.PROVIDER_STAFF) if scope is EditScope.OWN else None
    return SpellForm(*args, own_organisations=own, **kwargs)


def _default_organisation(viewer: Viewer, scope: EditScope) -> str:
    """Who reports a new spell: the viewer's organisation, when there is one to name."""
    roles = (
        (Role.PROVIDER_STAFF,) if scope is EditScope.OWN else (Role.COORDINATOR, Role.CASE_WORKER)
    )
    own = sorted(viewer.orgs_with(*roles))
    return viewer.organisation_keys.get(own[0], "") if len(own) == 1 else ""


def _spell_page(
    request: HttpRequest,
    viewer: Viewer,
    public_id: str,
    *,
    view: str,
    form: KernForm,
    spell: Spell | None,
    template: str,
    status: int,
) -> HttpResponse:
    record = _read(viewer, public_id, view, ["spells"])
    return render(
        request,
        template,
        {
            "person": record.person,
            "form": form,
            "spell": spell,
            # The biography beside the form: where a new spell would overlap.
            "spells": biography(record.person),
        },
        status=status,
    )


@login_required
@GET_AND_POST
def spell_new(request: HttpRequest, public_id: str) -> HttpResponse:
    """ "Abschnitt erfassen"."""
    viewer = request_viewer(request)
    scope = _scope_or_refuse(viewer, public_id)
    if request.method == "POST":
        form = _spell_form(viewer, scope, request.POST)
        spell = write_from_form(
            form,
            lambda: spell_record_as(
                viewer, public_id=public_id, view="web.spell_new", **form.changes()
            ),
        )
        if spell is not None:
            messages.success(request, _("Der Abschnitt ist erfasst."))
            return _back_to_person(viewer, spell.person_id, public_id, "#spells-heading")
        status = 400
    else:
        form = _spell_form(
            viewer,
            scope,
            initial={"source_organisation": _default_organisation(viewer, scope)},
        )
        status = 200
    return _spell_page(
        request,
        viewer,
        public_id,
        view="web.spell_new",
        form=form,
        spell=None,
        template="people/spell_form.html",
        status=status,
    )


def _spell_or_refuse(viewer: Viewer, public_id: str, spell_id: int) -> tuple[Spell, EditScope]:
    try:
        return spell_for_change(viewer, public_id=public_id, spell_id=spell_id)
    except PersonNotFound:
        raise Http404 from None


@login_required
@GET_AND_POST
def spell_edit(request: HttpRequest, public_id: str, spell_id: int) -> HttpResponse:
    """ "korrigieren": every field of one spell."""
    viewer = request_viewer(request)
    spell, scope = _spell_or_refuse(viewer, public_id, spell_id)
    if request.method == "POST":
        form = _spell_form(viewer, scope, request.POST)
        corrected = write_from_form(
            form,
            lambda: spell_correct_as(
                viewer,
                public_id=public_id,
                spell_id=spell_id,
                view="web.spell_edit",
                **form.changes(),
            ),
        )
        if corrected is not None:
            messages.success(request, _("Der Abschnitt ist korrigiert."))
            return _back_to_person(viewer, spell.person_id, public_id, "#spells-heading")
        status = 400
    else:
        form = _spell_form(viewer, scope, initial=SpellForm.initial_for(spell))
        status = 200
    return _spell_page(
        request,
        viewer,
        public_id,
        view="web.spell_edit",
        form=form,
        spell=spell,
        template="people/spell_form.html",
        status=status,
    )


@login_required
@GET_AND_POST
def spell_end(request: HttpRequest, public_id: str, spell_id: int) -> HttpResponse:
    """ "beenden": the last day of a running spell."""
    viewer = request_viewer(request)
    spell, _scope = _spell_or_refuse(viewer, public_id, spell_id)
    if request.method == "POST":
        form = SpellEndForm(request.POST)
        ended = write_from_form(
            form,
            lambda: spell_end_as(
                viewer,
                public_id=public_id,
                spell_id=spell_id,
                end=form.cleaned_data["end"],
                view="web.spell_end",
            ),
        )
        if ended is not None:
            messages.success(request, _("Der Abschnitt ist beendet."))
            return _back_to_person(viewer, spell.person_id, public_id, "#spells-heading")
        status = 400
    else:
        form = SpellEndForm(initial=SpellEndForm.initial_for(timezone.localdate()))
        status = 200
    return _spell_page(
        request,
        viewer,
        public_id,
        view="web.spell_end",
        form=form,
        spell=spell,
        template="people/spell_end.html",
        status=status,
    )


# --- the person page's links ----------------------------------------------------------


@dataclass(frozen=True)
class PersonEditing:
    """What the person page offers this viewer to change: the "Angaben ändern" and
    "Abschnitt erfassen" addresses (None: not for this viewer) and, per spell, its
    "korrigieren" and "beenden" links."""

    details_url: str | None = None
    spell_new_url: str | None = None
    spell_actions: dict[int, list[RowAction]] = dataclasses.field(default_factory=dict)

    def chart_with_actions(self, chart: Chart, spells: list[Spell]) -> Chart:
        """The biography chart with a column of actions in its table (rows are the
        spells in the same order)."""
        if not self.spell_actions:
            return chart
        return dataclasses.replace(
            chart,
            actions=[self.spell_actions.get(s.pk, []) for s in spells],
            actions_title=_("Aktion"),
        )


def editing_for_page(viewer: Viewer, record: PersonRecord, spells: list[Spell]) -> PersonEditing:
    """The editing links of the person page; nothing below personal access (no query)."""
    if record.level < Level.PERSONAL:
        return PersonEditing()
    person: Person = record.person
    _level, scope = edit_scope_for(viewer, person, level=record.level)
    if scope is EditScope.NONE:
        return PersonEditing()
    actions: dict[int, list[RowAction]] = {}
    for spell in spells:
        if not may_change_spell(viewer, scope, spell):
            continue
        which = _("%(state)s ab %(start)s") % {
            "state": spell.get_state_display(),
            "start": date_format(spell.start, "SHORT_DATE_FORMAT"),
        }
        links = [
            RowAction(
                _("korrigieren"),
                reverse("web:spell_edit", args=[person.public_id, spell.pk]),
                which,
            )
        ]
        if spell.end is None:
            links.append(
                RowAction(
                    _("beenden"), reverse("web:spell_end", args=[person.public_id, spell.pk]), which
                )
            )
        actions[spell.pk] = links
    return PersonEditing(
        details_url=reverse("web:person_edit", args=[person.public_id]),
        spell_new_url=reverse("web:spell_new", args=[person.public_id]),
        spell_actions=actions,
    )
