"""Building, publishing and withdrawing the yearly report. Publishing stores a snapshot
(``PublishedReport``) of the protected content; the public pages only ever read
snapshots. Only coordinators publish and withdraw."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from doconnect.core.models import Role
from doconnect.core.viewers import Viewer, viewer_for
from doconnect.transparency.models import PublishedReport
from doconnect.transparency.report import build_content
from doconnect.transparency.selectors import year_figures
from doconnect.transparency.small_number import small_number

FIRST_YEAR = 2000


class PublishRefused(ValueError):
    """The report cannot be published or withdrawn as asked (message in German)."""


def may_publish_reports(viewer: Viewer) -> bool:
    """Publishing is the city's decision: coordinators only."""
    return viewer.has_role(Role.COORDINATOR)


def yearly_report_build(*, year: int, today: dt.date | None = None) -> dict[str, Any]:
    """The report of ``year`` as of ``today`` (today), protected, not stored (reads
    only). Always from the tables as they are now (``year_figures`` reuses a result only
    at the same change counters): publishing and ``doconnect report build`` rely on it.
    The preview shows a stored build instead (``builds.kept_build``)."""
    today = today or timezone.localdate()
    if not FIRST_YEAR <= year <= today.year:
        raise PublishRefused(_("Für das Jahr %(year)s gibt es keinen Bericht.") % {"year": year})
    return build_content(
        year_figures(year, today=today),
        threshold=small_number(),
        demo=bool(settings.DEMO_MODE),
    )


def _require_coordinator(by: User) -> None:
    if not may_publish_reports(viewer_for(by)):
        raise PermissionDenied


@transaction.atomic
def yearly_report_publish(*, year: int, by: User) -> PublishedReport:
    """Build the report of ``year`` now and store it as the year's public snapshot;
    refused when a report of the year is already public (withdraw it first)."""
    _require_coordinator(by)
    if PublishedReport.objects.public().filter(year=year).exists():
        raise PublishRefused(
            _("Der Bericht %(year)s ist schon veröffentlicht; ziehen Sie ihn zuerst zurück.")
            % {"year": year}
        )
    # A fresh build, never the preview's stored one (it may be stale): what is published
    # is the year as the tables are now.
    content = yearly_report_build(year=year)
    try:
        with transaction.atomic():
            return PublishedReport.objects.create(
                year=year, title=content["title"], content=content, published_by=by
            )
    except IntegrityError as exc:  # published at the same moment by someone else
        raise PublishRefused(
            _("Der Bericht %(year)s ist schon veröffentlicht.") % {"year": year}
        ) from exc


@transaction.atomic
def yearly_report_withdraw(*, report: PublishedReport, by: User, reason: str) -> PublishedReport:
    """Take a published report off the public pages, with the reason on record (the
    snapshot is kept)."""
    _require_coordinator(by)
    if not reason.strip():
        raise PublishRefused(_("Bitte geben Sie einen Grund für die Rücknahme an."))
    locked = PublishedReport.objects.select_for_update().get(pk=report.pk)
    if locked.withdrawn_at is not None:
        raise PublishRefused(_("Der Bericht ist schon zurückgezogen."))
    locked.withdrawn_at = timezone.now()
    locked.withdrawn_by = by
    locked.withdrawal_reason = reason.strip()
    locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    return locked
