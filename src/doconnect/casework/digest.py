"""The daily digest: one plain-text mail to each user who asked for it (the settings
page), listing what is due today and what is overdue.

A mail leaves the platform, so it carries pseudonyms, dates and the kind of work only —
never a name, a note, a follow-up's reason or an appointment's subject (the tasks are
read without ``Reading``, so they hold none of that) — and links back to do-connect
(``DOCONNECT_SITE_URL``) where the rest is behind the login. It is written in the
language the user chose for mails. Each user gets at most one a day, however often the
command runs: the day is claimed in the same transaction that sends the mail, so a
failed send leaves it for the next run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from doconnect.casework.tasks import Task, tasks_for
from doconnect.core.models import UserPreference
from doconnect.core.preferences import digest_claim
from doconnect.core.viewers import viewer_for


@dataclass
class DigestRun:
    """What a run did: who got a mail (username, number of tasks), who had nothing due,
    who had one already today."""

    sent: list[tuple[str, int]] = field(default_factory=list)
    nothing_due: list[str] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)


def _day(day: dt.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _line(task: Task) -> str:
    when = _day(task.due)
    if task.at is not None:
        when += " " + formats.time_format(timezone.localtime(task.at), "TIME_FORMAT")
    who = f" {task.person}" if task.person else ""
    return f"- {when}  {task.kind_label}{who}\n  {settings.SITE_URL}{task.url}"


def digest_body(tasks: Sequence[Task], today: dt.date) -> str:
    """The mail's text in the active language: overdue first, then today."""
    overdue = [t for t in tasks if t.due < today]
    due_today = [t for t in tasks if t.due == today]
    lines = [
        _("Guten Tag,"),
        "",
        _("das ist heute (%(day)s) in do-connect für Sie fällig:") % {"day": _day(today)},
    ]
    for heading, group in ((_("Überfällig"), overdue), (_("Heute"), due_today)):
        if group:
            lines += ["", heading, *[_line(t) for t in group]]
    lines += [
        "",
        _("Alle Aufgaben: %(url)s") % {"url": settings.SITE_URL + reverse("web:tasks")},
        "",
        _(
            "Diese E-Mail nennt nur Pseudonyme und Daten; alles Weitere sehen Sie nach der "
            "Anmeldung. Abbestellen: %(url)s"
        )
        % {"url": settings.SITE_URL + reverse("web:task_settings")},
    ]
    return "\n".join(lines)


def digest_mail(user: User, tasks: Sequence[Task], today: dt.date) -> EmailMessage:
    count = len(tasks)
    return EmailMessage(
        subject=ngettext(
            "do-connect: %(count)d Aufgabe fällig (%(day)s)",
            "do-connect: %(count)d Aufgaben fällig (%(day)s)",
            count,
        )
        % {"count": count, "day": _day(today)},
        body=digest_body(tasks, today),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )


def digests_send(*, today: dt.date | None = None) -> DigestRun:
    """Mail today's digest to every active user who opted in and has an address."""
    day = today or timezone.localdate()
    run = DigestRun()
    preferences = (
        UserPreference.objects.filter(digest=True, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user__username")
    )
    connection = get_connection()
    for preference in preferences:
        user = preference.user
        if preference.digest_sent_on == day:
            run.already_sent.append(user.username)
            continue
        with translation.override(preference.language):
            tasks = tasks_for(viewer_for(user), today=day, until=day)
            if not tasks:
                run.nothing_due.append(user.username)
                continue
            mail = digest_mail(user, tasks, day)
        with transaction.atomic():
            if not digest_claim(user_id=user.pk, day=day):
                run.already_sent.append(user.username)  # another run was quicker
                continue
            connection.send_messages([mail])
        run.sent.append((user.username, len(tasks)))
    return run
