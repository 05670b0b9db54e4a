"""A refusal that depends on who asks, not on the value alone (issue #20).

``RefusedForRole`` is a ``ValidationError``: a page shows it next to its field like any
other. The API answers it with 403 (``api.py``) instead of 422: the request is well
formed and would be taken from another caller, so its document cannot rule it out, and
a 422 would tell a client (and schemathesis) that the schema lied."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class RefusedForRole(ValidationError):
    """The caller's role or organisation may not use this value (by field)."""


class ConflictsWithState(ValidationError):
    """The value is well formed but the stored thing it changes refuses it now (a
    withdrawn consent extended, a note corrected twice or after its day, an end before
    the stored start). A page shows it like any other error; the API answers 409: no
    document can rule it out, as it depends on what is stored, not on the request."""
