"""A user's tasks ("Aufgaben"): what is due for them across the platform, gathered from
the sources in ``task_sources`` into plain ``Task``s — for the task page, ``GET
/api/tasks``, the daily digest — and counted for the navigation.

A task carries the person's pseudonym only where the user sees the person at all, a
name only where the user sees the person with personal data, and the case content
behind it (a follow-up's reason, an appointment's subject, an agreement's title or
item) only when it is read for a page or the API: such reads are audited per person
like every read of a person's data. Read for a mail (``reading=None``) a task holds
pseudonyms, dates and what kind of work it is, nothing else."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import CharField, DateField, DateTimeField, F, IntegerField, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doconnect.casework import task_sources as sources
from doconnect.casework.access import PURPOSE
from doconnect.casework.models import Appointment, FollowUp
from doconnect.casework.task_sources import CONSENT_LEAD_DAYS, WINDOW_DAYS, Window
from doconnect.core.changes import kept_rows, kept_total
from doconnect.core.models import Role
from doconnect.core.viewers import Viewer
from doconnect.forum.models import Commitment
from doconnect.people.access import audit_reads, levels_for, records_for_page
from doconnect.people.access_rules import Level, Purpose
from doconnect.people.agreements.models import Agreement, AgreementItem, ItemSide
from doconnect.people.models import Consent, Person
from doconnect.referrals.models import Referral
from doconnect.referrals.services import answer_deadline

# Who has a task page: everybody who does case work, and analysts, whose organisation
# may own conference commitments (the forum lets its members update them). Analysts
# never get a task about a person: no source gives them one. Admins and users without
# membership have none (403).
TASK_ROLES = (Role.COORDINATOR, Role.CASE_WORKER, Role.PROVIDER_STAFF, Role.ANALYST)


class TaskKind(models.TextChoices):
    FOLLOW_UP = "follow_up", gettext_lazy("Wiedervorlage")
    APPOINTMENT = "appointment", gettext_lazy("Termin")
    AGREEMENT_REVIEW = "agreement_review", gettext_lazy("Überprüfung einer Vereinbarung")
    AGREEMENT_ITEM = "agreement_item", gettext_lazy("Punkt einer Vereinbarung")
    REFERRAL_ANSWER = "referral_answer", gettext_lazy("Zuweisung beantworten")
    REFERRAL_WAITING = "referral_waiting", gettext_lazy("Zuweisung wartet auf Antwort")
    CONSENT_EXPIRING = "consent_expiring", gettext_lazy("Einwilligung läuft ab")
    COMMITMENT = "commitment", gettext_lazy("Zusage der Konferenz")


KIND_ORDER = {kind: position for position, kind in enumerate(TaskKind.values)}
KIND_LABELS = dict(TaskKind.choices)


@dataclass(frozen=True)
class Task:
    """One thing due for the user. ``key`` is stable (kind and row), ``url`` leads to
    where the work is done, ``at`` is an appointment's start."""

    key: str
    kind: str
    due: dt.date
    title: str
    url: str
    overdue: bool
    person: str | None = None  # the pseudonym, where the user sees the person
    person_name: str | None = None  # only where the user sees personal data
    at: dt.datetime | None = None
    detail: str = ""  # case content: only read for a page or the API, audited

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def anchor(self) -> str:
        """The key as an HTML id (``follow_up-12``)."""
        return self.key.replace(":", "-")


@dataclass(frozen=True)
class Reading:
    """Tasks read to be shown (page or API): names and case content are loaded, and
    each person shown is audited under this view and purpose."""

    view: str
    purpose: Purpose


@dataclass(frozen=True)
class _Draft:
    task: Task
    person: Person | None
    audit_field: str | None  # what the detail reveals of the person's file
    person_optional: bool = False  # a referral to answer stays a task without consent


def may_use_tasks(viewer: Viewer) -> bool:
    return viewer.has_role(*TASK_ROLES)


def _person_url(name: str, public_id: str, anchor: str, *args: Any) -> str:
    return reverse(f"web:{name}", args=[public_id, *args]) + f"#{anchor}"


def _draft(
    row: models.Model,
    kind: str,
    due: dt.date,
    title: str,
    url: str,
    today: dt.date,
    *,
    person: Person | None = None,
    at: dt.datetime | None = None,
    detail: str = "",
    audit_field: str | None = None,
    person_optional: bool = False,
) -> _Draft:
    return _Draft(
        task=Task(
            key=f"{kind}:{row.pk}",
            kind=kind,
            due=due,
            title=title,
            url=url,
            overdue=due < today,
            person=person.public_id if person is not None else None,
            at=at,
            detail=detail,
        ),
        person=person,
        audit_field=audit_field,
        person_optional=person_optional,
    )


# -- one converter per source: row -> draft ---------------------------------------------
def _follow_up(row: FollowUp, today: dt.date) -> _Draft:
    pid = row.person.public_id
    return _draft(
        row,
        TaskKind.FOLLOW_UP,
        row.due_on,
        _("Wiedervorlage"),
        _person_url("casework_follow_ups", pid, f"follow-up-{row.pk}"),
        today,
        person=row.person,
        detail=row.reason,
        audit_field="follow_ups",
    )


def _appointment(row: Appointment, today: dt.date) -> _Draft:
    pid = row.person.public_id
    local = timezone.localtime(row.starts_at)
    subject = row.subject + (f" · {row.place}" if row.place else "")
    return _draft(
        row,
        TaskKind.APPOINTMENT,
        local.date(),
        _("Termin um %(time)s") % {"time": formats.time_format(local.time(), "TIME_FORMAT")},
        _person_url("casework_appointments", pid, f"appointment-{row.pk}"),
        today,
        person=row.person,
        at=row.starts_at,
        detail=subject,
        audit_field="appointments",
    )


def _agreement_review(row: Agreement, today: dt.date) -> _Draft:
    assert row.review_on is not None  # the source asks for a review date
    return _draft(
        row,
        TaskKind.AGREEMENT_REVIEW,
        row.review_on,
        _("Vereinbarung überprüfen"),
        reverse("web:agreement_detail", args=[row.person.public_id, row.pk]),
        today,
        person=row.person,
        detail=row.title,
        audit_field="agreements",
    )


def _agreement_item(row: AgreementItem, today: dt.date) -> _Draft:
    assert row.due_on is not None  # the source asks for a due date
    agreement = row.agreement
    return _draft(
        row,
        TaskKind.AGREEMENT_ITEM,
        row.due_on,
        _("Zusicherung einlösen")
        if row.side == ItemSide.INSTITUTION
        else _("Eigenaktivität nachhalten"),
        _person_url("agreement_detail", agreement.person.public_id, f"item-{row.pk}", agreement.pk),
        today,
        person=agreement.person,
        detail=row.text,
        audit_field="agreements",
    )


def _sent_on(row: Referral) -> dt.date:
    return timezone.localdate(row.sent_at) if row.sent_at is not None else timezone.localdate()


def _referral_answer(row: Referral, today: dt.date) -> _Draft:
    return _draft(
        row,
        TaskKind.REFERRAL_ANSWER,
        answer_deadline(_sent_on(row)),
        _("Zuweisung zu „%(offer)s“ beantworten") % {"offer": row.offer.title},
        reverse("web:referral_inbox") + f"?offer={row.offer.external_id}#referral-{row.pk}",
        today,
        person=row.person,
        person_optional=True,
    )


def _referral_waiting(row: Referral, today: dt.date) -> _Draft:
    return _draft(
        row,
        TaskKind.REFERRAL_WAITING,
        answer_deadline(_sent_on(row)),
        _("Zuweisung zu „%(offer)s“: Antwort steht aus") % {"offer": row.offer.title},
        reverse("web:person_detail", args=[row.person.public_id]) + "#referrals-heading",
        today,
        person=row.person,
    )


def _consent(row: Consent, today: dt.date) -> _Draft:
    assert row.valid_until is not None  # the source asks for an end
    return _draft(
        row,
        TaskKind.CONSENT_EXPIRING,
        row.valid_until,
        _("Einwilligung „%(purpose)s“ läuft ab") % {"purpose": ", ".join(row.purpose_labels)},
        reverse("web:person_detail", args=[row.person.public_id]) + "#consents-heading",
        today,
        person=row.person,
    )


def _commitment(row: Commitment, today: dt.date) -> _Draft:
    return _draft(
        row,
        TaskKind.COMMITMENT,
        row.due_on,
        _("Zusage der Konferenz einlösen"),
        reverse("web:forum_commitment", args=[row.pk]),
        today,
        detail=row.what,
    )


def _answer_due() -> Any:
    """A referral's last day to answer (``answer_deadline``) as the database computes
    it: the day it was sent, in the city's time, plus the answer period."""
    sent_on = Coalesce(TruncDate("sent_at"), Value(timezone.localdate()))
    return Cast(sent_on + dt.timedelta(days=settings.REFERRAL_ANSWER_DAYS), DateField())


@dataclass(frozen=True)
class _Source:
    rows: Callable[[Viewer, Window], QuerySet[Any]]
    model: type[models.Model]
    related: tuple[str, ...]
    draft: Callable[[Any, dt.date], _Draft]
    # For paging in the database: the task's day as an expression (the draft's
    # ``due``), an appointment's start, the path to the person's pseudonym.
    due: Callable[[], Any]
    person: str | None = "person__public_id"
    at: str | None = None
    lead_days: int = WINDOW_DAYS


def _field(name: str) -> Callable[[], Any]:
    return lambda: F(name)


SOURCES: dict[str, _Source] = {
    TaskKind.FOLLOW_UP: _Source(
        sources.follow_ups, FollowUp, ("person",), _follow_up, _field("due_on")
    ),
    TaskKind.APPOINTMENT: _Source(
        sources.appointments,
        Appointment,
        ("person",),
        _appointment,
        lambda: TruncDate("starts_at"),
        at="starts_at",
    ),
    TaskKind.AGREEMENT_REVIEW: _Source(
        sources.agreement_reviews, Agreement, ("person",), _agreement_review, _field("review_on")
    ),
    TaskKind.AGREEMENT_ITEM: _Source(
        sources.agreement_items,
        AgreementItem,
        ("agreement", "agreement__person"),
        _agreement_item,
        _field("due_on"),
        person="agreement__person__public_id",
    ),
    TaskKind.REFERRAL_ANSWER: _Source(
        sources.referral_answers, Referral, ("person", "offer"), _referral_answer, _answer_due
    ),
    TaskKind.REFERRAL_WAITING: _Source(
        sources.referrals_waiting, Referral, ("person", "offer"), _referral_waiting, _answer_due
    ),
    TaskKind.CONSENT_EXPIRING: _Source(
        sources.consents_expiring,
        Consent,
        ("person",),
        _consent,
        _field("valid_until"),
        lead_days=CONSENT_LEAD_DAYS,
    ),
    TaskKind.COMMITMENT: _Source(
        sources.commitments, Commitment, (), _commitment, _field("due_on"), person=None
    ),
}


def _window(
    source: _Source, today: dt.date, until: dt.date | None, since: dt.date | None
) -> Window:
    return Window(
        today=today,
        until=until if until is not None else today + dt.timedelta(days=source.lead_days),
        since=since,
    )


_ALL_DAY = dt.datetime.min.replace(tzinfo=dt.UTC)


def _order(task: Task) -> tuple[Any, ...]:
    """By day; on a day what has no time first (as a calendar shows all-day entries),
    then the appointments by their time."""
    return (task.due, task.at or _ALL_DAY, KIND_ORDER[task.kind], task.person or "", task.key)


def tasks_for(
    viewer: Viewer,
    *,
    today: dt.date | None = None,
    until: dt.date | None = None,
    since: dt.date | None = None,
    kinds: Iterable[str] | None = None,
    reading: Reading | None = None,
) -> list[Task]:
    """The viewer's tasks due up to ``until`` (default: overdue and the next 14 days,
    consents 30), not before ``since`` if given, of the given kinds (default: all),
    soonest first. A fixed number of queries: one per source, then the persons'
    levels (and, with ``reading``, their names and the audit)."""
    day = today or timezone.localdate()
    if not may_use_tasks(viewer):
        return []
    return _with_persons(viewer, _drafts(viewer, day, until, since, kinds), day, reading)


def _drafts(
    viewer: Viewer,
    day: dt.date,
    until: dt.date | None,
    since: dt.date | None,
    kinds: Iterable[str] | None,
) -> list[_Draft]:
    drafts: list[_Draft] = []
    for kind in _chosen(kinds):
        source = SOURCES[kind]
        rows = source.rows(viewer, _window(source, day, until, since))
        drafts.extend(source.draft(row, day) for row in rows.select_related(*source.related))
    return drafts


def _sort_columns(kind: str, source: _Source) -> dict[str, Any]:
    """The columns a task is ordered by, as the database computes them for one source:
    the same key as ``_order`` (day, time or all-day first, kind, pseudonym, key)."""
    return {
        "t_due": source.due(),
        "t_at": F(source.at) if source.at else Value(None, output_field=DateTimeField()),
        "t_order": Value(KIND_ORDER[kind], output_field=IntegerField()),
        "t_person": F(source.person) if source.person else Value("", output_field=CharField()),
        "t_key": Cast("pk", output_field=CharField()),
        "t_kind": Value(kind, output_field=CharField()),
        "t_id": F("pk"),
    }


# The order of ``_order`` in SQL, NULLs placed the same on every backend.
_ROW_ORDER = (
    F("t_due").asc(nulls_last=True),
    F("t_at").asc(nulls_first=True),
    "t_order",
    F("t_person").asc(nulls_last=True),
    "t_key",
)


def _row_key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """``_ROW_ORDER`` of a row of the sources (then its kind: rows of two kinds never
    compare equal)."""
    due, at, order, person, key, kind, _pk = row
    return (
        due is None,
        due or dt.date.min,
        at is not None,
        at or _ALL_DAY,
        order,
        person is None,
        person or "",
        key,
        kind,
    )


class _TaskRows:
    """All of a user's tasks in order, for ``Paginator``: counted from what
    ``core.changes`` keeps, and sliced without reading the other 4,000: rows ``a`` to
    ``b`` of all sources are among the first ``b`` of each source in the same order, so
    each source's first ``b`` rows are read (``LIMIT`` in the database) and merged.
    Each source's rows are kept on their own (``kept_rows``) while none of the tables
    its SQL names changed: a referral step reads the referral sources again, not the
    follow-ups and agreements (at scale 20 the union of all cost 0.2–0.5 s for a
    Jobcenter worker after every step of any provider, issue #19)."""

    # Not called ``ordered``: Paginator reads that attribute (a queryset's flag).
    def __init__(
        self, parts: Callable[[], list[QuerySet[Any]]] | None, total: int, plan: Hashable
    ) -> None:
        self.parts = parts
        self.total = total
        self.plan = plan

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index: slice) -> list[tuple[str, int]]:
        parts = self.parts
        if parts is None:
            return []
        stop = index.stop if index.stop is not None else self.total
        firsts = kept_rows(
            lambda: [part.order_by(*_ROW_ORDER)[:stop] for part in parts()],
            plan=("task_rows", self.plan, stop),
        )
        rows = sorted((row for rows in firsts for row in rows), key=_row_key)
        return [(row[5], row[6]) for row in rows[index.start : stop]]


def _chosen(kinds: Iterable[str] | None) -> list[str]:
    chosen = set(kinds) if kinds is not None else set(TaskKind.values)
    return [kind for kind in TaskKind.values if kind in chosen]


def task_page(
    viewer: Viewer,
    *,
    number: str | int | None,
    per_page: int,
    today: dt.date | None = None,
    kinds: Iterable[str] | None = None,
    reading: Reading,
) -> tuple[list[Task], Page[tuple[str, int]], int]:
    """One page of ``tasks_for`` (soonest first, the order of ``_order``): the tasks
    on it, the page (its number and the count of all) and how many of all are due
    today or overdue. Paged in the database: each source's first rows up to the page's
    end, in order (``_TaskRows``), the counts are ``core.changes.kept_total``'s; then
    only the page's rows are loaded, and only its persons read and audited — a
    Jobcenter worker with 5,800 tasks reads 50 (issue #19). Queries: the counts (at most
    two each), the sources' rows not kept (at most one each), one per kind on the page,
    the persons and the audit, whatever the number of tasks and the page."""
    day = today or timezone.localdate()
    wanted = _chosen(kinds) if may_use_tasks(viewer) else []
    # The sources' SQL depends on these only (as ``due_count``'s): compiled once for
    # them (``core.changes``'s ``plan``), not on every click.
    plan = (viewer.user_id, viewer.memberships, day, settings.REFERRAL_ANSWER_DAYS, tuple(wanted))

    def parts() -> list[QuerySet[Any]]:
        return [
            SOURCES[kind]
            .rows(viewer, _window(SOURCES[kind], day, None, None))
            .order_by()
            .annotate(**_sort_columns(kind, SOURCES[kind]))
            .values_list("t_due", "t_at", "t_order", "t_person", "t_key", "t_kind", "t_id")
            for kind in wanted
        ]

    total = kept_total(parts, plan=("task_total", plan))
    due = kept_total(
        lambda: [SOURCES[kind].rows(viewer, Window(today=day, until=day)) for kind in wanted],
        plan=("task_due", plan),
    )
    # _TaskRows is what Paginator needs (count, slices), not the sequence its stubs name.
    rows: Any = _TaskRows(parts if wanted and total else None, total, plan)
    page: Page[tuple[str, int]] = Paginator(rows, per_page).get_page(number)
    keys = list(page.object_list)
    return _with_persons(viewer, _page_drafts(keys, day), day, reading), page, due


def _page_drafts(keys: Sequence[tuple[str, int]], day: dt.date) -> list[_Draft]:
    """The page's rows (by kind and id, in the page's order) as drafts: one query per
    kind on the page. The ids come from the access-checked sources, so the rows are
    loaded by key alone."""
    ids: dict[str, list[int]] = defaultdict(list)
    for kind, pk in keys:
        ids[kind].append(pk)
    rows: dict[tuple[str, int], Any] = {}
    for kind, pks in ids.items():
        source = SOURCES[kind]
        for row in source.model._default_manager.filter(pk__in=pks).select_related(*source.related):
            rows[kind, row.pk] = row
    return [SOURCES[kind].draft(rows[kind, pk], day) for kind, pk in keys if (kind, pk) in rows]


def _with_persons(
    viewer: Viewer, drafts: Sequence[_Draft], day: dt.date, reading: Reading | None
) -> list[Task]:
    persons = list({d.person.pk: d.person for d in drafts if d.person is not None}.values())
    names: dict[int, str] = {}
    if reading is not None:
        records = records_for_page(
            viewer, persons, view=reading.view, purpose=reading.purpose, today=day
        )
        levels = {r.person.pk: r.level for r in records}
        names = {
            r.person.pk: f"{r.personal.given_name} {r.personal.family_name}"
            for r in records
            if r.shows_personal and r.personal is not None
        }
    else:
        levels = levels_for(viewer, [p.pk for p in persons], purpose=PURPOSE, today=day)
    tasks: list[Task] = []
    content_read: dict[str, set[str]] = defaultdict(set)  # public id -> fields
    for draft in drafts:
        task = draft.task
        if draft.person is not None:
            level = levels.get(draft.person.pk, Level.NONE)
            if level is Level.NONE:
                if not draft.person_optional:
                    continue  # never reveal a person the user may not see
                task = replace(task, person=None, detail="")
            else:
                task = replace(task, person_name=names.get(draft.person.pk))
                if reading is not None and draft.audit_field and task.detail:
                    content_read[draft.person.public_id].add(draft.audit_field)
        if reading is None:
            task = replace(task, detail="")
        tasks.append(task)
    if reading is not None:
        _audit_content(
            viewer,
            content_read,
            reading,
            {p.public_id: levels.get(p.pk, Level.NONE) for p in persons},
        )
    return sorted(tasks, key=_order)


def _audit_content(
    viewer: Viewer,
    content_read: dict[str, set[str]],
    reading: Reading,
    levels: dict[str, Level],
) -> None:
    """One audit event per person whose case content (a follow-up's reason, an
    appointment's subject, an agreement) was shown; one insert per set of fields."""
    by_fields: dict[tuple[str, ...], list[tuple[str, Level]]] = defaultdict(list)
    for public_id, read in content_read.items():
        by_fields[tuple(sorted(read))].append((public_id, levels[public_id]))
    for fields, people in sorted(by_fields.items()):
        audit_reads(viewer, people, view=reading.view, purpose=reading.purpose, fields=fields)


def due_count(viewer: Viewer, *, today: dt.date | None = None) -> int:
    """How many tasks are due today or overdue, for the navigation: at most two queries
    whatever the number of sources and tasks (``core.changes.kept_total``). A
    referral to answer for a person without consent counts as on the page."""
    if not may_use_tasks(viewer):
        return 0
    day = today or timezone.localdate()
    window = Window(today=day, until=day)
    # Asked on every page: each source's count is kept while the tables it reads are
    # unchanged (core.changes), so the costly ones (agreement items over every consent
    # of a Jobcenter) are not counted again on each click.
    # The sources' SQL depends on the viewer's memberships, the day and the answer
    # period only: compiled once for these (``plan``), not on every click.
    return kept_total(
        lambda: [SOURCES[kind].rows(viewer, window) for kind in SOURCES],
        plan=("due_count", viewer.user_id, viewer.memberships, day, settings.REFERRAL_ANSWER_DAYS),
    )


# -- the page's grouping by day ---------------------------------------------------------
@dataclass(frozen=True)
class DayGroup:
    key: str  # overdue, today, tomorrow, this_week, later
    label: str
    tasks: list[Task]


def by_day(tasks: Sequence[Task], today: dt.date) -> list[DayGroup]:
    """Overdue, today, tomorrow, the rest of this week (to Sunday), later: the groups
    that have tasks, in that order."""
    tomorrow = today + dt.timedelta(days=1)
    sunday = today + dt.timedelta(days=6 - today.weekday())
    labels = {
        "overdue": _("Überfällig"),
        "today": _("Heute"),
        "tomorrow": _("Morgen"),
        "this_week": _("Diese Woche"),
        "later": _("Später"),
    }
    grouped: dict[str, list[Task]] = {key: [] for key in labels}
    for task in tasks:
        if task.due < today:
            grouped["overdue"].append(task)
        elif task.due == today:
            grouped["today"].append(task)
        elif task.due == tomorrow:
            grouped["tomorrow"].append(task)
        elif task.due <= sunday:
            grouped["this_week"].append(task)
        else:
            grouped["later"].append(task)
    return [DayGroup(key, labels[key], grouped[key]) for key in labels if grouped[key]]
