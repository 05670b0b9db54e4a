"""The coordinator's transparency page: the yearly reports of the last years, a
preview of each (built in the background and kept, ``builds.py``), publishing (a stored
snapshot, always built afresh) and withdrawing. Every view starts with
``_require_publisher``; the preview is for coordinators only."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from doconnect.charts.chart import chart_export_response
from doconnect.core.viewers import request_viewer
from doconnect.transparency.forms import PublishForm, WithdrawForm
from doconnect.transparency.models import PublishedReport
from doconnect.transparency.render import report_preview
from doconnect.transparency.services import (
    FIRST_YEAR,
    PublishRefused,
    may_publish_reports,
    yearly_report_publish,
    yearly_report_withdraw,
)

YEARS_LISTED = 5


def _require_publisher(request: HttpRequest) -> None:
    if not may_publish_reports(request_viewer(request)):
        raise PermissionDenied


def _year(year: int) -> int:
    if not FIRST_YEAR <= year <= timezone.localdate().year:
        raise Http404
    return year


@login_required
@require_GET
def transparency(request: HttpRequest) -> HttpResponse:
    _require_publisher(request)
    this_year = timezone.localdate().year
    reports = list(PublishedReport.objects.select_related("published_by", "withdrawn_by"))
    years = []
    for year in range(this_year, this_year - YEARS_LISTED, -1):
        of_year = [r for r in reports if r.year == year]
        years.append(
            {
                "year": year,
                "public": next((r for r in of_year if r.is_public), None),
                "withdrawn": [r for r in of_year if not r.is_public],
            }
        )
    return render(request, "transparency/transparency.html", {"years": years})


@login_required
@require_GET
def transparency_preview(request: HttpRequest, year: int) -> HttpResponse:
    _require_publisher(request)
    preview = report_preview(_year(year))
    exported = chart_export_response(request, list(preview.charts.values()))
    if exported is not None:
        return exported
    return render(
        request,
        "transparency/transparency_preview.html",
        {
            "report": preview.content,
            "charts": preview.charts,
            # While the worker builds a newer one, the page says from when this one is.
            "built_at": None if preview.current else preview.computed_at,
            "preview": True,
            "form": PublishForm(),
            "already_public": PublishedReport.objects.public().filter(year=year).exists(),
        },
    )


@login_required
@require_POST
def transparency_publish(request: HttpRequest, year: int) -> HttpResponse:
    _require_publisher(request)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte bestätigen Sie die Veröffentlichung."))
        return redirect("web:transparency_preview", year=_year(year))
    try:
        yearly_report_publish(year=_year(year), by=request.user)  # type: ignore[arg-type]
    except PublishRefused as refused:
        messages.error(request, str(refused))
        return redirect("web:transparency")
    messages.success(request, _("Der Jahresbericht %(year)s ist veröffentlicht.") % {"year": year})
    return redirect(reverse("web:public_report", args=[year]))


@login_required
@require_http_methods(["GET", "POST"])
def transparency_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    _require_publisher(request)
    report = get_object_or_404(PublishedReport.objects.public(), pk=pk)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            yearly_report_withdraw(
                report=report,
                by=request.user,  # type: ignore[arg-type]
                reason=form.cleaned_data["reason"],
            )
        except PublishRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(
                request, _("Der Jahresbericht %(year)s ist zurückgezogen.") % {"year": report.year}
            )
        return redirect("web:transparency")
    return render(
        request,
        "transparency/transparency_withdraw.html",
        {"published": report, "form": form},
        status=400 if form.is_bound else 200,
    )
