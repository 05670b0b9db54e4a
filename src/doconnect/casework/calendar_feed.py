"""The user's appointments as an iCalendar feed (``/calendar/<secret>.ics``), for their
own calendar app to subscribe to.

A calendar app cannot log in, so the address itself is the key: a secret made on the
settings page (``core.preferences``, stored only as a hash, shown once, revocable). A
wrong or revoked secret answers 404, like an unknown page. The feed holds what the
user's calendar needs and nothing more: the pseudonym, time, place and subject of each
appointment — never a name, nor whom else the meeting is with. Its appointments are
the ones the task page shows (``task_sources``' rule: the user holds them, and may
still do case work on the person), from 30 days back to a year ahead, cancelled ones
left out. Each fetch is audited per person as a read, under the purpose of case work
(counselling)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from icalendar import Calendar, Event

from doconnect.casework.access import PURPOSE, casework_scope
from doconnect.casework.models import Appointment, AppointmentStatus
from doconnect.core.preferences import calendar_token_user
from doconnect.core.viewers import Viewer, viewer_for
from doconnect.people.access import audit_reads, levels_for
from doconnect.people.access_rules import Level

PAST_DAYS = 30
AHEAD_DAYS = 365
VIEW = "calendar.feed"


def feed_appointments(viewer: Viewer, *, now: dt.datetime | None = None) -> list[Appointment]:
    """The viewer's own appointments for the feed, oldest first."""
    if viewer.user_id is None:
        return []
    moment = now or timezone.now()
    return list(
        Appointment.objects.filter(
            casework_scope(viewer, today=timezone.localdate(moment)),
            worker_id=viewer.user_id,
            starts_at__gte=moment - dt.timedelta(days=PAST_DAYS),
            starts_at__lt=moment + dt.timedelta(days=AHEAD_DAYS),
        )
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("person")
        .order_by("starts_at", "pk")
    )


def calendar_of(appointments: list[Appointment], *, now: dt.datetime | None = None) -> Calendar:
    """The iCalendar document: one event per appointment, no names."""
    host = urlsplit(settings.SITE_URL).hostname or "do-connect"
    stamp = now or timezone.now()
    calendar = Calendar()
    calendar.add("prodid", "-//do-connect//Termine//DE")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "do-connect: Termine")
    for appointment in appointments:
        pid = appointment.person.public_id
        event = Event()
        event.add("uid", f"appointment-{appointment.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", appointment.starts_at)
        event.add("dtend", appointment.ends_at)
        event.add("summary", f"{pid}: {appointment.subject}")
        if appointment.place:
            event.add("location", appointment.place)
        link = settings.SITE_URL + reverse("web:casework_appointments", args=[pid])
        event.add("url", link)
        event.add("description", link)
        event.add("status", "CONFIRMED")  # cancelled ones are not in the feed at all
        calendar.add_component(event)
    return calendar


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    user = calendar_token_user(token)
    if user is None:
        raise Http404("calendar")
    viewer = viewer_for(user)
    appointments = feed_appointments(viewer)
    persons = {a.person.pk: a.person.public_id for a in appointments}
    levels = levels_for(viewer, list(persons), purpose=PURPOSE)
    audit_reads(
        viewer,
        [(pid, levels[pk]) for pk, pid in persons.items() if levels[pk] > Level.NONE],
        view=VIEW,
        purpose=PURPOSE,
        fields=["appointments"],
    )
    response = HttpResponse(
        calendar_of(appointments).to_ical(), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="do-connect-termine.ics"'
    # The address is the key: keep it out of caches and out of other sites' logs.
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
