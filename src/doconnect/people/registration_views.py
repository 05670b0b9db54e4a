"""The pages of registering a person (``/persons/new/``, "Person aufnehmen") and of the
coordinators' duplicates queue (``/persons/duplicates/``, "Mögliche Dubletten"). Thin:
the form parses, ``registration``, ``duplicate_queue`` and ``merging`` decide."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from doconnect.core.models import Role
from doconnect.core.viewers import request_viewer
from doconnect.people.access import PersonNotFound, PersonRecord
from doconnect.people.duplicate_queue import (
    QueuedPair,
    duplicate_dismiss_as,
    duplicate_merge_as,
    may_review_duplicates,
    open_candidates,
    queued_pairs,
)
from doconnect.people.registration import (
    PossibleDuplicates,
    ShownCandidate,
    may_register,
    person_register_as,
)
from doconnect.people.registration_forms import MergeForm, RegistrationForm

PAIRS_PER_PAGE = 20


@login_required
@require_http_methods(["GET", "POST"])
def person_register(request: HttpRequest) -> HttpResponse:
    """The form; posted, the duplicate check, then the person's page. With possible
    duplicates the form comes back with them and a button to register anyway
    (``confirm_new``); with errors, each next to its field (400), nothing saved."""
    viewer = request_viewer(request)
    if not may_register(viewer):
        raise PermissionDenied
    if request.method != "POST":
        own = [
            viewer.organisation_keys[org]
            for org in viewer.orgs_with(Role.COORDINATOR, Role.CASE_WORKER)
            if org in viewer.organisation_keys
        ]
        form = RegistrationForm.blank(today=timezone.localdate(), organisation_keys=own)
        return _register_page(request, form)
    form = RegistrationForm(request.POST)
    duplicates: list[ShownCandidate] = []
    if form.is_valid():
        try:
            registration = person_register_as(
                viewer,
                person=form.new_person(),
                view="web.person_register",
                confirm_new=request.POST.get("confirm_new") == "1",
            )
        except PossibleDuplicates as found:
            duplicates = found.candidates
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            public_id = registration.person.public_id
            messages.success(request, _("Die Person %(pid)s ist aufgenommen.") % {"pid": public_id})
            return redirect("web:person_detail", public_id=public_id)
    return _register_page(request, form, duplicates=duplicates, status=200 if duplicates else 400)


def _register_page(
    request: HttpRequest,
    form: RegistrationForm,
    *,
    duplicates: list[ShownCandidate] | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "people/person_register.html",
        {"form": form, "duplicates": duplicates or []},
        status=status,
    )


def _side_label(record: PersonRecord) -> str:
    personal = record.personal
    if record.shows_personal and personal is not None:
        return f"{record.person.public_id} ({personal.given_name} {personal.family_name})"
    return record.person.public_id


def _merge_form(pair: QueuedPair) -> MergeForm:
    # The record found first is offered as the one to keep: others may know it already.
    return MergeForm(
        choices=[
            (pair.first.record.person.public_id, _side_label(pair.first.record)),
            (pair.second.record.person.public_id, _side_label(pair.second.record)),
        ],
        prefix=f"pair{pair.candidate.pk}",
    )


def _found_in_words(view: str) -> str:
    if view.startswith("web."):
        return _("im Formular")
    if view.startswith("api."):
        return _("über die API")
    return _("beim Einspielen einer Datei")


@login_required
@require_GET
def duplicate_list(request: HttpRequest) -> HttpResponse:
    """Open pairs, oldest first, side by side; merge or dismiss (coordinators, else 403)."""
    viewer = request_viewer(request)
    if not may_review_duplicates(viewer):
        raise PermissionDenied
    page = Paginator(open_candidates(viewer), PAIRS_PER_PAGE).get_page(request.GET.get("page"))
    pairs = queued_pairs(viewer, list(page.object_list), view="web.duplicates")
    return render(
        request,
        "people/duplicate_list.html",
        {
            "page": page,
            "pairs": [
                (pair, _merge_form(pair), _found_in_words(pair.candidate.found_in))
                for pair in pairs
            ],
        },
    )


@login_required
@require_POST
def duplicate_merge(request: HttpRequest, candidate_id: int) -> HttpResponse:
    """Merge one pair into the record chosen to stay; a refusal (overlapping spells,
    decided already) comes back as a message on the queue, nothing changed."""
    viewer = request_viewer(request)
    keep = request.POST.get(f"pair{candidate_id}-keep", "")
    try:
        result = duplicate_merge_as(
            viewer, candidate_id=candidate_id, keep=keep, view="web.duplicate_merge"
        )
    except PersonNotFound:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(
            request,
            _("Nicht zusammengeführt: %(reason)s") % {"reason": " ".join(exc.messages)},
        )
        return redirect("web:person_duplicates")
    messages.success(
        request,
        _("%(merged)s ist in %(kept)s zusammengeführt.")
        % {"merged": result.merged_public_id, "kept": result.kept.public_id},
    )
    return redirect("web:person_duplicates")


@login_required
@require_POST
def duplicate_dismiss(request: HttpRequest, candidate_id: int) -> HttpResponse:
    """Mark one pair as two different persons."""
    viewer = request_viewer(request)
    try:
        duplicate_dismiss_as(viewer, candidate_id=candidate_id, view="web.duplicate_dismiss")
    except PersonNotFound:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("web:person_duplicates")
    messages.success(request, _("Das Paar ist als zwei verschiedene Personen vermerkt."))
    return redirect("web:person_duplicates")
