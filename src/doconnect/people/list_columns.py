"""The persons list's columns beyond the pseudonymous record — the current state, the
responsible worker and the next due date — and the orders the list may be sorted by,
for the page and its export alike.

What a column shows comes from the rule that governs it: the current state is part of
the biography (everybody who sees the person); the responsible worker and the next due
date are case work, seen only through ``casework.access.casework_scope`` (the viewer's
own organisations, under a consent that covers them). The same expressions serve to
sort and to show, so the order and the column can never disagree, and a page's columns
cost a fixed number of queries whatever its length.

A sort key comes from the address (``?sort=due``, ``-due`` descending) and is taken
only from ``SORT_KEYS``; anything else is the default order (pseudonym)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    CharField,
    DateField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import Combinable, Expression
from django.db.models.functions import Coalesce, Concat, Least, Lower, NullIf, Trim, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy

from doconnect.casework.access import casework_scope
from doconnect.casework.models import Appointment, AppointmentStatus, FollowUp, Responsibility
from doconnect.casework.selectors import responsible_workers
from doconnect.core.viewers import Viewer
from doconnect.people.access import personal_persons
from doconnect.people.access_rules import Purpose
from doconnect.people.agreements.models import Agreement
from doconnect.people.biography import SIDE_STATES
from doconnect.people.models import Person, Spell, SpellState

# Zweckbindung: the person list (page, export, API) serves counselling.
PURPOSE = Purpose.COUNSELLING

# The sortable columns, in the order of the table. "name" orders by the family name
# only the persons the viewer sees with names; the others follow by pseudonym.
SORT_KEYS: tuple[str, ...] = ("pseudonym", "name", "district", "state", "worker", "due")
DEFAULT_SORT = "pseudonym"
# No date lies later: stands in for "nothing due" inside LEAST, which on SQLite is NULL
# as soon as one argument is.
_NEVER = dt.date(9999, 12, 31)


class DueKind:
    FOLLOW_UP = "follow_up"
    APPOINTMENT = "appointment"
    AGREEMENT_REVIEW = "agreement_review"


DUE_LABELS = {
    DueKind.FOLLOW_UP: gettext_lazy("Wiedervorlage"),
    DueKind.APPOINTMENT: gettext_lazy("Termin"),
    DueKind.AGREEMENT_REVIEW: gettext_lazy("Überprüfung der Vereinbarung"),
}
# The audit's field name for each kind of date shown (as the case-work reads name them).
DUE_FIELDS = {
    DueKind.FOLLOW_UP: "follow_ups",
    DueKind.APPOINTMENT: "appointments",
    DueKind.AGREEMENT_REVIEW: "agreements",
}


def sort_key(value: str | None) -> str:
    """The sort order asked for, if it is one of ``SORT_KEYS`` (with an optional ``-``
    for descending); otherwise the default."""
    text = (value or "").strip()
    return text if text.removeprefix("-") in SORT_KEYS else DEFAULT_SORT


@dataclass(frozen=True)
class Due:
    """The next date something is due for a person in the viewer's organisations."""

    on: dt.date
    kind: str

    @property
    def label(self) -> str:
        return str(DUE_LABELS[self.kind])

    def overdue(self, today: dt.date) -> bool:
        return self.on < today


@dataclass(frozen=True)
class ListColumns:
    """One person's columns: the state of the running spell (a main spell before one
    running beside it) and since when, the responsible workers' names in the viewer's
    organisations, and the next due date there."""

    state: str = ""
    state_since: dt.date | None = None
    workers: list[str] = field(default_factory=list)
    due: Due | None = None

    @property
    def state_label(self) -> str:
        return str(SpellState(self.state).label) if self.state in SpellState.values else ""

    @property
    def read_fields(self) -> list[str]:
        """The case work shown, as audit field names (the state is pseudonymous)."""
        shown = ["responsible_worker"] if self.workers else []
        if self.due is not None:
            shown.append(DUE_FIELDS[self.due.kind])
        return shown


def _current_spell(day: dt.date) -> QuerySet[Spell]:
    """The person's running spell that names the state: a main spell before one that
    runs beside it, then the latest start."""
    side = Case(
        When(state__in=sorted(SIDE_STATES), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return (
        Spell.objects.filter(Q(end__isnull=True) | Q(end__gte=day), start__lte=day)
        .annotate(side=side)
        .order_by("side", "-start", "-id")
    )


def _first(queryset: QuerySet[Any], value: str | Expression) -> Subquery:
    """The first row's value of a queryset correlated on ``person_id``."""
    rows = queryset.filter(person_id=OuterRef("pk"))
    if isinstance(value, str):
        return Subquery(rows.values(value)[:1])
    return Subquery(rows.annotate(found=value).values("found")[:1])


def _due_dates(viewer: Viewer, day: dt.date) -> dict[str, Subquery]:
    """Per kind, the earliest open date in the viewer's organisations (case work)."""
    scope = casework_scope(viewer, today=day)
    return {
        DueKind.FOLLOW_UP: _first(
            FollowUp.objects.filter(scope, done_at__isnull=True).order_by("due_on", "id"),
            "due_on",
        ),
        DueKind.APPOINTMENT: _first(
            Appointment.objects.filter(scope, status=AppointmentStatus.PLANNED).order_by(
                "starts_at", "id"
            ),
            TruncDate("starts_at"),
        ),
        DueKind.AGREEMENT_REVIEW: _first(
            Agreement.objects.in_force()
            .filter(scope, review_on__isnull=False)
            .order_by("review_on", "id"),
            "review_on",
        ),
    }


def _next_due(dates: dict[str, Subquery]) -> Expression:
    """The earliest of the dates, NULL when none is set."""
    never = Value(_NEVER, output_field=DateField())
    earliest = Least(*(Coalesce(d, never, output_field=DateField()) for d in dates.values()))
    return NullIf(earliest, never, output_field=DateField())


def _worker_sort(viewer: Viewer, day: dt.date) -> Subquery:
    """The first responsible worker's name as the column shows it (full name, else
    the username), lower case, in the viewer's organisations."""
    full_name = Trim(Concat("worker__first_name", Value(" "), "worker__last_name"))
    shown = Lower(Coalesce(NullIf(full_name, Value("")), "worker__username"))
    rows = Responsibility.objects.filter(casework_scope(viewer, today=day)).annotate(shown=shown)
    return _first(rows.order_by("shown"), "shown")


def _state_rank() -> Case:
    """The state's position in the alphabet of the user's language, so the column
    sorts as it reads."""
    labels = sorted(SpellState.choices, key=lambda choice: str(choice[1]).casefold())
    return Case(
        *(When(current_state=code, then=Value(rank)) for rank, (code, _label) in enumerate(labels)),
        default=Value(None),
        output_field=IntegerField(),
    )


def order_persons(
    viewer: Viewer, persons: QuerySet[Person], sort: str, *, today: dt.date | None = None
) -> QuerySet[Person]:
    """``persons`` in the order of ``sort`` (a value of ``sort_key``), persons without
    a value last in either direction, then by pseudonym."""
    day = today or timezone.localdate()
    key = sort_key(sort)
    descending = key.startswith("-")
    name = key.removeprefix("-")
    value: Combinable
    if name == "name":
        family_name = Lower(
            Concat("personal__family_name", Value(" "), "personal__given_name"),
            output_field=CharField(),
        )
        value = Case(
            When(
                pk__in=personal_persons(viewer, today=day, purpose=PURPOSE).values("pk"),
                then=family_name,
            ),
            default=Value(None),
            output_field=CharField(),
        )
    elif name == "district":
        value = F("district__name")
    elif name == "state":
        persons = persons.annotate(current_state=_first(_current_spell(day), "state"))
        value = _state_rank()
    elif name == "worker":
        value = _worker_sort(viewer, day)
    elif name == "due":
        value = _next_due(_due_dates(viewer, day))
    else:
        value = F("public_id")
    persons = persons.annotate(sort_value=value)
    ordered = (
        F("sort_value").desc(nulls_last=True)
        if descending
        else F("sort_value").asc(nulls_last=True)
    )
    return persons.order_by(ordered, "public_id")


def list_columns(
    viewer: Viewer,
    person_ids: Sequence[int],
    *,
    today: dt.date | None = None,
    workers: bool = True,
) -> dict[int, ListColumns]:
    """The columns of these persons (a page of the list, a chunk of the export) for
    this viewer, in two queries whatever their number. Without ``workers`` (the person
    page, whose case-work section reads and shows the responsible workers itself) in
    one, the workers left empty."""
    if not person_ids:
        return {}
    day = today or timezone.localdate()
    dates = _due_dates(viewer, day)
    rows = (
        Person.objects.filter(pk__in=list(person_ids))
        .annotate(
            current_state=_first(_current_spell(day), "state"),
            state_since=_first(_current_spell(day), "start"),
            **{f"due_{kind}": subquery for kind, subquery in dates.items()},
        )
        .values("pk", "current_state", "state_since", *(f"due_{kind}" for kind in dates))
    )
    names = responsible_workers(viewer, person_ids, today=day) if workers else {}
    found: dict[int, ListColumns] = {}
    for row in rows:
        candidates = [
            Due(on=_as_date(row[f"due_{kind}"]), kind=kind)
            for kind in dates
            if row[f"due_{kind}"] is not None
        ]
        found[row["pk"]] = ListColumns(
            state=row["current_state"] or "",
            state_since=_as_date(row["state_since"]) if row["state_since"] else None,
            workers=names.get(row["pk"], []),
            # The earliest; on the same day in the order of DUE_LABELS.
            due=min(candidates, key=lambda d: (d.on, list(DUE_LABELS).index(d.kind)))
            if candidates
            else None,
        )
    return found


def _as_date(value: object) -> dt.date:
    """A date from a subquery's value (SQLite hands TruncDate back as text)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
