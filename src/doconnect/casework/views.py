"""The case-work pages of a person: notes, follow-ups, appointments and the responsible
worker, each a page with its full list and form (``/persons/<public_id>/notes/`` …)
and the target of the forms on the person page. Thin: access, form, service, render.

A person the viewer may not see is a 404; one the viewer sees but may do no case work
on is a 403. A valid form goes back to the person page; an invalid one (or one the
service refuses) comes back on the case-work page with the errors next to the fields
and status 400, nothing saved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from doconnect.casework.access import CaseFile, open_case_file
from doconnect.casework.forms import (
    AppointmentForm,
    AppointmentStatusForm,
    FollowUpDoneForm,
    FollowUpForm,
    NoteCorrectionForm,
    NoteForm,
    ResponsibilityForm,
)
from doconnect.casework.models import AppointmentStatus
from doconnect.casework.selectors import (
    case_notes,
    read_follow_ups_and_appointments,
    responsibilities_of,
    workers_of,
)
from doconnect.casework.services import (
    appointment_create_as,
    appointment_status_as,
    follow_up_create_as,
    follow_up_done_as,
    note_correct_as,
    note_create_as,
    responsibility_set_as,
)
from doconnect.core.models import Organisation
from doconnect.core.viewers import Viewer, request_viewer
from doconnect.people.access import PersonNotFound
from doconnect.people.page_writes import write_from_form

T = TypeVar("T")


def _or_404(call: Callable[[], T]) -> T:
    """Run a service; a person (or item) the viewer may not see is a 404."""
    try:
        return call()
    except PersonNotFound:
        raise Http404 from None


def _case_or_404(viewer: Viewer, public_id: str) -> CaseFile:
    return _or_404(lambda: open_case_file(viewer, public_id))


def _choices(file: CaseFile) -> dict[str, Any]:
    """What the case-work forms choose from: the viewer's organisations on this case
    and their workers."""
    return {
        "organisations": list(Organisation.objects.filter(pk__in=file.organisations)),
        "workers": workers_of(file.organisations),
    }


def _to_person(public_id: str, anchor: str) -> HttpResponseRedirect:
    return redirect(reverse("web:person_detail", args=[public_id]) + f"#{anchor}")


def _back(request: HttpRequest, public_id: str, anchor: str) -> HttpResponseRedirect:
    """Back to where the form was (``next``, a page of this site) or the person page."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return _to_person(public_id, anchor)


def _saved(
    request: HttpRequest,
    form: Any,
    save: Callable[[], object],
    *,
    success: str,
    public_id: str,
    anchor: str,
) -> HttpResponse | None:
    """Run the service for a valid form and go back to the person page with
    ``success``; None when the form must come back (invalid, or the service refused:
    its refusal then stands next to the fields)."""
    if write_from_form(form, save) is None:
        return None
    messages.success(request, success)
    return _to_person(public_id, anchor)


# -- notes -------------------------------------------------------------------------------
def _notes_page(
    request: HttpRequest,
    viewer: Viewer,
    file: CaseFile,
    *,
    form: NoteForm,
    correction_form: NoteCorrectionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    entries = case_notes(viewer, file, view="web.casework_notes")
    return render(
        request,
        "casework/notes.html",
        {
            "person": file.person,
            "entries": entries,
            "form": form,
            "correction_form": correction_form,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def notes(request: HttpRequest, public_id: str) -> HttpResponse:
    """All notes of the viewer's organisations on this person, and the note form."""
    viewer = request_viewer(request)
    file = _case_or_404(viewer, public_id)
    if request.method != "POST":
        return _notes_page(request, viewer, file, form=NoteForm(**_choices(file)))
    form = NoteForm(request.POST, **_choices(file))
    saved = _saved(
        request,
        form,
        lambda: note_create_as(
            viewer,
            public_id=public_id,
            view="web.casework_note_create",
            **form.service_arguments(),
        ),
        success=_("Der Gesprächsvermerk ist gespeichert."),
        public_id=public_id,
        anchor="notes",
    )
    return saved or _notes_page(request, viewer, file, form=form, status=400)


@login_required
@require_POST
def note_correct(request: HttpRequest, public_id: str, note_id: int) -> HttpResponse:
    """Correct one's own note on its first day: a new version; the old one stays."""
    viewer = request_viewer(request)
    file = _case_or_404(viewer, public_id)
    form = NoteCorrectionForm(request.POST, note_id=note_id)
    saved = _saved(
        request,
        form,
        lambda: note_correct_as(
            viewer,
            note_id=note_id,
            public_id=public_id,
            view="web.casework_note_correct",
            **form.service_arguments(),
        ),
        success=_("Die Korrektur ist gespeichert; die erste Fassung bleibt."),
        public_id=public_id,
        anchor="notes",
    )
    return saved or _notes_page(
        request, viewer, file, form=NoteForm(**_choices(file)), correction_form=form, status=400
    )


# -- follow-ups and appointments -----------------------------------------------------
# The follow-ups page and the appointments page are one page with both forms; the
# focus says which form the page is for (and which one a POST fills).
_SCHEDULE_FORMS: dict[str, type[FollowUpForm | AppointmentForm]] = {
    "follow_ups": FollowUpForm,
    "appointments": AppointmentForm,
}


def _schedule(
    request: HttpRequest,
    public_id: str,
    *,
    focus: str,
    service: Callable[..., object],
    view: str,
    success: str,
) -> HttpResponse:
    """The follow-ups and appointments page focused on one form; a POST fills that
    form and, when valid, writes it through ``service``."""
    viewer = request_viewer(request)
    file = _case_or_404(viewer, public_id)
    posted = request.POST if request.method == "POST" else None
    choices = _choices(file)
    forms = {
        name: form_class(
            posted if name == focus else None, initial={"worker": viewer.username}, **choices
        )
        for name, form_class in _SCHEDULE_FORMS.items()
    }
    status = 200
    if posted is not None:
        form = forms[focus]
        saved = _saved(
            request,
            form,
            lambda: service(viewer, public_id=public_id, view=view, **form.service_arguments()),
            success=success,
            public_id=public_id,
            anchor="follow-ups",
        )
        if saved:
            return saved
        status = 400
    follow_ups, appointments = read_follow_ups_and_appointments(
        viewer, file, view=f"web.casework_{focus}"
    )
    return render(
        request,
        "casework/schedule.html",
        {
            "person": file.person,
            "follow_ups": follow_ups,
            "appointments": appointments,
            "follow_up_form": forms["follow_ups"],
            "appointment_form": forms["appointments"],
            "focus": focus,
            "today": timezone.localdate(),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def follow_ups(request: HttpRequest, public_id: str) -> HttpResponse:
    """The person's follow-ups and appointments (all, done and cancelled too), and the
    follow-up form."""
    return _schedule(
        request,
        public_id,
        focus="follow_ups",
        service=follow_up_create_as,
        view="web.casework_follow_up_create",
        success=_("Die Wiedervorlage ist gesetzt."),
    )


@login_required
@require_POST
def follow_up_done(request: HttpRequest, public_id: str, follow_up_id: int) -> HttpResponse:
    """Mark a follow-up done (``done=1``) or open again (``done=0``)."""
    viewer = request_viewer(request)
    _case_or_404(viewer, public_id)
    form = FollowUpDoneForm(request.POST)
    form.is_valid()
    done = bool(form.cleaned_data.get("done"))
    _or_404(
        lambda: follow_up_done_as(
            viewer,
            follow_up_id=follow_up_id,
            public_id=public_id,
            done=done,
            view="web.casework_follow_up_done",
        )
    )
    messages.success(
        request,
        _("Die Wiedervorlage ist erledigt.") if done else _("Die Wiedervorlage ist wieder offen."),
    )
    return _back(request, public_id, "follow-ups")


@login_required
@require_http_methods(["GET", "POST"])
def appointments(request: HttpRequest, public_id: str) -> HttpResponse:
    """The same page as the follow-ups, focused on the appointment form."""
    return _schedule(
        request,
        public_id,
        focus="appointments",
        service=appointment_create_as,
        view="web.casework_appointment_create",
        success=_("Der Termin ist eingetragen."),
    )


@login_required
@require_POST
def appointment_status(request: HttpRequest, public_id: str, appointment_id: int) -> HttpResponse:
    """Record that an appointment was held or cancelled (``status``)."""
    viewer = request_viewer(request)
    _case_or_404(viewer, public_id)
    form = AppointmentStatusForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Unbekannter Status."), status=400)
    status = form.cleaned_data["status"]
    try:
        _or_404(
            lambda: appointment_status_as(
                viewer,
                appointment_id=appointment_id,
                public_id=public_id,
                status=status,
                view="web.casework_appointment_status",
            )
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _back(request, public_id, "follow-ups")
    done = {
        AppointmentStatus.HELD: _("Der Termin ist als stattgefunden vermerkt."),
        AppointmentStatus.CANCELLED: _("Der Termin ist abgesagt."),
    }
    messages.success(request, done.get(status, _("Der Termin ist wieder geplant.")))
    return _back(request, public_id, "follow-ups")


# -- the responsible worker ----------------------------------------------------------
def _responsible_page(
    request: HttpRequest, file: CaseFile, form: ResponsibilityForm, *, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "casework/responsible.html",
        {"person": file.person, "responsibilities": responsibilities_of(file), "form": form},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def responsible(request: HttpRequest, public_id: str) -> HttpResponse:
    """Who is responsible for the person in the viewer's organisation; set it (no
    worker given: the viewer takes the case over)."""
    viewer = request_viewer(request)
    file = _case_or_404(viewer, public_id)
    if request.method != "POST":
        form = ResponsibilityForm(initial={"worker": viewer.username}, **_choices(file))
        return _responsible_page(request, file, form)
    data = request.POST.copy()
    data.setdefault("worker", viewer.username)  # "Fall übernehmen" sends no worker
    form = ResponsibilityForm(data, **_choices(file))
    saved = _saved(
        request,
        form,
        lambda: responsibility_set_as(
            viewer, public_id=public_id, view="web.casework_responsible", **form.service_arguments()
        ),
        success=_("Die Zuständigkeit ist gespeichert."),
        public_id=public_id,
        anchor="responsible",
    )
    return saved or _responsible_page(request, file, form, status=400)
