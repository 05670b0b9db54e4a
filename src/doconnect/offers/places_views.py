"""Providers and districts: their offers and key figures.

For every user with a membership (others 403). Offers, places and free places are not
personal data; participant and support figures count only the persons the viewer may
see, and are absent for roles that see no persons (platform admins)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from doconnect.charts.chart import Chart, bar_chart, chart_export_response
from doconnect.core.models import District
from doconnect.core.viewers import Viewer, request_viewer
from doconnect.core.vocabulary import data_label
from doconnect.offers.places_selectors import (
    district_page,
    district_rows,
    provider_or_none,
    provider_page,
    provider_rows,
)
from doconnect.people.access import may_list_persons, visible_persons
from doconnect.people.access_rules import Purpose
from doconnect.people.links import person_list_link
from doconnect.people.models import Person

# Zweckbindung: the key figures of providers and districts are monitoring.
PURPOSE = Purpose.MONITORING
# A city has a thousand providers and more: the list is paged like the offers'.
PROVIDERS_PER_PAGE = 50


def _member(request: HttpRequest) -> Viewer:
    viewer = request_viewer(request)
    if not viewer.memberships:
        raise PermissionDenied
    return viewer


def _persons(viewer: Viewer, day: dt.date) -> QuerySet[Person] | None:
    """The persons whose figures this viewer may see; None: no person figures at all."""
    return visible_persons(viewer, purpose=PURPOSE, today=day) if may_list_persons(viewer) else None


@login_required
@require_GET
def provider_list(request: HttpRequest) -> HttpResponse:
    viewer = _member(request)
    day = timezone.localdate()
    rows = provider_rows(day, _persons(viewer, day), stale_seconds=settings.DASHBOARD_STALE_SECONDS)
    descending = request.GET.get("sort") == "-name"
    if descending:
        rows.reverse()
    page = Paginator(rows, PROVIDERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "offers/provider_list.html",
        {
            "page": page,
            "total_shown": number_format(len(rows), force_grouping=True),
            "today": day,
            "descending": descending,
            "shows_persons": may_list_persons(viewer),
            "stale_seconds": settings.DASHBOARD_STALE_SECONDS,
        },
    )


@login_required
@require_GET
def provider_detail(request: HttpRequest, external_id: str) -> HttpResponse:
    viewer = _member(request)
    provider = provider_or_none(external_id)
    if provider is None:
        raise Http404
    day = timezone.localdate()
    page = provider_page(provider, day, _persons(viewer, day))
    funding = bar_chart(
        slug="finanzierung",
        title=_("Finanzierung %(year)s nach Geldgeber") % {"year": day.year},
        description=_(
            "Summe der Finanzierungen der Angebote dieses Trägers, die im Jahr %(year)s "
            "laufen, nach Geldgeber, in Euro."
        )
        % {"year": day.year},
        category_title=_("Geldgeber"),
        value_title=_("Euro (gerundet)"),
        bars=[(label, round(total)) for label, total in page.funding],
        money=True,
    )
    charts: list[Chart] = [funding]
    if response := chart_export_response(request, charts):
        return response
    return render(
        request,
        "offers/provider_detail.html",
        {
            "provider": provider,
            "page": page,
            "charts": charts,
            "today": day,
            "shows_persons": page.participants is not None,
        },
    )


@login_required
@require_GET
def district_list(request: HttpRequest) -> HttpResponse:
    viewer = _member(request)
    day = timezone.localdate()
    persons = _persons(viewer, day)
    rows, city_wide = district_rows(day, persons)
    return render(
        request,
        "offers/district_list.html",
        {
            "rows": [
                (
                    row,
                    person_list_link(viewer, support="active", district=row.district.official_key),
                )
                for row in rows
            ],
            "city_wide": city_wide,
            "today": day,
            "shows_persons": persons is not None,
        },
    )


@login_required
@require_GET
def district_detail(request: HttpRequest, official_key: str) -> HttpResponse:
    viewer = _member(request)
    district = get_object_or_404(District, official_key=official_key)
    day = timezone.localdate()
    page = district_page(district, day, _persons(viewer, day))
    charts: list[Chart] = []
    if page.in_support is not None:
        charts.append(
            bar_chart(
                slug="foerderung-zielgruppe",
                title=_("Personen in aktiver Förderung nach Zielgruppe"),
                description=_(
                    "Personen aus %(district)s in aktiver Förderung heute, nach Zielgruppe."
                )
                % {"district": district.name},
                category_title=_("Zielgruppe"),
                value_title=_("Personen"),
                bars=[
                    (data_label(label) if label else _("ohne Zielgruppe"), n)
                    for _code, label, n in page.by_target_group
                ],
                links=[
                    person_list_link(
                        viewer,
                        support="active",
                        district=district.official_key,
                        target_group=code,
                    )
                    if code
                    else None
                    for code, _label, _n in page.by_target_group
                ],
            )
        )
    charts.append(
        bar_chart(
            slug="freie-plaetze-art",
            title=_("Freie Plätze nach Art des Angebots"),
            description=_(
                "Freie Plätze heute in den aktiven Angeboten in %(district)s, nach Art des "
                "Angebots."
            )
            % {"district": district.name},
            category_title=_("Art"),
            value_title=_("Freie Plätze"),
            bars=page.free_by_kind,
        )
    )
    if response := chart_export_response(request, charts):
        return response
    return render(
        request,
        "offers/district_detail.html",
        {
            "district": district,
            "page": page,
            "charts": charts,
            "today": day,
            "support_link": person_list_link(
                viewer, support="active", district=district.official_key
            ),
            "shows_persons": page.in_support is not None,
        },
    )
