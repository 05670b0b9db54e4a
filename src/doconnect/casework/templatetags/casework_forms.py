"""The case-work forms on the person page (``{% load casework_forms %}``): the person
page's view passes only the data (``casework.selectors.casework_for_page``), so the
blank forms are made here, in the case-work package, for its own includes."""

from __future__ import annotations

from typing import Any, TypeVar

from django import template

from doconnect.casework.forms import (
    AppointmentForm,
    FollowUpForm,
    NoteCorrectionForm,
    NoteForm,
    ResponsibilityForm,
)
from doconnect.casework.selectors import NoteEntry, PersonCasework

register = template.Library()


def _username(context: template.Context) -> str:
    user = context.get("user")
    return str(user.get_username()) if user is not None else ""


@register.simple_tag
def note_form(casework: PersonCasework) -> NoteForm:
    return NoteForm(organisations=casework.organisations)


@register.simple_tag
def note_correction_form(entry: NoteEntry, bound: Any = None) -> NoteCorrectionForm:
    """The correction form of one note: the bound one (with its errors) for the note
    that failed, a blank one filled with the current text for the others."""
    if isinstance(bound, NoteCorrectionForm) and bound.note_id == entry.note.pk:
        return bound
    note = entry.note
    return NoteCorrectionForm(
        note_id=note.pk,
        initial={
            "conversation_on": note.conversation_on,
            "purpose": note.purpose,
            "text": note.text,
        },
    )


WorkerForm = TypeVar("WorkerForm", FollowUpForm, AppointmentForm, ResponsibilityForm)


def _for_workers(
    form_class: type[WorkerForm], context: template.Context, casework: PersonCasework
) -> WorkerForm:
    """A blank form choosing among the case's workers, the user first chosen."""
    return form_class(
        initial={"worker": _username(context)},
        organisations=casework.organisations,
        workers=casework.workers,
    )


@register.simple_tag(takes_context=True)
def follow_up_form(context: template.Context, casework: PersonCasework) -> FollowUpForm:
    return _for_workers(FollowUpForm, context, casework)


@register.simple_tag(takes_context=True)
def appointment_form(context: template.Context, casework: PersonCasework) -> AppointmentForm:
    return _for_workers(AppointmentForm, context, casework)


@register.simple_tag(takes_context=True)
def responsibility_form(context: template.Context, casework: PersonCasework) -> ResponsibilityForm:
    return _for_workers(ResponsibilityForm, context, casework)
