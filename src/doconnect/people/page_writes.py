"""How a page runs a write on a person for a form, the same for every person page
(spells, agreements, case work): a person or item the viewer may not see is a 404, as
for a read, and a service's refusal stands next to the fields it names."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.http import Http404

from doconnect.core.forms import KernForm
from doconnect.people.access import PersonNotFound

T = TypeVar("T")


def write_from_form(form: KernForm, write: Callable[[], T]) -> T | None:
    """What ``write`` (a ``…_as`` service, which returns what it wrote) returned for a
    valid form; None when the form must come back: invalid, or the service refused
    (its ValidationError then on the form). Raises Http404 for PersonNotFound."""
    if not form.is_valid():
        return None
    try:
        return write()
    except PersonNotFound:
        raise Http404 from None
    except ValidationError as exc:
        form.add_service_errors(exc)
        return None
