"""The start page: a landing page for visitors, the dashboard for signed-in staff.

The dashboard shows counts only. Person figures (active support, transitions) are for
roles that may list persons and count only the persons the viewer may see; offers with
free places are not personal data and shown to every role with a membership. A user
without any membership gets a page saying whom to ask, and no figures."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from doconnect.charts.chart import Chart, bar_chart, chart_export_response
from doconnect.core.viewers import Viewer, request_viewer
from doconnect.people.access import may_list_persons
from doconnect.people.links import person_list_link
from doconnect.web.dashboard_queries import (
    TRANSITION_DAYS,
    ActiveSupport,
    Figure,
    active_support,
    offers_with_free_places,
    recent_transitions,
)


def _support_chart(
    viewer: Viewer,
    slug: str,
    title: str,
    category: str,
    figures: list[Figure],
    param: str,
    none_label: str,
) -> Chart:
    return bar_chart(
        slug=slug,
        title=title,
        description=_("Personen in aktiver Förderung heute, nach %(category)s.")
        % {"category": category},
        category_title=category,
        value_title=_("Personen"),
        bars=[(f.label or none_label, f.count) for f in figures],
        # A figure without a value (no district, no target group) has no list to open.
        links=[
            person_list_link(viewer, support="active", **{param: f.key}) if f.key else None
            for f in figures
        ],
    )


def support_charts(viewer: Viewer, support: ActiveSupport) -> list[Chart]:
    return [
        _support_chart(
            viewer,
            "foerderung-stadtbezirk",
            _("Nach Stadtbezirk"),
            _("Stadtbezirk"),
            support.by_district,
            "district",
            _("ohne Stadtbezirk"),
        ),
        _support_chart(
            viewer,
            "foerderung-zielgruppe",
            _("Nach Zielgruppe"),
            _("Zielgruppe"),
            support.by_target_group,
            "target_group",
            _("ohne Zielgruppe"),
        ),
        _support_chart(
            viewer,
            "foerderung-geschlecht",
            _("Nach Geschlecht"),
            _("Geschlecht"),
            support.by_gender,
            "gender",
            _("keine Angabe"),
        ),
    ]


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "web/home.html")
    viewer = request_viewer(request)
    if not viewer.memberships:
        return render(request, "web/dashboard.html", {"outsider": True})
    day = timezone.localdate()
    persons = may_list_persons(viewer)
    support = active_support(viewer, day) if persons else None
    charts = support_charts(viewer, support) if support is not None else []
    if response := chart_export_response(request, charts):
        return response
    transitions = (
        [(t, person_list_link(viewer, state=t.to_state)) for t in recent_transitions(viewer, day)]
        if persons
        else []
    )
    return render(
        request,
        "web/dashboard.html",
        {
            "today": day,
            "shows_persons": persons,
            "support": support,
            "support_link": person_list_link(viewer, support="active"),
            "charts": charts,
            "transitions": transitions,
            "transition_days": TRANSITION_DAYS,
            "stale_seconds": settings.DASHBOARD_STALE_SECONDS,
            "free_offers": offers_with_free_places(day),
            "free_offers_link": f"{reverse('web:offer_list')}?free=1",
        },
    )
