"""The task page ("Aufgaben", ``/tasks/``) and the user's own settings for it
("Einstellungen", ``/tasks/settings/``: the daily digest, the language of mails, the
calendar address).

Both are for the roles with tasks (``tasks.may_use_tasks``); admins and users without
membership get 403. The page reads one page of 50 through ``tasks.task_page`` with a
``Reading``, so each person shown with a name or with case content is audited."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from doconnect.casework.access import does_casework
from doconnect.casework.tasks import (
    Reading,
    TaskKind,
    by_day,
    may_use_tasks,
    task_page,
)
from doconnect.core.forms import KernForm
from doconnect.core.preferences import (
    calendar_token_create,
    calendar_token_revoke,
    preference_of,
    preference_update,
)
from doconnect.core.viewers import Viewer, request_viewer
from doconnect.people.access_rules import Purpose

# Zweckbindung: what is due (follow-ups, appointments, reviews) serves counselling.
PURPOSE = Purpose.COUNSELLING


class TaskFilterForm(KernForm):
    """The page's filter (GET): which kinds of task to show (none ticked: all)."""

    kind = forms.MultipleChoiceField(
        label=gettext_lazy("Art der Aufgabe"),
        choices=TaskKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class PreferenceForm(KernForm):
    digest = forms.BooleanField(
        label=gettext_lazy("Tägliche Übersicht per E-Mail"),
        help_text=gettext_lazy(
            "Jeden Morgen eine E-Mail mit dem, was heute fällig oder überfällig ist: nur "
            "Pseudonyme, Daten und Verweise auf do-connect, keine Namen und keine Inhalte."
        ),
        required=False,
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Sprache der E-Mails"), choices=settings.LANGUAGES
    )


def _tasks_viewer(request: HttpRequest) -> Viewer:
    viewer = request_viewer(request)
    if not may_use_tasks(viewer):
        raise PermissionDenied
    return viewer


TASKS_PER_PAGE = 50


@login_required
@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    """What is due for the user: overdue, today, tomorrow, this week, later."""
    viewer = _tasks_viewer(request)
    today = timezone.localdate()
    form = TaskFilterForm(request.GET or None)
    kinds = (form.cleaned_data["kind"] or None) if form.is_valid() else None
    tasks, page, due = task_page(
        viewer,
        number=request.GET.get("page"),
        per_page=TASKS_PER_PAGE,
        today=today,
        kinds=kinds,
        reading=Reading(view="web.tasks", purpose=PURPOSE),
    )
    return render(
        request,
        "casework/tasks.html",
        {
            "form": form if form.is_bound else TaskFilterForm(),
            "filtered": bool(kinds),
            "groups": by_day(tasks, today),
            "page": page,
            "task_total": page.paginator.count,
            "due_total": due,
            "today": today,
        },
    )


def _settings_page(
    request: HttpRequest,
    viewer: Viewer,
    *,
    form: PreferenceForm | None = None,
    calendar_url: str = "",
    status: int = 200,
) -> HttpResponse:
    assert viewer.user_id is not None
    preference = preference_of(viewer.user_id)
    if form is None:
        language = preference.language if preference.pk else (get_language() or "de")[:2]
        form = PreferenceForm(initial={"digest": preference.digest, "language": language})
    return render(
        request,
        "casework/task_settings.html",
        {
            "form": form,
            "preference": preference,
            "has_email": bool(getattr(request.user, "email", "")),
            "calendar": does_casework(viewer),
            "calendar_url": calendar_url,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_settings(request: HttpRequest) -> HttpResponse:
    """POST ``action``: ``preferences`` (digest and language), ``calendar_create`` (a
    new calendar address, shown once on the answer) or ``calendar_revoke``."""
    viewer = _tasks_viewer(request)
    if request.method != "POST":
        return _settings_page(request, viewer)
    user: Any = request.user
    action = request.POST.get("action", "")
    if action == "preferences":
        form = PreferenceForm(request.POST)
        if not form.is_valid():
            return _settings_page(request, viewer, form=form, status=400)
        preference_update(
            user=user, digest=form.cleaned_data["digest"], language=form.cleaned_data["language"]
        )
        messages.success(request, _("Die Einstellungen sind gespeichert."))
        return redirect("web:task_settings")
    if action in ("calendar_create", "calendar_revoke"):
        if not does_casework(viewer):
            raise PermissionDenied
        if action == "calendar_revoke":
            calendar_token_revoke(user=user)
            messages.success(request, _("Die Kalenderadresse ist widerrufen."))
            return redirect("web:task_settings")
        token = calendar_token_create(user=user)
        path = reverse("web:calendar_feed", args=[token])
        return _settings_page(request, viewer, calendar_url=f"{settings.SITE_URL}{path}")
    return _settings_page(request, viewer, status=400)
